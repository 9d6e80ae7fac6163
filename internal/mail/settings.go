package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"masthead/internal/store"
)

// SettingSMTP is the settings key under which the desk keeps the mail
// server, as one JSON value so that a change is read whole or not at all.
const SettingSMTP = "mail.smtp"

// SMTPSettings are the mail server settings an admin edits in the desk.
// An empty Host means the outbox.
type SMTPSettings struct {
	Host     string `json:"host"`
	Port     int    `json:"port,omitempty"` // 0: the usual port of the TLS mode
	TLS      string `json:"tls,omitempty"`  // TLSNone, TLSStartTLS (empty) or TLSImplicit
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
	From     string `json:"from,omitempty"`
}

// SettingsError lists what is wrong with SMTPSettings, by field name
// ("host", "port", "tls", "username", "password", "from"), in words for
// the person who typed them.
type SettingsError struct {
	Fields map[string]string
}

func (e *SettingsError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+e.Fields[k])
	}
	return "mail: smtp settings: " + strings.Join(parts, "; ")
}

// Normalize trims the fields and lower-cases the TLS mode.
func (s SMTPSettings) Normalize() SMTPSettings {
	s.Host = strings.TrimSpace(s.Host)
	s.TLS = strings.ToLower(strings.TrimSpace(s.TLS))
	s.Username = strings.TrimSpace(s.Username)
	s.From = strings.TrimSpace(s.From)
	return s
}

// Validate checks the settings as the SMTP sender will use them, and
// reports every bad field at once as a *SettingsError.
func (s SMTPSettings) Validate() error {
	fields := map[string]string{}
	if s.Host != "" && !validHost(s.Host) {
		fields["host"] = "Give a host name such as smtp.example.org, or an IP address, without a port or scheme"
	}
	if s.Port < 0 || s.Port > 65535 {
		fields["port"] = "Give a port from 1 to 65535, or leave it empty for the usual one"
	}
	switch s.TLS {
	case "", TLSNone, TLSStartTLS, TLSImplicit:
	default:
		fields["tls"] = "Choose STARTTLS, TLS or none"
	}
	if strings.ContainsAny(s.Username, "\r\n\x00") {
		fields["username"] = "The user name cannot hold a line break"
	}
	if strings.ContainsAny(s.Password, "\r\n\x00") {
		fields["password"] = "The password cannot hold a line break"
	}
	if s.Password != "" && s.Username == "" {
		fields["username"] = "Give the user name that goes with the password"
	}
	if s.From != "" {
		if _, err := ParseAddress(s.From); err != nil {
			fields["from"] = "Give one address, such as Masthead <noreply@example.org>"
		}
	}
	if len(fields) > 0 {
		return &SettingsError{Fields: fields}
	}
	return nil
}

// validHost accepts a DNS name or an IP address.
func validHost(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	if len(h) > 253 || strings.HasPrefix(h, ".") || strings.HasPrefix(h, "-") || strings.Contains(h, "..") {
		return false
	}
	for _, c := range h {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// Config is the sender configuration of the settings, with the
// connection details (timeouts, pool size, EHLO name, default sender)
// taken from base.
func (s SMTPSettings) Config(base SMTPConfig) SMTPConfig {
	cfg := base
	cfg.Host, cfg.Port, cfg.TLS = s.Host, s.Port, s.TLS
	cfg.Username, cfg.Password = s.Username, s.Password
	if s.From != "" {
		cfg.From = s.From
	}
	return cfg
}

// Settings of an SMTPConfig read from the environment, for showing.
func settingsOf(c SMTPConfig) SMTPSettings {
	return SMTPSettings{Host: c.Host, Port: c.Port, TLS: c.TLS, Username: c.Username, Password: c.Password, From: c.From}
}

// LoadSMTPSettings reads the stored settings; none stored means zero
// settings (the outbox).
func LoadSMTPSettings(ctx context.Context, st *store.Store) (SMTPSettings, error) {
	raw, err := st.Setting(ctx, SettingSMTP)
	if errors.Is(err, store.ErrNotFound) {
		return SMTPSettings{}, nil
	}
	if err != nil {
		return SMTPSettings{}, fmt.Errorf("mail: load smtp settings: %w", err)
	}
	return decodeSettings(raw)
}

func decodeSettings(raw string) (SMTPSettings, error) {
	var s SMTPSettings
	if strings.TrimSpace(raw) == "" {
		return s, nil
	}
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return SMTPSettings{}, fmt.Errorf("mail: stored smtp settings are not readable: %w", err)
	}
	return s, nil
}
