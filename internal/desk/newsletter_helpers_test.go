package desk_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/desk"
	"masthead/internal/editorial"
	"masthead/internal/jobs"
	"masthead/internal/mail"
	"masthead/internal/mail/smtptest"
	"masthead/internal/media"
	"masthead/internal/newsletter"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// newsRig is a desk with the newsletter, delivering to an SMTP server in
// the test, with an owner who writes the articles.
type newsRig struct {
	*rig
	news     *newsletter.Service
	smtp     *smtptest.Server
	owner    editorial.Actor
	authorID int64
	sections map[string]int64
}

func newNewsRig(t *testing.T, rate float64) *newsRig {
	t.Helper()
	st := storetest.Open(t)
	m, err := media.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv := smtptest.Start(t, smtptest.Options{KeepBodies: true})
	sender, err := mail.NewSMTP(mail.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: mail.TLSNone, Timeout: 10 * time.Second,
		MaxConns: 2, HELO: "masthead.test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sender.Close() })
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	news, err := newsletter.New(newsletter.Options{Store: st, Mail: sender, BaseURL: "http://desk.test", Logger: log,
		Rate: rate, Concurrency: 2, RetryBase: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := editorial.New(editorial.Options{Store: st, Media: m, Mail: &mail.Outbox{Store: st, From: "desk@example.org"},
		BaseURL: "http://desk.test", RenditionWidths: []int{32}, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	d, err := desk.New(desk.Options{Editorial: svc, Newsletter: news, BaseURL: "http://desk.test", Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(d.Handler())
	t.Cleanup(hs.Close)
	n := &newsRig{rig: &rig{t: t, ctx: context.Background(), st: st, svc: svc, srv: hs}, news: news, smtp: srv,
		sections: map[string]int64{}}
	for k, v := range map[string]string{"site.name": "The Review", "newsletter.sender": "The Review <news@review.example>"} {
		if err := st.SetSetting(n.ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	acc, err := svc.CreateAccount(n.ctx, editorial.NewAccount{Email: "olga@example.org", Role: store.RoleOwner, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	n.owner = actor(acc)
	a, err := svc.SaveAuthor(n.ctx, n.owner, 0, editorial.AuthorInput{Name: "Mara Oyelaran"})
	if err != nil {
		t.Fatal(err)
	}
	n.authorID = a.ID
	for i, name := range []string{"Security", "Economy"} {
		tag, err := svc.SaveTag(n.ctx, n.owner, 0, editorial.TagInput{Name: name, IsSection: true, Position: i + 1})
		if err != nil {
			t.Fatal(err)
		}
		n.sections[name] = tag.ID
	}
	return n
}

// publish puts an article in section on the site.
func (n *newsRig) publish(title, section string) content.Post {
	n.t.Helper()
	p, err := n.svc.CreateDraft(n.ctx, n.owner, editorial.PostInput{Title: title, Deck: "The deck of " + title,
		Body: "The opening lines of " + title + ".\n", AuthorIDs: []int64{n.authorID}, SectionID: n.sections[section]})
	if err != nil {
		n.t.Fatal(err)
	}
	if p, err = n.svc.Publish(n.ctx, n.owner, p.ID); err != nil {
		n.t.Fatal(err)
	}
	return p
}

// subscribe adds a confirmed subscriber.
func (n *newsRig) subscribe(email string, roundup, every bool) store.Subscriber {
	n.t.Helper()
	now := time.Now()
	sub := store.Subscriber{Email: email, Status: store.SubscriberConfirmed, WantsRoundup: roundup, WantsEveryArticle: every,
		ConsentSource: newsletter.SourceForm, ConsentAt: now, ConfirmedAt: now}
	if err := n.st.CreateSubscriber(n.ctx, &sub); err != nil {
		n.t.Fatal(err)
	}
	return sub
}

// runJobs runs the jobs runner with the newsletter's handlers until the
// test ends.
func (n *newsRig) runJobs() {
	n.t.Helper()
	jr := &jobs.Runner{Store: n.st, Handlers: n.news.Handlers(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		PollInterval: 20 * time.Millisecond, Workers: 2}
	n.news.SetWake(jr.Wake)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := jr.Run(ctx); err != nil {
			n.t.Errorf("jobs runner: %v", err)
		}
	}()
	n.t.Cleanup(func() { cancel(); wg.Wait() })
}

// waitFor polls cond until it holds, failing the test after 30 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type progressJSON struct {
	Status    string `json:"status"`
	Total     int    `json:"total"`
	Sent      int    `json:"sent"`
	Failed    int    `json:"failed"`
	Remaining int    `json:"remaining"`
	Done      int    `json:"done"`
	Percent   int    `json:"percent"`
	ETAText   string `json:"eta_text"`
}

func (b *browser) progress(path string) progressJSON {
	b.r.t.Helper()
	p := b.get(path)
	if p.status != http.StatusOK || !strings.HasPrefix(p.header.Get("Content-Type"), "application/json") {
		b.r.t.Fatalf("progress %s: %d %s\n%.500s", path, p.status, p.header.Get("Content-Type"), p.body)
	}
	var v progressJSON
	if err := json.Unmarshal([]byte(p.body), &v); err != nil {
		b.r.t.Fatalf("progress %s: %v", path, err)
	}
	return v
}

// testWriter sends log lines to the test's log, shown when it fails.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}
