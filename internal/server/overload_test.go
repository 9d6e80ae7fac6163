package server_test

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"masthead/internal/benchdata"
	"masthead/internal/config"
	"masthead/internal/server"
)

// loadServer is a real Masthead on SQLite, seeded with a small benchmark
// archive and served on a loopback port.
type loadServer struct {
	app  *server.App
	addr string // host:port
}

// startLoadServer opens a Masthead with the configuration defaults plus
// flags, lets limits shorten its timeouts, seeds articles and serves it
// until the test ends.
func startLoadServer(t *testing.T, articles int, limits func(*server.Limits), flags ...string) *loadServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	raw, err := config.Register(fs, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"--data", t.TempDir(), "--addr", ln.Addr().String(), "--log-level", "warn"}, flags...)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	ctx, cancel := context.WithCancel(context.Background())
	app, err := server.Open(ctx, cfg, log)
	if err != nil {
		cancel()
		ln.Close()
		t.Fatal(err)
	}
	if articles > 0 {
		spec := benchdata.Spec{Articles: articles, Newest: time.Now().Add(-time.Hour).UTC().Truncate(time.Second)}
		if err := benchdata.Seed(ctx, app.Store, app.Media, spec); err != nil {
			t.Fatal(err)
		}
	}
	if limits != nil {
		limits(&app.Limits)
	}
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		app.Close()
	})
	return &loadServer{app: app, addr: ln.Addr().String()}
}

// enoughFiles raises the limit of open files towards need, or skips.
func enoughFiles(t *testing.T, need uint64) {
	t.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Skipf("cannot read the open-file limit: %v", err)
	}
	if lim.Cur < need && lim.Max >= need {
		lim.Cur = need
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
		syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	if lim.Cur < need {
		t.Skipf("open-file limit is %d, this test needs %d: raise it with ulimit -n %d", lim.Cur, need, need)
	}
}

// heapPeak samples the heap until stop is called and returns its peak.
func heapPeak() (stop func() uint64) {
	var peak atomic.Uint64
	quit := make(chan struct{})
	done := make(chan struct{})
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		if m.HeapInuse > peak.Load() {
			peak.Store(m.HeapInuse)
		}
	}
	go func() {
		defer close(done)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			sample()
			select {
			case <-quit:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(quit)
		<-done
		sample()
		return peak.Load()
	}
}

// TestThousandConnections opens 1,000 connections at once, sends three
// requests on each (cached pages, pages rendered for the first time, feeds
// and searches, which are never cached), and checks that every answer is
// complete and right and that memory stays bounded.
func TestThousandConnections(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 connections: not in -short")
	}
	const conns = 1000
	enoughFiles(t, 2*conns+256) // both ends of every connection are in this process
	const articles = 30
	srv := startLoadServer(t, articles, nil)

	type check struct {
		path string
		want string // a piece of the right answer
	}
	checks := []check{
		{"/", benchdata.Title(0)},
		{"/sections/section-1", benchdata.Title(1)},
		{"/feed.xml", "<rss"},
		{"/search?q=" + strings.Fields(benchdata.Title(3))[0], "search-result"},
	}
	for i := range articles {
		checks = append(checks, check{"/articles/" + benchdata.Slug(i), benchdata.Title(i)})
	}
	// Warm one page, so that the load meets both cached and uncached ones.
	if res, err := http.Get("http://" + srv.addr + "/"); err != nil || res.StatusCode != 200 {
		t.Fatalf("warm-up: %v", err)
	} else {
		res.Body.Close()
	}

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	goroutines := runtime.NumGoroutine()
	stopHeap := heapPeak()

	// Every connection is open before any request is sent.
	dialed := make([]net.Conn, conns)
	for i := range dialed {
		c, err := net.Dial("tcp", srv.addr)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		dialed[i] = c
	}
	start := make(chan struct{})
	var failures atomic.Int32
	var answered atomic.Int32
	var wg sync.WaitGroup
	for i, c := range dialed {
		wg.Go(func() {
			defer c.Close()
			c.SetDeadline(time.Now().Add(2 * time.Minute))
			br := bufio.NewReader(c)
			<-start
			for k := range 3 {
				ch := checks[(i*3+k)%len(checks)]
				req, _ := http.NewRequest(http.MethodGet, "http://"+srv.addr+ch.path, nil)
				if err := req.Write(c); err != nil {
					failures.Add(1)
					t.Errorf("connection %d: write %s: %v", i, ch.path, err)
					return
				}
				res, err := http.ReadResponse(br, req)
				if err != nil {
					failures.Add(1)
					t.Errorf("connection %d: read %s: %v", i, ch.path, err)
					return
				}
				body, err := io.ReadAll(res.Body)
				res.Body.Close()
				if err != nil || res.StatusCode != http.StatusOK || !strings.Contains(string(body), ch.want) {
					if failures.Add(1) <= 5 {
						t.Errorf("connection %d: GET %s: %d, %d bytes, %v", i, ch.path, res.StatusCode, len(body), err)
					}
					return
				}
				answered.Add(1)
			}
		})
	}
	began := time.Now()
	close(start)
	wg.Wait()
	elapsed := time.Since(began)
	peak := stopHeap()
	t.Logf("%d answers on %d connections in %s; heap in use %d MB before, %d MB at the peak",
		answered.Load(), conns, elapsed.Round(time.Millisecond), before.HeapInuse>>20, peak>>20)
	if failures.Load() > 0 || answered.Load() != 3*conns {
		t.Fatalf("%d of %d requests answered right", answered.Load(), 3*conns)
	}
	// Both ends of 1,000 connections and their buffers live in this process;
	// a page render per connection would take far more.
	if grown := int64(peak) - int64(before.HeapInuse); grown > 192<<20 {
		t.Errorf("heap grew by %d MB under 1,000 connections", grown>>20)
	}
	// The server lets go of the connections: no goroutine is left behind.
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > goroutines+20 {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines after the load, %d before", runtime.NumGoroutine(), goroutines)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// readUntilClosed reads from c until the server closes it, failing after
// limit, and returns what was read.
func readUntilClosed(t *testing.T, c net.Conn, limit time.Duration) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(limit))
	b, err := io.ReadAll(c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server kept the connection open for %s", limit)
	}
	return string(b)
}

func TestSlowClientsAreCutOff(t *testing.T) {
	const headerTimeout = 300 * time.Millisecond
	srv := startLoadServer(t, 3, func(l *server.Limits) {
		l.ReadHeaderTimeout = headerTimeout
		l.ReadTimeout = time.Second
		l.IdleTimeout = 300 * time.Millisecond
		l.MaxHeaderBytes = 4 << 10
	})

	t.Run("slowloris", func(t *testing.T) {
		// A header trickled a byte at a time never completes; the server
		// closes the connection once ReadHeaderTimeout has passed, however
		// steadily the bytes come.
		begun := time.Now()
		c, err := net.Dial("tcp", srv.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: "+srv.addr+"\r\n"); err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		trickled := make(chan int)
		go func() {
			n := 0
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			defer func() { trickled <- n }()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				if _, err := io.WriteString(c, "X"); err != nil {
					return
				}
				n++
			}
		}()
		got := readUntilClosed(t, c, 10*time.Second)
		held := time.Since(begun)
		close(stop)
		n := <-trickled
		if strings.HasPrefix(got, "HTTP/1.1 200") {
			t.Fatalf("a request that never finished its header was answered: %q", got)
		}
		// The server's clock starts at accept, a moment before Dial returns
		// here.
		if held < headerTimeout-100*time.Millisecond || held > headerTimeout+3*time.Second {
			t.Errorf("connection closed after %s, ReadHeaderTimeout is %s", held, headerTimeout)
		}
		t.Logf("closed after %s and %d trickled bytes", held.Round(time.Millisecond), n)
	})

	t.Run("header too large", func(t *testing.T) {
		c, err := net.Dial("tcp", srv.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: %s\r\nX-Filler: %s\r\n\r\n", srv.addr, strings.Repeat("a", 16<<10))
		got := readUntilClosed(t, c, 10*time.Second)
		if !strings.HasPrefix(got, "HTTP/1.1 431") {
			t.Errorf("a 16 KB header was answered %.40q", got)
		}
	})

	t.Run("idle keep-alive", func(t *testing.T) {
		c, err := net.Dial("tcp", srv.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		req, _ := http.NewRequest(http.MethodGet, "http://"+srv.addr+"/healthz", nil)
		req.Write(c)
		br := bufio.NewReader(c)
		res, err := http.ReadResponse(br, req)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("healthz: %v", err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		begun := time.Now()
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := br.ReadByte(); err == nil {
			t.Fatal("the server sent more than its answer")
		} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatal("an idle connection stayed open")
		}
		t.Logf("idle connection closed after %s", time.Since(begun).Round(time.Millisecond))
	})

	// And the server still serves.
	res, err := http.Get("http://" + srv.addr + "/articles/" + benchdata.Slug(1))
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("after the slow clients: %v", err)
	}
	res.Body.Close()
}

func TestPprofOnlyOnItsLoopbackListener(t *testing.T) {
	srv := startLoadServer(t, 0, nil, "--pprof-addr", "127.0.0.1:0")
	addr := srv.app.PprofAddr()
	if addr == nil {
		t.Fatal("no profiler listener with --pprof-addr")
	}
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap?debug=1", "/debug/pprof/goroutine?debug=1", "/debug/pprof/cmdline"} {
		res, err := http.Get("http://" + addr.String() + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || len(body) == 0 {
			t.Errorf("profiler GET %s: %d", path, res.StatusCode)
		}
	}
	// The public listener knows nothing of it, neither at the top nor in
	// the desk.
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap", "/desk/debug/pprof/"} {
		res, err := http.Get("http://" + srv.addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode == http.StatusOK || strings.Contains(string(body), "goroutine") {
			t.Errorf("public GET %s: %d", path, res.StatusCode)
		}
	}

	plain := startLoadServer(t, 0, nil)
	if plain.app.PprofAddr() != nil {
		t.Error("a profiler listener without --pprof-addr")
	}
}
