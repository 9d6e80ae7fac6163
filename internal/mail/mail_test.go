package mail_test

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"masthead/internal/mail"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// The outbox is a Sender; an SMTP sender will be another.
var _ mail.Sender = (*mail.Outbox)(nil)

func valid() mail.Message {
	return mail.Message{To: "Ann Lee <ann@example.org>", From: "The Review <desk@example.org>", Subject: "Welcome",
		Text: "Hello.", HTML: "<p>Hello.</p>", Headers: map[string]string{"Reply-To": "editor@example.org"}, Kind: "test"}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(m *mail.Message)
		ok     bool
	}{
		{"valid", func(m *mail.Message) {}, true},
		{"bare address, no sender, no HTML", func(m *mail.Message) { m.To, m.From, m.HTML, m.Headers = "ann@example.org", "", "", nil }, true},
		{"non-ASCII name", func(m *mail.Message) { m.To = "Zoë Ørsted <zoe@example.org>" }, true},
		{"CRLF in subject", func(m *mail.Message) { m.Subject = "Hi\r\nBcc: victim@example.org" }, false},
		{"LF in subject", func(m *mail.Message) { m.Subject = "Hi\nthere" }, false},
		{"CR in subject", func(m *mail.Message) { m.Subject = "Hi\rthere" }, false},
		{"CRLF in recipient", func(m *mail.Message) { m.To = "ann@example.org\r\nBcc: victim@example.org" }, false},
		{"CRLF in sender", func(m *mail.Message) { m.From = "desk@example.org\nBcc: victim@example.org" }, false},
		{"CRLF in a header value", func(m *mail.Message) {
			m.Headers = map[string]string{"Reply-To": "a@example.org\r\nBcc: v@example.org"}
		}, false},
		{"NUL in a header value", func(m *mail.Message) { m.Headers = map[string]string{"X-Tag": "a\x00b"} }, false},
		{"colon in a header name", func(m *mail.Message) { m.Headers = map[string]string{"Bcc: x@example.org\r\nX": "y"} }, false},
		{"space in a header name", func(m *mail.Message) { m.Headers = map[string]string{"Reply To": "x@example.org"} }, false},
		{"reserved header", func(m *mail.Message) { m.Headers = map[string]string{"bcc": "victim@example.org"} }, false},
		{"reserved Content-Type", func(m *mail.Message) { m.Headers = map[string]string{"Content-Type": "text/html"} }, false},
		{"two recipients", func(m *mail.Message) { m.To = "a@example.org, b@example.org" }, false},
		{"not an address", func(m *mail.Message) { m.To = "ann at example.org" }, false},
		{"no recipient", func(m *mail.Message) { m.To = "" }, false},
		{"bad sender", func(m *mail.Message) { m.From = "desk@" }, false},
		{"no subject", func(m *mail.Message) { m.Subject = "  " }, false},
		{"no text body", func(m *mail.Message) { m.Text = "" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := valid()
			tt.change(&m)
			err := m.Validate()
			if tt.ok && err != nil {
				t.Errorf("Validate = %v, want nil", err)
			}
			if !tt.ok && !errors.Is(err, mail.ErrInvalid) {
				t.Errorf("Validate = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestOutboxStores(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		ctx := context.Background()
		now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
		o := &mail.Outbox{Store: s, From: "Masthead <desk@example.org>", Now: func() time.Time { return now }}

		m := valid()
		m.From = "" // the outbox's default applies
		if err := o.Send(ctx, m); err != nil {
			t.Fatalf("Send: %v", err)
		}
		page, err := s.OutboxMessages(ctx, store.OutboxFilter{To: "ANN@example.org"})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 1 {
			t.Fatalf("messages to Ann: %d, want 1", page.Total)
		}
		got := page.Messages[0]
		want := store.OutboxMessage{ID: got.ID, CreatedAt: now, Kind: "test", To: "ann@example.org", ToName: "Ann Lee",
			From: "Masthead <desk@example.org>", Subject: "Welcome", Text: "Hello.", HTML: "<p>Hello.</p>",
			Headers: map[string]string{"Reply-To": "editor@example.org"}, Status: store.OutboxStored, SentAt: now}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("stored message:\n got  %+v\n want %+v", got, want)
		}

		// A refused message stores nothing.
		bad := valid()
		bad.Subject = "Hi\r\nBcc: victim@example.org"
		if err := o.Send(ctx, bad); !errors.Is(err, mail.ErrInvalid) {
			t.Errorf("Send with an injected header = %v, want ErrInvalid", err)
		}
		if page, _ := s.OutboxMessages(ctx, store.OutboxFilter{}); page.Total != 1 {
			t.Errorf("outbox holds %d messages after a refused one, want 1", page.Total)
		}
	})
}

type invite struct {
	Inviter, Site, Role, Link, Expires string
}

func TestTemplateGolden(t *testing.T) {
	tmpl, err := mail.ParseTemplateFS(os.DirFS("testdata"), "invite")
	if err != nil {
		t.Fatal(err)
	}
	m, err := tmpl.Execute(invite{Inviter: "Mara <Editor> & Co", Site: "The Review", Role: "contributor",
		Link: "https://example.org/desk/invite?token=abc&x=1", Expires: "4 March 2025, 12:00"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != "invite" {
		t.Errorf("Kind = %q, want the template's name", m.Kind)
	}
	got := "Subject: " + m.Subject + "\n\n--- text\n" + m.Text + "\n--- html\n" + m.HTML
	golden := filepath.Join("testdata", "invite.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("rendered invitation differs from %s:\n%s", golden, got)
	}
	// Markup in data is escaped in HTML, kept as is in text.
	if !strings.Contains(m.HTML, "Mara &lt;Editor&gt; &amp; Co") || !strings.Contains(m.Text, "Mara <Editor> & Co") {
		t.Errorf("escaping: html %q, text %q", m.HTML, m.Text)
	}
}

func TestTemplateErrors(t *testing.T) {
	if _, err := mail.NewTemplate("x", "", "body", ""); err == nil {
		t.Error("a template without subject was accepted")
	}
	if _, err := mail.NewTemplate("x", "S", "{{.Broken", ""); err == nil {
		t.Error("a broken text template was accepted")
	}
	if _, err := mail.ParseTemplateFS(os.DirFS("testdata"), "missing"); err == nil {
		t.Error("a missing template was accepted")
	}
	tmpl, err := mail.NewTemplate("x", "Hello {{.Name}}", "Hi {{.Name}}", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tmpl.Execute(map[string]string{}); err == nil {
		t.Error("a missing key rendered without error")
	}
	// A line break smuggled in through data reaches the subject and is
	// refused by Validate, not silently sent.
	m, err := tmpl.Execute(map[string]string{"Name": "Ann\r\nBcc: victim@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	m.To = "ann@example.org"
	if err := m.Validate(); !errors.Is(err, mail.ErrInvalid) {
		t.Errorf("Validate of an injected subject = %v, want ErrInvalid", err)
	}
	if m.HTML != "" {
		t.Errorf("text-only template made HTML %q", m.HTML)
	}
}
