package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
)

func TestPostRoundTrip(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ann := saveAuthor(t, s, "ann", "Ann Arbor")
		bob := saveAuthor(t, s, "bob", "Bob Bristol")
		world := saveTag(t, s, "world", "World", true, 1)
		china := saveTag(t, s, "china", "China", false, 0)
		trade := saveTag(t, s, "trade", "Trade", false, 0)
		est := time.FixedZone("EST", -5*3600)

		p := content.Post{
			Slug:        "kabul-market",
			Title:       "In Kabul's Markets, a Quiet Reckoning",
			Deck:        "Traders adapt to a new economy.",
			Body:        "## The stalls\n\nPrices rose by *half*.",
			Excerpt:     "Traders adapt.",
			Status:      content.StatusPublished,
			PublishedAt: time.Date(2025, 2, 3, 4, 5, 6, 789123456, est),
			UpdatedAt:   time.Date(2025, 2, 4, 0, 0, 0, 0, time.UTC),
			Authors:     []content.Author{bob, ann},
			Section:     &world,
			Tags:        []content.Tag{trade, china},
			Image: content.Image{Key: "images/kabul.jpg", Width: 1600, Height: 900,
				Alt: "A market street", Caption: "Kabul, January", Credit: "Photo: N. Rahimi"},
			CanonicalURL:   "https://example.org/kabul",
			SEOTitle:       "Kabul markets",
			SEODescription: "How traders adapt.",
			Corrections: []content.Correction{
				{Date: time.Date(2025, 2, 10, 9, 0, 0, 0, time.UTC), Note: "A later correction."},
				{Date: time.Date(2025, 2, 5, 9, 0, 0, 0, time.UTC), Note: "An earlier correction."},
			},
		}
		before := time.Now().Add(-time.Second)
		if err := s.SavePost(ctx, &p); err != nil {
			t.Fatalf("SavePost: %v", err)
		}
		if p.ID == 0 {
			t.Fatal("SavePost did not set the ID")
		}
		if want := time.Date(2025, 2, 3, 9, 5, 6, 789123000, time.UTC); p.PublishedAt != want {
			t.Errorf("PublishedAt = %v, want %v (UTC, microseconds)", p.PublishedAt, want)
		}
		if p.CreatedAt.Before(before) || p.ModifiedAt != p.CreatedAt {
			t.Errorf("bookkeeping times: CreatedAt %v, ModifiedAt %v", p.CreatedAt, p.ModifiedAt)
		}
		if p.BodyHTML != content.Render(p.Body) || p.RenderVersion != content.RendererVersion {
			t.Errorf("BodyHTML %q (version %d), want %q (version %d)", p.BodyHTML, p.RenderVersion, content.Render(p.Body), content.RendererVersion)
		}
		if len(p.Corrections) != 2 || p.Corrections[0].Note != "An earlier correction." || p.Corrections[0].ID == 0 || p.Corrections[1].ID == 0 {
			t.Errorf("corrections after save: %+v", p.Corrections)
		}

		got, err := s.PostByID(ctx, p.ID)
		if err != nil {
			t.Fatalf("PostByID: %v", err)
		}
		equal(t, "PostByID", got, p)
		got, err = s.PostBySlug(ctx, "kabul-market")
		if err != nil {
			t.Fatalf("PostBySlug: %v", err)
		}
		equal(t, "PostBySlug", got, p)

		// Update: new byline order, no section, one tag fewer.
		created := p.CreatedAt
		p.Title = "Kabul's Markets"
		p.Authors = []content.Author{ann, bob}
		p.Section = nil
		p.Tags = []content.Tag{china}
		p.UpdatedAt = time.Time{}
		if err := s.SavePost(ctx, &p); err != nil {
			t.Fatalf("SavePost (update): %v", err)
		}
		if p.CreatedAt != created || p.ModifiedAt.Before(created) {
			t.Errorf("after update CreatedAt = %v (was %v), ModifiedAt = %v", p.CreatedAt, created, p.ModifiedAt)
		}
		got, err = s.PostByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "post after update", got, p)

		_, err = s.PostBySlug(ctx, "no-such-post")
		wantErr(t, "PostBySlug(missing)", err, store.ErrNotFound)
		_, err = s.PostByID(ctx, p.ID+100)
		wantErr(t, "PostByID(missing)", err, store.ErrNotFound)
	})
}

func TestPostTagsAndAuthorsDeduplicated(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ann := saveAuthor(t, s, "ann", "Ann")
		bob := saveAuthor(t, s, "bob", "Bob")
		world := saveTag(t, s, "world", "World", true, 1)
		china := saveTag(t, s, "china", "China", false, 0)
		trade := saveTag(t, s, "trade", "Trade", false, 0)

		p := savePost(t, s, content.Post{
			Slug:    "dedupe",
			Authors: []content.Author{bob, ann, bob},
			Section: &world,
			Tags:    []content.Tag{world, trade, china, trade},
		})
		equal(t, "authors after save", slugsOfAuthors(p.Authors), []string{"bob", "ann"})
		equal(t, "tags after save", slugsOfTags(p.Tags), []string{"trade", "china"})
		got, err := s.PostByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "stored post", got, p)
	})
}

func slugsOfAuthors(as []content.Author) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Slug)
	}
	return out
}

func slugsOfTags(ts []content.Tag) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Slug)
	}
	return out
}

func TestCorrections(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		day := func(d int) time.Time { return time.Date(2025, 1, d, 10, 0, 0, 0, time.UTC) }
		p := savePost(t, s, content.Post{Slug: "corrected", Corrections: []content.Correction{
			{Date: day(3), Note: "third"},
			{Date: day(1), Note: "first"},
			{Date: day(3), Note: "third, again"}, // same date: kept in given order
		}})
		equal(t, "notes", notes(p.Corrections), []string{"first", "third", "third, again"})
		got, err := s.PostByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "stored corrections", got.Corrections, p.Corrections)

		// Edit the first, drop the second, add one: IDs of kept ones stay.
		first, third := p.Corrections[0], p.Corrections[2]
		first.Note = "first, reworded"
		p.Corrections = []content.Correction{third, first, {Date: day(2), Note: "second"}}
		if err := s.SavePost(ctx, &p); err != nil {
			t.Fatal(err)
		}
		equal(t, "notes after edit", notes(p.Corrections), []string{"first, reworded", "second", "third, again"})
		if p.Corrections[0].ID != first.ID || p.Corrections[2].ID != third.ID {
			t.Errorf("kept corrections changed IDs: %+v (want IDs %d and %d)", p.Corrections, first.ID, third.ID)
		}
		got, err = s.PostByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "stored corrections after edit", got.Corrections, p.Corrections)

		p.Corrections = nil
		if err := s.SavePost(ctx, &p); err != nil {
			t.Fatal(err)
		}
		got, _ = s.PostByID(ctx, p.ID)
		if len(got.Corrections) != 0 {
			t.Errorf("corrections left after removing all: %+v", got.Corrections)
		}
	})
}

func notes(cs []content.Correction) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Note)
	}
	return out
}

func TestSavePostRejectsBadInput(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ann := saveAuthor(t, s, "ann", "Ann")
		world := saveTag(t, s, "world", "World", true, 1)
		existing := savePost(t, s, content.Post{Slug: "existing"})
		v := contentVersion(t, s)

		ghostAuthor := content.Author{ID: ann.ID + 100, Slug: "ghost"}
		ghostTag := content.Tag{ID: world.ID + 100, Slug: "ghost"}
		tests := []struct {
			name string
			post content.Post
			want error
			text string
		}{
			{"empty slug", content.Post{Status: content.StatusDraft}, store.ErrInvalid, "slug is empty"},
			{"slug with a space", content.Post{Slug: "a b", Status: content.StatusDraft}, store.ErrInvalid, `"a b"`},
			{"no status", content.Post{Slug: "no-status"}, store.ErrInvalid, "status"},
			{"unknown status", content.Post{Slug: "bad-status", Status: "live"}, store.ErrInvalid, `"live"`},
			{"unsaved author", content.Post{Slug: "x", Status: content.StatusDraft, Authors: []content.Author{{Slug: "new"}}}, store.ErrInvalid, `"new"`},
			{"missing author", content.Post{Slug: "x", Status: content.StatusDraft, Authors: []content.Author{ann, ghostAuthor}}, store.ErrInvalid, "author"},
			{"missing section", content.Post{Slug: "x", Status: content.StatusDraft, Section: &ghostTag}, store.ErrInvalid, "section"},
			{"missing tag", content.Post{Slug: "x", Status: content.StatusDraft, Tags: []content.Tag{ghostTag}}, store.ErrInvalid, "tag"},
			{"undated correction", content.Post{Slug: "x", Status: content.StatusDraft, Corrections: []content.Correction{{Note: "n"}}}, store.ErrInvalid, "correction"},
			{"year 10000", content.Post{Slug: "x", Status: content.StatusDraft, PublishedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, store.ErrInvalid, "range"},
			{"taken slug", content.Post{Slug: "existing", Status: content.StatusDraft}, store.ErrConflict, `"existing"`},
			{"missing post", content.Post{ID: existing.ID + 100, Slug: "gone", Status: content.StatusDraft}, store.ErrNotFound, "post"},
		}
		for _, tt := range tests {
			p := tt.post
			err := s.SavePost(ctx, &p)
			if err == nil {
				t.Errorf("%s: SavePost succeeded", tt.name)
				continue
			}
			wantErr(t, tt.name, err, tt.want)
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("%s: error %q does not mention %q", tt.name, err, tt.text)
			}
			if p.ID != tt.post.ID {
				t.Errorf("%s: a failed save changed the ID to %d", tt.name, p.ID)
			}
		}
		page, err := s.Posts(ctx, store.PostFilter{})
		if err != nil || page.Total != 1 {
			t.Errorf("after failed saves: %d posts, %v; want only the existing one", page.Total, err)
		}
		if got := contentVersion(t, s); got != v {
			t.Errorf("failed saves moved the content version from %d to %d", v, got)
		}
	})
}

func TestSlugChangesRedirect(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		redirect := func(old, want string) {
			t.Helper()
			got, err := s.RedirectSlug(ctx, old)
			if err != nil || got != want {
				t.Errorf("RedirectSlug(%q) = %q, %v; want %q", old, got, err, want)
			}
		}
		noRedirect := func(old string) {
			t.Helper()
			_, err := s.RedirectSlug(ctx, old)
			wantErr(t, "RedirectSlug("+old+")", err, store.ErrNotFound)
		}

		a := savePost(t, s, content.Post{Slug: "first-draft"})
		noRedirect("first-draft")
		a.Slug = "second-thoughts"
		if err := s.SavePost(ctx, &a); err != nil {
			t.Fatal(err)
		}
		redirect("first-draft", "second-thoughts")
		_, err := s.PostBySlug(ctx, "first-draft")
		wantErr(t, "PostBySlug(old slug)", err, store.ErrNotFound)

		a.Slug = "final-word"
		if err := s.SavePost(ctx, &a); err != nil {
			t.Fatal(err)
		}
		redirect("first-draft", "final-word")
		redirect("second-thoughts", "final-word")

		// Going back to an old slug takes it out of the redirects.
		a.Slug = "first-draft"
		if err := s.SavePost(ctx, &a); err != nil {
			t.Fatal(err)
		}
		noRedirect("first-draft")
		redirect("final-word", "first-draft")
		redirect("second-thoughts", "first-draft")

		// Another post may take a slug that only redirects.
		b := savePost(t, s, content.Post{Slug: "second-thoughts"})
		noRedirect("second-thoughts")
		got, err := s.PostBySlug(ctx, "second-thoughts")
		if err != nil || got.ID != b.ID {
			t.Errorf("PostBySlug(second-thoughts) = post %d, %v; want %d", got.ID, err, b.ID)
		}

		// But not a slug another post has now.
		b.Slug = "first-draft"
		err = s.SavePost(ctx, &b)
		wantErr(t, "taking a current slug", err, store.ErrConflict)
		if !strings.Contains(err.Error(), `"first-draft"`) {
			t.Errorf("conflict error %q does not name the slug", err)
		}
		got, err = s.PostByID(ctx, b.ID)
		if err != nil || got.Slug != "second-thoughts" {
			t.Errorf("after a refused slug change the post has slug %q, %v", got.Slug, err)
		}
		redirect("final-word", "first-draft")
	})
}

func TestDeletePostLeavesGoneSlugs(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ann := saveAuthor(t, s, "ann", "Ann")
		china := saveTag(t, s, "china", "China", false, 0)
		p := savePost(t, s, content.Post{Slug: "old-name", Authors: []content.Author{ann}, Tags: []content.Tag{china},
			Corrections: []content.Correction{{Date: t0, Note: "n"}}})
		p.Slug = "new-name"
		if err := s.SavePost(ctx, &p); err != nil {
			t.Fatal(err)
		}
		other := savePost(t, s, content.Post{Slug: "other", Authors: []content.Author{ann}})

		v := contentVersion(t, s)
		if err := s.DeletePost(ctx, p.ID); err != nil {
			t.Fatalf("DeletePost: %v", err)
		}
		if got := contentVersion(t, s); got <= v {
			t.Errorf("DeletePost did not bump the content version (%d → %d)", v, got)
		}
		_, err := s.PostByID(ctx, p.ID)
		wantErr(t, "PostByID(deleted)", err, store.ErrNotFound)
		_, err = s.PostBySlug(ctx, "new-name")
		wantErr(t, "PostBySlug(deleted)", err, store.ErrNotFound)
		for _, slug := range []string{"new-name", "old-name"} {
			_, err := s.RedirectSlug(ctx, slug)
			wantErr(t, "RedirectSlug("+slug+")", err, store.ErrGone)
		}
		wantErr(t, "deleting twice", s.DeletePost(ctx, p.ID), store.ErrNotFound)

		// The author and tag stay; the other post is untouched.
		if _, err := s.AuthorBySlug(ctx, "ann"); err != nil {
			t.Error(err)
		}
		if got, err := s.PostByID(ctx, other.ID); err != nil || len(got.Authors) != 1 {
			t.Errorf("other post after delete: %+v, %v", got, err)
		}

		// A new post may take a gone slug.
		fresh := savePost(t, s, content.Post{Slug: "new-name"})
		_, err = s.RedirectSlug(ctx, "new-name")
		wantErr(t, "RedirectSlug(reused slug)", err, store.ErrNotFound)
		if got, err := s.PostBySlug(ctx, "new-name"); err != nil || got.ID != fresh.ID {
			t.Errorf("PostBySlug(reused slug) = %d, %v; want %d", got.ID, err, fresh.ID)
		}
		_, err = s.RedirectSlug(ctx, "old-name")
		wantErr(t, "RedirectSlug(old-name) after reuse of new-name", err, store.ErrGone)
	})
}

func TestReferencedRowsDeletedInSQL(t *testing.T) {
	// The API deletes no authors or tags, but the schema must keep posts
	// whole when someone does it in SQL.
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ann := saveAuthor(t, s, "ann", "Ann")
		world := saveTag(t, s, "world", "World", true, 1)
		china := saveTag(t, s, "china", "China", false, 0)
		p := savePost(t, s, content.Post{Slug: "p", Authors: []content.Author{ann}, Section: &world, Tags: []content.Tag{china}})

		if err := s.ExecForTest(ctx, `DELETE FROM authors WHERE id = ?`, ann.ID); err == nil {
			t.Error("deleting an author with posts succeeded; want it refused")
		}
		for _, id := range []int64{world.ID, china.ID} {
			if err := s.ExecForTest(ctx, `DELETE FROM tags WHERE id = ?`, id); err != nil {
				t.Fatalf("deleting tag %d: %v", id, err)
			}
		}
		got, err := s.PostByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Section != nil || len(got.Tags) != 0 || len(got.Authors) != 1 {
			t.Errorf("after deleting its tags the post has section %v, tags %v, authors %v", got.Section, got.Tags, got.Authors)
		}
	})
}

func TestRerenderOnRendererChange(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ann := saveAuthor(t, s, "ann", "Ann")
		p := savePost(t, s, content.Post{Slug: "p", Body: "Some *emphasis* and a [link](https://example.org).", Authors: []content.Author{ann}})
		q := savePost(t, s, content.Post{Slug: "q", Body: "Another body."})

		// As if an older renderer had made the stored HTML.
		stale := func() {
			t.Helper()
			if err := s.ExecForTest(ctx, `UPDATE posts SET body_html = ?, render_version = ?`, "<p>old</p>", content.RendererVersion-1); err != nil {
				t.Fatal(err)
			}
			if err := s.ExecForTest(ctx, `UPDATE authors SET bio_html = ?, bio_render_version = ?`, "<p>old bio</p>", content.RendererVersion-1); err != nil {
				t.Fatal(err)
			}
		}
		stored := func(id int64) (string, int) {
			t.Helper()
			var html string
			var version int
			if err := s.QueryRowForTest(ctx, `SELECT body_html, render_version FROM posts WHERE id = ?`, id).Scan(&html, &version); err != nil {
				t.Fatal(err)
			}
			return html, version
		}
		check := func(via string, got content.Post, want content.Post) {
			t.Helper()
			if got.BodyHTML != content.Render(want.Body) || got.RenderVersion != content.RendererVersion {
				t.Errorf("%s: BodyHTML %q version %d; want %q version %d", via, got.BodyHTML, got.RenderVersion, content.Render(want.Body), content.RendererVersion)
			}
			if html, version := stored(want.ID); html != content.Render(want.Body) || version != content.RendererVersion {
				t.Errorf("%s: stored HTML %q version %d; want the new rendering kept", via, html, version)
			}
		}

		stale()
		v := contentVersion(t, s)
		got, err := s.PostBySlug(ctx, "p")
		if err != nil {
			t.Fatal(err)
		}
		check("PostBySlug", got, p)
		if got.Authors[0].BioHTML != content.Render(ann.Bio) {
			t.Errorf("author bio HTML %q, want %q", got.Authors[0].BioHTML, content.Render(ann.Bio))
		}
		var bioVersion int
		if err := s.QueryRowForTest(ctx, `SELECT bio_render_version FROM authors WHERE id = ?`, ann.ID).Scan(&bioVersion); err != nil || bioVersion != content.RendererVersion {
			t.Errorf("stored bio render version %d, %v; want %d", bioVersion, err, content.RendererVersion)
		}
		if got := contentVersion(t, s); got != v {
			t.Errorf("re-rendering moved the content version from %d to %d", v, got)
		}

		stale()
		page, err := s.Posts(ctx, store.PostFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, got := range page.Posts {
			want := p
			if got.ID == q.ID {
				want = q
			}
			check("Posts", got, want)
		}

		stale()
		a, err := s.AuthorBySlug(ctx, "ann")
		if err != nil {
			t.Fatal(err)
		}
		if a.BioHTML != content.Render(ann.Bio) {
			t.Errorf("AuthorBySlug: bio HTML %q, want %q", a.BioHTML, content.Render(ann.Bio))
		}
	})
}
