package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestS3Settings(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "s3-secret")
	if err := os.WriteFile(secret, []byte("very-secret-key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"MASTHEAD_MEDIA_STORAGE": "s3", "MASTHEAD_S3_ENDPOINT": "http://127.0.0.1:9000", "MASTHEAD_S3_BUCKET": "media",
		"MASTHEAD_S3_ACCESS_KEY": "masthead", "MASTHEAD_S3_SECRET_KEY_FILE": secret, "MASTHEAD_S3_PATH_STYLE": "true",
		"MASTHEAD_S3_PUBLIC_URL": "https://cdn.example.org",
	}
	c, err := load(t, env)
	if err != nil {
		t.Fatal(err)
	}
	if c.S3 == nil || c.S3.Bucket != "media" || c.S3.SecretKey != "very-secret-key" || !c.S3.PathStyle ||
		c.S3.PublicURL != "https://cdn.example.org" {
		t.Errorf("S3 = %+v", c.S3)
	}
	if c, err := load(t, nil); err != nil || c.S3 != nil {
		t.Errorf("default storage: S3 = %+v, %v", c.S3, err)
	}

	_, err = load(t, map[string]string{"MASTHEAD_MEDIA_STORAGE": "s3", "MASTHEAD_S3_SECRET_KEY": "hunter2-secret"},
		"--s3-path-style", "maybe")
	if err == nil {
		t.Fatal("incomplete S3 settings accepted")
	}
	for _, want := range []string{"--media-storage: s3", "no endpoint", "no bucket", "--s3-path-style"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("the error shows the secret key:\n%v", err)
	}
	if _, err := load(t, nil, "--media-storage", "ftp"); err == nil || !strings.Contains(err.Error(), "not local or s3") {
		t.Errorf("unknown storage: %v", err)
	}
}

func TestMetricsSettings(t *testing.T) {
	if c, err := load(t, nil); err != nil || c.MetricsAddr != "" || c.MetricsToken != "" {
		t.Errorf("metrics must be off by default: %q %q %v", c.MetricsAddr, c.MetricsToken, err)
	}
	if c, err := load(t, nil, "--metrics-addr", "127.0.0.1:9100"); err != nil || c.MetricsAddr != "127.0.0.1:9100" {
		t.Errorf("loopback metrics: %+v %v", c.MetricsAddr, err)
	}
	if _, err := load(t, nil, "--metrics-addr", "0.0.0.0:9100"); err == nil || !strings.Contains(err.Error(), "--metrics-token") {
		t.Errorf("public metrics without a token: %v", err)
	}
	if _, err := load(t, map[string]string{"MASTHEAD_METRICS_TOKEN": "a-token-of-sixteen+"}, "--metrics-addr", ":9100"); err != nil {
		t.Errorf("public metrics with a token: %v", err)
	}
	if _, err := load(t, map[string]string{"MASTHEAD_METRICS_TOKEN": "short"}); err == nil {
		t.Error("a short metrics token was accepted")
	}
}

func TestTrustedProxies(t *testing.T) {
	c, err := load(t, map[string]string{"MASTHEAD_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.1,::1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.TrustedProxies) != 3 || c.TrustedProxies[1].String() != "192.0.2.1/32" || c.TrustedProxies[2].String() != "::1/128" {
		t.Errorf("TrustedProxies = %v", c.TrustedProxies)
	}
	if _, err := load(t, map[string]string{"MASTHEAD_TRUSTED_PROXIES": "10.0.0.0/8,proxy.local"}); err == nil ||
		!strings.Contains(err.Error(), "proxy.local") {
		t.Errorf("bad proxy: %v", err)
	}
}

func FuzzParseProxies(f *testing.F) {
	f.Add("10.0.0.0/8, 192.0.2.1,::1")
	f.Add("::ffff:10.0.0.1,,")
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := parseProxies(s)
		if err != nil {
			return
		}
		for _, p := range ps {
			if !p.IsValid() || p != p.Masked() {
				t.Fatalf("%q gave %v", s, p)
			}
		}
	})
}
