package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

const benchPosts = 3000

// seedBench fills a SQLite database with a magazine's worth of posts: a few
// thousand articles by 20 authors in 8 sections with 40 tags.
func seedBench(b *testing.B) (*store.Store, []content.Post) {
	b.Helper()
	ctx := context.Background()
	s := storetest.OpenSQLite(b)
	var (
		authors []content.Author
		tags    []content.Tag
		posts   []content.Post
	)
	body := strings.Repeat("A paragraph of reporting with [a link](https://example.org) and *emphasis*.\n\n", 40)
	err := s.InTx(ctx, func(tx *store.Store) error {
		for i := range 20 {
			a := content.Author{Slug: fmt.Sprintf("author-%d", i), Name: fmt.Sprintf("Author %d", i), Bio: "Writes about things."}
			if err := tx.SaveAuthor(ctx, &a); err != nil {
				return err
			}
			authors = append(authors, a)
		}
		for i := range 48 {
			t := content.Tag{Slug: fmt.Sprintf("tag-%d", i), Name: fmt.Sprintf("Tag %d", i), IsSection: i < 8, Position: i}
			if err := tx.SaveTag(ctx, &t); err != nil {
				return err
			}
			tags = append(tags, t)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for batch := 0; batch < benchPosts; batch += 500 {
		err := s.InTx(ctx, func(tx *store.Store) error {
			for i := batch; i < batch+500; i++ {
				section := tags[i%8]
				p := content.Post{
					Slug:        fmt.Sprintf("post-%d", i),
					Title:       fmt.Sprintf("Post %d", i),
					Deck:        "A deck.",
					Body:        body,
					Status:      content.StatusPublished,
					PublishedAt: start.Add(time.Duration(i) * time.Hour),
					Authors:     []content.Author{authors[i%20], authors[(i*7+3)%20]},
					Section:     &section,
					Tags:        []content.Tag{tags[8+i%40], tags[8+(i*3+1)%40], tags[8+(i*11+5)%40]},
					Image:       content.Image{Key: "images/x.jpg", Width: 1600, Height: 900},
				}
				if i%10 == 0 {
					p.Corrections = []content.Correction{{Date: p.PublishedAt.Add(24 * time.Hour), Note: "Corrected."}}
				}
				if err := tx.SavePost(ctx, &p); err != nil {
					return err
				}
				posts = append(posts, p)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return s, posts
}

func BenchmarkPosts(b *testing.B) {
	s, _ := seedBench(b)
	ctx := context.Background()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	public := store.PublicFilter(now)
	page10 := public
	page10.Offset = 180
	section, tag, author := public, public, public
	section.SectionSlug = "tag-3"
	tag.TagSlug = "tag-20"
	author.AuthorSlug = "author-7"
	for _, bc := range []struct {
		name   string
		filter store.PostFilter
	}{
		{"river", public},
		{"river-page-10", page10},
		{"section", section},
		{"tag", tag},
		{"author", author},
		{"desk-all-statuses", store.PostFilter{Limit: 50}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				page, err := s.Posts(ctx, bc.filter)
				if err != nil {
					b.Fatal(err)
				}
				if len(page.Posts) == 0 {
					b.Fatal("empty page")
				}
			}
		})
	}
}

func BenchmarkPostBySlug(b *testing.B) {
	s, posts := seedBench(b)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p, err := s.PostBySlug(ctx, posts[i%len(posts)].Slug)
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Authors) == 0 {
			b.Fatal("incomplete post")
		}
		i += 97
	}
}

func BenchmarkRelatedPosts(b *testing.B) {
	s, posts := seedBench(b)
	ctx := context.Background()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := s.RelatedPosts(ctx, posts[i%len(posts)], now, 4); err != nil {
			b.Fatal(err)
		}
		i += 97
	}
}
