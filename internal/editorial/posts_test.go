package editorial_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/editorial"
	"masthead/internal/jobs"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

func revisionCount(t *testing.T, r *rig, id int64) int {
	t.Helper()
	revs, err := r.st.Revisions(r.ctx, id, 0)
	if err != nil {
		t.Fatal(err)
	}
	return len(revs)
}

func TestSaveValidatesAndKeepsRevisions(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		r := newRig(t, st)
		writer := r.member(store.RoleContributor)
		ed := r.member(store.RoleEditor)

		// A contributor's draft carries their byline first.
		p, err := r.svc.CreateDraft(r.ctx, writer, editorial.PostInput{Title: "Río de la Plata: a border", Body: "First line.\n"})
		if err != nil {
			t.Fatal(err)
		}
		if p.Slug != "rio-de-la-plata-a-border" || len(p.Authors) != 1 || p.Authors[0].ID != writer.AuthorID || p.Status != content.StatusDraft {
			t.Errorf("new draft: slug %q, authors %+v, status %s", p.Slug, p.Authors, p.Status)
		}
		if n := revisionCount(t, r, p.ID); n != 1 {
			t.Errorf("revisions after creating: %d", n)
		}
		// Every save keeps a revision.
		for i, body := range []string{"Second.\n", "Third.\n"} {
			in := input(p)
			in.Body = body
			if p, err = r.svc.SavePost(r.ctx, writer, p.ID, in, editorial.SaveOptions{}); err != nil {
				t.Fatal(err)
			}
			if n := revisionCount(t, r, p.ID); n != i+2 {
				t.Errorf("revisions after save %d: %d", i+1, n)
			}
		}

		// Bad input: each problem is named by field, and nothing changes.
		other := r.post(content.StatusPublished, ed.AuthorID)
		before := r.reload(p.ID)
		bad := []struct {
			field string
			edit  func(in *editorial.PostInput)
		}{
			{"title", func(in *editorial.PostInput) { in.Title = "  " }},
			{"slug", func(in *editorial.PostInput) { in.Slug = other.Slug }},
			{"slug", func(in *editorial.PostInput) { in.Slug = "Not A Slug!" }},
			{"authors", func(in *editorial.PostInput) { in.AuthorIDs = []int64{ed.AuthorID} }},
			{"authors", func(in *editorial.PostInput) { in.AuthorIDs = nil }},
			{"tags", func(in *editorial.PostInput) { in.Tags = "Nonexistent tag" }},
			{"section", func(in *editorial.PostInput) { in.SectionID = 99999 }},
			{"image", func(in *editorial.PostInput) { in.ImageKey = "uploads/none.jpg"; in.ImageAlt = "x" }},
			{"canonical_url", func(in *editorial.PostInput) { in.CanonicalURL = "javascript:alert(1)" }},
		}
		for _, b := range bad {
			in := input(before)
			in.Body = "Changed body that must not be kept."
			b.edit(&in)
			_, err := r.svc.SavePost(r.ctx, writer, p.ID, in, editorial.SaveOptions{})
			var fe editorial.FieldErrors
			if !errors.As(err, &fe) || fe[b.field] == "" {
				t.Errorf("%s: %v", b.field, err)
				continue
			}
			if b.field == "slug" && strings.Contains(in.Slug, "post-") && !strings.Contains(fe["slug"], other.Title) {
				t.Errorf("slug collision message names no post: %q", fe["slug"])
			}
			if after := r.reload(p.ID); after.Body != before.Body || after.Slug != before.Slug || !after.ModifiedAt.Equal(before.ModifiedAt) {
				t.Errorf("%s: a refused save changed the post", b.field)
			}
		}
		if n := revisionCount(t, r, p.ID); n != 3 {
			t.Errorf("revisions after refused saves: %d, want 3", n)
		}

		// Autosave keeps a revision at most once a minute.
		in := input(r.reload(p.ID))
		for i := range 3 {
			in.Body = strings.Repeat("typing ", i+1)
			if _, err := r.svc.SavePost(r.ctx, writer, p.ID, in, editorial.SaveOptions{Autosave: true}); err != nil {
				t.Fatal(err)
			}
		}
		if n := revisionCount(t, r, p.ID); n != 3 {
			t.Errorf("revisions after quick autosaves: %d, want 3", n)
		}
		if got := r.reload(p.ID).Body; got != in.Body {
			t.Errorf("autosave did not save the body: %q", got)
		}
		// (Revisions are dated by the store's clock, the rig's starts at
		// a whole second: two minutes are surely more than one.)
		r.clock.Advance(2 * time.Minute)
		in.Body = "later typing"
		if _, err := r.svc.SavePost(r.ctx, writer, p.ID, in, editorial.SaveOptions{Autosave: true}); err != nil {
			t.Fatal(err)
		}
		if n := revisionCount(t, r, p.ID); n != 4 {
			t.Errorf("revisions after an autosave a minute later: %d, want 4", n)
		}
		// Published posts are never autosaved.
		pub := r.post(content.StatusPublished, ed.AuthorID)
		if _, err := r.svc.SavePost(r.ctx, ed, pub.ID, input(pub), editorial.SaveOptions{Autosave: true}); !errors.Is(err, editorial.ErrInvalid) {
			t.Errorf("autosave of a published post: %v", err)
		}

		// Editors create tags on save; the section must be a section.
		section := content.Tag{Slug: "world", Name: "World", IsSection: true}
		if err := st.SaveTag(r.ctx, &section); err != nil {
			t.Fatal(err)
		}
		in = input(r.reload(p.ID))
		in.SectionID = section.ID
		in.Tags = "Rivers, Borders, rivers"
		saved, err := r.svc.SavePost(r.ctx, ed, p.ID, in, editorial.SaveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if saved.Section == nil || saved.Section.ID != section.ID || len(saved.Tags) != 2 || saved.Tags[0].Name != "Rivers" {
			t.Errorf("section %+v tags %+v", saved.Section, saved.Tags)
		}
		// Now the contributor may pick them.
		in = input(saved)
		in.Tags = "borders"
		if _, err := r.svc.SavePost(r.ctx, writer, p.ID, in, editorial.SaveOptions{}); err != nil {
			t.Errorf("contributor picking an existing tag: %v", err)
		}
	})
}

func TestWorkflow(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		r := newRig(t, st)
		writer := r.member(store.RoleContributor)
		ed := r.member(store.RoleEditor)
		p, err := r.svc.CreateDraft(r.ctx, writer, editorial.PostInput{Title: "The long meeting", Body: "Text.\n"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.svc.SubmitForReview(r.ctx, writer, p.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := r.svc.SubmitForReview(r.ctx, writer, p.ID); !errors.Is(err, editorial.ErrForbidden) {
			t.Errorf("submitting twice: %v", err)
		}
		queue, err := r.svc.Posts(r.ctx, ed, editorial.PostList{Statuses: []content.Status{content.StatusReview}})
		if err != nil || queue.Total != 1 || queue.Posts[0].ID != p.ID {
			t.Errorf("review queue: %+v, %v", queue, err)
		}

		// A time in the past is refused and changes nothing.
		_, err = r.svc.Schedule(r.ctx, ed, p.ID, r.clock.Now().Add(-time.Minute))
		var fe editorial.FieldErrors
		if !errors.As(err, &fe) || !strings.Contains(fe["publish_at"], "already passed") {
			t.Errorf("schedule in the past: %v", err)
		}
		if got := r.reload(p.ID); got.Status != content.StatusReview || !got.PublishedAt.IsZero() {
			t.Errorf("refused schedule changed the post: %s %v", got.Status, got.PublishedAt)
		}
		if _, err := st.JobByUniqueKey(r.ctx, jobs.PublishKey(p.ID)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("refused schedule left a job: %v", err)
		}

		// Scheduling enqueues the job; rescheduling moves it; unpublishing
		// cancels it.
		at := r.clock.Now().Add(3 * time.Hour)
		if _, err := r.svc.Schedule(r.ctx, ed, p.ID, at); err != nil {
			t.Fatal(err)
		}
		job, err := st.JobByUniqueKey(r.ctx, jobs.PublishKey(p.ID))
		if err != nil || !job.RunAt.Equal(at) || job.Kind != jobs.KindPublishPost {
			t.Errorf("publishing job: %+v, %v", job, err)
		}
		if r.woken.Load() == 0 {
			t.Error("the job runner was not woken")
		}
		later := at.Add(time.Hour)
		if _, err := r.svc.Schedule(r.ctx, ed, p.ID, later); err != nil {
			t.Fatal(err)
		}
		if job, _ := st.JobByUniqueKey(r.ctx, jobs.PublishKey(p.ID)); !job.RunAt.Equal(later) {
			t.Errorf("rescheduled job runs at %v, want %v", job.RunAt, later)
		}
		if got, err := r.svc.Unpublish(r.ctx, ed, p.ID); err != nil || got.Status != content.StatusDraft || !got.PublishedAt.IsZero() {
			t.Errorf("unpublish a scheduled post: %+v, %v", got.Status, err)
		}
		if _, err := st.JobByUniqueKey(r.ctx, jobs.PublishKey(p.ID)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unpublishing left the job: %v", err)
		}

		// Publishing sets the time; the site is told.
		before := r.invalidated.Load()
		pub, err := r.svc.Publish(r.ctx, ed, p.ID)
		if err != nil || pub.Status != content.StatusPublished || !pub.PublishedAt.Equal(r.clock.Now()) {
			t.Fatalf("publish: %+v %v, %v", pub.Status, pub.PublishedAt, err)
		}
		if r.invalidated.Load() == before {
			t.Error("publishing did not invalidate the site")
		}
		if _, err := r.svc.Publish(r.ctx, ed, p.ID); !errors.Is(err, editorial.ErrConflict) {
			t.Errorf("publishing twice: %v", err)
		}

		// A correction is dated, shown and sets the Updated date.
		r.clock.Advance(48 * time.Hour)
		if _, err := r.svc.AddCorrection(r.ctx, ed, p.ID, "   "); !errors.Is(err, editorial.ErrInvalid) {
			t.Errorf("empty correction: %v", err)
		}
		corrected, err := r.svc.AddCorrection(r.ctx, ed, p.ID, "An earlier version gave the wrong year.")
		if err != nil {
			t.Fatal(err)
		}
		if len(corrected.Corrections) != 1 || !corrected.Corrections[0].Date.Equal(r.clock.Now()) || !corrected.UpdatedAt.Equal(r.clock.Now()) {
			t.Errorf("correction: %+v, updated %v", corrected.Corrections, corrected.UpdatedAt)
		}
		if !corrected.PublishedAt.Equal(pub.PublishedAt) {
			t.Errorf("correction moved the publication time")
		}

		// Archive, reopen, delete.
		if got, err := r.svc.Archive(r.ctx, ed, p.ID); err != nil || got.Status != content.StatusArchived {
			t.Errorf("archive: %v", err)
		}
		if _, err := r.svc.AddCorrection(r.ctx, ed, p.ID, "Too late."); !errors.Is(err, editorial.ErrConflict) {
			t.Errorf("correcting an archived post: %v", err)
		}
		if got, err := r.svc.Reopen(r.ctx, ed, p.ID); err != nil || got.Status != content.StatusDraft {
			t.Errorf("reopen: %v", err)
		}
		if err := r.svc.DeletePost(r.ctx, ed, p.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := r.svc.Post(r.ctx, ed, p.ID); !errors.Is(err, editorial.ErrNotFound) {
			t.Errorf("deleted post: %v", err)
		}
		log, _ := st.AuditLog(r.ctx, store.AuditFilter{Actions: []string{"post.publish", "post.unpublish", "post.delete", "post.schedule"}})
		if log.Total != 5 {
			var got []string
			for _, e := range log.Entries {
				got = append(got, e.Action)
			}
			t.Errorf("audit entries: %v", got)
		}
	})
}

func TestParseLocalTimeUsesSiteTimezone(t *testing.T) {
	t.Parallel()
	r := newRig(t, storetest.OpenSQLite(t))
	adm := r.member(store.RoleAdmin)
	if err := r.svc.SaveSettings(r.ctx, adm, editorial.SiteSettings{Name: "Latitude", Timezone: "Mars/Olympus"}); !errors.Is(err, editorial.ErrInvalid) {
		t.Errorf("unknown timezone: %v", err)
	}
	if err := r.svc.SaveSettings(r.ctx, adm, editorial.SiteSettings{Name: "Latitude", Timezone: "Asia/Tokyo"}); err != nil {
		t.Fatal(err)
	}
	got, err := r.svc.ParseLocalTime(r.ctx, "2031-06-01T09:30")
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2031, 6, 1, 0, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("09:30 in Tokyo = %v, want %v", got.UTC(), want)
	}
	if _, err := r.svc.ParseLocalTime(r.ctx, "tomorrow"); !errors.Is(err, editorial.ErrInvalid) {
		t.Errorf("nonsense time: %v", err)
	}
}

func TestRevisionsDiffAndRestore(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		r := newRig(t, st)
		ed := r.member(store.RoleEditor)
		p, err := r.svc.CreateDraft(r.ctx, ed, editorial.PostInput{Title: "Ports", Body: "One.\nTwo.\nThree.\n"})
		if err != nil {
			t.Fatal(err)
		}
		in := input(p)
		in.Title = "Ports and power"
		in.Body = "One.\nTwo and a half.\nThree.\nFour.\n"
		if p, err = r.svc.SavePost(r.ctx, ed, p.ID, in, editorial.SaveOptions{}); err != nil {
			t.Fatal(err)
		}
		_, revs, err := r.svc.Revisions(r.ctx, ed, p.ID)
		if err != nil || len(revs) != 2 {
			t.Fatalf("revisions: %d, %v", len(revs), err)
		}
		d, err := r.svc.DiffRevisions(r.ctx, ed, p.ID, revs[1].ID, revs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Fields) != 1 || d.Fields[0].Field != "Title" || d.Fields[0].Old != "Ports" || d.Fields[0].New != "Ports and power" {
			t.Errorf("field changes: %+v", d.Fields)
		}
		var got []string
		for _, l := range d.Body {
			got = append(got, string(l.Op)+l.Text)
		}
		want := []string{" One.", "-Two.", "+Two and a half.", " Three.", "+Four."}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("body diff: %q", got)
		}
		// A revision of another post is not found.
		other, _ := r.svc.CreateDraft(r.ctx, ed, editorial.PostInput{Title: "Other", Body: "x"})
		_, otherRevs, _ := r.svc.Revisions(r.ctx, ed, other.ID)
		if _, err := r.svc.DiffRevisions(r.ctx, ed, p.ID, revs[0].ID, otherRevs[0].ID); !errors.Is(err, editorial.ErrNotFound) {
			t.Errorf("diff with another post's revision: %v", err)
		}

		// Restoring the first revision brings its text back as a new
		// revision and leaves the status alone.
		if _, err := r.svc.Publish(r.ctx, ed, p.ID); err != nil {
			t.Fatal(err)
		}
		restored, err := r.svc.RestoreRevision(r.ctx, ed, p.ID, revs[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		if restored.Title != "Ports" || restored.Body != "One.\nTwo.\nThree.\n" || restored.Status != content.StatusPublished {
			t.Errorf("restored: %q %q %s", restored.Title, restored.Body, restored.Status)
		}
		_, revs, _ = r.svc.Revisions(r.ctx, ed, p.ID)
		if len(revs) != 4 || revs[0].Snapshot.Title != "Ports" {
			t.Errorf("revisions after restore: %d", len(revs))
		}
	})
}

// TestScheduledPostPublishesAfterRestart schedules a post, closes the
// database as a stopping server would, and opens it again with a new job
// runner after the time has come: the post is published.
func TestScheduledPostPublishesAfterRestart(t *testing.T) {
	t.Parallel()
	opts := map[string]func(t *testing.T) store.Options{
		"sqlite": func(t *testing.T) store.Options { return storetest.SQLiteOptions(t) },
	}
	if envPostgres() {
		opts["postgres"] = func(t *testing.T) store.Options { return store.Options{DatabaseURL: storetest.PostgresURL(t)} }
	}
	for name, open := range opts {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			o := open(t)
			ctx := context.Background()
			st, err := store.Open(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			r := newRig(t, st)
			ed := r.member(store.RoleEditor)
			p, err := r.svc.CreateDraft(ctx, ed, editorial.PostInput{Title: "Due later", Body: "Text."})
			if err != nil {
				t.Fatal(err)
			}
			at := r.clock.Now().Add(2 * time.Hour)
			if _, err := r.svc.Schedule(ctx, ed, p.ID, at); err != nil {
				t.Fatal(err)
			}
			// The first server runs until before the time, then stops.
			runCtx, stop := context.WithCancel(ctx)
			first := &jobs.Runner{Store: st, Handlers: map[string]jobs.Handler{jobs.KindPublishPost: jobs.PublishScheduled(st, nil)},
				Now: func() time.Time { return at.Add(-time.Hour) }, PollInterval: 10 * time.Millisecond}
			done := make(chan error, 1)
			go func() { done <- first.Run(runCtx) }()
			first.Wake()
			stop()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if got := r.reload(p.ID); got.Status != content.StatusScheduled {
				t.Fatalf("published before its time: %s", got.Status)
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}

			// The second server starts after the time.
			st2, err := store.Open(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			defer st2.Close()
			published := make(chan struct{}, 1)
			second := &jobs.Runner{Store: st2, Handlers: map[string]jobs.Handler{
				jobs.KindPublishPost: jobs.PublishScheduled(st2, func() { published <- struct{}{} })},
				Now: func() time.Time { return at.Add(time.Second) }, PollInterval: 10 * time.Millisecond}
			runCtx2, stop2 := context.WithCancel(ctx)
			defer stop2()
			go second.Run(runCtx2)
			select {
			case <-published:
			case <-time.After(20 * time.Second):
				t.Fatal("the post was not published after the restart")
			}
			got, err := st2.PostByID(ctx, p.ID)
			if err != nil || got.Status != content.StatusPublished || !got.PublishedAt.Equal(at) {
				t.Errorf("after restart: %s at %v, %v", got.Status, got.PublishedAt, err)
			}
		})
	}
}
