package site

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

const benchArticles = 10_000

// benchRig is a site over a SQLite store holding benchArticles published
// articles, written in one transaction.
func benchRig(b *testing.B) *rig {
	b.Helper()
	r := newRigOn(b, storetest.OpenSQLite(b))
	var sections, tags []content.Tag
	for i := range 6 {
		sections = append(sections, r.tag(fmt.Sprintf("Section %d", i), true))
	}
	for i := range 30 {
		tags = append(tags, r.tag(fmt.Sprintf("Tag %d", i), false))
	}
	var authors []content.Author
	for i := range 50 {
		authors = append(authors, r.author(fmt.Sprintf("Author %d", i), "Correspondent", "Writes about the world.", i%2 == 0))
	}
	photo := r.image("bench", 1200, 800)
	var body strings.Builder
	for i := range 14 {
		if i == 5 {
			body.WriteString("## A subheading in the middle\n\n> A quotation that someone said, with [a link](https://example.org/).\n\n")
		}
		body.WriteString("Paragraph of analysis about diplomacy, trade and the balance of power, long enough to be a real paragraph of a real article, with *emphasis* and a second sentence that carries the argument further.\n\n")
	}
	err := r.store.InTx(r.ctx, func(tx *store.Store) error {
		for i := range benchArticles {
			p := content.Post{
				Slug:        fmt.Sprintf("article-%d", i),
				Title:       fmt.Sprintf("Article number %d about the world", i),
				Deck:        "A deck that says what the article is about",
				Body:        body.String(),
				Status:      content.StatusPublished,
				PublishedAt: testNow.Add(-time.Duration(i+1) * time.Hour),
				Authors:     []content.Author{authors[i%len(authors)], authors[(i+7)%len(authors)]},
				Section:     &sections[i%len(sections)],
				Tags:        []content.Tag{tags[i%len(tags)], tags[(i+11)%len(tags)]},
				Image:       photo,
			}
			if err := tx.SavePost(r.ctx, &p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// benchServe requests path(i) until the benchmark is done and reports the
// median time of one request.
func benchServe(b *testing.B, r *rig, path func(i int) string) {
	b.Helper()
	var times []time.Duration
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		rec := httptest.NewRecorder()
		r.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path(i), nil))
		times = append(times, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: %d", path(i), rec.Code)
		}
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds()), "p50-µs")
}

func BenchmarkArticle(b *testing.B) {
	r := benchRig(b)
	article := func(i int) string { return fmt.Sprintf("/articles/article-%d", (i*7919)%benchArticles) }
	// Without Run the cache stays off: every request renders.
	b.Run("uncached", func(b *testing.B) { benchServe(b, r, article) })
	r.run()
	hot := func(int) string { return "/articles/article-42" }
	r.waitCached(b, "/articles/article-42")
	b.Run("cached", func(b *testing.B) { benchServe(b, r, hot) })
}

func BenchmarkHome(b *testing.B) {
	r := benchRig(b)
	home := func(int) string { return "/" }
	b.Run("uncached", func(b *testing.B) { benchServe(b, r, home) })
	r.run()
	r.waitCached(b, "/")
	b.Run("cached", func(b *testing.B) { benchServe(b, r, home) })
}
