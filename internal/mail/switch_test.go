package mail_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	masthead "masthead/internal/mail"
	"masthead/internal/mail/smtptest"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// The switch is a Sender like the others.
var _ masthead.Sender = (*masthead.Switch)(nil)

// lockedBuffer collects log output written from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newSwitch(t *testing.T, st *store.Store, env *masthead.SMTPConfig, logs *lockedBuffer) *masthead.Switch {
	t.Helper()
	opts := masthead.SwitchOptions{Store: st, Env: env, CheckEvery: time.Hour,
		Base: masthead.SMTPConfig{From: "Masthead <noreply@review.example>", Timeout: 5 * time.Second}}
	if logs == nil {
		logs = &lockedBuffer{}
	}
	opts.Logger = slog.New(slog.NewTextHandler(logs, nil))
	sw, err := masthead.NewSwitch(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sw.Close() })
	return sw
}

func testMessage(to string) masthead.Message {
	return masthead.Message{To: to, Subject: "Test message", Text: "It works.", Kind: "test"}
}

func TestSwitchFollowsTheStoredSettings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.Open(t)
	logs := &lockedBuffer{}
	sw := newSwitch(t, st, nil, logs)

	// Nothing stored: the outbox.
	if err := sw.Send(ctx, testMessage("ann@example.org")); err != nil {
		t.Fatal(err)
	}
	page, err := st.OutboxMessages(ctx, store.OutboxFilter{})
	if err != nil || len(page.Messages) != 1 {
		t.Fatalf("outbox = %+v, %v", page, err)
	}
	if s, _ := sw.Status(ctx); s.Source != masthead.SourceOutbox {
		t.Errorf("source %q, want outbox", s.Source)
	}

	// Saved in the desk: the next message goes to that server, at once.
	srv := smtptest.Start(t, smtptest.Options{})
	set := masthead.SMTPSettings{Host: srv.Host, Port: srv.Port, TLS: masthead.TLSNone, Username: "", From: "Desk <desk@review.example>"}
	if err := sw.Save(ctx, set, false, 0, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if err := sw.Send(ctx, testMessage("bob@example.org")); err != nil {
		t.Fatal(err)
	}
	if srv.Count("bob@example.org") != 1 {
		t.Fatalf("the saved server got %v", srv.Counts())
	}
	if got := srv.Messages()[0].Header.Get("From"); !strings.Contains(got, "desk@review.example") {
		t.Errorf("From %q, want the saved sender", got)
	}
	s, err := sw.Status(ctx)
	if err != nil || s.Source != masthead.SourceDesk || s.Settings.Host != srv.Host || s.Settings.Port != srv.Port {
		t.Errorf("status = %+v, %v", s, err)
	}

	// Another server saved (as by another node, straight into the
	// database): picked up at the next check.
	other := smtptest.Start(t, smtptest.Options{})
	if err := st.SetSetting(ctx, masthead.SettingSMTP, `{"host":"127.0.0.1","port":`+strconv.Itoa(other.Port)+`,"tls":"none"}`); err != nil {
		t.Fatal(err)
	}
	if err := sw.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if err := sw.Send(ctx, testMessage("cy@example.org")); err != nil {
		t.Fatal(err)
	}
	if other.Count("cy@example.org") != 1 || srv.Count("cy@example.org") != 0 {
		t.Errorf("after the change: old %v, new %v", srv.Counts(), other.Counts())
	}

	// Back to the outbox: the host cleared.
	if err := sw.Save(ctx, masthead.SMTPSettings{}, false, 0, ""); err != nil {
		t.Fatal(err)
	}
	if err := sw.Send(ctx, testMessage("dee@example.org")); err != nil {
		t.Fatal(err)
	}
	if page, _ := st.OutboxMessages(ctx, store.OutboxFilter{}); len(page.Messages) != 2 {
		t.Errorf("outbox holds %d messages, want 2", len(page.Messages))
	}
	audit, err := st.AuditLog(ctx, store.AuditFilter{Actions: []string{"settings.smtp"}})
	if err != nil || len(audit.Entries) != 2 {
		t.Errorf("audit = %+v, %v", audit, err)
	}
}

func TestSwitchKeepsThePasswordSecret(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.Open(t)
	logs := &lockedBuffer{}
	sw := newSwitch(t, st, nil, logs)
	srv := smtptest.Start(t, smtptest.Options{STARTTLS: true, Username: "desk", Password: "s3cret-pass"})
	set := masthead.SMTPSettings{Host: srv.Host, Port: srv.Port, TLS: masthead.TLSStartTLS, Username: "desk", Password: "s3cret-pass"}
	if err := sw.Save(ctx, set, false, 0, ""); err != nil {
		t.Fatal(err)
	}
	s, err := sw.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Settings.Password != "" || !s.HasPassword {
		t.Errorf("status shows the password or forgets it: %+v", s)
	}
	// Saving again without a password keeps it; clearing removes it.
	set.Password = ""
	set.Port = srv.Port
	if err := sw.Save(ctx, set, false, 0, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := masthead.LoadSMTPSettings(ctx, st); got.Password != "s3cret-pass" {
		t.Errorf("stored password %q after a save without one", got.Password)
	}
	// The test server's certificate is private, so the message fails at
	// STARTTLS: the error says so, and neither it nor the log holds the
	// password.
	err = sw.Send(ctx, testMessage("ann@example.org"))
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("send through a server with an untrusted certificate: %v", err)
	}
	audit, _ := st.AuditLog(ctx, store.AuditFilter{})
	for _, e := range audit.Entries {
		if strings.Contains(e.Detail, "s3cret") {
			t.Errorf("audit entry holds the password: %+v", e)
		}
	}
	if strings.Contains(logs.String(), "s3cret") || (err != nil && strings.Contains(err.Error(), "s3cret")) {
		t.Errorf("the password leaked: %s %v", logs.String(), err)
	}
	if err := sw.Save(ctx, set, true, 0, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := masthead.LoadSMTPSettings(ctx, st); got.Password != "" {
		t.Errorf("password kept after clearing it")
	}
}

func TestSwitchRefusesBadSettings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.Open(t)
	sw := newSwitch(t, st, nil, nil)
	err := sw.Save(ctx, masthead.SMTPSettings{Host: "smtp://mail.example:25", Port: 70000, TLS: "ssl3",
		Password: "x\r\nRCPT TO:<victim@example.org>", From: "not an address"}, false, 0, "")
	var se *masthead.SettingsError
	if !errors.As(err, &se) {
		t.Fatalf("Save = %v, want a SettingsError", err)
	}
	for _, f := range []string{"host", "port", "tls", "password", "username", "from"} {
		if se.Fields[f] == "" {
			t.Errorf("no message for %s: %v", f, se.Fields)
		}
	}
	if _, err := st.Setting(ctx, masthead.SettingSMTP); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("bad settings were stored: %v", err)
	}
	// Unreadable settings in the database (written by hand): messages
	// fail, to be retried, instead of going to the outbox unnoticed.
	if err := st.SetSetting(ctx, masthead.SettingSMTP, `{"host": 5`); err != nil {
		t.Fatal(err)
	}
	if err := sw.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	err = sw.Send(ctx, testMessage("ann@example.org"))
	if err == nil || masthead.IsPermanent(err) || !strings.Contains(err.Error(), "unusable") {
		t.Errorf("send with unreadable settings = %v, want a temporary failure", err)
	}
}

func TestSwitchEnvironmentWins(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.Open(t)
	envSrv := smtptest.Start(t, smtptest.Options{})
	deskSrv := smtptest.Start(t, smtptest.Options{})
	if err := st.SetSetting(ctx, masthead.SettingSMTP, `{"host":"127.0.0.1","port":`+strconv.Itoa(deskSrv.Port)+`,"tls":"none"}`); err != nil {
		t.Fatal(err)
	}
	sw := newSwitch(t, st, &masthead.SMTPConfig{Host: envSrv.Host, Port: envSrv.Port, TLS: masthead.TLSNone}, nil)
	if !sw.FromEnvironment() {
		t.Error("FromEnvironment = false")
	}
	if err := sw.Send(ctx, testMessage("ann@example.org")); err != nil {
		t.Fatal(err)
	}
	if envSrv.Count("ann@example.org") != 1 || deskSrv.Total() != 0 {
		t.Errorf("env server %v, desk server %v", envSrv.Counts(), deskSrv.Counts())
	}
	if err := sw.Save(ctx, masthead.SMTPSettings{Host: "other.example"}, false, 0, ""); !errors.Is(err, masthead.ErrEnvironmentWins) {
		t.Errorf("Save under an environment configuration = %v", err)
	}
	s, err := sw.Status(ctx)
	if err != nil || s.Source != masthead.SourceEnvironment || s.Settings.Host != envSrv.Host || s.Settings.Port != envSrv.Port {
		t.Errorf("status = %+v, %v", s, err)
	}
}

func TestSwitchSendTestReportsTheServersAnswer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.Open(t)
	sw := newSwitch(t, st, nil, nil)
	srv := smtptest.Start(t, smtptest.Options{})
	srv.OnRcpt(func(rcpt string, n int) error { return smtptest.Refuse(550, "no such mailbox here") })
	set := masthead.SMTPSettings{Host: srv.Host, Port: srv.Port, TLS: masthead.TLSNone}
	err := sw.SendTest(ctx, &set, false, testMessage("ann@example.org"))
	if err == nil || !strings.Contains(err.Error(), "550") || !strings.Contains(err.Error(), "no such mailbox here") {
		t.Errorf("test send = %v, want the server's 550 reply", err)
	}
	// Nothing was saved by testing.
	if _, err := st.Setting(ctx, masthead.SettingSMTP); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("testing saved the settings: %v", err)
	}
	srv.OnRcpt(nil)
	if err := sw.SendTest(ctx, &set, false, testMessage("ann@example.org")); err != nil {
		t.Fatal(err)
	}
	if srv.Count("ann@example.org") != 1 {
		t.Errorf("server got %v", srv.Counts())
	}
	// A server that is down: the connection error, with its address.
	down := masthead.SMTPSettings{Host: "127.0.0.1", Port: 1, TLS: masthead.TLSNone}
	err = sw.SendTest(ctx, &down, false, testMessage("ann@example.org"))
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("test send to a closed port = %v", err)
	}
}

// TestSwitchChangeUnderLoad changes the server while messages are being
// sent: every message reaches one of the two servers exactly once.
func TestSwitchChangeUnderLoad(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.Open(t)
	sw := newSwitch(t, st, nil, nil)
	a := smtptest.Start(t, smtptest.Options{CountOnly: true})
	b := smtptest.Start(t, smtptest.Options{CountOnly: true})
	if err := sw.Save(ctx, masthead.SMTPSettings{Host: a.Host, Port: a.Port, TLS: masthead.TLSNone}, false, 0, ""); err != nil {
		t.Fatal(err)
	}
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			if i == n/2 {
				if err := sw.Save(ctx, masthead.SMTPSettings{Host: b.Host, Port: b.Port, TLS: masthead.TLSNone}, false, 0, ""); err != nil {
					errs <- err
				}
			}
			errs <- sw.Send(ctx, testMessage("reader"+strconv.Itoa(i)+"@example.org"))
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	for i := range n {
		addr := "reader" + strconv.Itoa(i) + "@example.org"
		if got := a.Count(addr) + b.Count(addr); got != 1 {
			t.Errorf("%s got %d copies", addr, got)
		}
	}
	if b.Total() == 0 {
		t.Error("the new server got nothing")
	}
}
