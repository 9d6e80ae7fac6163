package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/internal/demo"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine to write while
// the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func envFrom(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestHelpForEveryCommand(t *testing.T) {
	for _, c := range commands() {
		var out bytes.Buffer
		code := run(context.Background(), []string{c.name, "--help"}, envFrom(nil), &out, &out)
		if code != 0 {
			t.Errorf("%s --help: exit %d", c.name, code)
		}
		if !strings.Contains(out.String(), "Usage: masthead "+c.name) {
			t.Errorf("%s --help printed:\n%s", c.name, out.String())
		}
	}
	var out bytes.Buffer
	if code := run(context.Background(), []string{"frobnicate"}, envFrom(nil), &out, &out); code != 2 {
		t.Errorf("unknown command: exit %d", code)
	}
}

func TestBadConfigurationStopsWithEveryProblem(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"serve", "--addr", "nonsense", "--log-level", "loud"},
		envFrom(map[string]string{"MASTHEAD_DATA": t.TempDir()}), &out, &errOut)
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"--addr", "--log-level"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %s:\n%s", want, errOut.String())
		}
	}
}

func TestUnreachableDatabaseIsAClearError(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0"},
		envFrom(map[string]string{"MASTHEAD_DATABASE_URL": "postgres://u:secret@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"}), &out, &errOut)
	if code != 1 {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut.String())
	}
	msg := errOut.String()
	if !strings.Contains(msg, "masthead serve:") || strings.Contains(msg, "panic") {
		t.Errorf("stderr:\n%s", msg)
	}
	if strings.Contains(msg, "secret") {
		t.Errorf("stderr leaks the password:\n%s", msg)
	}
}

func TestMigrateFreshDataDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"migrate", "--data", dir}, envFrom(nil), &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !regexp.MustCompile(`schema is at version (\d+) of (\d+)`).MatchString(out.String()) {
		t.Errorf("stdout: %s", out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "masthead.db")); err != nil {
		t.Errorf("no database file: %v", err)
	}
}

// startServe runs `masthead serve` in-process on a free port and returns its
// base URL and a function that stops it and returns the exit code.
func startServe(t *testing.T, args []string, env map[string]string) (string, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), envFrom(env), io.Discard, stderr)
	}()
	urlRE := regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+)`)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := urlRE.FindStringSubmatch(stderr.String()); m != nil {
			return m[1], func() int { cancel(); return <-done }
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("serve exited with %d before listening:\n%s", code, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not start:\n%s", stderr.String())
		}
	}
}

func TestServeProbesAndGracefulStop(t *testing.T) {
	base, stop := startServe(t, []string{"--data", t.TempDir()}, nil)
	for _, path := range []string{"/healthz", "/readyz", "/"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
	}
	if code := stop(); code != 0 {
		t.Errorf("exit %d after shutdown", code)
	}
}

func TestImportCommand(t *testing.T) {
	data := t.TempDir()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"import", "--data", data, "../../internal/importer/testdata/bad"}, envFrom(nil), &out, &errOut)
	if code != 1 || !regexp.MustCompile(`posts/[\w.-]+\.md:\d+: `).MatchString(errOut.String()) {
		t.Fatalf("bad directory: exit %d, stderr:\n%s", code, errOut.String())
	}
	good := filepath.Join(t.TempDir(), "import")
	if err := demo.WriteImportDir(good); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errOut.Reset()
	code = run(context.Background(), []string{"import", "--data", data, good}, envFrom(nil), &out, &errOut)
	if code != 0 || !strings.Contains(out.String(), "imported: authors 6 new") {
		t.Fatalf("good directory: exit %d\nstdout: %s\nstderr: %s", code, out.String(), errOut.String())
	}
	out.Reset()
	code = run(context.Background(), []string{"import", "--data", data, good}, envFrom(nil), &out, &errOut)
	if code != 0 || !strings.Contains(out.String(), "posts 0 new, 0 updated") {
		t.Fatalf("re-import: exit %d\nstdout: %s", code, out.String())
	}
}

func TestDemoServesTheSampleMagazine(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo paints its photographs; skipped in -short mode")
	}
	ctx, cancel := context.WithCancel(context.Background())
	stdout := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--addr", "127.0.0.1:0"}, envFrom(map[string]string{"MASTHEAD_DATA": "/nonexistent"}), stdout, io.Discard)
	}()
	urlRE := regexp.MustCompile(`Open (http://127\.0\.0\.1:\d+)/`)
	var base string
	deadline := time.Now().Add(60 * time.Second)
	for base == "" {
		if m := urlRE.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("demo exited with %d:\n%s", code, stdout.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("demo did not start:\n%s", stdout.String())
		}
	}
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Latitude") || strings.Count(string(body), `class="entry-headline"`) < 12 {
		t.Errorf("home page: %d\n%.2000s", resp.StatusCode, body)
	}
	// The demo prints a desk login that works.
	login := regexp.MustCompile(`desk is at (http://127\.0\.0\.1:\d+/desk/) — sign in as (\S+) with the password (\S+)`).FindStringSubmatch(stdout.String())
	if login == nil {
		t.Fatalf("no desk login printed:\n%s", stdout.String())
	}
	signIn := url.Values{"email": {login[2]}, "password": {login[3]}}
	req, _ := http.NewRequest(http.MethodPost, login[1]+"signin", strings.NewReader(signIn.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/desk/home" {
		t.Errorf("signing in with the printed login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("demo exit %d", code)
	}
}
