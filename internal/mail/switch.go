package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"masthead/internal/store"
)

// Where the mail server of a Switch comes from.
const (
	SourceEnvironment = "environment" // MASTHEAD_SMTP_*: wins over the desk
	SourceDesk        = "desk"        // saved by an admin in the desk
	SourceOutbox      = "outbox"      // no server: messages are kept in the outbox
)

// SwitchOptions configure a Switch.
type SwitchOptions struct {
	Store *store.Store
	// Env is the mail server named by the environment; when set it is
	// always used and the stored settings are ignored.
	Env *SMTPConfig
	// Base holds the connection details (timeouts, pool size, EHLO name)
	// and the default sender of a server saved in the desk.
	Base SMTPConfig
	// CheckEvery is how often the stored settings are read again, which
	// is how a change saved on another node reaches this one; 0 means
	// 10 s. A change saved through this Switch applies at once.
	CheckEvery time.Duration
	Logger     *slog.Logger
}

// Switch is the Sender of a running server: the SMTP server of the
// environment, else the one saved in the desk, else the outbox. When the
// saved settings change, the next message goes through a sender built from
// them; messages in flight on the old one finish there.
type Switch struct {
	store      *store.Store
	env        *SMTPConfig
	base       SMTPConfig
	checkEvery time.Duration
	log        *slog.Logger
	outbox     *Outbox

	mu      sync.Mutex
	current Sender
	smtp    *SMTP // the current sender when it is an SMTP server
	source  string
	raw     string // the stored value the current sender was built from
	checked time.Time
	closed  bool
}

// NewSwitch builds the sender the environment or the stored settings
// name. A bad environment is an error; bad stored settings are logged and
// every message fails (and is retried) until an admin corrects them, so
// that nothing is silently kept in the outbox instead of being mailed.
func NewSwitch(ctx context.Context, opts SwitchOptions) (*Switch, error) {
	if opts.Store == nil {
		return nil, errors.New("mail: switch: no store")
	}
	s := &Switch{store: opts.Store, env: opts.Env, base: opts.Base, checkEvery: opts.CheckEvery, log: opts.Logger,
		outbox: &Outbox{Store: opts.Store, From: opts.Base.From}}
	if s.checkEvery <= 0 {
		s.checkEvery = 10 * time.Second
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.env != nil {
		cfg := *s.env
		if cfg.From == "" {
			cfg.From = s.base.From
		}
		if cfg.MaxConns == 0 {
			cfg.MaxConns = s.base.MaxConns
		}
		if cfg.Timeout == 0 {
			cfg.Timeout = s.base.Timeout
		}
		if cfg.IdleTimeout == 0 {
			cfg.IdleTimeout = s.base.IdleTimeout
		}
		smtp, err := NewSMTP(cfg)
		if err != nil {
			return nil, err
		}
		s.env = &cfg
		s.current, s.smtp, s.source = smtp, smtp, SourceEnvironment
		return s, nil
	}
	s.current, s.source = s.outbox, SourceOutbox
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Send hands m to the current sender.
func (s *Switch) Send(ctx context.Context, m Message) error {
	for range 2 {
		snd, err := s.sender(ctx)
		if err != nil {
			return err
		}
		err = snd.Send(ctx, m)
		if errors.Is(err, errClosed) {
			// The settings changed while this message waited for a
			// connection: it goes through the new sender.
			continue
		}
		return err
	}
	return &SMTPError{Err: errClosed}
}

// sender returns the current sender, reading the stored settings again
// when they are due to be checked.
func (s *Switch) sender(ctx context.Context) (Sender, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, &SMTPError{Err: errClosed}
	}
	if s.env == nil && time.Since(s.checked) >= s.checkEvery {
		if err := s.reloadLocked(ctx); err != nil {
			// The database is unreachable: keep sending as before.
			s.log.WarnContext(ctx, "mail: read smtp settings", "err", err)
		}
	}
	return s.current, nil
}

// Reload reads the stored settings now and rebuilds the sender when they
// changed. Under an environment configuration it does nothing.
func (s *Switch) Reload(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.env != nil || s.closed {
		return nil
	}
	return s.reloadLocked(ctx)
}

func (s *Switch) reloadLocked(ctx context.Context) error {
	raw, err := s.store.Setting(ctx, SettingSMTP)
	if errors.Is(err, store.ErrNotFound) {
		raw, err = "", nil
	}
	// Checked even when it failed, so that an unreachable database is not
	// asked again for every message.
	s.checked = time.Now()
	if err != nil {
		return fmt.Errorf("mail: read smtp settings: %w", err)
	}
	if raw == s.raw && s.current != nil {
		return nil
	}
	next, smtp, source := s.build(raw)
	old := s.smtp
	s.current, s.smtp, s.source, s.raw = next, smtp, source, raw
	if old != nil {
		// Messages in flight on it finish and close their connections.
		old.Close()
	}
	s.log.InfoContext(ctx, "mail: sender changed", "source", source)
	return nil
}

// build makes the sender of a stored value.
func (s *Switch) build(raw string) (Sender, *SMTP, string) {
	set, err := decodeSettings(raw)
	if err == nil {
		err = set.Validate()
	}
	if err == nil && set.Host == "" {
		return s.outbox, nil, SourceOutbox
	}
	var smtp *SMTP
	if err == nil {
		smtp, err = NewSMTP(set.Config(s.base))
	}
	if err != nil {
		s.log.Error("mail: the smtp settings saved in the desk are unusable; mail waits until they are corrected", "err", err)
		return failing{err: err}, nil, SourceDesk
	}
	return smtp, smtp, SourceDesk
}

// failing is the sender of unusable stored settings: every message fails
// temporarily, to be retried once they are corrected.
type failing struct{ err error }

func (f failing) Send(context.Context, Message) error {
	return &SMTPError{Err: fmt.Errorf("the smtp settings are unusable: %w", f.err)}
}

// MailStatus is what the desk shows of the mail server in use. The
// password is never part of it.
type MailStatus struct {
	Source      string // SourceEnvironment, SourceDesk or SourceOutbox
	Settings    SMTPSettings
	HasPassword bool
}

// Status reports the sender in use and the settings it was built from:
// the environment's when they win, otherwise the stored ones (read now).
func (s *Switch) Status(ctx context.Context) (MailStatus, error) {
	var set SMTPSettings
	if s.env != nil {
		set = settingsOf(*s.env)
		if set.From == s.base.From {
			set.From = "" // the default, not a setting
		}
	} else {
		if err := s.Reload(ctx); err != nil {
			return MailStatus{}, err
		}
		var err error
		if set, err = LoadSMTPSettings(ctx, s.store); err != nil {
			return MailStatus{}, err
		}
	}
	s.mu.Lock()
	source := s.source
	s.mu.Unlock()
	st := MailStatus{Source: source, Settings: set, HasPassword: set.Password != ""}
	st.Settings.Password = ""
	return st, nil
}

// FromEnvironment reports whether the environment names the mail server,
// so that the stored settings are not used.
func (s *Switch) FromEnvironment() bool { return s.env != nil }

// ErrEnvironmentWins refuses a change to the stored settings while the
// environment names the mail server.
var ErrEnvironmentWins = errors.New("mail: the mail server is set by MASTHEAD_SMTP_* environment variables")

// Save checks and stores the settings and switches to them at once. An
// empty password keeps the stored one (for the same host and user) unless
// clearPassword is set, so that the form never needs to show it. The change is written to the audit log
// under the account.
func (s *Switch) Save(ctx context.Context, in SMTPSettings, clearPassword bool, accountID int64, ip string) error {
	if s.env != nil {
		return ErrEnvironmentWins
	}
	in = in.Normalize()
	if in.Password == "" && !clearPassword {
		old, err := LoadSMTPSettings(ctx, s.store)
		if err != nil {
			return err
		}
		in.Password = keptPassword(old, in)
	}
	if err := in.Validate(); err != nil {
		return err
	}
	if in.Host == "" {
		in = SMTPSettings{} // the outbox: no credentials kept for nothing
	}
	raw, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("mail: save smtp settings: %w", err)
	}
	if err := s.store.SetSetting(ctx, SettingSMTP, string(raw)); err != nil {
		return fmt.Errorf("mail: save smtp settings: %w", err)
	}
	detail := "outbox"
	if in.Host != "" {
		detail = fmt.Sprintf("%s port %d tls %q user %q", in.Host, in.Port, in.TLS, in.Username)
	}
	if err := s.store.AppendAudit(ctx, &store.AuditEntry{At: time.Now(), AccountID: accountID, Action: "settings.smtp",
		Target: "mail server", Detail: detail, IP: ip}); err != nil {
		s.log.ErrorContext(ctx, "mail: audit smtp settings", "err", err)
	}
	return s.Reload(ctx)
}

// keptPassword is the stored password when the new settings log in as the
// same user on the same host, and otherwise none: the password is never
// handed to another server than the one it was given for, so that nobody
// can read it out by pointing the settings at a server of their own.
func keptPassword(old, in SMTPSettings) string {
	if in.Username == "" || !strings.EqualFold(old.Host, in.Host) || old.Username != in.Username {
		return ""
	}
	return old.Password
}

// SendTest sends m through a sender built from settings (with the stored
// password, for the same host and user, when settings has none and
// keepPassword is set), or through the
// sender in use when settings is nil, and returns the server's answer as
// it is. Nothing is saved.
func (s *Switch) SendTest(ctx context.Context, settings *SMTPSettings, keepPassword bool, m Message) error {
	if settings == nil {
		return s.Send(ctx, m)
	}
	set := settings.Normalize()
	if set.Password == "" && keepPassword {
		old, err := LoadSMTPSettings(ctx, s.store)
		if err != nil {
			return err
		}
		set.Password = keptPassword(old, set)
	}
	if err := set.Validate(); err != nil {
		return err
	}
	if set.Host == "" {
		return s.outbox.Send(ctx, m)
	}
	cfg := set.Config(s.base)
	cfg.MaxConns = 1
	smtp, err := NewSMTP(cfg)
	if err != nil {
		return err
	}
	defer smtp.Close()
	return smtp.Send(ctx, m)
}

// Close closes the SMTP connections of the current sender.
func (s *Switch) Close() error {
	s.mu.Lock()
	smtp := s.smtp
	s.closed = true
	s.mu.Unlock()
	if smtp != nil {
		return smtp.Close()
	}
	return nil
}
