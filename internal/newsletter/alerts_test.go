package newsletter_test

import (
	"context"
	"errors"
	"maps"
	"sync"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/jobs"
	"masthead/internal/newsletter"
	"masthead/internal/store"
)

// alertJob enqueues a post's topic alert job, as publishing does, and
// waits until the runner has done it.
func (r *rig) alertJob(postID int64) {
	r.t.Helper()
	if err := jobs.EnqueueTopicAlerts(r.ctx, r.st, postID); err != nil {
		r.t.Fatal(err)
	}
	r.jobDone(jobs.TopicAlertsKey(postID))
}

func (r *rig) jobDone(key string) {
	r.t.Helper()
	waitFor(r.t, "job "+key+" to be done", func() bool {
		j, err := r.st.JobByUniqueKey(r.ctx, key)
		return err == nil && j.Status == store.JobDone
	})
}

func (r *rig) issueOf(postID int64) store.Issue {
	r.t.Helper()
	is, err := r.st.IssueByPost(r.ctx, postID)
	if err != nil {
		r.t.Fatal(err)
	}
	return is
}

func TestTopicAlertOnPublish(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{})
	subs := r.subscribers(4, func(i int, s *store.Subscriber) { s.WantsEveryArticle = i >= 2 })
	instant, roundup, both, every := subs[0], subs[1], subs[2], subs[3]
	r.follow(instant, true, "iran")
	r.follow(roundup, false, "iran")
	r.follow(both, true, "iran", "nato")
	r.runner(0)

	post := r.publish(content.Post{Title: "Tehran Bets on the Strait", PublishedAt: time.Now().Add(-time.Minute)})[0]
	r.accept(post, "iran", "nato")
	r.alertJob(post.ID)
	is := r.waitStatus(r.issueOf(post.ID).ID, store.IssueSent)
	if is.AudienceAdded {
		t.Error("an issue started for alerts counts as sent to every-article subscribers")
	}
	r.exactlyOnce([]string{instant.Email, both.Email})
	if m := r.messagesTo(instant.Email)[0]; subject(m) != "Tehran Bets on the Strait" {
		t.Errorf("alert subject = %q", subject(m))
	}

	// The job again, as after a retry or a second publication: nobody
	// gets a second copy.
	if n, err := r.svc.SendTopicAlerts(r.ctx, post.ID); err != nil || n != 0 {
		t.Errorf("SendTopicAlerts again = %d, %v", n, err)
	}
	r.alertJob(post.ID)
	r.waitStatus(is.ID, store.IssueSent)
	r.exactlyOnce([]string{instant.Email, both.Email})

	// The editor's "email this article" reaches those who want every
	// article, but not twice those already alerted.
	sent, err := r.svc.SendArticle(r.ctx, post.ID)
	if err != nil || sent.ID != is.ID {
		t.Fatalf("SendArticle after alerts = %+v, %v", sent, err)
	}
	is = r.waitStatus(is.ID, store.IssueSent)
	if !is.AudienceAdded {
		t.Error("the audience is not recorded as added")
	}
	r.exactlyOnce([]string{instant.Email, both.Email, every.Email})
	if _, err := r.svc.SendArticle(r.ctx, post.ID); !errors.Is(err, newsletter.ErrAlreadySent) {
		t.Errorf("SendArticle pressed twice = %v, want ErrAlreadySent", err)
	}
	r.alertJob(post.ID)
	r.exactlyOnce([]string{instant.Email, both.Email, every.Email})
}

func TestTopicAlertAfterTheArticleEmail(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{})
	subs := r.subscribers(3, func(i int, s *store.Subscriber) { s.WantsEveryArticle = i >= 1 })
	instant, both := subs[0], subs[1]
	r.follow(instant, true, "iran")
	r.follow(both, true, "iran")
	r.runner(0)
	post := r.publish(content.Post{Title: "Sanctions and the Rial", PublishedAt: time.Now().Add(-time.Hour)})[0]

	// Without accepted topics nobody is alerted, and no issue is made.
	if n, err := r.svc.SendTopicAlerts(r.ctx, post.ID); err != nil || n != 0 {
		t.Fatalf("SendTopicAlerts without topics = %d, %v", n, err)
	}
	if _, err := r.st.IssueByPost(r.ctx, post.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("issue without followers: %v", err)
	}
	is, err := r.svc.SendArticle(r.ctx, post.ID)
	if err != nil {
		t.Fatal(err)
	}
	r.waitStatus(is.ID, store.IssueSent)
	r.exactlyOnce(emails(subs[1:]))

	// An editor accepts Iran an hour after publication: its follower
	// hears of the article then; the subscriber already sent it does not
	// hear of it again.
	if err := r.st.DecidePostTopic(r.ctx, post.ID, "iran", store.TopicAccepted, time.Now()); err != nil {
		t.Fatal(err)
	}
	r.alertJob(post.ID)
	r.waitStatus(is.ID, store.IssueSent)
	r.exactlyOnce(emails(subs))
	d, err := r.st.DeliveryOf(r.ctx, is.ID, instant.ID)
	if err != nil || d.Reason != store.ReasonTopic || d.Status != store.DeliverySent {
		t.Errorf("delivery of the alert = %+v, %v", d, err)
	}
}

func TestNoTopicAlertForOldNews(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{})
	sub := r.subscribers(1, nil)[0]
	r.follow(sub, true, "iran")
	old := r.publish(content.Post{Title: "The Old Deal", PublishedAt: time.Now().Add(-newsletter.AlertWindow - time.Minute)})[0]
	draft := r.publish(content.Post{Title: "Not Yet", Status: content.StatusDraft})[0]
	for _, p := range []content.Post{old, draft} {
		r.accept(p, "iran")
		if n, err := r.svc.SendTopicAlerts(r.ctx, p.ID); err != nil || n != 0 {
			t.Errorf("%s: SendTopicAlerts = %d, %v", p.Slug, n, err)
		}
		if _, err := r.st.IssueByPost(r.ctx, p.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: an issue was made: %v", p.Slug, err)
		}
	}
	if n, err := r.svc.SendTopicAlerts(r.ctx, 1<<40); err != nil || n != 0 {
		t.Errorf("SendTopicAlerts of a missing post = %d, %v", n, err)
	}
}

// TestTopicAlertOnScheduledPublication: the publishing job enqueues the
// alerts of the post it publishes.
func TestTopicAlertOnScheduledPublication(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{})
	sub := r.subscribers(2, nil)
	r.follow(sub[0], true, "nato")
	r.follow(sub[1], false, "nato")
	var published sync.WaitGroup
	published.Add(1)
	var once sync.Once
	handlers := maps.Clone(r.svc.Handlers())
	handlers[jobs.KindPublishPost] = jobs.PublishScheduled(r.st, func() { once.Do(published.Done) })
	jr := &jobs.Runner{Store: r.st, Handlers: handlers, Logger: testLogger(t), PollInterval: 20 * time.Millisecond, Workers: 2}
	r.svc.SetWake(jr.Wake)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- jr.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("runner: %v", err)
		}
	})

	at := time.Now().Add(100 * time.Millisecond)
	post := r.publish(content.Post{Title: "The Alliance at the Border", Status: content.StatusScheduled, PublishedAt: at})[0]
	r.accept(post, "nato")
	if err := jobs.SchedulePublish(r.ctx, r.st, post.ID, at); err != nil {
		t.Fatal(err)
	}
	jr.Wake()
	published.Wait()
	r.jobDone(jobs.TopicAlertsKey(post.ID))
	r.waitStatus(r.issueOf(post.ID).ID, store.IssueSent)
	r.exactlyOnce([]string{sub[0].Email})
}
