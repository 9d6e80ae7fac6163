package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/internal/config"
	"masthead/internal/server"
	"masthead/internal/store/storetest"
)

// Environment variables of the tests.
const (
	// envMailpit names the mailpit binary (go install
	// github.com/axllent/mailpit@v1.33.1); without it the mailpit test
	// skips.
	envMailpit = "MASTHEAD_MAILPIT"
	// envChild makes the test binary run "masthead serve" from its
	// environment instead of the tests, for the tests that kill a real
	// process.
	envChild = "MASTHEAD_E2E_CHILD"
)

func TestMain(m *testing.M) {
	if os.Getenv(envChild) == "serve" {
		os.Exit(serveChild())
	}
	os.Exit(m.Run())
}

// serveChild is "masthead serve" configured by the environment, as the
// command runs it: it opens the server and serves until killed or sent
// SIGTERM.
func serveChild() int {
	ctx, stop := signalContext()
	defer stop()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	raw, err := config.Register(fs, os.Getenv)
	if err == nil {
		err = fs.Parse(nil)
	}
	var cfg config.Config
	if err == nil {
		cfg, err = config.Parse(raw)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	log := cfg.Logger(os.Stderr)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	app, err := server.Open(ctx, cfg, log)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer app.Close()
	if err := app.Serve(ctx, ln); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// databaseEnv names the test's database: a fresh PostgreSQL schema when
// MASTHEAD_TEST_POSTGRES is set, a SQLite file in data otherwise.
func databaseEnv(t *testing.T, env map[string]string) {
	t.Helper()
	env["MASTHEAD_DATA"] = t.TempDir()
	if os.Getenv(storetest.EnvPostgres) != "" {
		env["MASTHEAD_DATABASE_URL"] = storetest.PostgresURL(t)
	}
}

// running is a server started in the test's process.
type running struct {
	App *server.App
	// URL is the public URL of the site (MASTHEAD_BASE_URL), Local the
	// address it answers at.
	URL, Local string
}

// local turns a public URL of the site into the address the server
// answers at, as a TLS-terminating proxy in front of it would.
func (r *running) local(u string) string {
	if rest, ok := strings.CutPrefix(u, r.URL); ok {
		return r.Local + rest
	}
	return u
}

// startServer opens and serves Masthead configured by env (plus a
// database of the test's own and a free loopback port) until the test
// ends. The public URL is env's MASTHEAD_BASE_URL, when set.
func startServer(t *testing.T, env map[string]string) *running {
	t.Helper()
	databaseEnv(t, env)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	env["MASTHEAD_ADDR"] = ln.Addr().String()
	if env["MASTHEAD_BASE_URL"] == "" {
		env["MASTHEAD_BASE_URL"] = "http://" + ln.Addr().String()
	}
	cfg := parseConfig(t, env)
	tl := &testLog{t: t}
	log := slog.New(slog.NewTextHandler(tl, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithCancel(context.Background())
	app, err := server.Open(ctx, cfg, log)
	if err != nil {
		ln.Close()
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		app.Close()
		tl.mu.Lock()
		tl.done = true
		tl.mu.Unlock()
	})
	return &running{App: app, URL: cfg.BaseURL, Local: "http://" + ln.Addr().String()}
}

func parseConfig(t *testing.T, env map[string]string) config.Config {
	t.Helper()
	fs := flag.NewFlagSet("e2e", flag.ContinueOnError)
	raw, err := config.Register(fs, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// testLog writes log lines to the test's log while it runs.
type testLog struct {
	mu   sync.Mutex
	t    *testing.T
	done bool
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.done {
		l.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

// waitFor polls cond until it holds, failing the test after a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freePort asks the system for a loopback port nobody uses just now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// mailpit is a running mailpit: its SMTP server and its HTTP API.
type mailpit struct {
	t        *testing.T
	SMTPPort int
	api      string
}

// startMailpit runs the mailpit named by MASTHEAD_MAILPIT on free
// loopback ports with a database of its own, until the test ends; the
// test skips when the variable is unset.
func startMailpit(t *testing.T) *mailpit {
	t.Helper()
	bin := os.Getenv(envMailpit)
	if bin == "" {
		t.Skipf("%s is not set; skipping the end-to-end test against mailpit "+
			"(go install github.com/axllent/mailpit@v1.33.1 and set %s to its path)", envMailpit, envMailpit)
	}
	var lastErr error
	// A port found free can be taken by another process before mailpit
	// binds it: then try other ports.
	for range 3 {
		smtpPort, httpPort := freePort(t), freePort(t)
		var out bytes.Buffer
		cmd := exec.Command(bin, "--disable-version-check", "--quiet",
			"--smtp", "127.0.0.1:"+strconv.Itoa(smtpPort), "--listen", "127.0.0.1:"+strconv.Itoa(httpPort),
			"--database", filepath.Join(t.TempDir(), "mailpit.db"))
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatalf("start mailpit: %v", err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		mp := &mailpit{t: t, SMTPPort: smtpPort, api: "http://127.0.0.1:" + strconv.Itoa(httpPort)}
		ready := func() bool {
			c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(smtpPort), time.Second)
			if err != nil {
				return false
			}
			c.Close()
			resp, err := http.Get(mp.api + "/api/v1/info")
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == http.StatusOK
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			select {
			case err := <-exited:
				lastErr = fmt.Errorf("mailpit exited: %v\n%s", err, out.String())
			default:
				if ready() {
					t.Cleanup(func() {
						cmd.Process.Kill()
						<-exited
					})
					return mp
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					<-exited
					t.Fatalf("mailpit did not start within 30 s:\n%s", out.String())
				}
				time.Sleep(20 * time.Millisecond)
				continue
			}
			break
		}
	}
	t.Fatal(lastErr)
	return nil
}

// mpAddress is an address in mailpit's API.
type mpAddress struct {
	Name    string
	Address string
}

// mpSummary is a message in mailpit's message list.
type mpSummary struct {
	ID        string
	MessageID string
	From      mpAddress
	To        []mpAddress
	Subject   string
}

// mpMessage is one message as mailpit's API gives it.
type mpMessage struct {
	mpSummary
	Text string
	HTML string
}

func (mp *mailpit) getJSON(path string, into any) {
	mp.t.Helper()
	resp, err := http.Get(mp.api + path)
	if err != nil {
		mp.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		mp.t.Fatalf("mailpit %s: %s\n%s", path, resp.Status, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		mp.t.Fatalf("mailpit %s: %v", path, err)
	}
}

// to lists the messages mailpit holds for an address, newest first.
func (mp *mailpit) to(addr string) []mpSummary {
	mp.t.Helper()
	var page struct{ Messages []mpSummary }
	mp.getJSON("/api/v1/search?limit=500&query="+url.QueryEscape("to:"+addr), &page)
	// The search matches parts of addresses; keep the exact ones.
	var out []mpSummary
	for _, m := range page.Messages {
		for _, to := range m.To {
			if strings.EqualFold(to.Address, addr) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// withSubject keeps the messages with this (decoded) subject.
func withSubject(msgs []mpSummary, subject string) []mpSummary {
	var out []mpSummary
	for _, m := range msgs {
		if m.Subject == subject {
			out = append(out, m)
		}
	}
	return out
}

// waitMessage waits until a message with a subject containing part is in
// mailpit for addr, and returns it.
func (mp *mailpit) waitMessage(addr, part string) mpMessage {
	mp.t.Helper()
	var found mpSummary
	waitFor(mp.t, fmt.Sprintf("a message %q to %s", part, addr), func() bool {
		for _, m := range mp.to(addr) {
			if strings.Contains(m.Subject, part) {
				found = m
				return true
			}
		}
		return false
	})
	return mp.message(found.ID)
}

func (mp *mailpit) message(id string) mpMessage {
	mp.t.Helper()
	var m mpMessage
	mp.getJSON("/api/v1/message/"+url.PathEscape(id), &m)
	return m
}

// headers returns the header fields of a message as sent (undecoded).
func (mp *mailpit) headers(id string) map[string][]string {
	mp.t.Helper()
	h := map[string][]string{}
	mp.getJSON("/api/v1/message/"+url.PathEscape(id)+"/headers", &h)
	return h
}

// raw returns a message as mailpit received it.
func (mp *mailpit) raw(id string) []byte {
	mp.t.Helper()
	resp, err := http.Get(mp.api + "/api/v1/message/" + url.PathEscape(id) + "/raw")
	if err != nil {
		mp.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		mp.t.Fatalf("mailpit raw %s: %s %v", id, resp.Status, err)
	}
	return b
}

var errNoLink = errors.New("no link")

// linkIn finds the first link of the site under path (e.g.
// "/subscribe/confirm/") in a text body.
func linkIn(text, base, path string) (string, error) {
	i := strings.Index(text, base+path)
	if i < 0 {
		return "", errNoLink
	}
	end := i
	for end < len(text) && !strings.ContainsRune(" \t\r\n<>\")", rune(text[end])) {
		end++
	}
	return text[i:end], nil
}
