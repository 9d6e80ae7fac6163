package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
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
