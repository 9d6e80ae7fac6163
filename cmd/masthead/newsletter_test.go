package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/mail/smtptest"
	"masthead/internal/store"
)

func TestNewsletterCommands(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	dir := filepath.Join(t.TempDir(), "data")
	env := map[string]string{
		"MASTHEAD_DATA": dir, "MASTHEAD_BASE_URL": "https://mag.example",
		"MASTHEAD_SMTP_HOST": srv.Host, "MASTHEAD_SMTP_PORT": strconv.Itoa(srv.Port), "MASTHEAD_SMTP_TLS": "none",
		"MASTHEAD_SMTP_FROM": "The Review <news@mag.example>", "MASTHEAD_NEWSLETTER_RATE": "500",
	}
	masthead := func(args ...string) (int, string, string) {
		t.Helper()
		var out, errOut bytes.Buffer
		code := run(context.Background(), args, envFrom(env), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	if code, _, errOut := masthead("migrate"); code != 0 {
		t.Fatalf("migrate: %d %s", code, errOut)
	}

	// A magazine with readers, written straight to the database.
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{SQLitePath: filepath.Join(dir, "masthead.db")})
	if err != nil {
		t.Fatal(err)
	}
	p := content.Post{Slug: "trust-but-count", Title: "Trust, but Count", Body: "Arms control is counting.",
		Status: content.StatusPublished, PublishedAt: time.Now().Add(-time.Hour)}
	if err := st.SavePost(ctx, &p); err != nil {
		t.Fatal(err)
	}
	var subs []store.Subscriber
	for i := range 50 {
		subs = append(subs, store.Subscriber{Email: fmt.Sprintf("reader%d@example.org", i), Status: store.SubscriberConfirmed, WantsRoundup: true})
	}
	if _, err := st.ImportSubscribers(ctx, subs); err != nil {
		t.Fatal(err)
	}
	st.Close()

	code, out, errOut := masthead("newsletter", "compose")
	m := regexp.MustCompile(`composed issue (\d+)`).FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("compose: %d\n%s\n%s", code, out, errOut)
	}
	id := m[1]
	if code, out, _ := masthead("newsletter", "list"); code != 0 || !strings.Contains(out, "draft") {
		t.Errorf("list: %d\n%s", code, out)
	}
	code, out, errOut = masthead("newsletter", "send", id)
	if code != 0 {
		t.Fatalf("send: %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "issue "+id+" sent: 50 of 50 sent") {
		t.Errorf("send printed:\n%s", out)
	}
	if n := srv.Total(); n != 50 {
		t.Errorf("the server got %d messages, want 50", n)
	}
	for addr, n := range srv.Counts() {
		if n != 1 {
			t.Errorf("%s got %d copies", addr, n)
		}
	}
	if code, out, _ := masthead("newsletter", "status", id); code != 0 || !strings.Contains(out, "sent: 50 of 50 sent") {
		t.Errorf("status: %d %s", code, out)
	}
	// Sending a sent issue again sends nothing.
	if code, _, _ := masthead("newsletter", "send", id); code != 0 || srv.Total() != 50 {
		t.Errorf("send again: %d, %d messages", code, srv.Total())
	}
	if code, _, errOut := masthead("newsletter", "pause", id); code != 1 || !strings.Contains(errOut, "can be paused") {
		t.Errorf("pause a sent issue: %d %s", code, errOut)
	}
	if code, _, errOut := masthead("newsletter", "status", "999"); code != 1 || !strings.Contains(errOut, "no issue 999") {
		t.Errorf("status of a missing issue: %d %s", code, errOut)
	}
	if code, _, _ := masthead("newsletter", "send"); code != 2 {
		t.Errorf("send without an issue: exit %d", code)
	}
	if code, _, _ := masthead("newsletter", "frobnicate"); code != 2 {
		t.Errorf("unknown subcommand: exit %d", code)
	}
	if code, _, errOut := masthead("newsletter", "compose"); code != 1 || !strings.Contains(errOut, "No article was published") {
		t.Errorf("compose with nothing new: %d %s", code, errOut)
	}
	for _, sub := range []string{"send", "status", "compose"} {
		if code, out, errOut := masthead("newsletter", sub, "--help"); code != 0 || !strings.Contains(out+errOut, "Usage: masthead newsletter "+sub) {
			t.Errorf("newsletter %s --help: %d %s%s", sub, code, out, errOut)
		}
	}
	env["MASTHEAD_SMTP_PORT"] = "smtp"
	if code, _, errOut := masthead("newsletter", "status", id); code != 1 || !strings.Contains(errOut, "MASTHEAD_SMTP_PORT") {
		t.Errorf("bad SMTP settings: %d %s", code, errOut)
	}
}
