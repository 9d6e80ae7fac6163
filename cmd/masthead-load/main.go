// Command masthead-load measures a Masthead server. "masthead-load seed"
// writes a benchmark archive into a new data directory; "masthead-load
// bench" starts a server on one and measures start-up, load and memory;
// "masthead-load suite" does all of it for archives of several sizes and
// compares every page with "masthead-load limit", a minimal server that
// answers with the same bytes from memory. Without a subcommand it sends a
// bounded burst of HTTP GET requests from many connections to a server on
// this machine and reports throughput and latency percentiles. It refuses
// any target that is not a loopback address, and stops by itself after the
// given duration or request count.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

func main() {
	run := run
	args := os.Args[1:]
	if len(args) > 0 {
		switch args[0] {
		case "seed":
			run, args = seed, args[1:]
		case "bench":
			run, args = bench, args[1:]
		case "suite":
			run, args = suite, args[1:]
		case "limit":
			run, args = limit, args[1:]
		}
	}
	if err := run(args, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "masthead-load:", err)
		os.Exit(1)
	}
}

type result struct {
	latencies []time.Duration
	errors    int
	non2xx    int
	bytes     int64
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("masthead-load", flag.ContinueOnError)
	conns := fs.Int("c", 32, "concurrent connections")
	dur := fs.Duration("d", 10*time.Second, "how long to send requests (at most 5m)")
	maxReq := fs.Int("n", 0, "stop after this many requests (0: only the duration bounds it)")
	warm := fs.Duration("warmup", time.Second, "requests sent first and not counted")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: masthead-load [flags] URL [URL…]\n\nEach connection cycles through the URLs. Only loopback targets are allowed.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("no URL given")
	}
	if *conns < 1 || *conns > 5000 {
		return errors.New("-c must be from 1 to 5000")
	}
	if *dur <= 0 || *dur > 5*time.Minute {
		return errors.New("-d must be positive and at most 5m")
	}
	targets := fs.Args()
	for _, t := range targets {
		if err := checkLoopback(t); err != nil {
			return err
		}
	}

	st := measure(targets, *conns, *dur, *warm, *maxReq)
	fmt.Fprintf(out, "targets      %s\n", strings.Join(targets, " "))
	fmt.Fprintf(out, "connections  %d, duration %s\n", *conns, st.elapsed.Round(time.Millisecond))
	fmt.Fprintf(out, "requests     %d (%d errors, %d non-2xx)\n", st.requests, st.errors, st.non2xx)
	fmt.Fprintf(out, "throughput   %.0f requests/s, %.1f MB/s\n", st.rate(), float64(st.bytes)/st.elapsed.Seconds()/1e6)
	fmt.Fprintf(out, "latency      p50 %s  p90 %s  p99 %s  max %s\n", st.p50, st.p90, st.p99, st.max)
	return st.err()
}

// stats sums up one load run.
type stats struct {
	elapsed            time.Duration
	requests           int
	errors, non2xx     int
	bytes              int64
	p50, p90, p99, max time.Duration
}

func (st stats) rate() float64 { return float64(st.requests) / st.elapsed.Seconds() }

func (st stats) err() error {
	if st.errors > 0 || st.non2xx > 0 {
		return fmt.Errorf("%d errors and %d non-2xx answers", st.errors, st.non2xx)
	}
	return nil
}

// measure sends requests to targets from conns connections for d (after
// warm, not counted), or until maxReq requests when it is above 0.
func measure(targets []string, conns int, d, warm time.Duration, maxReq int) stats {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	if warm > 0 {
		load(client, targets, conns, warm, 0)
	}
	start := time.Now()
	results := load(client, targets, conns, d, maxReq)
	st := stats{elapsed: time.Since(start)}

	var all []time.Duration
	for _, r := range results {
		all = append(all, r.latencies...)
		st.errors += r.errors
		st.non2xx += r.non2xx
		st.bytes += r.bytes
	}
	slices.Sort(all)
	pct := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, int(float64(len(all))*p))]
	}
	st.requests = len(all)
	st.p50, st.p90, st.p99, st.max = pct(0.50), pct(0.90), pct(0.99), pct(1)
	return st
}

func load(client *http.Client, targets []string, conns int, d time.Duration, maxReq int) []result {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	results := make([]result, conns)
	var wg sync.WaitGroup
	var mu sync.Mutex
	sent := 0
	for i := range conns {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := &results[i]
			for n := i; ctx.Err() == nil; n++ {
				if maxReq > 0 {
					mu.Lock()
					if sent >= maxReq {
						mu.Unlock()
						return
					}
					sent++
					mu.Unlock()
				}
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, targets[n%len(targets)], nil)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						r.errors++
					}
					continue
				}
				nb, err := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil {
					if ctx.Err() == nil {
						r.errors++
					}
					continue
				}
				r.latencies = append(r.latencies, time.Since(t0))
				r.bytes += nb
				if resp.StatusCode < 200 || resp.StatusCode > 299 {
					r.non2xx++
				}
			}
		}(i)
	}
	wg.Wait()
	return results
}

// checkLoopback refuses any URL whose host is not a loopback address: a load
// test never leaves this machine.
func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("%q is not an http(s) URL", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%q: only loopback targets (127.0.0.0/8, ::1, localhost) are allowed", raw)
	}
	return nil
}
