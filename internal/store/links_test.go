package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
)

func TestPostLinks(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		world := saveTag(t, s, "world", "World", true, 1)
		for i := range 5 {
			p := content.Post{Slug: fmt.Sprintf("p%d", i), PublishedAt: days(-i), UpdatedAt: days(-i).Add(time.Hour)}
			if i%2 == 0 {
				p.Section = &world
				p.Image = content.Image{Key: fmt.Sprintf("images/p%d.jpg", i)}
			}
			savePost(t, s, p)
		}
		savePost(t, s, content.Post{Slug: "draft", Status: content.StatusDraft})
		savePost(t, s, content.Post{Slug: "future", PublishedAt: days(2)})

		public := store.PublicFilter(t0)
		links, total, err := s.PostLinks(ctx, public, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range links {
			got = append(got, l.Slug)
		}
		equal(t, "public links, oldest first", got, []string{"p4", "p3", "p2", "p1", "p0"})
		if total != 5 {
			t.Errorf("total %d, want 5", total)
		}
		l := links[2]
		if l.Title != "Title of p2" || !l.PublishedAt.Equal(days(-2)) || !l.UpdatedAt.Equal(days(-2).Add(time.Hour)) ||
			l.ModifiedAt.IsZero() || l.ImageKey != "images/p2.jpg" || l.ID == 0 {
			t.Errorf("link %+v", l)
		}

		page := public
		page.Limit, page.Offset = 2, 2
		links, total, err = s.PostLinks(ctx, page, time.Time{})
		if err != nil || total != 5 || len(links) != 2 || links[0].Slug != "p2" || links[1].Slug != "p1" {
			t.Errorf("second page of two: %+v, %d, %v", links, total, err)
		}
		page.Offset = 10
		if links, total, err = s.PostLinks(ctx, page, time.Time{}); err != nil || total != 5 || len(links) != 0 {
			t.Errorf("past the end: %+v, %d, %v", links, total, err)
		}
		links, total, err = s.PostLinks(ctx, public, days(-2))
		if err != nil || total != 3 || len(links) != 3 || links[0].Slug != "p2" {
			t.Errorf("since: %+v, %d, %v", links, total, err)
		}
		section := public
		section.SectionSlug = "world"
		if links, total, err = s.PostLinks(ctx, section, time.Time{}); err != nil || total != 3 {
			t.Errorf("section: %+v, %d, %v", links, total, err)
		}
	})
}
