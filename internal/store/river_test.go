package store_test

import (
	"context"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
)

// river is a small publication: posts a–h in insertion order, so that h has
// a larger ID than c, which was published at the same moment.
type river struct {
	posts map[string]content.Post
}

func seedRiver(t *testing.T, s *store.Store) river {
	t.Helper()
	ann := saveAuthor(t, s, "ann", "Ann")
	bob := saveAuthor(t, s, "bob", "Bob")
	cat := saveAuthor(t, s, "cat", "Cat")
	world := saveTag(t, s, "world", "World", true, 1)
	economy := saveTag(t, s, "economy", "Economy", true, 2)
	china := saveTag(t, s, "china", "China", false, 0)
	trade := saveTag(t, s, "trade", "Trade", false, 0)
	energy := saveTag(t, s, "energy", "Energy", false, 0)

	type spec struct {
		slug      string
		status    content.Status
		published time.Time
		section   *content.Tag
		tags      []content.Tag
		authors   []content.Author
	}
	specs := []spec{
		{"a", content.StatusPublished, days(-5), &world, []content.Tag{china, trade}, []content.Author{ann}},
		{"b", content.StatusPublished, days(-4), &economy, []content.Tag{trade}, []content.Author{bob, ann}},
		{"c", content.StatusPublished, days(-3), &world, []content.Tag{energy}, []content.Author{cat}},
		{"d", content.StatusDraft, time.Time{}, &world, []content.Tag{china}, []content.Author{ann}},
		{"e", content.StatusScheduled, days(1), &economy, []content.Tag{china}, []content.Author{bob}},
		{"f", content.StatusPublished, days(2), &world, []content.Tag{trade}, []content.Author{cat}},
		{"g", content.StatusArchived, days(-10), nil, []content.Tag{china}, []content.Author{bob}},
		{"h", content.StatusPublished, days(-3), &world, []content.Tag{china, energy}, []content.Author{ann}},
	}
	r := river{posts: map[string]content.Post{}}
	for _, sp := range specs {
		r.posts[sp.slug] = savePost(t, s, content.Post{
			Slug: sp.slug, Status: sp.status, PublishedAt: sp.published,
			Section: sp.section, Tags: sp.tags, Authors: sp.authors,
			Corrections: []content.Correction{{Date: days(-1), Note: "Note on " + sp.slug}},
		})
	}
	return r
}

func TestPostsFilters(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := seedRiver(t, s)
		public := store.PublicFilter(t0)
		with := func(f store.PostFilter, change func(*store.PostFilter)) store.PostFilter {
			change(&f)
			return f
		}
		tests := []struct {
			name   string
			filter store.PostFilter
			want   []string
			total  int
		}{
			{"public", public, []string{"h", "c", "b", "a"}, 4},
			{"everything", store.PostFilter{}, []string{"f", "e", "h", "c", "b", "a", "g", "d"}, 8},
			{"section world", store.PostFilter{SectionSlug: "world"}, []string{"f", "h", "c", "a", "d"}, 5},
			{"public section economy", with(public, func(f *store.PostFilter) { f.SectionSlug = "economy" }), []string{"b"}, 1},
			{"section that is only a tag", store.PostFilter{SectionSlug: "china"}, []string{}, 0},
			{"tag china", store.PostFilter{TagSlug: "china"}, []string{"e", "h", "a", "g", "d"}, 5},
			{"tag matches the section", with(public, func(f *store.PostFilter) { f.TagSlug = "world" }), []string{"h", "c", "a"}, 3},
			{"public tag trade", with(public, func(f *store.PostFilter) { f.TagSlug = "trade" }), []string{"b", "a"}, 2},
			{"public author ann", with(public, func(f *store.PostFilter) { f.AuthorSlug = "ann" }), []string{"h", "b", "a"}, 3},
			{"author bob", store.PostFilter{AuthorSlug: "bob"}, []string{"e", "b", "g"}, 3},
			{"public tag and author", with(public, func(f *store.PostFilter) { f.TagSlug = "china"; f.AuthorSlug = "ann" }), []string{"h", "a"}, 2},
			{"drafts and scheduled", store.PostFilter{Statuses: []content.Status{content.StatusDraft, content.StatusScheduled}}, []string{"e", "d"}, 2},
			{"published by, any status", store.PostFilter{PublishedBy: days(-4)}, []string{"b", "a", "g"}, 3},
			{"unknown tag", store.PostFilter{TagSlug: "nope"}, []string{}, 0},
			{"unknown author", store.PostFilter{AuthorSlug: "nope"}, []string{}, 0},
			{"page 1", store.PostFilter{Limit: 3}, []string{"f", "e", "h"}, 8},
			{"page 2", store.PostFilter{Limit: 3, Offset: 3}, []string{"c", "b", "a"}, 8},
			{"page 3", store.PostFilter{Limit: 3, Offset: 6}, []string{"g", "d"}, 8},
			{"past the end", store.PostFilter{Limit: 3, Offset: 8}, []string{}, 8},
			{"negative offset", store.PostFilter{Limit: 2, Offset: -5}, []string{"f", "e"}, 8},
			{"public page 2", with(public, func(f *store.PostFilter) { f.Limit = 2; f.Offset = 2 }), []string{"b", "a"}, 4},
		}
		for _, tt := range tests {
			page, err := s.Posts(ctx, tt.filter)
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
				continue
			}
			equal(t, tt.name+": slugs", slugs(page.Posts), tt.want)
			if page.Total != tt.total {
				t.Errorf("%s: Total = %d, want %d", tt.name, page.Total, tt.total)
			}
			// Posts in a listing are as complete as one read alone.
			for _, p := range page.Posts {
				equal(t, tt.name+": post "+p.Slug, p, r.posts[p.Slug])
			}
		}
	})
}

func TestPostsLimit(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		err := s.InTx(ctx, func(tx *store.Store) error {
			for i := range 105 {
				p := content.Post{Slug: "post-" + string(rune('a'+i/26)) + string(rune('a'+i%26)), Status: content.StatusPublished, PublishedAt: t0.Add(time.Duration(i) * time.Minute)}
				if err := tx.SavePost(ctx, &p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct{ limit, want int }{{0, 20}, {-1, 20}, {7, 7}, {100, 100}, {1000, 100}} {
			page, err := s.Posts(ctx, store.PostFilter{Limit: tt.limit})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Posts) != tt.want || page.Total != 105 {
				t.Errorf("Limit %d: %d posts of %d; want %d of 105", tt.limit, len(page.Posts), page.Total, tt.want)
			}
		}
	})
}

func TestRelatedPosts(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := seedRiver(t, s)
		lone := savePost(t, s, content.Post{Slug: "lone", PublishedAt: days(-1)})
		// The oldest post shares all three of a's tags.
		a := r.posts["a"]
		r.posts["deep"] = savePost(t, s, content.Post{Slug: "deep", PublishedAt: days(-20), Section: a.Section, Tags: a.Tags})
		tests := []struct {
			name string
			post content.Post
			n    int
			want []string
		}{
			// deep shares three tags with a, h two (world, china), c and b one.
			{"most shared first", a, 5, []string{"deep", "h", "c", "b"}},
			{"limited", a, 2, []string{"deep", "h"}},
			// c, a and deep all share two tags with h: newest first.
			{"ties newest first", r.posts["h"], 5, []string{"c", "a", "deep"}},
			// Only published posts already out: not d, e, f or g.
			{"only what readers see", r.posts["g"], 5, []string{"h", "a", "deep"}},
			{"no tags", lone, 5, []string{}},
			{"none asked", r.posts["a"], 0, []string{}},
		}
		for _, tt := range tests {
			got, err := s.RelatedPosts(ctx, tt.post, t0, tt.n)
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
				continue
			}
			equal(t, tt.name, slugs(got), tt.want)
			for _, p := range got {
				equal(t, tt.name+": post "+p.Slug, p, r.posts[p.Slug])
			}
		}
		// Later, f is out too and shares world and trade with a.
		got, err := s.RelatedPosts(ctx, a, days(3), 5)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "related later", slugs(got), []string{"deep", "f", "h", "c", "b"})
	})
}

func TestNextPublication(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		next, err := s.NextPublication(ctx, t0)
		if err != nil || !next.IsZero() {
			t.Errorf("NextPublication on an empty database = %v, %v; want zero", next, err)
		}
		seedRiver(t, s)
		for _, tt := range []struct {
			after, want time.Time
		}{
			{t0, days(2)},          // f; e is only scheduled
			{days(2), time.Time{}}, // nothing after the last
			{days(-10), days(-5)},
			{time.Time{}, days(-5)},
		} {
			got, err := s.NextPublication(ctx, tt.after)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) || (!got.IsZero() && got.Location() != time.UTC) {
				t.Errorf("NextPublication(%v) = %v, want %v", tt.after, got, tt.want)
			}
		}
	})
}
