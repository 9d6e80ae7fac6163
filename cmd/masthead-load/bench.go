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
	port, err := freePort()
	if err != nil {
		return err
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(*bin, "serve", "--data", *data, "--addr", "127.0.0.1:"+strconv.Itoa(port), "--log-level", "warn")
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	if err := waitReady(base+"/readyz", 30*time.Second); err != nil {
		return err
	}
	fmt.Fprintf(out, "start-up     %s until /readyz answered\n", time.Since(start).Round(time.Millisecond))
	rssIdle, _ := memory(cmd.Process.Pid, "VmRSS")
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
	rss, _ := memory(cmd.Process.Pid, "VmRSS")
	peak, _ := memory(cmd.Process.Pid, "VmHWM")
	fmt.Fprintf(out, "memory       %s resident after the load, %s at the peak\n", rss, peak)
	return nil
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
// VmHWM) from /proc.
func memory(pid int, field string) (string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "unknown", err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				return "unknown", err
			}
			return fmt.Sprintf("%.1f MB", float64(kb)/1024), nil
		}
	}
	return "unknown", fmt.Errorf("no %s in /proc/%d/status", field, pid)
}
