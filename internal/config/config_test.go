package config

import (
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, env map[string]string, args ...string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	raw, err := Register(fs, func(k string) string { return env[k] })
	if err != nil {
		return Config{}, err
	}
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse flags: %v", err)
	}
	return Parse(raw)
}

func TestDefaults(t *testing.T) {
	c, err := load(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "localhost:8080" || c.BaseURL != "http://localhost:8080" || !c.AutoMigrate ||
		c.LogLevel != slog.LevelInfo || c.ShutdownTimeout != 10*time.Second || c.DatabaseURL != "" {
		t.Errorf("defaults = %+v", c)
	}
	if !filepath.IsAbs(c.DataDir) || filepath.Base(c.DataDir) != "masthead-data" {
		t.Errorf("DataDir = %q", c.DataDir)
	}
}

func TestFlagsOverrideEnv(t *testing.T) {
	env := map[string]string{"MASTHEAD_ADDR": "127.0.0.1:9000", "MASTHEAD_BASE_URL": "https://env.example"}
	c, err := load(t, env, "--base-url", "https://mag.example/")
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" {
		t.Errorf("Addr from env = %q", c.Addr)
	}
	if c.BaseURL != "https://mag.example" {
		t.Errorf("BaseURL = %q, want the flag's value without trailing slash", c.BaseURL)
	}
}

func TestBaseURLFollowsAddr(t *testing.T) {
	c, err := load(t, nil, "--addr", "0.0.0.0:3000")
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL != "http://localhost:3000" {
		t.Errorf("BaseURL = %q", c.BaseURL)
	}
}

func TestEveryBadValueReportedAtOnce(t *testing.T) {
	env := map[string]string{"MASTHEAD_LOG_LEVEL": "loud", "MASTHEAD_DATABASE_URL": "mysql://root:hunter2@db/x"}
	_, err := load(t, env,
		"--addr", "no-port",
		"--base-url", "ftp://x",
		"--auto-migrate", "maybe",
		"--log-format", "xml",
		"--shutdown-timeout", "soon",
	)
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{"--addr", "--base-url", "--auto-migrate", "--log-level", "--log-format", "--shutdown-timeout", "--database-url"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not mention %s:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "hunter2") {
		t.Errorf("error leaks the database password:\n%s", msg)
	}
}

func TestSecretFromFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "db")
	if err := os.WriteFile(file, []byte("postgres://u:p@127.0.0.1/db\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := load(t, map[string]string{"MASTHEAD_DATABASE_URL_FILE": file})
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "postgres://u:p@127.0.0.1/db" {
		t.Errorf("DatabaseURL = %q", c.DatabaseURL)
	}
	if _, err := load(t, map[string]string{"MASTHEAD_DATABASE_URL_FILE": filepath.Join(t.TempDir(), "missing")}); err == nil {
		t.Error("missing secret file accepted")
	}
}

func TestNewsletterPaceAndJobLease(t *testing.T) {
	c, err := load(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.NewsletterRate != 20 || c.NewsletterConcurrency != 4 || c.JobLease != 2*time.Minute {
		t.Errorf("defaults: rate %v, concurrency %d, lease %s", c.NewsletterRate, c.NewsletterConcurrency, c.JobLease)
	}
	c, err = load(t, map[string]string{"MASTHEAD_NEWSLETTER_RATE": "250.5", "MASTHEAD_NEWSLETTER_CONCURRENCY": "16"}, "--job-lease", "30s")
	if err != nil {
		t.Fatal(err)
	}
	if c.NewsletterRate != 250.5 || c.NewsletterConcurrency != 16 || c.JobLease != 30*time.Second {
		t.Errorf("set: rate %v, concurrency %d, lease %s", c.NewsletterRate, c.NewsletterConcurrency, c.JobLease)
	}
	_, err = load(t, map[string]string{"MASTHEAD_NEWSLETTER_RATE": "0", "MASTHEAD_NEWSLETTER_CONCURRENCY": "101", "MASTHEAD_JOB_LEASE": "500ms"})
	if err == nil {
		t.Fatal("bad pace accepted")
	}
	for _, want := range []string{"--newsletter-rate", "--newsletter-concurrency", "--job-lease"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s:\n%v", want, err)
		}
	}
	// The SMTP timeout must leave a message time to be recorded within the
	// lease.
	_, err = load(t, map[string]string{"MASTHEAD_SMTP_HOST": "mail.example", "MASTHEAD_SMTP_TIMEOUT": "30s", "MASTHEAD_JOB_LEASE": "60s"})
	if err == nil || !strings.Contains(err.Error(), "MASTHEAD_SMTP_TIMEOUT") {
		t.Errorf("SMTP timeout longer than a third of the lease: %v", err)
	}
	if _, err := load(t, map[string]string{"MASTHEAD_SMTP_HOST": "mail.example", "MASTHEAD_SMTP_TIMEOUT": "10s", "MASTHEAD_JOB_LEASE": "60s"}); err != nil {
		t.Errorf("SMTP timeout within the lease refused: %v", err)
	}
}
