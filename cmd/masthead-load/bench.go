package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// bench starts a masthead binary on a data directory, measures how long it
// takes to answer /readyz, loads each path in turn, reports the server's
// resident memory, and stops it.
func bench(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("masthead-load bench", flag.ContinueOnError)
	bin := fs.String("bin", "", "the masthead binary to start")
	data := fs.String("data", "", "its data directory (see masthead-load seed)")
	conns := fs.Int("c", 32, "concurrent connections")
	dur := fs.Duration("d", 10*time.Second, "load duration per path")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: masthead-load bench -bin BINARY -data DIR [-c N] [-d DURATION] PATH…\n\nStarts `BINARY serve` on a free loopback port, reports its start-up time,\nthe load figures of each PATH and its memory, then stops it.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *bin == "" || *data == "" || fs.NArg() == 0 {
		fs.Usage()
		return errors.New("-bin, -data and at least one PATH are required")
	}
	srv, err := startProcess(*bin, []string{"serve", "--data", *data, "--log-level", "warn"})
	if err != nil {
		return err
	}
	defer srv.stop()
	base := srv.base
	fmt.Fprintf(out, "start-up     %s until /readyz answered\n", srv.startup.Round(time.Millisecond))
	rssIdle, _ := memory(srv.pid(), "VmRSS")
	fmt.Fprintf(out, "memory       %s resident after start\n\n", rssIdle)
	for _, p := range fs.Args() {
		if !strings.HasPrefix(p, "/") {
			return fmt.Errorf("path %q must start with /", p)
		}
		if err := run([]string{"-c", strconv.Itoa(*conns), "-d", dur.String(), base + p}, out); err != nil {
			return err
		}
		fmt.Fprintln(out)
	}
	rss, _ := memory(srv.pid(), "VmRSS")
	peak, _ := memory(srv.pid(), "VmHWM")
	fmt.Fprintf(out, "memory       %s resident after the load, %s at the peak\n", rss, peak)
	return nil
}

// process is a server started by this tool on a loopback port.
type process struct {
	cmd     *exec.Cmd
	base    string        // "http://127.0.0.1:PORT"
	startup time.Duration // from exec until /readyz answered 200
}

// startProcess runs bin with args plus --addr on a free loopback port and
// waits until it answers /readyz.
func startProcess(bin string, args []string) (*process, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(bin, append(args, "--addr", addr)...)
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, base: "http://" + addr}
	if err := waitReady(p.base+"/readyz", 60*time.Second); err != nil {
		p.stop()
		return nil, err
	}
	p.startup = time.Since(start)
	return p, nil
}

func (p *process) pid() int { return p.cmd.Process.Pid }

// stop ends the server gracefully and waits for it.
func (p *process) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls url until it answers 200 or the timeout passes.
func waitReady(url string, timeout time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer 200 within %s", url, timeout)
}

// memory reads one of the kernel's memory figures for a process (VmRSS,
// VmHWM) from /proc, formatted in megabytes.
func memory(pid int, field string) (string, error) {
	kb, err := memoryKB(pid, field)
	if err != nil {
		return "unknown", err
	}
	return fmt.Sprintf("%.1f MB", float64(kb)/1024), nil
}

// memoryKB reads one of the kernel's memory figures for a process in kB.
func memoryKB(pid int, field string) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}
