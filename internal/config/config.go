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
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"masthead/internal/mail"
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
	// SMTP is the mail server for newsletters and desk mail, read from the
	// MASTHEAD_SMTP_* variables; nil means messages go to the outbox.
	SMTP *mail.SMTPConfig
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

	c.SMTP = raw.smtp
	if raw.smtpErr != nil {
		errs = append(errs, raw.smtpErr)
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
