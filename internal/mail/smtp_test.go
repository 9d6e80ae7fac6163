package mail_test

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	masthead "masthead/internal/mail"
	"masthead/internal/mail/smtptest"
)

// The SMTP sender is a Sender like the outbox.
var _ masthead.Sender = (*masthead.SMTP)(nil)

func newSMTP(t *testing.T, srv *smtptest.Server, change func(*masthead.SMTPConfig)) *masthead.SMTP {
	t.Helper()
	cfg := masthead.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: masthead.TLSNone, From: "The Review <news@review.example>",
		Timeout: 10 * time.Second, HELO: "masthead.test"}
	if change != nil {
		change(&cfg)
	}
	s, err := masthead.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func bulkMessage(to string) masthead.Message {
	return masthead.Message{
		To:        to,
		Subject:   "Die Woche: Zölle, Häfen und 🌊",
		Text:      "Hello,\nthe week in review.\n\nUnsubscribe: https://review.example/unsubscribe/abc\n",
		HTML:      "<p>Hello, the week in review. Café.</p>\n<p><a href=\"https://review.example/unsubscribe/abc\">Unsubscribe</a></p>",
		MessageID: "<issue-7.42@review.example>",
		Headers: map[string]string{
			"List-Id":               "The Review round-up <roundup.review.example>",
			"List-Unsubscribe":      "<https://review.example/unsubscribe/abc>",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		},
		Kind: "newsletter",
	}
}

// parts reads a multipart/alternative message into its header and its
// decoded parts by media type, each of which must be UTF-8.
func parts(t *testing.T, data []byte) (mail.Header, map[string]string) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	if mt, _, err := mime.ParseMediaType(msg.Header.Get("Content-Type")); err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	decoded, err := smtptest.Parts(data)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for ct, p := range decoded {
		if cs := strings.ToLower(p.Charset); cs != "utf-8" {
			t.Errorf("part %s has charset %q, want UTF-8", ct, cs)
		}
		out[ct] = p.Body
	}
	return msg.Header, out
}

func TestSMTPSendsAWellFormedMessage(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{KeepBodies: true})
	s := newSMTP(t, srv, nil)
	m := bulkMessage("Zoë Ørsted <zoe@example.org>")
	before := time.Now().Add(-time.Second)
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("server got %d messages", len(msgs))
	}
	got := msgs[0]
	if got.From != "news@review.example" || len(got.To) != 1 || got.To[0] != "zoe@example.org" {
		t.Errorf("envelope: from %q to %q", got.From, got.To)
	}
	h, bodies := parts(t, got.Data)
	dec := new(mime.WordDecoder)
	if subj, err := dec.DecodeHeader(h.Get("Subject")); err != nil || subj != m.Subject {
		t.Errorf("Subject %q decodes to %q (%v), want %q", h.Get("Subject"), subj, err, m.Subject)
	}
	if to, err := h.AddressList("To"); err != nil || len(to) != 1 || to[0].Name != "Zoë Ørsted" || to[0].Address != "zoe@example.org" {
		t.Errorf("To %q: %v, %v", h.Get("To"), to, err)
	}
	if from, err := h.AddressList("From"); err != nil || from[0].Name != "The Review" {
		t.Errorf("From %q: %v, %v", h.Get("From"), from, err)
	}
	if d, err := h.Date(); err != nil || d.Before(before) || d.After(time.Now().Add(time.Second)) {
		t.Errorf("Date %q: %v, %v", h.Get("Date"), d, err)
	}
	for name, want := range map[string]string{
		"Message-Id":            "<issue-7.42@review.example>",
		"List-Id":               m.Headers["List-Id"],
		"List-Unsubscribe":      m.Headers["List-Unsubscribe"],
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"Mime-Version":          "1.0",
	} {
		if got := strings.Join(strings.Fields(h.Get(name)), " "); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if bodies["text/plain"] != m.Text {
		t.Errorf("text part:\n%q\nwant\n%q", bodies["text/plain"], m.Text)
	}
	if bodies["text/html"] != m.HTML {
		t.Errorf("HTML part:\n%q\nwant\n%q", bodies["text/html"], m.HTML)
	}
	// Every line of the raw message is 7-bit and within RFC 5322's limit.
	for i, line := range strings.Split(string(got.Data), "\r\n") {
		if len(line) > 998 {
			t.Errorf("line %d is %d bytes long", i+1, len(line))
		}
		for _, c := range []byte(line) {
			if c >= 0x80 {
				t.Fatalf("line %d holds 8-bit data: %q", i+1, line)
			}
		}
	}
}

func TestSMTPMakesAMessageIDWhenNoneIsGiven(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{})
	s := newSMTP(t, srv, nil)
	m := bulkMessage("ann@example.org")
	m.MessageID, m.HTML = "", ""
	for range 2 {
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	msgs := srv.Messages()
	a, b := msgs[0].Header.Get("Message-Id"), msgs[1].Header.Get("Message-Id")
	if !strings.HasSuffix(a, "@review.example>") || a == b {
		t.Errorf("Message-IDs %q and %q: want unique ones in the sender's domain", a, b)
	}
	if ct := msgs[0].Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("a text-only message is %q", ct)
	}
}

func TestSMTPRefusesHeaderInjection(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{})
	s := newSMTP(t, srv, nil)
	for name, change := range map[string]func(*masthead.Message){
		"CRLF in the subject":      func(m *masthead.Message) { m.Subject = "Hi\r\nBcc: victim@example.org" },
		"LF in the recipient name": func(m *masthead.Message) { m.To = "\"Ann\nBcc: victim@example.org\" <ann@example.org>" },
		"CR in a header":           func(m *masthead.Message) { m.Headers["List-Id"] = "x\rBcc: victim@example.org" },
		"bad Message-ID":           func(m *masthead.Message) { m.MessageID = "<a b@example.org>" },
		"Message-ID with CRLF":     func(m *masthead.Message) { m.MessageID = "<a@example.org>\r\nBcc: v@example.org" },
	} {
		m := bulkMessage("ann@example.org")
		change(&m)
		err := s.Send(context.Background(), m)
		if !errors.Is(err, masthead.ErrInvalid) || !masthead.IsPermanent(err) {
			t.Errorf("%s: Send = %v, want a permanent ErrInvalid", name, err)
		}
	}
	if n := srv.Total(); n != 0 {
		t.Errorf("server got %d messages", n)
	}
}

func TestSMTPClassifiesRefusals(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{})
	srv.OnRcpt(func(rcpt string, n int) error {
		switch {
		case strings.HasPrefix(rcpt, "busy"):
			return smtptest.Refuse(451, "try again later")
		case strings.HasPrefix(rcpt, "gone"):
			return smtptest.Refuse(550, "no such user")
		}
		return nil
	})
	s := newSMTP(t, srv, func(c *masthead.SMTPConfig) { c.MaxConns = 1 })
	ctx := context.Background()

	err := s.Send(ctx, bulkMessage("busy@example.org"))
	var se *masthead.SMTPError
	if !errors.As(err, &se) || se.Code != 451 || se.Permanent || masthead.IsPermanent(err) {
		t.Errorf("4xx refusal: %v (%+v), want a temporary SMTPError 451", err, se)
	}
	err = s.Send(ctx, bulkMessage("gone@example.org"))
	if !errors.As(err, &se) || se.Code != 550 || !se.Permanent || !masthead.IsPermanent(err) {
		t.Errorf("5xx refusal: %v (%+v), want a permanent SMTPError 550", err, se)
	}
	// The session survives refusals: the next message goes out on it.
	if err := s.Send(ctx, bulkMessage("ann@example.org")); err != nil {
		t.Fatal(err)
	}
	if srv.Count("ann@example.org") != 1 || srv.Total() != 1 {
		t.Errorf("accepted: %v", srv.Counts())
	}
	if n := srv.Connections(); n != 1 {
		t.Errorf("%d connections for three messages, want 1", n)
	}
}

func TestSMTPDroppedConnection(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{})
	srv.OnData(func(from string, to []string) bool { return to[0] == "cut@example.org" })
	s := newSMTP(t, srv, nil)
	ctx := context.Background()
	err := s.Send(ctx, bulkMessage("cut@example.org"))
	if err == nil || masthead.IsPermanent(err) {
		t.Fatalf("Send through a dropped connection = %v, want a temporary failure", err)
	}
	if srv.Drops() != 1 || srv.Total() != 0 {
		t.Errorf("drops %d, accepted %d", srv.Drops(), srv.Total())
	}
	// The broken connection is not reused.
	if err := s.Send(ctx, bulkMessage("ann@example.org")); err != nil {
		t.Fatalf("Send after a drop: %v", err)
	}
	// Nor is one the server closed while it sat idle.
	srv.DropAll()
	if err := s.Send(ctx, bulkMessage("bob@example.org")); err != nil {
		t.Fatalf("Send after the server closed idle connections: %v", err)
	}
	if srv.Count("ann@example.org") != 1 || srv.Count("bob@example.org") != 1 {
		t.Errorf("accepted: %v", srv.Counts())
	}
}

func TestSMTPServerDown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close() // nothing listens there now
	s, err := masthead.NewSMTP(masthead.SMTPConfig{Host: "127.0.0.1", Port: port, TLS: masthead.TLSNone,
		From: "news@review.example", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Send(context.Background(), bulkMessage("ann@example.org"))
	var se *masthead.SMTPError
	if !errors.As(err, &se) || se.Permanent || masthead.IsPermanent(err) {
		t.Errorf("Send to a server that is down = %v, want a temporary SMTPError", err)
	}
}

func TestSMTPStartTLSAndAuth(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{STARTTLS: true, Username: "relay", Password: "s3cret"})
	ctx := context.Background()
	good := newSMTP(t, srv, func(c *masthead.SMTPConfig) {
		c.TLS, c.TLSConfig, c.Username, c.Password = masthead.TLSStartTLS, srv.ClientTLSConfig(), "relay", "s3cret"
	})
	if err := good.Send(ctx, bulkMessage("ann@example.org")); err != nil {
		t.Fatalf("Send over STARTTLS with a login: %v", err)
	}
	// A wrong password is the operator's to fix: temporary, so that no
	// recipient is written off for it.
	bad := newSMTP(t, srv, func(c *masthead.SMTPConfig) {
		c.TLS, c.TLSConfig, c.Username, c.Password = masthead.TLSStartTLS, srv.ClientTLSConfig(), "relay", "wrong"
	})
	if err := bad.Send(ctx, bulkMessage("bob@example.org")); err == nil || masthead.IsPermanent(err) {
		t.Errorf("Send with a wrong password = %v, want a temporary failure", err)
	}
	// A server certificate nobody vouches for is refused.
	untrusted := newSMTP(t, srv, func(c *masthead.SMTPConfig) {
		c.TLS, c.Username, c.Password = masthead.TLSStartTLS, "relay", "s3cret"
	})
	if err := untrusted.Send(ctx, bulkMessage("cy@example.org")); err == nil {
		t.Error("Send trusted an unknown certificate")
	}
	if srv.Count("ann@example.org") != 1 || srv.Total() != 1 {
		t.Errorf("accepted: %v", srv.Counts())
	}
}

func TestSMTPConcurrentSendsShareFewConnections(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{})
	s := newSMTP(t, srv, func(c *masthead.SMTPConfig) { c.MaxConns = 3 })
	var wg sync.WaitGroup
	for g := range 12 {
		wg.Go(func() {
			for i := range 10 {
				if err := s.Send(context.Background(), bulkMessage(fmt.Sprintf("r%d-%d@example.org", g, i))); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	counts := srv.Counts()
	if len(counts) != 120 {
		t.Errorf("%d recipients got mail, want 120", len(counts))
	}
	for rcpt, n := range counts {
		if n != 1 {
			t.Errorf("%s got %d copies", rcpt, n)
		}
	}
	if n := srv.Connections(); n > 3 {
		t.Errorf("%d connections opened, want at most 3", n)
	}
}

func TestSMTPConfigFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if _, ok, err := masthead.SMTPConfigFromEnv(env(nil)); ok || err != nil {
		t.Errorf("without a host: ok %v, err %v", ok, err)
	}
	cfg, ok, err := masthead.SMTPConfigFromEnv(env(map[string]string{
		"MASTHEAD_SMTP_HOST": "smtp.example.org", "MASTHEAD_SMTP_PORT": "2525", "MASTHEAD_SMTP_TLS": "TLS",
		"MASTHEAD_SMTP_USERNAME": "u", "MASTHEAD_SMTP_PASSWORD": "p w", "MASTHEAD_SMTP_FROM": "News <news@example.org>",
		"MASTHEAD_SMTP_TIMEOUT": "5s", "MASTHEAD_SMTP_MAX_CONNS": "8",
	}))
	if err != nil || !ok {
		t.Fatalf("SMTPConfigFromEnv: %v", err)
	}
	want := masthead.SMTPConfig{Host: "smtp.example.org", Port: 2525, TLS: "tls", Username: "u", Password: "p w",
		From: "News <news@example.org>", Timeout: 5 * time.Second, MaxConns: 8}
	if fmt.Sprint(cfg) != fmt.Sprint(want) {
		t.Errorf("config:\n got  %+v\n want %+v", cfg, want)
	}
	_, _, err = masthead.SMTPConfigFromEnv(env(map[string]string{
		"MASTHEAD_SMTP_HOST": "smtp.example.org", "MASTHEAD_SMTP_PORT": "99999", "MASTHEAD_SMTP_TLS": "ssl3",
		"MASTHEAD_SMTP_TIMEOUT": "soon", "MASTHEAD_SMTP_FROM": "not an address",
	}))
	for _, name := range []string{"PORT", "TLS", "TIMEOUT", "FROM"} {
		if err == nil || !strings.Contains(err.Error(), "MASTHEAD_SMTP_"+name) {
			t.Errorf("error does not name MASTHEAD_SMTP_%s: %v", name, err)
		}
	}
	if _, err := masthead.NewSMTP(masthead.SMTPConfig{Host: "x", TLS: "maybe"}); err == nil {
		t.Error("NewSMTP accepted an unknown TLS mode")
	}
	if _, err := masthead.NewSMTP(masthead.SMTPConfig{}); err == nil {
		t.Error("NewSMTP accepted no host")
	}
}
