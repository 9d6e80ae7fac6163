package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"masthead/internal/config"
	"masthead/internal/media/s3test"
	"masthead/internal/server"
)

func scaleConfig(t *testing.T) config.Config {
	return config.Config{DataDir: t.TempDir(), Addr: "127.0.0.1:0", BaseURL: "https://mag.example.org", AutoMigrate: true,
		LogLevel: slog.LevelWarn, LogFormat: "text", ShutdownTimeout: 5 * time.Second}
}

// TestS3MediaAndMetrics opens a server on S3 storage with a public URL
// and metrics behind a token.
func TestS3MediaAndMetrics(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := s3test.Start(t, "media")
	s3 := srv.Config("media")
	s3.PublicURL = "https://cdn.example.org/"
	cfg := scaleConfig(t)
	cfg.S3 = &s3
	cfg.MetricsToken = "a-metrics-token-long-enough"
	app, err := server.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if err := app.Media.Put(ctx, "uploads/a-0123abcd.jpg", bytes.NewReader([]byte("jpeg"))); err != nil {
		t.Fatal(err)
	}
	h := app.Handler()

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/media/uploads/a-0123abcd.jpg", nil))
	if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != "https://cdn.example.org/uploads/a-0123abcd.jpg" {
		t.Errorf("media with a public URL: %d → %q", rec.Code, rec.Header().Get("Location"))
	}

	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("metrics without the token: %d", rec.Code)
	}
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+cfg.MetricsToken)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `masthead_http_requests_total{area="media",code="3xx"} 1`) {
		t.Errorf("metrics with the token: %d\n%s", rec.Code, rec.Body)
	}
}

func TestS3ServedThroughTheApp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := s3test.Start(t, "media")
	s3 := srv.Config("media")
	cfg := scaleConfig(t)
	cfg.S3 = &s3
	app, err := server.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if err := app.Media.Put(ctx, "uploads/a-0123abcd.jpg", bytes.NewReader([]byte("jpeg bytes"))); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	app.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/media/uploads/a-0123abcd.jpg", nil))
	if rec.Code != http.StatusOK || rec.Body.String() != "jpeg bytes" || rec.Header().Get("Content-Type") != "image/jpeg" {
		t.Errorf("media through the app: %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	rec = httptest.NewRecorder()
	app.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code == http.StatusOK {
		t.Error("metrics are served though they are off")
	}
}

func TestMissingBucketStopsStart(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	s3 := srv.Config("no-such-bucket")
	cfg := scaleConfig(t)
	cfg.S3 = &s3
	_, err := server.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.Contains(err.Error(), "bucket does not exist") {
		t.Fatalf("Open with a missing bucket = %v", err)
	}
}

// TestMetricsListener serves the metrics on a loopback listener of their
// own, without a token, and stops it with the server.
func TestMetricsListener(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	maddr := mln.Addr().String()
	mln.Close()
	cfg := scaleConfig(t)
	cfg.MetricsAddr = maddr
	ctx, cancel := context.WithCancel(context.Background())
	app, err := server.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx, ln) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		app.Close()
	}()
	var body string
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + maddr + "/metrics")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics listener: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(body, "masthead_metrics_store_up 1") {
		t.Errorf("metrics:\n%s", body)
	}
	// The main listener does not answer /metrics without a token.
	resp, err := http.Get("http://" + ln.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Error("the main listener serves metrics without a token")
	}
}

func TestClientAddrBehindProxies(t *testing.T) {
	t.Parallel()
	cfg := scaleConfig(t)
	cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32")}
	app, err := server.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	h := app.Handler()
	n := 0
	// Wrong sign-ins through the proxy from one reader lock out that
	// reader's address only, not the proxy's.
	signIn := func(remote, xff string) int {
		// A new address each time: only the client's address is counted.
		n++
		form := fmt.Sprintf("email=nobody%d%%40example.org&password=wrong", n)
		req := httptest.NewRequest("POST", "/desk/signin", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = remote
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	locked := false
	for range 20 {
		if signIn("10.1.2.3:5555", "198.51.100.7, 10.9.9.9") == http.StatusTooManyRequests {
			locked = true
			break
		}
	}
	if !locked {
		t.Fatal("the guessing reader was never locked out")
	}
	if code := signIn("10.1.2.3:5555", "203.0.113.5"); code == http.StatusTooManyRequests {
		t.Error("another reader behind the same proxy is locked out")
	}
}
