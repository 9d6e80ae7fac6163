package jobs_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/jobs"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

func scheduledPost(t *testing.T, s *store.Store, slug string, at time.Time) content.Post {
	t.Helper()
	ctx := context.Background()
	a := content.Author{Slug: "author-" + slug, Name: "Author"}
	if err := s.SaveAuthor(ctx, &a); err != nil {
		t.Fatal(err)
	}
	p := content.Post{Slug: slug, Title: "Title " + slug, Body: "Body.", Status: content.StatusScheduled, PublishedAt: at,
		Authors: []content.Author{a}}
	// The desk saves the post and its job together.
	err := s.InTx(ctx, func(tx *store.Store) error {
		if err := tx.SavePost(ctx, &p); err != nil {
			return err
		}
		return jobs.SchedulePublish(ctx, tx, p.ID, at)
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func postStatus(t *testing.T, s *store.Store, id int64) content.Status {
	t.Helper()
	p, err := s.PostByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p.Status
}

// TestScheduledPublishingAcrossRestart: a post is scheduled; the server
// runs, stops before the time, and starts again after it; the post is
// published then.
func TestScheduledPublishingAcrossRestart(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, opts store.Options) {
		ctx := context.Background()
		clk := newClock(t0)
		first := openDB(t, opts)
		p := scheduledPost(t, first, "strait", t0.Add(time.Hour))
		var published atomic.Int32
		stop := start(t, &jobs.Runner{Store: first, Now: clk.Now, PollInterval: time.Hour,
			Handlers: map[string]jobs.Handler{jobs.KindPublishPost: jobs.PublishScheduled(first, func() { published.Add(1) })}})
		stop()
		if err := first.Close(); err != nil {
			t.Fatal(err)
		}

		clk.Advance(2 * time.Hour) // the server was down at the scheduled time
		second := openDB(t, opts)
		if got := postStatus(t, second, p.ID); got != content.StatusScheduled {
			t.Fatalf("status before the restart = %s, want scheduled", got)
		}
		start(t, &jobs.Runner{Store: second, Now: clk.Now, PollInterval: time.Hour,
			Handlers: map[string]jobs.Handler{jobs.KindPublishPost: jobs.PublishScheduled(second, func() { published.Add(1) })}})
		waitFor(t, "the post to be published", func() bool { return postStatus(t, second, p.ID) == content.StatusPublished })
		got, err := second.PostByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.PublishedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("PublishedAt = %v, want the scheduled time %v", got.PublishedAt, t0.Add(time.Hour))
		}
		waitFor(t, "the job to be done", func() bool {
			j, err := second.JobByUniqueKey(ctx, jobs.PublishKey(p.ID))
			return err == nil && j.Status == store.JobDone
		})
		if n := published.Load(); n != 1 {
			t.Errorf("onPublish called %d times, want 1", n)
		}
	})
}

func TestPublishAtTheScheduledTime(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clk := newClock(t0)
		published := make(chan struct{}, 1)
		r := &jobs.Runner{Store: s, Now: clk.Now, PollInterval: time.Hour,
			Handlers: map[string]jobs.Handler{jobs.KindPublishPost: jobs.PublishScheduled(s, func() { published <- struct{}{} })}}
		start(t, r)
		p := scheduledPost(t, s, "soon", t0.Add(5*time.Second))
		r.Wake()
		j, err := s.JobByUniqueKey(ctx, jobs.PublishKey(p.ID))
		if err != nil {
			t.Fatal(err)
		}
		if got := string(j.Payload); got != `{"post_id":`+strconv.FormatInt(p.ID, 10)+`}` {
			t.Errorf("payload = %s", got)
		}
		clk.Advance(5 * time.Second)
		r.Wake()
		<-published
		if got := postStatus(t, s, p.ID); got != content.StatusPublished {
			t.Errorf("status = %s", got)
		}
	})
}

// TestPublishHandler calls the handler directly, with a clock of the
// test's in place of a runner's.
func TestPublishHandler(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		calls := 0
		h := jobs.PublishScheduled(s, func() { calls++ })
		clk := newClock(t0)
		run := func(payload string) error {
			return h(jobs.WithClock(ctx, clk.Now), []byte(payload))
		}

		// A bad payload fails for good.
		for _, payload := range []string{`{`, `{"post_id": 0}`, `{"post": 1}`} {
			err := run(payload)
			if !jobs.IsPermanent(err) {
				t.Errorf("payload %s: %v", payload, err)
			}
		}

		// Early: nothing is published, the job is put back for the post's time.
		p := scheduledPost(t, s, "later", t0.Add(time.Hour))
		if err := run(`{"post_id": ` + strconv.FormatInt(p.ID, 10) + `}`); err != nil {
			t.Fatal(err)
		}
		if got := postStatus(t, s, p.ID); got != content.StatusScheduled || calls != 0 {
			t.Errorf("early run: status %s, onPublish called %d times", got, calls)
		}
		j, err := s.JobByUniqueKey(ctx, jobs.PublishKey(p.ID))
		if err != nil || j.Status != store.JobPending || !j.RunAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("job after an early run: %+v, %v", j, err)
		}

		// On time.
		clk.Advance(time.Hour)
		if err := run(`{"post_id": ` + strconv.FormatInt(p.ID, 10) + `}`); err != nil {
			t.Fatal(err)
		}
		if got := postStatus(t, s, p.ID); got != content.StatusPublished || calls != 1 {
			t.Errorf("on time: status %s, onPublish called %d times", got, calls)
		}
		log, err := s.AuditLog(ctx, store.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(log.Entries) != 1 || log.Entries[0].Action != "post.publish" || log.Entries[0].AccountID != 0 ||
			log.Entries[0].Detail != "at the scheduled time" || !strings.Contains(log.Entries[0].Target, p.Title) {
			t.Errorf("audit log after the scheduled publication: %+v", log.Entries)
		}

		// Taken off the schedule, or deleted: left alone, no error.
		back := scheduledPost(t, s, "back-to-draft", t0)
		back.Status = content.StatusDraft
		if err := s.SavePost(ctx, &back); err != nil {
			t.Fatal(err)
		}
		if err := jobs.CancelPublish(ctx, s, back.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.JobByUniqueKey(ctx, jobs.PublishKey(back.ID)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("job after CancelPublish: %v", err)
		}
		if err := run(`{"post_id": ` + strconv.FormatInt(back.ID, 10) + `}`); err != nil {
			t.Errorf("draft: %v", err)
		}
		if got := postStatus(t, s, back.ID); got != content.StatusDraft {
			t.Errorf("a draft was changed to %s", got)
		}
		if err := s.DeletePost(ctx, back.ID); err != nil {
			t.Fatal(err)
		}
		if err := run(`{"post_id": ` + strconv.FormatInt(back.ID, 10) + `}`); err != nil {
			t.Errorf("deleted post: %v", err)
		}
		if calls != 1 {
			t.Errorf("onPublish called %d times, want 1", calls)
		}
		if err := jobs.SchedulePublish(ctx, s, 0, t0); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("SchedulePublish of post 0 = %v", err)
		}
	})
}
