package site

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitCached waits until Run has enabled the cache and path is served from
// it.
func (r *rig) waitCached(t testing.TB, path string) {
	t.Helper()
	waitFor(t, "the page cache to serve "+path, func() bool {
		r.get(path)
		p, _ := r.site.cache.get(path+"?", r.clock.Now())
		return p != nil
	})
}

func TestCacheInvalidateShowsNewPostAtOnce(t *testing.T) {
	r := newRig(t)
	r.post("First", testNow.Add(-time.Hour), nil)
	r.run()
	r.waitCached(t, "/")

	r.post("Second", testNow.Add(-time.Minute), nil)
	r.site.Invalidate()
	_, doc := r.getOK("/")
	if got := headlines(doc); !slices.Equal(got, []string{"Second", "First"}) {
		t.Fatalf("after Invalidate the home page shows %q", got)
	}
	// And the cache comes back.
	r.waitCached(t, "/")
	_, doc = r.getOK("/")
	if got := headlines(doc); !slices.Equal(got, []string{"Second", "First"}) {
		t.Fatalf("cached home page shows %q", got)
	}
}

func TestCacheFollowsWritesFromAnotherProcess(t *testing.T) {
	opts := storetest.SQLiteOptions(t)
	if os.Getenv(storetest.EnvPostgres) != "" {
		opts = store.Options{DatabaseURL: storetest.PostgresURL(t)}
	}
	ctx := context.Background()
	open := func() *store.Store {
		st, err := store.Open(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	mine, other := open(), open()
	if _, err := mine.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	r := newRigOn(t, mine)
	r.post("First", testNow.Add(-time.Hour), nil)
	r.run()
	r.waitCached(t, "/")

	// Another process publishes; nobody calls Invalidate.
	p := content.Post{Slug: "from-elsewhere", Title: "From elsewhere", Body: "Imported.",
		Status: content.StatusPublished, PublishedAt: testNow.Add(-time.Minute)}
	if err := other.SavePost(ctx, &p); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the home page to show the other process's post", func() bool {
		return strings.Contains(r.get("/").body, "From elsewhere")
	})
	if err := other.SetSetting(ctx, "site.name", "Renamed"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the home page to show the new site name", func() bool {
		return strings.Contains(r.get("/").body, ">Renamed</a>")
	})
}

func TestCacheExpiresAtNextPublication(t *testing.T) {
	r := newRig(t)
	r.post("Now", testNow.Add(-time.Hour), nil)
	r.post("Later", testNow.Add(time.Hour), nil)
	r.run()
	r.waitCached(t, "/")
	if strings.Contains(r.get("/").body, "Later") {
		t.Fatal("a post shows before its time")
	}
	r.clock.Set(testNow.Add(time.Hour))
	_, doc := r.getOK("/")
	if got := headlines(doc); !slices.Equal(got, []string{"Later", "Now"}) {
		t.Fatalf("at its publication time the home page shows %q", got)
	}
}

func TestCacheETag(t *testing.T) {
	r := newRig(t)
	r.post("First", testNow.Add(-time.Hour), nil)
	for _, cached := range []bool{false, true} {
		if cached {
			r.run()
			r.waitCached(t, "/articles/first")
		}
		res := r.get("/articles/first")
		etag := res.header.Get("ETag")
		if !strings.HasPrefix(etag, `"`) || len(etag) < 10 {
			t.Fatalf("ETag %q", etag)
		}
		for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
			req := httptest.NewRequest(http.MethodGet, "/articles/first", nil)
			req.Header.Set("If-None-Match", inm)
			res := r.do(req)
			if res.status != http.StatusNotModified || res.body != "" || res.header.Get("ETag") != etag {
				t.Errorf("cached=%v If-None-Match %s: status %d", cached, inm, res.status)
			}
		}
		req := httptest.NewRequest(http.MethodGet, "/articles/first", nil)
		req.Header.Set("If-None-Match", `"stale"`)
		if res := r.do(req); res.status != http.StatusOK {
			t.Errorf("stale ETag: status %d", res.status)
		}
	}
	// The ETag follows the content.
	before := r.get("/").header.Get("ETag")
	r.post("Second", testNow.Add(-time.Minute), nil)
	r.site.Invalidate()
	if after := r.get("/").header.Get("ETag"); after == before {
		t.Error("ETag unchanged after a new post")
	}
}

func TestCacheOnlyKeepsSuccess(t *testing.T) {
	r := newRig(t)
	r.run()
	r.waitCached(t, "/")
	r.get("/articles/missing")
	if p, _ := r.site.cache.get("/articles/missing?", testNow); p != nil {
		t.Error("a 404 was cached")
	}
	r.post("Missing", testNow.Add(-time.Hour), nil)
	r.site.Invalidate()
	r.getOK("/articles/missing")
}

func TestHead(t *testing.T) {
	r := newRig(t)
	r.post("First", testNow.Add(-time.Hour), nil)
	for _, path := range []string{"/", "/articles/first"} {
		res := r.do(httptest.NewRequest(http.MethodHead, path, nil))
		if res.status != http.StatusOK || res.body != "" || res.header.Get("Content-Length") == "" {
			t.Errorf("HEAD %s: status %d, %d bytes", path, res.status, len(res.body))
		}
	}
	if res := r.do(httptest.NewRequest(http.MethodPost, "/subscribe", nil)); res.status != http.StatusMethodNotAllowed {
		t.Errorf("POST /subscribe: status %d; nothing handles it yet", res.status)
	}
}

func TestPageCacheBounds(t *testing.T) {
	c := newPageCache(3, 100)
	c.refresh(c.mark(), 1, time.Time{}, testNow)
	_, gen := c.get("a", testNow)
	for _, k := range []string{"a", "b", "c", "d"} {
		c.put(&cachedPage{key: k, body: []byte("12345")}, gen, testNow)
	}
	if p, _ := c.get("a", testNow); p != nil {
		t.Error("oldest entry kept beyond the entry bound")
	}
	for _, k := range []string{"b", "c", "d"} {
		if p, _ := c.get(k, testNow); p == nil {
			t.Errorf("entry %s evicted", k)
		}
	}
	c.put(&cachedPage{key: "big", body: make([]byte, 7)}, gen, testNow)
	if p, _ := c.get("big", testNow); p != nil {
		t.Error("a page over a sixteenth of the byte bound was kept")
	}

	// The byte bound: 16 pages of 10 bytes fit, the 17th pushes out the first.
	c = newPageCache(100, 160)
	c.refresh(c.mark(), 1, time.Time{}, testNow)
	_, gen = c.get("", testNow)
	for i := range 17 {
		c.put(&cachedPage{key: string(rune('a' + i)), body: make([]byte, 10)}, gen, testNow)
	}
	if c.size != 160 || c.order.Len() != 16 || len(c.entries) != 16 {
		t.Errorf("size %d, %d in order, %d in map; want 160, 16, 16", c.size, c.order.Len(), len(c.entries))
	}
	if p, _ := c.get("a", testNow); p != nil {
		t.Error("oldest entry kept beyond the byte bound")
	}
}

func TestPageCacheGenerations(t *testing.T) {
	c := newPageCache(10, 1<<20)
	_, gen := c.get("a", testNow)
	c.put(&cachedPage{key: "a"}, gen, testNow)
	if p, _ := c.get("a", testNow); p != nil {
		t.Fatal("cache serves before its version is known")
	}

	c.refresh(c.mark(), 7, testNow.Add(time.Hour), testNow)
	_, gen = c.get("a", testNow)
	// A page rendered while the cache was dropped must not be kept.
	mark := c.mark()
	c.disable(true)
	c.refresh(mark, 7, time.Time{}, testNow) // read before the invalidation: ignored
	c.put(&cachedPage{key: "a"}, gen, testNow)
	if p, _ := c.get("a", testNow); p != nil {
		t.Fatal("page from before an invalidation kept")
	}
	c.refresh(c.mark(), 8, testNow.Add(time.Hour), testNow)
	_, gen = c.get("a", testNow)
	c.put(&cachedPage{key: "a"}, gen, testNow)
	if p, _ := c.get("a", testNow); p == nil {
		t.Fatal("page not kept")
	}
	if p, _ := c.get("a", testNow.Add(time.Hour)); p != nil {
		t.Fatal("page served at the next publication time")
	}
	// A refresher that stops confirming the version turns the cache off.
	c.mu.Lock()
	c.checked = time.Now().Add(-staleAfter)
	c.mu.Unlock()
	if p, _ := c.get("a", testNow); p != nil {
		t.Fatal("page served although the version was not confirmed lately")
	}
	c.refresh(c.mark(), 8, testNow.Add(time.Hour), testNow)
	if p, _ := c.get("a", testNow); p == nil {
		t.Fatal("page dropped by a refresh that found nothing changed")
	}
	// Same version, but the publication time has passed: drop.
	c.refresh(c.mark(), 8, time.Time{}, testNow.Add(time.Hour))
	if p, _ := c.get("a", testNow.Add(time.Hour)); p != nil {
		t.Fatal("page kept past the publication time")
	}
}
