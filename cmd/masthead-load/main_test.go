package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
)

func TestOnlyLoopbackTargets(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:8080/", true},
		{"http://127.9.9.9/", true},
		{"http://localhost:1/x", true},
		{"http://[::1]:8080/", true},
		{"http://10.0.0.1/", false},
		{"http://192.168.1.1/", false},
		{"https://example.com/", false},
		{"ftp://127.0.0.1/", false},
		{"127.0.0.1:8080", false},
	} {
		if err := checkLoopback(tc.url); (err == nil) != tc.ok {
			t.Errorf("checkLoopback(%q) = %v, want ok=%v", tc.url, err, tc.ok)
		}
	}
	if err := run([]string{"-d", "1s", "http://10.1.2.3/"}, &bytes.Buffer{}); err == nil {
		t.Error("run accepted a private address")
	}
}

func TestRunStopsAfterRequestCount(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, "hello")
	}))
	defer srv.Close()
	var out bytes.Buffer
	if err := run([]string{"-c", "4", "-n", "200", "-warmup", "0", "-d", "1m", srv.URL}, &out); err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 200 || !strings.Contains(out.String(), "requests     200 (0 errors, 0 non-2xx)") {
		t.Errorf("hits %d, output:\n%s", hits.Load(), out.String())
	}
}

func TestSeedRefusesExistingDirectory(t *testing.T) {
	if err := seed([]string{"-data", t.TempDir(), "-articles", "3"}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("err = %v", err)
	}
	dir := filepath.Join(t.TempDir(), "bench")
	var out bytes.Buffer
	if err := seed([]string{"-data", dir, "-articles", "3"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "wrote 3 articles") {
		t.Errorf("output: %s", out.String())
	}
}

func TestMemoryOfThisProcess(t *testing.T) {
	got, err := memory(os.Getpid(), "VmRSS")
	if err != nil || !strings.HasSuffix(got, " MB") {
		t.Errorf("memory = %q, %v", got, err)
	}
	if _, err := memory(os.Getpid(), "NoSuchField"); err == nil {
		t.Error("unknown field accepted")
	}
}

// envRunAsCommand makes the test binary run as masthead-load itself, so
// that the suite can start it as the limit server.
const envRunAsCommand = "MASTHEAD_LOAD_TEST_RUN_AS_COMMAND"

func TestMain(m *testing.M) {
	if os.Getenv(envRunAsCommand) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// buildMasthead builds the real server binary once per test run.
func buildMasthead(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH to build the masthead binary")
	}
	bin := filepath.Join(t.TempDir(), "masthead")
	cmd := exec.Command(goBin, "build", "-o", bin, "masthead/cmd/masthead")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestSuiteOnATinyArchive(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the server: not in -short")
	}
	bin := buildMasthead(t)
	t.Setenv(envRunAsCommand, "1")
	work := t.TempDir()
	args := []string{"-bin", bin, "-work", work, "-articles", "12,20", "-c", "4", "-d", "150ms", "-warmup", "50ms"}
	var out bytes.Buffer
	if err := suite(args, &out); err != nil {
		t.Fatalf("suite: %v\n%s", err, out.String())
	}
	t.Log(out.String())
	for _, n := range []int{12, 20} {
		section := out.String()[strings.Index(out.String(), fmt.Sprintf("## %d articles", n)):]
		if !strings.Contains(section, "archive: seeded") || !strings.Contains(section, "start-up: ") ||
			!regexp.MustCompile(`server memory: [1-9][0-9.]* MB resident after start`).MatchString(section) {
			t.Errorf("%d articles: no seed, start-up or memory line", n)
		}
		for _, p := range suitePages(n) {
			row := regexp.MustCompile(`\| ` + p.name + ` \| ` + "`" + regexp.QuoteMeta(p.path) + "`" +
				` \| [0-9.]+ KB \| ([0-9]+) \| [0-9.]+ ms \| [0-9.]+ ms \| ([0-9]+) \| [0-9.]+ ms \| [0-9]+% \|`).FindStringSubmatch(section)
			if row == nil || row[1] == "0" || row[2] == "0" {
				t.Errorf("%d articles: no measured row for %s", n, p.name)
			}
		}
	}
	// A second run reuses the seeded archives.
	out.Reset()
	if err := suite(append(args[:5:5], "12", "-c", "2", "-d", "50ms", "-warmup", "0"), &out); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if !strings.Contains(out.String(), "archive: reused") {
		t.Errorf("second run did not reuse the archive:\n%s", out.String())
	}
}

func TestLimitServerRefusesPublicAddresses(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.168.0.1:80"} {
		if err := limit([]string{"-addr", addr, "-pages", "x.json"}, io.Discard); err == nil || !strings.Contains(err.Error(), "loopback") {
			t.Errorf("limit -addr %s: %v", addr, err)
		}
	}
}
