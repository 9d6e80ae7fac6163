package store_test

import (
	"context"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
)

func TestDeskPosts(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ann := saveAuthor(t, s, "ann", "Ann Arbor")
		bob := saveAuthor(t, s, "bob", "Bob Bristol")
		guest := saveAuthor(t, s, "guest", "A Guest")
		world := saveTag(t, s, "world", "World", true, 1)
		annAcc := store.Account{Email: "ann@example.org", Role: store.RoleContributor, AuthorID: ann.ID}
		if err := s.CreateAccount(ctx, &annAcc); err != nil {
			t.Fatal(err)
		}
		editor := createAccount(t, s, "editor@example.org", store.RoleEditor) // no profile

		// Saved in this order, so most recently modified is last.
		posts := []content.Post{
			{Slug: "one", Title: "Sanctions and Their Limits", Status: content.StatusPublished, PublishedAt: days(-3), Authors: []content.Author{ann}, Section: &world},
			{Slug: "two", Title: "The 100% Solution", Status: content.StatusDraft, Authors: []content.Author{bob, ann}},
			{Slug: "three", Title: "Who Owns a River", Status: content.StatusReview, Authors: []content.Author{guest}},
			{Slug: "four", Title: "After the Sanctions", Status: content.StatusScheduled, PublishedAt: days(2), Authors: []content.Author{bob}},
			{Slug: "five", Title: "Untitled", Status: content.StatusDraft},
		}
		for i := range posts {
			posts[i] = savePost(t, s, posts[i])
		}
		slugsOf := func(p store.DeskPostPage) []string {
			out := []string{}
			for _, d := range p.Posts {
				out = append(out, d.Slug)
			}
			return out
		}

		page, err := s.DeskPosts(ctx, store.DeskFilter{})
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "all, most recently modified first", slugsOf(page), []string{"five", "four", "three", "two", "one"})
		if page.Total != 5 {
			t.Errorf("Total = %d", page.Total)
		}
		one := page.Posts[4]
		want := store.DeskPost{ID: posts[0].ID, Slug: "one", Title: posts[0].Title, Status: content.StatusPublished,
			PublishedAt: days(-3), CreatedAt: posts[0].CreatedAt, ModifiedAt: posts[0].ModifiedAt,
			Section: &store.Ref{ID: world.ID, Slug: "world", Name: "World"},
			Authors: []store.Ref{{ID: ann.ID, Slug: "ann", Name: "Ann Arbor"}}}
		equal(t, "a desk row", one, want)
		if two := page.Posts[3]; len(two.Authors) != 2 || two.Authors[0].Name != "Bob Bristol" || two.Section != nil {
			t.Errorf("byline order or section of %q: %+v", two.Slug, two)
		}

		for _, tt := range []struct {
			name string
			f    store.DeskFilter
			want []string
		}{
			{"review queue", store.DeskFilter{Statuses: []content.Status{content.StatusReview}}, []string{"three"}},
			{"drafts and scheduled", store.DeskFilter{Statuses: []content.Status{content.StatusDraft, content.StatusScheduled}}, []string{"five", "four", "two"}},
			{"Ann's account", store.DeskFilter{AccountID: annAcc.ID}, []string{"two", "one"}},
			{"Ann's drafts", store.DeskFilter{AccountID: annAcc.ID, Statuses: []content.Status{content.StatusDraft}}, []string{"two"}},
			{"account without profile", store.DeskFilter{AccountID: editor.ID}, []string{}},
			{"Bob as author", store.DeskFilter{AuthorID: bob.ID}, []string{"four", "two"}},
			{"title text, any case", store.DeskFilter{Query: "SANCTIONS"}, []string{"four", "one"}},
			{"percent taken literally", store.DeskFilter{Query: "100%"}, []string{"two"}},
			{"paged", store.DeskFilter{Limit: 2, Offset: 2}, []string{"three", "two"}},
		} {
			page, err := s.DeskPosts(ctx, tt.f)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			equal(t, tt.name, slugsOf(page), tt.want)
		}

		counts, err := s.DeskStatusCounts(ctx, store.DeskFilter{})
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "status counts", counts, map[content.Status]int{content.StatusDraft: 2, content.StatusReview: 1,
			content.StatusScheduled: 1, content.StatusPublished: 1})
		counts, _ = s.DeskStatusCounts(ctx, store.DeskFilter{AccountID: annAcc.ID, Statuses: []content.Status{content.StatusArchived}})
		equal(t, "Ann's status counts", counts, map[content.Status]int{content.StatusDraft: 1, content.StatusPublished: 1})
	})
}

func TestPublishDue(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ann := saveAuthor(t, s, "ann", "Ann")
		p := savePost(t, s, content.Post{Slug: "soon", Status: content.StatusScheduled, PublishedAt: t0, Authors: []content.Author{ann},
			Body: "Scheduled *text*."})
		draft := savePost(t, s, content.Post{Slug: "draft", Status: content.StatusDraft, PublishedAt: days(-1)})
		v := contentVersion(t, s)

		// Not yet: nothing changes, not even the content version.
		got, published, err := s.PublishDue(ctx, p.ID, t0.Add(-time.Second))
		if err != nil || published || got.Status != content.StatusScheduled {
			t.Fatalf("PublishDue before its time = %v, %v, %v", got.Status, published, err)
		}
		if contentVersion(t, s) != v {
			t.Error("PublishDue that did nothing moved the content version")
		}
		if _, published, err := s.PublishDue(ctx, draft.ID, t0); err != nil || published {
			t.Errorf("PublishDue of a draft = %v, %v", published, err)
		}

		got, published, err = s.PublishDue(ctx, p.ID, t0)
		if err != nil || !published {
			t.Fatalf("PublishDue at its time = %v, %v", published, err)
		}
		if got.Status != content.StatusPublished || !got.PublishedAt.Equal(t0) || len(got.Authors) != 1 {
			t.Errorf("published post: %+v", got)
		}
		stored, err := s.PostByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "stored post", stored, got)
		if contentVersion(t, s) <= v {
			t.Error("publishing did not move the content version")
		}
		revs, err := s.Revisions(ctx, p.ID, 0)
		if err != nil || len(revs) != 1 || revs[0].Snapshot.Status != content.StatusPublished || revs[0].AccountID != 0 {
			t.Errorf("revisions after publishing: %+v, %v", revs, err)
		}
		// Twice is harmless.
		if _, published, err := s.PublishDue(ctx, p.ID, t0.Add(time.Hour)); err != nil || published {
			t.Errorf("PublishDue of a published post = %v, %v", published, err)
		}
		_, _, err = s.PublishDue(ctx, p.ID+100, t0)
		wantErr(t, "PublishDue of a missing post", err, store.ErrNotFound)
	})
}
