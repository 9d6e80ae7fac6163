package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
)

func TestRevisions(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ann := saveAuthor(t, s, "ann", "Ann Arbor")
		bob := saveAuthor(t, s, "bob", "Bob Bristol")
		world := saveTag(t, s, "world", "World", true, 1)
		trade := saveTag(t, s, "trade", "Trade", false, 0)
		editor := createAccount(t, s, "editor@example.org", store.RoleEditor)

		p := content.Post{Slug: "strait", Title: "The Strait", Deck: "After the ceasefire", Body: "First draft.",
			Status: content.StatusDraft, Authors: []content.Author{ann}, Section: &world, Tags: []content.Tag{trade},
			Image:    content.Image{Key: "images/strait.jpg", Width: 1600, Height: 900, Alt: "Ships", Caption: "At dawn", Credit: "Photo: K. Aro"},
			SEOTitle: "Strait", SEODescription: "A strait.", CanonicalURL: "https://example.org/strait"}

		// Each save and its revision are one transaction.
		save := func(p *content.Post, account int64) store.Revision {
			t.Helper()
			var rev store.Revision
			err := s.InTx(ctx, func(tx *store.Store) error {
				if err := tx.SavePost(ctx, p); err != nil {
					return err
				}
				var err error
				rev, err = tx.AddRevision(ctx, *p, account)
				return err
			})
			if err != nil {
				t.Fatalf("save with revision: %v", err)
			}
			return rev
		}
		first := save(&p, editor.ID)
		if first.ID == 0 || first.PostID != p.ID || first.AccountID != editor.ID || first.AccountEmail != editor.Email {
			t.Errorf("first revision: %+v", first)
		}
		equal(t, "first snapshot", first.Snapshot, store.SnapshotOf(p))

		// An autosave of an unchanged draft adds nothing.
		again := save(&p, editor.ID)
		equal(t, "revision of an unchanged post", again, first)

		p.Body, p.Title = "Second draft, longer.", "The Strait, Revisited"
		p.Authors = []content.Author{bob, ann}
		second := save(&p, 0)
		p.Status, p.PublishedAt = content.StatusPublished, t0
		third := save(&p, editor.ID)

		list, err := s.Revisions(ctx, p.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "revisions, newest first", list, []store.Revision{third, second, first})
		if list, _ := s.Revisions(ctx, p.ID, 2); len(list) != 2 || list[0].ID != third.ID {
			t.Errorf("Revisions with limit 2: %+v", list)
		}
		got, err := s.RevisionByID(ctx, second.ID)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "RevisionByID", got, second)
		if second.AccountID != 0 || second.AccountEmail != "" {
			t.Errorf("revision without account: %+v", second)
		}
		if got := third.Snapshot; got.Status != content.StatusPublished || !got.PublishedAt.Equal(t0) ||
			len(got.Authors) != 2 || got.Authors[0] != (store.Ref{ID: bob.ID, Slug: "bob", Name: "Bob Bristol"}) ||
			got.Section == nil || got.Section.Slug != "world" || len(got.Tags) != 1 || got.Tags[0].ID != trade.ID {
			t.Errorf("third snapshot: %+v", got)
		}

		// Restoring the first text keeps the post published.
		first.Snapshot.Apply(&p)
		fourth := save(&p, editor.ID)
		restored, err := s.PostByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if restored.Body != "First draft." || restored.Title != "The Strait" || len(restored.Authors) != 1 || restored.Authors[0].ID != ann.ID ||
			restored.Status != content.StatusPublished || !restored.PublishedAt.Equal(t0) || restored.Image != first.Snapshot.Image {
			t.Errorf("post after restoring the first revision: %+v", restored)
		}
		if fourth.ID == first.ID || fourth.Snapshot.Body != "First draft." || fourth.Snapshot.Status != content.StatusPublished {
			t.Errorf("restoring adds a revision of its own: %+v", fourth)
		}

		// A failed save leaves no revision.
		boom := errors.New("boom")
		p.Body = "Never saved."
		err = s.InTx(ctx, func(tx *store.Store) error {
			if err := tx.SavePost(ctx, &p); err != nil {
				return err
			}
			if _, err := tx.AddRevision(ctx, p, editor.ID); err != nil {
				return err
			}
			return boom
		})
		wantErr(t, "failed save", err, boom)
		if list, _ := s.Revisions(ctx, p.ID, 0); len(list) != 4 {
			t.Errorf("revisions after a rolled-back save: %d, want 4", len(list))
		}

		_, err = s.AddRevision(ctx, content.Post{Slug: "unsaved"}, 0)
		wantErr(t, "AddRevision of an unsaved post", err, store.ErrInvalid)
		_, err = s.AddRevision(ctx, content.Post{ID: p.ID + 100, Slug: "x"}, 0)
		wantErr(t, "AddRevision of a missing post", err, store.ErrNotFound)
		_, err = s.AddRevision(ctx, p, editor.ID+100)
		wantErr(t, "AddRevision by a missing account", err, store.ErrInvalid)
		_, err = s.RevisionByID(ctx, fourth.ID+100)
		wantErr(t, "RevisionByID(missing)", err, store.ErrNotFound)

		// Revisions go with their post.
		if err := s.DeletePost(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if list, _ := s.Revisions(ctx, p.ID, 0); len(list) != 0 {
			t.Errorf("revisions of a deleted post: %d", len(list))
		}
	})
}

func TestSnapshotApplyRoundTrip(t *testing.T) {
	p := content.Post{ID: 7, Slug: "s", Title: "T", Deck: "D", Body: "B", Excerpt: "E", Status: content.StatusReview,
		PublishedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		Authors:     []content.Author{{ID: 1, Slug: "a", Name: "A"}},
		Section:     &content.Tag{ID: 2, Slug: "sec", Name: "Sec", IsSection: true},
		Tags:        []content.Tag{{ID: 3, Slug: "t", Name: "Tag"}},
		Image:       content.Image{Key: "k", Width: 1, Height: 2, Alt: "a", Caption: "c", Credit: "cr"},
		SEOTitle:    "st", SEODescription: "sd", CanonicalURL: "https://example.org/"}
	var q content.Post
	q.ID, q.Status = 7, content.StatusDraft
	store.SnapshotOf(p).Apply(&q)
	if q.Status != content.StatusDraft || !q.PublishedAt.IsZero() {
		t.Errorf("Apply changed the workflow: %+v", q)
	}
	q.Status, q.PublishedAt = p.Status, p.PublishedAt
	equal(t, "post rebuilt from its snapshot", q, p)
}
