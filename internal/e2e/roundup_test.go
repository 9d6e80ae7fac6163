package e2e

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/mail/smtptest"
	"masthead/internal/newsletter"
	"masthead/internal/store"
)

// TestRoundupThroughMailpit runs the weekly round-up from end to end
// against mailpit, a real SMTP server read through its HTTP API: readers
// subscribe on the site, confirm from the emailed link, receive the
// round-up with the right headers and both parts, leave with the one-click
// POST of List-Unsubscribe, and are left out of the next send.
func TestRoundupThroughMailpit(t *testing.T) {
	mp := startMailpit(t)
	srv := startServer(t, map[string]string{
		"MASTHEAD_SMTP_HOST": "127.0.0.1", "MASTHEAD_SMTP_PORT": strconv.Itoa(mp.SMTPPort), "MASTHEAD_SMTP_TLS": "none",
		"MASTHEAD_NEWSLETTER_RATE": "500", "MASTHEAD_NEWSLETTER_CONCURRENCY": "4",
		// Behind a TLS-terminating proxy, as in production: RFC 8058
		// one-click unsubscribing needs an https address.
		"MASTHEAD_BASE_URL": "https://latitude.example",
	})
	ctx := context.Background()
	st := srv.App.Store
	for k, v := range map[string]string{"site.name": "Latitude", newsletter.SettingEnabled: "true",
		newsletter.SettingSender: "Latitude Weekly <weekly@latitude.example>"} {
		if err := st.SetSetting(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	client := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	// Readers' requests come through the proxy, from their own addresses.
	post := func(u string, form url.Values) (int, string) {
		t.Helper()
		resp, err := client.PostForm(srv.local(u), form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	get := func(u string) (int, string) {
		t.Helper()
		resp, err := client.Get(srv.local(u))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status := func(addr string) store.SubscriberStatus {
		t.Helper()
		sub, err := st.SubscriberByEmail(ctx, addr)
		if err != nil {
			t.Fatal(err)
		}
		return sub.Status
	}

	// Subscribing on the site's form, and confirming from the email.
	readers := []string{"ama@readers.example", "bruno@readers.example", "chloe@readers.example"}
	const pending = "dara@readers.example" // never confirms
	for _, addr := range append(readers, pending) {
		code, body := post(srv.URL+"/subscribe", url.Values{"email": {addr}, "name": {"Reader " + addr[:3]}})
		if code != http.StatusOK || !strings.Contains(body, "Check your inbox") {
			t.Fatalf("subscribe %s: %d\n%.2000s", addr, code, body)
		}
	}
	for _, addr := range readers {
		m := mp.waitMessage(addr, "onfirm")
		link, err := linkIn(m.Text, srv.URL, "/subscribe/confirm/")
		if err != nil {
			t.Fatalf("no confirmation link in the email to %s:\n%s", addr, m.Text)
		}
		// A GET (a mail scanner following the link) shows a button and
		// confirms nothing.
		code, body := get(link)
		if code != http.StatusOK || !strings.Contains(body, "Confirm my subscription") {
			t.Fatalf("GET %s: %d\n%.2000s", link, code, body)
		}
		if s := status(addr); s != store.SubscriberPending {
			t.Fatalf("after the GET %s is %s, want pending", addr, s)
		}
		code, body = post(link, nil)
		if code != http.StatusOK || !strings.Contains(body, "You are subscribed") {
			t.Fatalf("POST %s: %d\n%.2000s", link, code, body)
		}
		if s := status(addr); s != store.SubscriberConfirmed {
			t.Fatalf("after the POST %s is %s", addr, s)
		}
		mp.waitMessage(addr, "elcome")
	}
	mp.waitMessage(pending, "onfirm")

	// The week's articles, a round-up with a subject that is not ASCII,
	// sent.
	publish := func(slug, title string) {
		t.Helper()
		p := content.Post{Slug: slug, Title: title, Deck: "Shipping is moving again.", Status: content.StatusPublished,
			PublishedAt: time.Now(), Body: "The opening paragraph of " + title + ".\n\nMore."}
		if err := st.SavePost(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	publish("the-strait-after-the-ceasefire", "The Strait After the Ceasefire")
	publish("ports-of-the-gulf", "Ports of the Gulf")
	first := sendRoundup(t, srv, "Die Woche: Zölle, Häfen und Café ☕ — Ausgabe 1")

	listID := ""
	for _, addr := range readers {
		got := withSubject(mp.to(addr), first.Subject)
		if len(got) != 1 {
			t.Fatalf("%s got %d copies of the round-up", addr, len(got))
		}
		m := mp.message(got[0].ID)
		h := mp.headers(got[0].ID)
		one := func(name string) string {
			if len(h[name]) != 1 {
				t.Errorf("%s: header %s = %q, want one", addr, name, h[name])
				return ""
			}
			return h[name][0]
		}
		sub, _ := st.SubscriberByEmail(ctx, addr)
		wantID := fmt.Sprintf("<issue-%d.subscriber-%d@", first.ID, sub.ID)
		if id := one("Message-Id"); !strings.HasPrefix(id, wantID) || !strings.HasSuffix(id, ">") {
			t.Errorf("%s: Message-ID %q, want %s…>", addr, id, wantID)
		}
		if d, err := mail.ParseDate(one("Date")); err != nil || time.Since(d) > 10*time.Minute || time.Until(d) > time.Minute {
			t.Errorf("%s: Date %q: %v", addr, one("Date"), err)
		}
		if from, err := mail.ParseAddress(one("From")); err != nil || from.Address != "weekly@latitude.example" || from.Name != "Latitude Weekly" {
			t.Errorf("%s: From %q: %v", addr, one("From"), err)
		}
		id := one("List-Id")
		if !strings.Contains(id, "<") || !strings.HasSuffix(id, ">") {
			t.Errorf("%s: List-Id %q", addr, id)
		}
		if listID == "" {
			listID = id
		} else if id != listID {
			t.Errorf("List-Id differs between subscribers: %q and %q", listID, id)
		}
		unsub := one("List-Unsubscribe")
		if !strings.HasPrefix(unsub, "<https://latitude.example/unsubscribe/") || !strings.HasSuffix(unsub, ">") {
			t.Errorf("%s: List-Unsubscribe %q is not the site's https address", addr, unsub)
		}
		if one("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Errorf("%s: List-Unsubscribe-Post %q", addr, h["List-Unsubscribe-Post"])
		}
		// The subject travels encoded and decodes to what the editor wrote.
		if raw := one("Subject"); !strings.Contains(raw, "=?") || strings.ContainsAny(raw, "äöé☕") {
			t.Errorf("%s: Subject not encoded as RFC 2047 words: %q", addr, raw)
		}
		if dec, err := new(mime.WordDecoder).DecodeHeader(one("Subject")); err != nil || dec != first.Subject {
			t.Errorf("%s: Subject decodes to %q (%v), want %q", addr, dec, err, first.Subject)
		}
		if m.Subject != first.Subject {
			t.Errorf("%s: mailpit reads the subject as %q", addr, m.Subject)
		}
		parts := mimeParts(t, mp.raw(got[0].ID))
		if !strings.Contains(parts["text/plain"], "The Strait After the Ceasefire") ||
			!strings.Contains(parts["text/html"], "Ports of the Gulf") || !strings.Contains(parts["text/html"], "<table") {
			t.Errorf("%s: parts %v", addr, keys(parts))
		}
	}
	if n := len(mp.to(pending)); n != 1 {
		t.Errorf("the unconfirmed reader got %d messages, want only the confirmation", n)
	}

	// One click: the POST a mail provider makes to List-Unsubscribe.
	leaver := readers[1]
	h := mp.headers(withSubject(mp.to(leaver), first.Subject)[0].ID)
	unsubURL := strings.Trim(h["List-Unsubscribe"][0], "<>")
	if !strings.HasPrefix(unsubURL, "https://latitude.example/unsubscribe/") {
		t.Fatalf("List-Unsubscribe %q", unsubURL)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.local(unsubURL), strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("one-click unsubscribe: %s", resp.Status)
	}
	if s := status(leaver); s != store.SubscriberUnsubscribed {
		t.Fatalf("after the one-click POST %s is %s", leaver, s)
	}

	// The next round-up skips them.
	publish("after-the-vote", "After the Vote")
	second := sendRoundup(t, srv, "Zweite Woche: Grüße aus Århus")
	for _, addr := range readers {
		want := 1
		if addr == leaver {
			want = 0
		}
		if got := len(withSubject(mp.to(addr), second.Subject)); got != want {
			t.Errorf("%s got %d copies of the second round-up, want %d", addr, got, want)
		}
	}
	if got := len(withSubject(mp.to(leaver), first.Subject)); got != 1 {
		t.Errorf("%s now holds %d copies of the first round-up", leaver, got)
	}
}

// sendRoundup composes a round-up of what was published since the last,
// sets its subject, sends it and waits until it is sent.
func sendRoundup(t *testing.T, srv *running, subject string) store.Issue {
	t.Helper()
	ctx := context.Background()
	nl := srv.App.Newsletter()
	is, err := nl.ComposeRoundup(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if is, err = nl.SetSubject(ctx, is.ID, subject); err != nil {
		t.Fatal(err)
	}
	if _, err := nl.SendNow(ctx, is.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the round-up to be sent", func() bool {
		cur, err := srv.App.Store.IssueByID(ctx, is.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cur.Status == store.IssuePaused || cur.Status == store.IssueCancelled {
			t.Fatalf("issue %s: %s", cur.Status, cur.PauseReason)
		}
		return cur.Status == store.IssueSent
	})
	return is
}

// mimeParts decodes a multipart/alternative message into its parts by
// media type, checking that each is UTF-8.
func mimeParts(t *testing.T, raw []byte) map[string]string {
	t.Helper()
	parts, err := smtptest.Parts(raw)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for ct, p := range parts {
		if !strings.EqualFold(p.Charset, "utf-8") {
			t.Errorf("part %s has charset %q", ct, p.Charset)
		}
		out[ct] = p.Body
	}
	if out["text/plain"] == "" || out["text/html"] == "" {
		t.Fatalf("want a text and an HTML part, got %q", keys(out))
	}
	return out
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
