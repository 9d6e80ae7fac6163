package newsletter_test

import (
	"context"
	"errors"
	"hash/fnv"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"masthead/internal/content"
	masthead "masthead/internal/mail"
	"masthead/internal/mail/smtptest"
	"masthead/internal/newsletter"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

func TestSendDeliversOnceWithListHeaders(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{})
	subs := r.subscribers(40, nil)
	// Those who must not get the round-up.
	others := r.subscribers(4, func(i int, s *store.Subscriber) {
		s.Email = []string{"paused@example.org", "articles@example.org", "pending@example.org", "left@example.org"}[i]
		switch i {
		case 0:
			s.Paused = true
		case 1:
			s.WantsRoundup, s.WantsEveryArticle = false, true
		case 2:
			s.Status = store.SubscriberPending
		case 3:
			s.Status = store.SubscriberUnsubscribed
		}
	})
	_ = others
	is := r.roundup()
	r.runner(0)
	started, err := r.svc.SendNow(r.ctx, is.ID)
	if err != nil {
		t.Fatal(err)
	}
	if started.Status != store.IssueSending || started.HTML == "" || started.Text == "" {
		t.Fatalf("SendNow = %+v", started)
	}
	sent := r.waitStatus(is.ID, store.IssueSent)
	r.exactlyOnce(emails(subs))

	p, err := r.svc.Progress(r.ctx, is.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != 40 || p.Sent != 40 || p.Remaining != 0 || p.Failed != 0 || p.Status != store.IssueSent || sent.FinishedAt.IsZero() {
		t.Errorf("Progress = %+v", p)
	}

	// Each message is the subscriber's own: their unsubscribe link, their
	// name, a Message-ID of their delivery.
	key := map[string]bool{}
	for _, sub := range subs[:5] {
		msgs := r.messagesTo(sub.Email)
		m := msgs[0]
		h := m.Header
		if got := subject(m); got != is.Subject {
			t.Errorf("subject %q, want %q", got, is.Subject)
		}
		if h.Get("List-Id") != "The Review <newsletter.review.example>" || h.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" ||
			h.Get("Precedence") != "bulk" {
			t.Errorf("list headers: %v", h)
		}
		unsub := strings.Trim(h.Get("List-Unsubscribe"), "<>")
		if !strings.HasPrefix(unsub, "https://review.example/unsubscribe/") {
			t.Fatalf("List-Unsubscribe %q", unsub)
		}
		tok := strings.TrimPrefix(unsub, "https://review.example/unsubscribe/")
		if key[tok] {
			t.Errorf("two subscribers share the unsubscribe link %s", tok)
		}
		key[tok] = true
		if owner, err := r.svc.Preferences(r.ctx, tok); err != nil || owner.ID != sub.ID {
			t.Errorf("%s's unsubscribe link opens %+v, %v", sub.Email, owner, err)
		}
		d, err := r.st.DeliveryOf(r.ctx, is.ID, sub.ID)
		if err != nil || d.Status != store.DeliverySent || d.MessageID != h.Get("Message-Id") || d.Attempts != 1 {
			t.Errorf("delivery %+v (%v), Message-ID %q", d, err, h.Get("Message-Id"))
		}
		parts := body(t, m)
		if !strings.Contains(parts["text/html"], "The Strait After the Ceasefire") ||
			!strings.Contains(parts["text/plain"], "The Strait After the Ceasefire") {
			t.Errorf("parts: %v", parts)
		}
		for ct, b := range parts {
			if !strings.Contains(b, "https://review.example/unsubscribe/"+tok) || strings.Contains(b, "__MASTHEAD") {
				t.Errorf("%s part lacks the personal unsubscribe link", ct)
			}
		}
		if to := h.Get("To"); !strings.Contains(to, sub.Name) {
			t.Errorf("To %q lacks the name %q", to, sub.Name)
		}
	}

	// Sending again is refused, and sends nothing more.
	if _, err := r.svc.SendNow(r.ctx, is.ID); userMessage(err) == "" {
		t.Errorf("SendNow of a sent issue = %v", err)
	}
	if n := r.smtp.Total(); n != 40 {
		t.Errorf("%d messages in all, want 40", n)
	}
}

// flaky answers a tenth of the recipients with a 451 at their first
// RCPT, deterministically.
func flaky(rcpt string, n int) error {
	h := fnv.New32a()
	h.Write([]byte(rcpt))
	if n == 1 && h.Sum32()%10 == 0 {
		return smtptest.Refuse(451, "greylisted, try again later")
	}
	return nil
}

func TestTemporaryFailuresAreRetried(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{})
	r.smtp.OnRcpt(flaky)
	subs := r.subscribers(200, nil)
	is := r.roundup()
	r.runner(0)
	if _, err := r.svc.SendNow(r.ctx, is.ID); err != nil {
		t.Fatal(err)
	}
	r.waitStatus(is.ID, store.IssueSent)
	r.exactlyOnce(emails(subs))
	retried := 0
	for _, sub := range subs {
		d, _ := r.st.DeliveryOf(r.ctx, is.ID, sub.ID)
		if d.Attempts == 2 {
			retried++
			if d.LastError != "" || d.Status != store.DeliverySent {
				t.Errorf("retried delivery: %+v", d)
			}
		}
	}
	if retried < 5 || retried > 40 {
		t.Errorf("%d deliveries retried, want about a tenth of 200", retried)
	}
	p, _ := r.svc.Progress(r.ctx, is.ID)
	if p.Sent != 200 || p.Failed != 0 {
		t.Errorf("Progress = %+v", p)
	}
}

func TestConnectionDroppedMidMessage(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{})
	var mu sync.Mutex
	dropped := map[string]bool{}
	r.smtp.OnData(func(from string, to []string) bool {
		// Every seventh message is cut off, once.
		h := fnv.New32a()
		h.Write([]byte(to[0]))
		mu.Lock()
		defer mu.Unlock()
		if h.Sum32()%7 == 0 && !dropped[to[0]] {
			dropped[to[0]] = true
			return true
		}
		return false
	})
	subs := r.subscribers(100, nil)
	is := r.roundup()
	r.runner(0)
	if _, err := r.svc.SendNow(r.ctx, is.ID); err != nil {
		t.Fatal(err)
	}
	r.waitStatus(is.ID, store.IssueSent)
	if r.smtp.Drops() == 0 {
		t.Fatal("the server dropped no connection")
	}
	r.exactlyOnce(emails(subs))
}

func TestPermanentFailuresAndBounces(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{options: func(o *newsletter.Options) { o.MinErrorSamples = 1000 }})
	r.smtp.OnRcpt(func(rcpt string, n int) error {
		if strings.HasPrefix(rcpt, "reader00") {
			return smtptest.Refuse(550, "no such user")
		}
		return nil
	})
	subs := r.subscribers(30, nil)
	r.runner(0)
	for round := 1; round <= 3; round++ {
		r.publish(content.Post{Title: "Article " + string(rune('A'+round)), PublishedAt: time.Now().Add(-time.Minute)})
		is, err := r.svc.ComposeRoundup(r.ctx, time.Now().Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.svc.SendNow(r.ctx, is.ID); err != nil {
			t.Fatal(err)
		}
		r.waitStatus(is.ID, store.IssueSent)
		p, _ := r.svc.Progress(r.ctx, is.ID)
		// Addresses are written off at the third refusal, after it.
		if p.Total != 30 || p.Failed != 10 || p.Sent != 20 || p.Retrying != 0 {
			t.Errorf("round %d: %+v", round, p)
		}
		d, _ := r.st.DeliveryOf(r.ctx, is.ID, subs[0].ID)
		if d.Status != store.DeliveryFailedPerm || !strings.Contains(d.LastError, "550") || d.Attempts != 1 {
			t.Errorf("refused delivery: %+v", d)
		}
	}
	for _, sub := range subs[:10] {
		s, _ := r.st.SubscriberByID(r.ctx, sub.ID)
		if s.Status != store.SubscriberBounced || s.BounceCount != 3 {
			t.Errorf("%s after three refusals: %s, %d bounces", s.Email, s.Status, s.BounceCount)
		}
	}
	if s, _ := r.st.SubscriberByID(r.ctx, subs[10].ID); s.Status != store.SubscriberConfirmed || s.BounceCount != 0 {
		t.Errorf("a good address: %+v", s)
	}
}

func TestSendPausesItselfAndResumes(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{})
	var refuse atomic.Bool
	refuse.Store(true)
	r.smtp.OnRcpt(func(rcpt string, n int) error {
		if refuse.Load() {
			return smtptest.Refuse(421, "service not available")
		}
		return nil
	})
	subs := r.subscribers(60, nil)
	is := r.roundup()
	r.runner(0)
	if _, err := r.svc.SendNow(r.ctx, is.ID); err != nil {
		t.Fatal(err)
	}
	paused := r.waitStatus(is.ID, store.IssuePaused)
	if !strings.Contains(paused.PauseReason, "attempts failed") || !strings.Contains(paused.PauseReason, "421") {
		t.Errorf("pause reason %q", paused.PauseReason)
	}
	p, _ := r.svc.Progress(r.ctx, is.ID)
	if p.Sent != 0 || p.Remaining != 60 || p.Failed != 0 {
		t.Errorf("after pausing itself: %+v", p)
	}
	// The operator fixes the server and resumes.
	refuse.Store(false)
	if _, err := r.svc.Resume(r.ctx, is.ID); err != nil {
		t.Fatal(err)
	}
	r.waitStatus(is.ID, store.IssueSent)
	r.exactlyOnce(emails(subs))
}

func TestServerDownAtStart(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	down, err := masthead.NewSMTP(masthead.SMTPConfig{Host: "127.0.0.1", Port: port, TLS: masthead.TLSNone, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer down.Close()
	r := newRig(t, rigOptions{sender: down})
	r.subscribers(30, nil)
	is := r.roundup()
	r.runner(0)
	if _, err := r.svc.SendNow(r.ctx, is.ID); err != nil {
		t.Fatal(err)
	}
	paused := r.waitStatus(is.ID, store.IssuePaused)
	if !strings.Contains(paused.PauseReason, "connect") {
		t.Errorf("pause reason %q", paused.PauseReason)
	}
	p, _ := r.svc.Progress(r.ctx, is.ID)
	if p.Sent != 0 || p.Failed != 0 || p.Remaining != 30 {
		t.Errorf("nobody may be lost while the server is down: %+v", p)
	}
}

// TestInterruptedSendResumes stops the jobs runner in the middle of a
// send, as a shutdown does, and starts another on the same database:
// everyone ends with exactly one copy.
func TestInterruptedSendResumes(t *testing.T) {
	t.Parallel()
	st := r0(t)
	srv := smtptest.Start(t, smtptest.Options{})
	opts := func(o *newsletter.Options) { o.Rate = 300 }
	first := newRig(t, rigOptions{store: st, smtp: srv, options: opts})
	subs := first.subscribers(300, nil)
	is := first.roundup()
	stop := first.runner(0)
	if _, err := first.svc.SendNow(first.ctx, is.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a third of the messages", func() bool { return srv.Total() >= 100 })
	stop()
	p, _ := first.svc.Progress(first.ctx, is.ID)
	if p.Status != store.IssueSending || p.Remaining == 0 {
		t.Fatalf("the send was not interrupted: %+v", p)
	}
	if p.Sent != srv.Total() {
		t.Errorf("after the stop, %d marked sent but the server holds %d", p.Sent, srv.Total())
	}

	// A new process: a new service and runner on the same database.
	second := newRig(t, rigOptions{store: st, smtp: srv, options: opts})
	second.runner(0)
	second.waitStatus(is.ID, store.IssueSent)
	first.exactlyOnce(emails(subs))
}

// r0 opens a store shared by two rigs.
func r0(t *testing.T) *store.Store { return storetest.Open(t) }

// TestClaimsOfADeadSenderExpire leaves deliveries claimed by a sender that
// never finishes, as a crashed node does: they are sent once its lease
// has passed, and only then.
func TestClaimsOfADeadSenderExpire(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{})
	subs := r.subscribers(20, nil)
	is := r.roundup()
	// Start without a runner, then claim as the dead node did.
	if _, err := r.svc.SendNow(r.ctx, is.ID); err != nil {
		t.Fatal(err)
	}
	until := time.Now().Add(500 * time.Millisecond)
	held, err := r.st.ClaimDeliveries(r.ctx, is.ID, time.Now(), until, 5)
	if err != nil || len(held) != 5 {
		t.Fatalf("claim = %d, %v", len(held), err)
	}
	r.runner(0)
	waitFor(t, "the free deliveries", func() bool { return r.smtp.Total() == 15 })
	for _, d := range held {
		if r.smtp.Count(d.Subscriber.Email) != 0 {
			t.Errorf("%s was sent while another sender held the claim", d.Subscriber.Email)
		}
	}
	r.waitStatus(is.ID, store.IssueSent)
	if time.Now().Before(until) {
		t.Error("finished before the dead sender's claims ended")
	}
	r.exactlyOnce(emails(subs))
}

func TestPauseResumeCancel(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{options: func(o *newsletter.Options) { o.Rate, o.Concurrency, o.BatchSize = 100, 2, 10 }})
	subs := r.subscribers(150, nil)
	is := r.roundup()
	r.runner(0)
	if _, err := r.svc.SendNow(r.ctx, is.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "some messages", func() bool { return r.smtp.Total() >= 20 })
	if _, err := r.svc.Pause(r.ctx, is.ID); err != nil {
		t.Fatal(err)
	}
	// The sender notices at its next batch; what is in flight finishes.
	waitFor(t, "the sender to stop", func() bool {
		p, _ := r.svc.Progress(r.ctx, is.ID)
		return p.Sent == r.smtp.Total() && noClaims(t, r, is.ID)
	})
	atPause := r.smtp.Total()
	if atPause == 150 {
		t.Fatal("everything was sent before the pause")
	}
	if _, err := r.svc.Pause(r.ctx, is.ID); userMessage(err) == "" {
		t.Errorf("pausing twice = %v", err)
	}
	if _, err := r.svc.Resume(r.ctx, is.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "more messages", func() bool { return r.smtp.Total() >= atPause+20 })
	if _, err := r.svc.Cancel(r.ctx, is.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the sender to stop", func() bool {
		p, _ := r.svc.Progress(r.ctx, is.ID)
		return p.Sent == r.smtp.Total() && noClaims(t, r, is.ID)
	})
	p, _ := r.svc.Progress(r.ctx, is.ID)
	if p.Status != store.IssueCancelled || p.Remaining == 0 || p.FinishedAt.IsZero() {
		t.Errorf("after Cancel: %+v", p)
	}
	if _, err := r.svc.Resume(r.ctx, is.ID); userMessage(err) == "" {
		t.Errorf("resuming a cancelled issue = %v", err)
	}
	for addr, n := range r.smtp.Counts() {
		if n != 1 {
			t.Errorf("%s got %d copies", addr, n)
		}
	}
	_ = subs
}

// noClaims reports whether no sender holds a delivery of the issue.
func noClaims(t *testing.T, r *rig, issueID int64) bool {
	page, err := r.st.Deliveries(r.ctx, store.DeliveryFilter{IssueID: issueID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range page.Deliveries {
		if !d.ClaimedUntil.IsZero() {
			return false
		}
	}
	return true
}

func TestUnsubscribedDuringSendIsSkipped(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{})
	subs := r.subscribers(10, nil)
	is := r.roundup()
	if _, err := r.svc.SendNow(r.ctx, is.ID); err != nil {
		t.Fatal(err)
	}
	// Before any sender gets to them, two leave and one pauses.
	left := subs[3]
	left.Status = store.SubscriberUnsubscribed
	if err := r.st.UpdateSubscriber(r.ctx, left); err != nil {
		t.Fatal(err)
	}
	paused := subs[4]
	paused.Paused = true
	if err := r.st.UpdateSubscriber(r.ctx, paused); err != nil {
		t.Fatal(err)
	}
	r.runner(0)
	r.waitStatus(is.ID, store.IssueSent)
	var want []string
	for i, s := range subs {
		if i != 3 && i != 4 {
			want = append(want, s.Email)
		}
	}
	r.exactlyOnce(want)
	p, _ := r.svc.Progress(r.ctx, is.ID)
	if p.Skipped != 2 || p.Sent != 8 {
		t.Errorf("Progress = %+v", p)
	}
}

func TestSendArticle(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{})
	every := r.subscribers(6, func(i int, s *store.Subscriber) { s.WantsEveryArticle = i%2 == 0 })
	post := r.publish(content.Post{Title: "Who Owns a River?", Deck: "Water, borders and the law", PublishedAt: time.Now().Add(-time.Minute)})[0]
	r.runner(0)
	is, err := r.svc.SendArticle(r.ctx, post.ID)
	if err != nil {
		t.Fatal(err)
	}
	if is.Kind != store.IssueArticle || is.Subject != "Who Owns a River?" {
		t.Errorf("article issue: %+v", is)
	}
	r.waitStatus(is.ID, store.IssueSent)
	r.exactlyOnce([]string{every[0].Email, every[2].Email, every[4].Email})
	m := r.messagesTo(every[0].Email)[0]
	if b := body(t, m)["text/plain"]; !strings.Contains(b, "Water, borders and the law") || !strings.Contains(b, "https://review.example/articles/who-owns-a-river") {
		t.Errorf("article email text:\n%s", b)
	}
	again, err := r.svc.SendArticle(r.ctx, post.ID)
	if !errors.Is(err, newsletter.ErrAlreadySent) || again.ID != is.ID {
		t.Errorf("sending again = %+v, %v", again, err)
	}
	draft := r.publish(content.Post{Title: "Not Yet", Status: content.StatusDraft})[0]
	if _, err := r.svc.SendArticle(r.ctx, draft.ID); userMessage(err) == "" {
		t.Errorf("sending a draft = %v", err)
	}
}

func TestScheduledIssueGoesOutOnTime(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{})
	subs := r.subscribers(5, nil)
	is := r.roundup()
	r.runner(0)
	at := time.Now().Add(300 * time.Millisecond)
	sched, err := r.svc.Schedule(r.ctx, is.ID, at)
	if err != nil {
		t.Fatal(err)
	}
	if sched.Status != store.IssueScheduled {
		t.Fatalf("Schedule = %+v", sched)
	}
	// Still editable until it goes.
	if _, err := r.svc.SetSubject(r.ctx, is.ID, "The week, revised"); err != nil {
		t.Fatal(err)
	}
	r.waitStatus(is.ID, store.IssueSent)
	if time.Now().Before(at) {
		t.Error("sent before its time")
	}
	r.exactlyOnce(emails(subs))
	if got := subject(r.messagesTo(subs[0].Email)[0]); got != "The week, revised" {
		t.Errorf("subject %q: the edit made while scheduled was not sent", got)
	}
	if _, err := r.svc.Schedule(r.ctx, is.ID, time.Now().Add(time.Hour)); userMessage(err) == "" {
		t.Errorf("scheduling a sent issue = %v", err)
	}
	if _, err := r.svc.Schedule(r.ctx, r.roundup().ID, time.Now().Add(-time.Minute)); userMessage(err) == "" {
		t.Errorf("scheduling in the past = %v", err)
	}
}

// TestLongSendContinuesAcrossLeases gives the runner a short lease (the
// send takes three seconds, the lease is 2.4): the sender hands its work
// on to a fresh job before the lease ends, and the send completes.
func TestLongSendContinuesAcrossLeases(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{options: func(o *newsletter.Options) { o.Rate, o.BatchSize = 100, 10 }})
	subs := r.subscribers(300, nil)
	is := r.roundup()
	r.runner(2400 * time.Millisecond)
	if _, err := r.svc.SendNow(r.ctx, is.ID); err != nil {
		t.Fatal(err)
	}
	r.waitStatus(is.ID, store.IssueSent)
	r.exactlyOnce(emails(subs))
}

func TestWithoutSMTPMailGoesToTheOutbox(t *testing.T) {
	t.Parallel()
	st := r0(t)
	outbox := &masthead.Outbox{Store: st}
	r := newRig(t, rigOptions{store: st, sender: outbox})
	subs := r.subscribers(3, nil)
	is := r.roundup()
	r.runner(0)
	if _, err := r.svc.SendNow(r.ctx, is.ID); err != nil {
		t.Fatal(err)
	}
	r.waitStatus(is.ID, store.IssueSent)
	page, err := st.OutboxMessages(r.ctx, store.OutboxFilter{Kind: "newsletter"})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 3 {
		t.Fatalf("outbox holds %d newsletter messages, want 3", page.Total)
	}
	m := page.Messages[0]
	if !strings.HasPrefix(m.Headers["List-Unsubscribe"], "<https://review.example/unsubscribe/") || m.Headers["Message-ID"] == "" ||
		!strings.Contains(m.HTML, "The Strait After the Ceasefire") {
		t.Errorf("outbox message: %+v", m)
	}
	_ = subs
}

func TestSendTest(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{})
	r.subscribers(3, nil)
	is := r.roundup()
	if err := r.svc.SendTest(r.ctx, is.ID, "Editor@Review.example"); err != nil {
		t.Fatal(err)
	}
	msgs := r.messagesTo("editor@review.example")
	if len(msgs) != 1 || !strings.HasPrefix(subject(msgs[0]), "[Test] ") || r.smtp.Total() != 1 {
		t.Fatalf("test email: %d messages in all", r.smtp.Total())
	}
	if c, _ := r.st.DeliveryCounts(r.ctx, is.ID); c.Total != 0 {
		t.Errorf("a test recorded deliveries: %+v", c)
	}
	if is2, _ := r.st.IssueByID(r.ctx, is.ID); is2.Status != store.IssueDraft {
		t.Errorf("a test changed the issue to %s", is2.Status)
	}
	if err := r.svc.SendTest(r.ctx, is.ID, "not an address"); userMessage(err) == "" {
		t.Errorf("test to a bad address = %v", err)
	}
}

func TestHeaderInjectionInSubjectIsRefused(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{})
	r.subscribers(2, nil)
	is := r.roundup()
	if _, err := r.svc.SetSubject(r.ctx, is.ID, "Hello\r\nBcc: victim@example.org"); userMessage(err) == "" {
		t.Errorf("SetSubject with CRLF = %v", err)
	}
	// Even written to the database directly, it never reaches a server.
	bad := is
	bad.Subject = "Hello\nBcc: victim@example.org"
	if err := r.st.UpdateIssueContent(context.Background(), bad); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("the store kept a subject with a line break: %v", err)
	}
	if err := r.st.SetSetting(r.ctx, "newsletter.sender", "News <news@review.example>\r\nBcc: victim@example.org"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.SendNow(r.ctx, is.ID); err == nil {
		t.Error("SendNow with a sender holding CRLF went ahead")
	}
	if n := r.smtp.Total(); n != 0 {
		t.Errorf("%d messages sent", n)
	}
}
