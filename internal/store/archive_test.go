package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
)

func TestArchivePaging(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := saveAuthor(t, s, "ada", "Ada")
		statuses := []content.Status{content.StatusDraft, content.StatusReview, content.StatusScheduled, content.StatusPublished, content.StatusArchived}
		var want []string
		for i := range 7 {
			p := content.Post{Slug: fmt.Sprintf("p%d", i), Title: "P", Status: statuses[i%len(statuses)], PublishedAt: days(-i),
				Authors: []content.Author{a}}
			if p.Status == content.StatusDraft || p.Status == content.StatusReview {
				p.PublishedAt = time.Time{}
			}
			if err := s.SavePost(ctx, &p); err != nil {
				t.Fatal(err)
			}
			want = append(want, p.Slug)
		}
		var got []string
		for after := int64(0); ; {
			posts, err := s.PostsAfter(ctx, after, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(posts) == 0 {
				break
			}
			if len(posts) > 3 {
				t.Fatalf("page of %d", len(posts))
			}
			for _, p := range posts {
				if len(p.Authors) != 1 {
					t.Errorf("%s is not complete: %+v", p.Slug, p)
				}
				got = append(got, p.Slug)
			}
			after = posts[len(posts)-1].ID
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("posts %q, want %q", got, want)
		}

		subs := []store.Subscriber{{Email: "a@example.org", Status: store.SubscriberConfirmed}, {Email: "b@example.org", Status: store.SubscriberBounced},
			{Email: "c@example.org", Status: store.SubscriberPending}}
		if _, err := s.ImportSubscribers(ctx, subs); err != nil {
			t.Fatal(err)
		}
		var emails []string
		for after := int64(0); ; {
			page, err := s.SubscribersAfter(ctx, after, 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, sub := range page {
				emails = append(emails, sub.Email)
			}
			after = page[len(page)-1].ID
		}
		if !reflect.DeepEqual(emails, []string{"a@example.org", "b@example.org", "c@example.org"}) {
			t.Errorf("subscribers %q", emails)
		}
	})
}

func TestAddOldSlugs(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := saveAuthor(t, s, "ada", "Ada")
		p := content.Post{Slug: "p", Title: "P", Status: content.StatusPublished, PublishedAt: days(-1), Authors: []content.Author{a}}
		q := content.Post{Slug: "q", Title: "Q", Status: content.StatusPublished, PublishedAt: days(-1), Authors: []content.Author{a}}
		for _, x := range []*content.Post{&p, &q} {
			if err := s.SavePost(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		n, err := s.AddOldSlugs(ctx, p.ID, []string{"old-p", "older-p", "old-p"})
		if err != nil || n != 2 {
			t.Fatalf("added %d, %v", n, err)
		}
		if n, err := s.AddOldSlugs(ctx, p.ID, []string{"old-p"}); err != nil || n != 0 {
			t.Errorf("again: %d, %v", n, err)
		}
		if slug, err := s.RedirectSlug(ctx, "older-p"); err != nil || slug != "p" {
			t.Errorf("older-p leads to %q, %v", slug, err)
		}
		// An old slug moves to the post that claims it last.
		if n, err := s.AddOldSlugs(ctx, q.ID, []string{"old-p"}); err != nil || n != 1 {
			t.Errorf("moved: %d, %v", n, err)
		}
		old, err := s.OldSlugs(ctx, []int64{p.ID, q.ID})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(old, map[int64][]string{p.ID: {"older-p"}, q.ID: {"old-p"}}) {
			t.Errorf("old slugs %v", old)
		}
		if _, err := s.AddOldSlugs(ctx, p.ID, []string{"fine", "q"}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("a current slug: %v, want ErrConflict", err)
		}
		if _, err := s.AddOldSlugs(ctx, p.ID, []string{"Not A Slug"}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("a bad slug: %v, want ErrInvalid", err)
		}
		if _, err := s.AddOldSlugs(ctx, 999999, []string{"x"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("no post: %v, want ErrNotFound", err)
		}
		if _, err := s.RedirectSlug(ctx, "fine"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a refused call wrote: %v", err)
		}
	})
}
