package site

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/jobs"
	"masthead/internal/mail"
	"masthead/internal/mail/smtptest"
	"masthead/internal/media"
	"masthead/internal/newsletter"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// newsletterRig is a site with a newsletter that delivers over SMTP to a
// server in the test.
type newsletterRig struct {
	*rig
	smtp *smtptest.Server
	nl   *newsletter.Service
}

func newNewsletterRig(t *testing.T, change func(*newsletter.Options)) *newsletterRig {
	t.Helper()
	st := storetest.Open(t)
	m, err := media.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv := smtptest.Start(t, smtptest.Options{KeepBodies: true})
	sender, err := mail.NewSMTP(mail.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: mail.TLSNone, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sender.Close() })
	log := slog.New(slog.NewTextHandler(testLogWriter{t}, nil))
	opts := newsletter.Options{Store: st, Mail: sender, BaseURL: testBaseURL, Logger: log, Rate: -1, RetryBase: 10 * time.Millisecond}
	if change != nil {
		change(&opts)
	}
	nl, err := newsletter.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for k, v := range map[string]string{"site.name": "The Review", "newsletter.enabled": "true", "newsletter.sender": "The Review <news@mag.example>"} {
		if err := st.SetSetting(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	c := &clock{t: time.Now()}
	s, err := New(Options{Store: st, Media: m, BaseURL: testBaseURL, Logger: log, Now: c.Now, Newsletter: nl})
	if err != nil {
		t.Fatal(err)
	}
	return &newsletterRig{
		rig:  &rig{t: t, store: st, media: m, site: s, h: s.Handler(), clock: c, ctx: ctx},
		smtp: srv,
		nl:   nl,
	}
}

// post submits a form from the given address.
func (r *newsletterRig) post(path string, form url.Values, remote string) response {
	r.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if remote != "" {
		req.RemoteAddr = remote
	}
	return r.do(req)
}

// deliver runs the jobs runner until the issue is sent.
func (r *newsletterRig) deliver(issueID int64) {
	r.t.Helper()
	jr := &jobs.Runner{Store: r.store, Handlers: r.nl.Handlers(), PollInterval: 20 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(testLogWriter{r.t}, nil))}
	r.nl.SetWake(jr.Wake)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- jr.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			r.t.Error(err)
		}
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		is, err := r.store.IssueByID(r.ctx, issueID)
		if err != nil {
			r.t.Fatal(err)
		}
		if is.Status == store.IssueSent {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("issue %d still %s", issueID, is.Status)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (r *newsletterRig) to(addr string) []smtptest.Message {
	var out []smtptest.Message
	for _, m := range r.smtp.Messages() {
		if len(m.To) == 1 && strings.EqualFold(m.To[0], addr) {
			out = append(out, m)
		}
	}
	return out
}

var tokenLink = regexp.MustCompile(`https://mag\.example(/(?:subscribe/confirm|preferences|unsubscribe)/[A-Za-z0-9_-]+)`)

// paths returns the site paths of the personal links in a message's
// text, by kind.
func paths(t *testing.T, m smtptest.Message) map[string]string {
	t.Helper()
	parts := decodeParts(t, m)
	out := map[string]string{}
	for _, match := range tokenLink.FindAllStringSubmatch(parts["text/plain"], -1) {
		kind := strings.Split(match[1], "/")[1]
		if _, ok := out[kind]; !ok {
			out[kind] = match[1]
		}
	}
	return out
}

func decodeParts(t *testing.T, m smtptest.Message) map[string]string {
	t.Helper()
	out, err := smtptest.Bodies(m.Data)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (r *newsletterRig) status(email string) store.SubscriberStatus {
	r.t.Helper()
	sub, err := r.store.SubscriberByEmail(r.ctx, email)
	if err != nil {
		r.t.Fatal(err)
	}
	return sub.Status
}

// TestNewsletterEndToEnd follows a reader from the subscribe form to the
// round-up and out again with one click.
func TestNewsletterEndToEnd(t *testing.T) {
	t.Parallel()
	r := newNewsletterRig(t, nil)

	// The box on every page posts to /subscribe.
	_, doc := r.getOK("/")
	if form := find(doc, "form", "action", "/subscribe"); form == nil {
		t.Fatal("the front page has no subscribe box")
	}
	_, doc = r.getOK("/subscribe")
	if find(doc, "input", "name", "website") == nil || find(doc, "input", "name", "email") == nil {
		t.Error("the subscribe page lacks its fields")
	}

	res := r.post("/subscribe", url.Values{"email": {"Ann@Example.org"}, "name": {"Ann Lee"}}, "192.0.2.10:5555")
	if res.status != http.StatusOK || !strings.Contains(res.body, "Check your inbox") {
		t.Fatalf("POST /subscribe: %d\n%s", res.status, res.body)
	}
	checkPage(t, "POST /subscribe", res.body)
	msgs := r.to("ann@example.org")
	if len(msgs) != 1 {
		t.Fatalf("%d confirmation emails", len(msgs))
	}
	confirm := paths(t, msgs[0])["subscribe"]
	if confirm == "" {
		t.Fatal("no confirmation link")
	}

	// Opening the link, as a mail scanner does, only shows the button.
	res = r.get(confirm)
	if res.status != http.StatusOK || !strings.Contains(res.body, "Confirm my subscription") {
		t.Fatalf("GET %s: %d\n%s", confirm, res.status, res.body)
	}
	if res.header.Get("Cache-Control") != "no-store" || res.header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("headers of a personal page: %v", res.header)
	}
	doc = checkPage(t, confirm, res.body)
	if form := find(doc, "form", "action", confirm); form == nil || attr(form, "method") != "post" {
		t.Errorf("the confirm page's form does not post to %s", confirm)
	}
	if st := r.status("ann@example.org"); st != store.SubscriberPending {
		t.Fatalf("GET confirmed the subscription: %s", st)
	}
	for range 2 { // a double click
		res = r.post(confirm, nil, "")
		if res.status != http.StatusOK || !strings.Contains(res.body, "You are subscribed") {
			t.Fatalf("POST %s: %d\n%s", confirm, res.status, res.body)
		}
	}
	if st := r.status("ann@example.org"); st != store.SubscriberConfirmed {
		t.Fatalf("after the button: %s", st)
	}
	if n := len(r.to("ann@example.org")); n != 2 {
		t.Errorf("%d emails after confirming twice, want the confirmation and one welcome", n)
	}

	// The round-up.
	first := r.post2("The Seabed Is the New Chokepoint")
	is, err := r.nl.ComposeRoundup(r.ctx, first.PublishedAt.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.nl.SendNow(r.ctx, is.ID); err != nil {
		t.Fatal(err)
	}
	r.deliver(is.ID)
	msgs = r.to("ann@example.org")
	if len(msgs) != 3 {
		t.Fatalf("%d emails, want the round-up as the third", len(msgs))
	}
	roundup := msgs[2]
	h := roundup.Header
	if h.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || h.Get("List-Id") == "" || h.Get("Message-Id") == "" || h.Get("Date") == "" {
		t.Errorf("round-up headers: %v", h)
	}
	parts := decodeParts(t, roundup)
	if !strings.Contains(parts["text/plain"], "The Seabed Is the New Chokepoint") || !strings.Contains(parts["text/html"], "The Seabed Is the New Chokepoint") {
		t.Errorf("round-up parts: %v", parts)
	}
	oneClick := strings.TrimPrefix(strings.Trim(h.Get("List-Unsubscribe"), "<>"), testBaseURL)
	if !strings.HasPrefix(oneClick, "/unsubscribe/") {
		t.Fatalf("List-Unsubscribe %q", h.Get("List-Unsubscribe"))
	}

	// The footer link shows a page with one button; opening it changes
	// nothing.
	res = r.get(oneClick)
	if res.status != http.StatusOK || !strings.Contains(res.body, "Unsubscribe") {
		t.Fatalf("GET %s: %d", oneClick, res.status)
	}
	checkPage(t, oneClick, res.body)
	if st := r.status("ann@example.org"); st != store.SubscriberConfirmed {
		t.Fatalf("GET unsubscribed: %s", st)
	}
	// The mail provider's one-click POST (RFC 8058): no cookie, no page.
	req := httptest.NewRequest(http.MethodPost, oneClick, strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res = r.do(req)
	if res.status != http.StatusOK {
		t.Fatalf("one-click POST: %d\n%s", res.status, res.body)
	}
	if st := r.status("ann@example.org"); st != store.SubscriberUnsubscribed {
		t.Fatalf("after the one-click POST: %s", st)
	}

	// The next round-up goes to the others only.
	bob := store.Subscriber{Email: "bob@example.org", Status: store.SubscriberConfirmed, WantsRoundup: true}
	if err := r.store.CreateSubscriber(r.ctx, &bob); err != nil {
		t.Fatal(err)
	}
	second := r.post2("Where Sanctions Leak")
	is2, err := r.nl.ComposeRoundup(r.ctx, second.PublishedAt.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.nl.SendNow(r.ctx, is2.ID); err != nil {
		t.Fatal(err)
	}
	r.deliver(is2.ID)
	if n := len(r.to("ann@example.org")); n != 3 {
		t.Errorf("Ann has %d emails after unsubscribing, want still 3", n)
	}
	if n := len(r.to("bob@example.org")); n != 1 {
		t.Errorf("Bob has %d emails, want the second round-up", n)
	}

	// The unsubscribed page offers the way back, and it works.
	prefs := paths(t, roundup)["preferences"]
	res = r.post(prefs, url.Values{"action": {"resubscribe"}}, "192.0.2.10:5555")
	if res.status != http.StatusOK || r.status("ann@example.org") != store.SubscriberConfirmed {
		t.Errorf("resubscribing from the preferences page: %d, %s", res.status, r.status("ann@example.org"))
	}
}

// post2 publishes an article an hour ago.
func (r *newsletterRig) post2(title string) content.Post {
	return r.rig.post(title, time.Now().Add(-time.Hour), nil)
}

func TestSubscribeFormAnswers(t *testing.T) {
	t.Parallel()
	r := newNewsletterRig(t, func(o *newsletter.Options) { o.SubscribeBurst = 4 })
	known := store.Subscriber{Email: "known@example.org", Status: store.SubscriberConfirmed, WantsRoundup: true}
	if err := r.store.CreateSubscriber(r.ctx, &known); err != nil {
		t.Fatal(err)
	}
	// A known and an unknown address get the same page.
	a := r.post("/subscribe", url.Values{"email": {"known@example.org"}}, "192.0.2.20:1")
	b := r.post("/subscribe", url.Values{"email": {"unknown@example.org"}}, "192.0.2.20:1")
	if a.status != http.StatusOK || b.status != http.StatusOK ||
		strings.ReplaceAll(a.body, "known@example.org", "X") != strings.ReplaceAll(b.body, "unknown@example.org", "X") {
		t.Errorf("the answers differ:\n%d %s\n%d %s", a.status, a.body, b.status, b.body)
	}
	// So does a bot that filled in the honeypot; it gets nothing.
	c := r.post("/subscribe", url.Values{"email": {"bot@example.org"}, "website": {"http://spam.example"}}, "192.0.2.21:1")
	if c.status != http.StatusOK || !strings.Contains(c.body, "Check your inbox") || len(r.to("bot@example.org")) != 0 {
		t.Errorf("honeypot: %d, %d emails", c.status, len(r.to("bot@example.org")))
	}
	// A bad address is shown again with the reason.
	d := r.post("/subscribe", url.Values{"email": {"ann@"}, "name": {"Ann"}}, "192.0.2.20:1")
	if d.status != http.StatusBadRequest || !strings.Contains(d.body, "valid email address") || !strings.Contains(d.body, `value="ann@"`) {
		t.Errorf("bad address: %d\n%s", d.status, d.body)
	}
	checkPage(t, "POST /subscribe (bad address)", d.body)
	e := r.post("/subscribe", url.Values{"email": {"ann@example.org"}, "name": {"Ann\r\nBcc: victim@example.org"}}, "192.0.2.20:1")
	if e.status != http.StatusBadRequest || !strings.Contains(e.body, "line breaks") {
		t.Errorf("name with CRLF: %d", e.status)
	}
	// Too many attempts from one network.
	f := r.post("/subscribe", url.Values{"email": {"more@example.org"}}, "192.0.2.20:1")
	if f.status != http.StatusTooManyRequests || f.header.Get("Retry-After") == "" || !strings.Contains(f.body, "Too many attempts") {
		t.Errorf("rate limit: %d %v", f.status, f.header)
	}
}

func TestNewsletterLinksRefused(t *testing.T) {
	t.Parallel()
	r := newNewsletterRig(t, nil)
	for _, path := range []string{"/subscribe/confirm/forged", "/preferences/AAAAAAAAAAAAAAAAAAAAAAAAAA", "/unsubscribe/x"} {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			req := httptest.NewRequest(method, path, strings.NewReader(""))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res := r.do(req)
			if res.status != http.StatusBadRequest || !strings.Contains(res.body, "This link does not work") {
				t.Errorf("%s %s: %d", method, path, res.status)
			}
		}
	}
	if page, _ := r.store.Subscribers(r.ctx, store.SubscriberFilter{}); page.Total != 0 {
		t.Errorf("forged links made %d subscribers", page.Total)
	}
}

func TestPreferencesPage(t *testing.T) {
	t.Parallel()
	r := newNewsletterRig(t, nil)
	if res := r.post("/subscribe", url.Values{"email": {"ann@example.org"}}, "192.0.2.30:1"); res.status != http.StatusOK {
		t.Fatal(res.status)
	}
	r.post(paths(t, r.to("ann@example.org")[0])["subscribe"], nil, "")
	welcome := r.to("ann@example.org")[1]
	prefs := paths(t, welcome)["preferences"]

	res, doc := r.getOK(prefs)
	if in := find(doc, "input", "name", "roundup"); in == nil || !hasAttr(in, "checked") {
		t.Errorf("the round-up box is not ticked:\n%s", res.body)
	}
	res = r.post(prefs, url.Values{"action": {"save"}, "every_article": {"1"}, "paused": {"1"}}, "")
	if res.status != http.StatusOK || !strings.Contains(res.body, "Your preferences are saved") {
		t.Fatalf("save: %d\n%s", res.status, res.body)
	}
	sub, _ := r.store.SubscriberByEmail(r.ctx, "ann@example.org")
	if sub.WantsRoundup || !sub.WantsEveryArticle || !sub.Paused {
		t.Errorf("after saving: %+v", sub)
	}
	res = r.post(prefs, url.Values{"action": {"save"}}, "")
	if res.status != http.StatusBadRequest || !strings.Contains(res.body, "or unsubscribe") {
		t.Errorf("saving nothing: %d", res.status)
	}
	res = r.post(prefs, url.Values{"action": {"unsubscribe"}}, "")
	if res.status != http.StatusOK || !strings.Contains(res.body, "You are unsubscribed") || r.status("ann@example.org") != store.SubscriberUnsubscribed {
		t.Errorf("unsubscribe from preferences: %d", res.status)
	}
	res, doc = r.getOK(prefs)
	if b := find(doc, "button", "value", "resubscribe"); b == nil {
		t.Errorf("an unsubscribed reader is not offered to come back:\n%s", res.body)
	}
	if res := r.post(prefs, url.Values{"action": {"explode"}}, ""); res.status != http.StatusBadRequest {
		t.Errorf("unknown action: %d", res.status)
	}
}

func TestNewsletterPagesNeedTheNewsletter(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	for _, path := range []string{"/subscribe", "/preferences/x", "/unsubscribe/x"} {
		if res := r.get(path); res.status != http.StatusNotFound {
			t.Errorf("GET %s without a newsletter: %d", path, res.status)
		}
	}
}
