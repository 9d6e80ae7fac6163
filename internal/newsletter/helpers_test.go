package newsletter_test

import (
	"context"
	"fmt"
	"log/slog"
	"mime"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/jobs"
	masthead "masthead/internal/mail"
	"masthead/internal/mail/smtptest"
	"masthead/internal/newsletter"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

const baseURL = "https://review.example"

// clock is a time that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// rig is a newsletter over a fresh store, delivering to an SMTP server in
// the test.
type rig struct {
	t    *testing.T
	ctx  context.Context
	st   *store.Store
	smtp *smtptest.Server
	mail *masthead.SMTP
	svc  *newsletter.Service
	opts newsletter.Options
}

type rigOptions struct {
	store   *store.Store
	smtp    *smtptest.Server
	sender  masthead.Sender // instead of SMTP
	options func(*newsletter.Options)
}

func newRig(t *testing.T, ro rigOptions) *rig {
	t.Helper()
	r := &rig{t: t, ctx: context.Background(), st: ro.store, smtp: ro.smtp}
	if r.st == nil {
		r.st = storetest.Open(t)
	}
	if r.smtp == nil {
		r.smtp = smtptest.Start(t, smtptest.Options{KeepBodies: true})
	}
	sender := ro.sender
	if sender == nil {
		var err error
		r.mail, err = masthead.NewSMTP(masthead.SMTPConfig{Host: r.smtp.Host, Port: r.smtp.Port, TLS: masthead.TLSNone,
			Timeout: 10 * time.Second, MaxConns: 4, HELO: "masthead.test"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.mail.Close() })
		sender = r.mail
	}
	r.opts = newsletter.Options{Store: r.st, Mail: sender, BaseURL: baseURL, Logger: testLogger(t),
		Rate: -1, Concurrency: 4, RetryBase: 5 * time.Millisecond}
	if ro.options != nil {
		ro.options(&r.opts)
	}
	var err error
	if r.svc, err = newsletter.New(r.opts); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"site.name": "The Review", "newsletter.sender": "The Review <news@review.example>"} {
		if err := r.st.SetSetting(r.ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// runner starts a jobs runner with the newsletter's handlers until stop
// is called or the test ends.
func (r *rig) runner(lease time.Duration) (stop func()) {
	r.t.Helper()
	jr := &jobs.Runner{Store: r.st, Handlers: r.svc.Handlers(), Logger: testLogger(r.t), PollInterval: 20 * time.Millisecond,
		Lease: lease, Workers: 2}
	r.svc.SetWake(jr.Wake)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- jr.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				r.t.Errorf("runner: %v", err)
			}
		})
	}
	r.t.Cleanup(stop)
	return stop
}

// waitFor polls cond until it holds, failing the test after 30 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitStatus waits until the issue reaches status.
func (r *rig) waitStatus(id int64, status store.IssueStatus) store.Issue {
	r.t.Helper()
	var is store.Issue
	waitFor(r.t, fmt.Sprintf("issue %d to be %s", id, status), func() bool {
		var err error
		is, err = r.st.IssueByID(r.ctx, id)
		if err != nil {
			r.t.Fatal(err)
		}
		return is.Status == status
	})
	return is
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// subscribers adds n confirmed subscribers wanting the round-up,
// reader000@example.org and on.
func (r *rig) subscribers(n int, change func(i int, s *store.Subscriber)) []store.Subscriber {
	r.t.Helper()
	subs := make([]store.Subscriber, n)
	for i := range subs {
		subs[i] = store.Subscriber{Email: fmt.Sprintf("reader%03d@example.org", i), Name: fmt.Sprintf("Reader %d", i),
			Status: store.SubscriberConfirmed, WantsRoundup: true, ConsentSource: "test", ConsentAt: time.Now()}
		if change != nil {
			change(i, &subs[i])
		}
	}
	if _, err := r.st.ImportSubscribers(r.ctx, subs); err != nil {
		r.t.Fatal(err)
	}
	for i := range subs {
		s, err := r.st.SubscriberByEmail(r.ctx, subs[i].Email)
		if err != nil {
			r.t.Fatal(err)
		}
		subs[i] = s
	}
	return subs
}

// publish saves published posts; sections are made as needed.
func (r *rig) publish(posts ...content.Post) []content.Post {
	r.t.Helper()
	out := make([]content.Post, len(posts))
	for i, p := range posts {
		if p.Slug == "" {
			p.Slug = content.Slugify(p.Title)
		}
		if p.Status == "" {
			p.Status = content.StatusPublished
		}
		if p.Body == "" {
			p.Body = "The opening paragraph of " + p.Title + ".\n\nThe rest of it."
		}
		if p.Section != nil && p.Section.ID == 0 {
			tag, err := r.st.TagBySlug(r.ctx, p.Section.Slug)
			if err != nil {
				tag = *p.Section
				tag.IsSection = true
				if err := r.st.SaveTag(r.ctx, &tag); err != nil {
					r.t.Fatal(err)
				}
			}
			p.Section = &tag
		}
		if err := r.st.SavePost(r.ctx, &p); err != nil {
			r.t.Fatalf("SavePost(%s): %v", p.Slug, err)
		}
		out[i] = p
	}
	return out
}

// roundup composes a round-up of what was just published and returns it.
func (r *rig) roundup() store.Issue {
	r.t.Helper()
	r.publish(content.Post{Title: "The Strait After the Ceasefire", Slug: fmt.Sprintf("the-strait-%d", time.Now().UnixNano()),
		PublishedAt: time.Now().Add(-time.Hour),
		Section:     &content.Tag{Slug: "security", Name: "Security"}})
	is, err := r.svc.ComposeRoundup(r.ctx, time.Now().Add(-24*time.Hour))
	if err != nil {
		r.t.Fatal(err)
	}
	return is
}

// counts checks that every address in want received exactly one message
// and nobody else received any.
func (r *rig) exactlyOnce(want []string) {
	r.t.Helper()
	got := r.smtp.Counts()
	wanted := map[string]bool{}
	for _, a := range want {
		wanted[a] = true
		if got[a] != 1 {
			r.t.Errorf("%s received %d copies, want 1", a, got[a])
		}
	}
	for a, n := range got {
		if !wanted[a] {
			r.t.Errorf("%s received %d copies, want none", a, n)
		}
	}
}

func emails(subs []store.Subscriber) []string {
	out := make([]string, len(subs))
	for i, s := range subs {
		out[i] = s.Email
	}
	return out
}

// body returns the decoded parts of a received message by media type.
func body(t *testing.T, m smtptest.Message) map[string]string {
	t.Helper()
	out, err := smtptest.Bodies(m.Data)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var linkPattern = regexp.MustCompile(`https://review\.example/(subscribe/confirm|preferences|unsubscribe)/([A-Za-z0-9_-]+)`)

// link finds the token of the first link of a kind ("subscribe/confirm",
// "preferences", "unsubscribe") in the text part of a message.
func link(t *testing.T, m smtptest.Message, kind string) string {
	t.Helper()
	for _, match := range linkPattern.FindAllStringSubmatch(body(t, m)["text/plain"], -1) {
		if match[1] == kind {
			return match[2]
		}
	}
	t.Fatalf("no %s link in:\n%s", kind, body(t, m)["text/plain"])
	return ""
}

// messagesTo returns what the server accepted for one address.
func (r *rig) messagesTo(addr string) []smtptest.Message {
	var out []smtptest.Message
	for _, m := range r.smtp.Messages() {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) {
				out = append(out, m)
			}
		}
	}
	return out
}

func subject(m smtptest.Message) string {
	s, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return m.Header.Get("Subject")
	}
	return s
}
