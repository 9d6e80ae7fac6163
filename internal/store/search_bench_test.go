package store_test

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"masthead/internal/benchdata"
	"masthead/internal/media"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// The search benchmark runs on an archive made by benchdata. By default it
// seeds a small one in a temporary SQLite file; to measure a big archive,
// seed it once with masthead-load and point the benchmark at it:
//
//	go run ./cmd/masthead-load seed -data /tmp/m100k -articles 100000
//	MASTHEAD_BENCH_SQLITE=/tmp/m100k/masthead.db go test -run '^$' -bench BenchmarkSearch ./internal/store/
//
// and on PostgreSQL:
//
//	MASTHEAD_DATABASE_URL=postgres://…/bench go run ./cmd/masthead-load seed -data /tmp/pg100k -articles 100000
//	MASTHEAD_BENCH_POSTGRES=postgres://…/bench go test -run '^$' -bench BenchmarkSearch ./internal/store/
const (
	envBenchSQLite   = "MASTHEAD_BENCH_SQLITE"
	envBenchPostgres = "MASTHEAD_BENCH_POSTGRES"
	envBenchArticles = "MASTHEAD_BENCH_ARTICLES" // articles of the archive the benchmark seeds itself
)

// benchArchive opens the archive to search and returns how many articles
// it holds.
func benchArchive(b *testing.B) (*store.Store, int) {
	b.Helper()
	ctx := context.Background()
	var opts store.Options
	switch {
	case os.Getenv(envBenchPostgres) != "":
		opts.DatabaseURL = os.Getenv(envBenchPostgres)
	case os.Getenv(envBenchSQLite) != "":
		opts.SQLitePath = os.Getenv(envBenchSQLite)
	default:
		n := 3000
		if v, err := strconv.Atoi(os.Getenv(envBenchArticles)); err == nil && v > 0 {
			n = v
		}
		s := storetest.OpenSQLite(b)
		files, err := media.NewLocal(filepath.Join(b.TempDir(), "media"))
		if err != nil {
			b.Fatal(err)
		}
		spec := benchdata.Spec{Articles: n, Newest: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
		if err := benchdata.Seed(ctx, s, files, spec); err != nil {
			b.Fatal(err)
		}
		return s, n
	}
	s, err := store.Open(ctx, opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	// An archive seeded by an older binary is brought up to date.
	if _, err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	page, err := s.Posts(ctx, store.PostFilter{Limit: 1})
	if err != nil {
		b.Fatal(err)
	}
	return s, page.Total
}

// searchMix is what readers type, drawn from the archive: whole headlines,
// one or two words from rare to common, phrases from bodies, words being
// typed, and a search narrowed to a section.
func searchMix(articles int) []benchQuery {
	rng := rand.New(rand.NewPCG(7, 11))
	var qs []benchQuery
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	word := func() string {
		// Log-uniform over the vocabulary: common and rare words alike.
		k := int(math.Exp(rng.Float64()*math.Log(benchdata.VocabularySize))) - 1
		return benchdata.Word(k)
	}
	for i := range 500 {
		q := store.PublicSearch("", now)
		kind := []string{"headline", "headline", "word", "word", "two-words", "two-words", "phrase", "typing", "typing", "section"}[i%10]
		switch i % 10 {
		case 0, 1: // a headline
			q.Text = benchdata.Title(rng.IntN(articles))
		case 2, 3: // a word
			q.Text = word()
		case 4, 5: // two words
			q.Text = word() + " " + word()
		case 6: // a phrase from a body
			body := strings.Fields(benchdata.Body(rng.IntN(articles)))
			j := 20 + rng.IntN(len(body)-40)
			q.Text = `"` + strings.Trim(strings.Join(body[j:j+3], " "), ".*:,") + `"`
		case 7, 8: // typing: the first letters of a word
			w := word()
			q.Text, q.Typing = w[:min(len(w), 3+rng.IntN(3))], true
		case 9: // a word in one section
			q.Text, q.SectionSlug = word(), fmt.Sprintf("section-%d", rng.IntN(6))
		}
		qs = append(qs, benchQuery{kind, q})
	}
	return qs
}

// benchQuery is a query of the mix and its kind.
type benchQuery struct {
	kind string
	q    store.SearchQuery
}

func BenchmarkSearch(b *testing.B) {
	s, articles := benchArchive(b)
	ctx := context.Background()
	qs := searchMix(articles)
	// One pass first so that the measured passes do not pay for a cold
	// cache.
	for _, bq := range qs {
		if _, err := s.Search(ctx, bq.q); err != nil {
			b.Fatal(err)
		}
	}
	var times []time.Duration
	byKind := map[string][]time.Duration{}
	i := 0
	for b.Loop() {
		bq := qs[i%len(qs)]
		start := time.Now()
		if _, err := s.Search(ctx, bq.q); err != nil {
			b.Fatal(err)
		}
		d := time.Since(start)
		times = append(times, d)
		byKind[bq.kind] = append(byKind[bq.kind], d)
		i++
	}
	b.ReportMetric(percentile(times, 0.50), "p50-ms")
	b.ReportMetric(percentile(times, 0.95), "p95-ms")
	b.ReportMetric(percentile(times, 0.99), "p99-ms")
	b.ReportMetric(float64(articles), "articles")
	for _, kind := range slices.Sorted(maps.Keys(byKind)) {
		ts := byKind[kind]
		b.Logf("%-10s %4d queries: p50 %.1f ms, p95 %.1f ms", kind, len(ts), percentile(ts, 0.50), percentile(ts, 0.95))
	}
}

// percentile returns the p-th fraction of ts in milliseconds; it sorts ts.
func percentile(ts []time.Duration, p float64) float64 {
	slices.Sort(ts)
	return float64(ts[min(len(ts)-1, int(p*float64(len(ts))))].Microseconds()) / 1000
}
