package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
)

// teaserOf is what RelatedTeasers should return for p.
func teaserOf(p content.Post) store.Teaser {
	t := store.Teaser{ID: p.ID, Slug: p.Slug, Title: p.Title, Deck: p.Deck, PublishedAt: p.PublishedAt, Image: p.Image}
	for _, a := range p.Authors {
		t.Authors = append(t.Authors, content.Author{ID: a.ID, Slug: a.Slug, Name: a.Name})
	}
	return t
}

func teaserSlugs(ts []store.Teaser) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, t.Slug)
	}
	return out
}

// TestRelatedTeasers checks that the teasers are the related posts, in the
// same order, with the fields a list of links shows.
func TestRelatedTeasers(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := seedRiver(t, s)
		a := r.posts["a"]
		// A post with a deck, a photo and no byline, sharing all of a's tags.
		r.posts["deep"] = savePost(t, s, content.Post{Slug: "deep", Deck: "The long view.", PublishedAt: days(-20),
			Section: a.Section, Tags: a.Tags,
			Image: content.Image{Key: "images/deep.jpg", Width: 1200, Height: 800, Alt: "A river", Caption: "The river.", Credit: "Ann"}})
		lone := savePost(t, s, content.Post{Slug: "lone", PublishedAt: days(-1)})
		tests := []struct {
			name string
			post content.Post
			now  time.Time
			n    int
			want []string
		}{
			// b has two authors: bob, then ann.
			{"most shared first", a, t0, 5, []string{"deep", "h", "c", "b"}},
			{"limited", a, t0, 2, []string{"deep", "h"}},
			{"ties newest first", r.posts["h"], t0, 5, []string{"c", "a", "deep"}},
			{"only what readers see", r.posts["g"], t0, 5, []string{"h", "a", "deep"}},
			{"later", a, days(3), 5, []string{"deep", "f", "h", "c", "b"}},
			{"no tags", lone, t0, 5, []string{}},
			{"none asked", a, t0, 0, []string{}},
		}
		for _, tt := range tests {
			got, err := s.RelatedTeasers(ctx, tt.post, tt.now, tt.n)
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
				continue
			}
			equal(t, tt.name, teaserSlugs(got), tt.want)
			full, err := s.RelatedPosts(ctx, tt.post, tt.now, tt.n)
			if err != nil {
				t.Errorf("%s: RelatedPosts: %v", tt.name, err)
				continue
			}
			equal(t, tt.name+": same as RelatedPosts", teaserSlugs(got), slugs(full))
			for _, te := range got {
				equal(t, tt.name+": teaser "+te.Slug, te, teaserOf(r.posts[te.Slug]))
			}
		}
	})
}

// TestRelatedWindow checks that only the relatedWindow posts on each side
// of an article in time are considered, counting posts that share nothing.
func TestRelatedWindow(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		rare := saveTag(t, s, "rare", "Rare", false, 0)
		base := days(-30)
		article := savePost(t, s, content.Post{Slug: "article", PublishedAt: base, Tags: []content.Tag{rare}})
		err := s.InTx(ctx, func(tx *store.Store) error {
			for k := 1; k <= 101; k++ {
				for _, side := range []struct {
					name string
					sign int
				}{{"old", -1}, {"new", 1}} {
					p := content.Post{Slug: fmt.Sprintf("%s-%d", side.name, k), Title: "Filler", Body: "Filler.",
						Status: content.StatusPublished, PublishedAt: base.Add(time.Duration(side.sign*k) * time.Hour)}
					// The 100th on each side is the last inside the window.
					if k >= 100 {
						p.Tags = []content.Tag{rare}
					}
					if err := tx.SavePost(ctx, &p); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"new-100", "old-100"}
		full, err := s.RelatedPosts(ctx, article, t0, 10)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "RelatedPosts", slugs(full), want)
		teasers, err := s.RelatedTeasers(ctx, article, t0, 10)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "RelatedTeasers", teaserSlugs(teasers), want)
	})
}

func BenchmarkRelatedTeasers(b *testing.B) {
	s, posts := seedBench(b)
	ctx := context.Background()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ts, err := s.RelatedTeasers(ctx, posts[i%len(posts)], now, 4)
		if err != nil {
			b.Fatal(err)
		}
		if len(ts) != 4 {
			b.Fatalf("%d teasers, want 4", len(ts))
		}
		i += 97
	}
}
