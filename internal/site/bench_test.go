package site

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"masthead/internal/benchdata"
	"masthead/internal/store/storetest"
)

const benchArticles = 10_000

// benchRig is a site over a SQLite store holding benchArticles published
// articles.
func benchRig(b *testing.B) *rig {
	b.Helper()
	r := newRigOn(b, storetest.OpenSQLite(b))
	spec := benchdata.Spec{Articles: benchArticles, Newest: testNow.Add(-time.Hour)}
	if err := benchdata.Seed(r.ctx, r.store, r.media, spec); err != nil {
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
	article := func(i int) string { return "/articles/" + benchdata.Slug((i*7919)%benchArticles) }
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
