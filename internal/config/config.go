// Package config reads Masthead's process configuration from flags and
// MASTHEAD_* environment variables, from one table of defaults, and checks
// every value before anything starts.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"masthead/internal/mail"
	"masthead/internal/media"
)

// Config is the validated configuration of one process.
type Config struct {
	DataDir         string
	Addr            string
	BaseURL         string
	DatabaseURL     string
	AutoMigrate     bool
	LogLevel        slog.Level
	LogFormat       string
	ShutdownTimeout time.Duration
	// NewsletterRate is the most newsletter messages per second one node
	// hands to the mail server; NewsletterConcurrency how many it has in
	// flight at once (and so how many SMTP connections it keeps open).
	NewsletterRate        float64
	NewsletterConcurrency int
	// JobLease is how long a node's claim on a background job (and on the
	// newsletter deliveries it is sending) holds: after a crash, another
	// node or the restarted one takes the work over when it ends.
	JobLease time.Duration
	// SMTP is the mail server for newsletters and desk mail, read from the
	// MASTHEAD_SMTP_* variables; nil means messages go to the outbox.
	SMTP *mail.SMTPConfig
	// S3 is the bucket media is kept in when --media-storage is s3; nil
	// means the media directory inside the data directory.
	S3 *media.S3Config
	// MetricsAddr, when set, serves Prometheus metrics on a listener of
	// their own; MetricsToken, when set, serves them at /metrics on the
	// main listener to requests bearing it. Neither: no metrics.
	MetricsAddr  string
	MetricsToken string
	// TrustedProxies are the reverse proxies (load balancers) whose
	// X-Forwarded-For header names the client; empty means the
	// connection's address is the client's.
	TrustedProxies []netip.Prefix
	// PprofAddr, when set, serves Go's profiler on a loopback listener of
	// its own; it is never reachable from other machines.
	PprofAddr string
}

// Setting is one row of the defaults table.
type Setting struct {
	Flag    string
	Env     string
	Default string
	Usage   string
	Secret  bool // never printed; may also be read from the file named by Env+"_FILE"
}

// Settings returns the table of every configuration value, its flag, its
// environment variable and its default.
func Settings() []Setting {
	return []Setting{
		{Flag: "data", Env: "MASTHEAD_DATA", Default: "./masthead-data", Usage: "data directory: the SQLite database and media files"},
		{Flag: "addr", Env: "MASTHEAD_ADDR", Default: "localhost:8080", Usage: "address to listen on (host:port)"},
		{Flag: "base-url", Env: "MASTHEAD_BASE_URL", Default: "", Usage: "public URL of the site for absolute links (default http://ADDR)"},
		{Flag: "database-url", Env: "MASTHEAD_DATABASE_URL", Default: "", Usage: "postgres://… to use PostgreSQL instead of SQLite in the data directory", Secret: true},
		{Flag: "auto-migrate", Env: "MASTHEAD_AUTO_MIGRATE", Default: "true", Usage: "bring the database schema up to date at start"},
		{Flag: "log-level", Env: "MASTHEAD_LOG_LEVEL", Default: "info", Usage: "log level: debug, info, warn or error"},
		{Flag: "log-format", Env: "MASTHEAD_LOG_FORMAT", Default: "text", Usage: "log format: text or json"},
		{Flag: "shutdown-timeout", Env: "MASTHEAD_SHUTDOWN_TIMEOUT", Default: "10s", Usage: "how long to let requests finish on SIGINT/SIGTERM"},
		{Flag: "media-storage", Env: "MASTHEAD_MEDIA_STORAGE", Default: "local", Usage: "where uploaded media is kept: local (the data directory) or s3"},
		{Flag: "s3-endpoint", Env: "MASTHEAD_S3_ENDPOINT", Default: "", Usage: "S3 server: host[:port] (HTTPS) or an http(s):// URL"},
		{Flag: "s3-bucket", Env: "MASTHEAD_S3_BUCKET", Default: "", Usage: "S3 bucket for media"},
		{Flag: "s3-region", Env: "MASTHEAD_S3_REGION", Default: "", Usage: "S3 region, when the server wants one"},
		{Flag: "s3-access-key", Env: "MASTHEAD_S3_ACCESS_KEY", Default: "", Usage: "S3 access key ID"},
		{Flag: "s3-secret-key", Env: "MASTHEAD_S3_SECRET_KEY", Default: "", Usage: "S3 secret access key", Secret: true},
		{Flag: "s3-path-style", Env: "MASTHEAD_S3_PATH_STYLE", Default: "false", Usage: "put the bucket in the URL path, as most self-hosted S3 servers need"},
		{Flag: "s3-prefix", Env: "MASTHEAD_S3_PREFIX", Default: "", Usage: "prefix of every media key in the bucket"},
		{Flag: "s3-public-url", Env: "MASTHEAD_S3_PUBLIC_URL", Default: "", Usage: "public URL of the bucket or its CDN; readers are sent there for media"},
		{Flag: "metrics-addr", Env: "MASTHEAD_METRICS_ADDR", Default: "", Usage: "serve Prometheus metrics on this host:port (loopback, or with --metrics-token)"},
		{Flag: "metrics-token", Env: "MASTHEAD_METRICS_TOKEN", Default: "", Usage: "serve Prometheus metrics at /metrics to requests with this bearer token", Secret: true},
		{Flag: "trusted-proxies", Env: "MASTHEAD_TRUSTED_PROXIES", Default: "", Usage: "comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is believed"},
		{Flag: "pprof-addr", Env: "MASTHEAD_PPROF_ADDR", Default: "", Usage: "serve the Go profiler (/debug/pprof/) on this loopback host:port, e.g. 127.0.0.1:6060"},
		{Flag: "newsletter-rate", Env: "MASTHEAD_NEWSLETTER_RATE", Default: "20", Usage: "newsletter messages per second one node sends at most"},
		{Flag: "newsletter-concurrency", Env: "MASTHEAD_NEWSLETTER_CONCURRENCY", Default: "4", Usage: "newsletter messages in flight at once (1 to 100)"},
		{Flag: "job-lease", Env: "MASTHEAD_JOB_LEASE", Default: "2m", Usage: "how long a node holds a background job; after a crash its work resumes when this ends"},
	}
}

// Raw holds the unparsed value of every setting by flag name, and the
// mail server settings read from the environment.
type Raw struct {
	values  map[string]*string
	smtp    *mail.SMTPConfig
	smtpErr error
}

// Register adds a flag for every setting named in only (all when empty) to
// fs, with the environment variable (or the *_FILE it names) overriding the
// table default, and returns the values to pass to Parse after fs.Parse.
func Register(fs *flag.FlagSet, env func(string) string, only ...string) (Raw, error) {
	raw := Raw{values: map[string]*string{}}
	if smtp, ok, err := mail.SMTPConfigFromEnv(env); err != nil {
		raw.smtpErr = err
	} else if ok {
		raw.smtp = &smtp
	}
	var errs []error
	for _, s := range Settings() {
		def := s.Default
		if v := env(s.Env); v != "" {
			def = v
		} else if s.Secret {
			if file := env(s.Env + "_FILE"); file != "" {
				b, err := os.ReadFile(file)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s_FILE: %w", s.Env, err))
				}
				def = strings.TrimSpace(string(b))
			}
		}
		v := def
		raw.values[s.Flag] = &v
		if len(only) > 0 && !contains(only, s.Flag) {
			continue
		}
		shown := def
		if s.Secret && shown != "" {
			shown = "(set)"
		}
		usage := fmt.Sprintf("%s (env %s)", s.Usage, s.Env)
		fs.Func(s.Flag, usage+defaultNote(shown), func(val string) error { *raw.values[s.Flag] = val; return nil })
	}
	return raw, errors.Join(errs...)
}

func defaultNote(def string) string {
	if def == "" {
		return ""
	}
	return fmt.Sprintf(" (default %q)", def)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Parse turns the raw values into a Config, reporting every bad value at
// once.
func Parse(raw Raw) (Config, error) {
	var c Config
	var errs []error
	bad := func(flagName, format string, args ...any) {
		errs = append(errs, fmt.Errorf("--%s: %s", flagName, fmt.Sprintf(format, args...)))
	}
	get := func(name string) string { return strings.TrimSpace(*raw.values[name]) }

	c.DataDir = get("data")
	if c.DataDir == "" {
		bad("data", "must not be empty")
	} else if abs, err := filepath.Abs(c.DataDir); err == nil {
		c.DataDir = abs
	}

	c.Addr = get("addr")
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		bad("addr", "%q is not host:port", c.Addr)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		bad("addr", "port %q is not a number from 0 to 65535", port)
	}

	c.BaseURL = strings.TrimRight(get("base-url"), "/")
	if c.BaseURL == "" && c.Addr != "" {
		host, port, _ := net.SplitHostPort(c.Addr)
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "localhost"
		}
		c.BaseURL = "http://" + net.JoinHostPort(host, port)
	} else if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		bad("base-url", "%q is not an absolute http(s) URL without query", c.BaseURL)
	}

	c.DatabaseURL = get("database-url")
	if c.DatabaseURL != "" {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			// Never echo the value: it may hold a password.
			bad("database-url", "must be a postgres:// or postgresql:// URL")
		}
	}

	if b, err := strconv.ParseBool(get("auto-migrate")); err != nil {
		bad("auto-migrate", "%q is not true or false", get("auto-migrate"))
	} else {
		c.AutoMigrate = b
	}

	if err := c.LogLevel.UnmarshalText([]byte(get("log-level"))); err != nil {
		bad("log-level", "%q is not debug, info, warn or error", get("log-level"))
	}
	c.LogFormat = get("log-format")
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("log-format", "%q is not text or json", c.LogFormat)
	}

	if d, err := time.ParseDuration(get("shutdown-timeout")); err != nil || d < 0 {
		bad("shutdown-timeout", "%q is not a duration such as 10s", get("shutdown-timeout"))
	} else {
		c.ShutdownTimeout = d
	}

	if r, err := strconv.ParseFloat(get("newsletter-rate"), 64); err != nil || r <= 0 || r > 100000 {
		bad("newsletter-rate", "%q is not a number of messages per second above 0", get("newsletter-rate"))
	} else {
		c.NewsletterRate = r
	}
	if n, err := strconv.Atoi(get("newsletter-concurrency")); err != nil || n < 1 || n > 100 {
		bad("newsletter-concurrency", "%q is not a number from 1 to 100", get("newsletter-concurrency"))
	} else {
		c.NewsletterConcurrency = n
	}
	if d, err := time.ParseDuration(get("job-lease")); err != nil || d < time.Second || d > 24*time.Hour {
		bad("job-lease", "%q is not a duration from 1s to 24h such as 2m", get("job-lease"))
	} else {
		c.JobLease = d
	}

	parseOperations(&c, get, bad)

	c.PprofAddr = get("pprof-addr")
	if c.PprofAddr != "" {
		host, port, err := net.SplitHostPort(c.PprofAddr)
		if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
			bad("pprof-addr", "%q is not host:port", c.PprofAddr)
		} else if !loopback(host) {
			// Profiles expose memory contents and cost CPU: never public.
			bad("pprof-addr", "%q is reachable from other machines; the profiler listens on loopback only (127.0.0.1, ::1 or localhost)", c.PprofAddr)
		}
	}

	c.SMTP = raw.smtp
	if raw.smtpErr != nil {
		errs = append(errs, raw.smtpErr)
	}
	// A newsletter message must be accepted and recorded within the last
	// third of the lease, or a node taking the deliveries over could send
	// it again.
	if c.SMTP != nil && c.JobLease > 0 {
		if limit := c.JobLease / 3; c.SMTP.Timeout > limit {
			errs = append(errs, fmt.Errorf("%s: %s is longer than a third of the job lease (%s); shorten it or lengthen --job-lease",
				mail.EnvSMTPTimeout, c.SMTP.Timeout, limit))
		}
	}

	if len(errs) > 0 {
		return c, fmt.Errorf("invalid configuration:\n%w", errors.Join(errs...))
	}
	return c, nil
}

// SQLitePath is the SQLite database file inside the data directory.
func (c Config) SQLitePath() string { return filepath.Join(c.DataDir, "masthead.db") }

// MediaDir is where local media files are kept.
func (c Config) MediaDir() string { return filepath.Join(c.DataDir, "media") }

// Logger builds the process logger.
func (c Config) Logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
