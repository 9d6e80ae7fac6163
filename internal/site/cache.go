package site

import (
	"bytes"
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Bounds of the page cache. Pages are a few tens of kilobytes, so the byte
// bound usually binds first on a busy site.
const (
	maxCacheEntries = 5000
	maxCacheBytes   = 64 << 20
)

// pollInterval is how often Run reads the content version, which bounds how
// long a write from another process stays unseen.
const pollInterval = time.Second

// staleAfter turns the cache off when Run has not confirmed the version for
// this long (a stuck or slow database), so that a stalled refresh cannot
// keep old pages in front of readers.
const staleAfter = 3 * pollInterval

// pageView names the template a page handler wants and the data for it.
type pageView struct {
	name string
	data any
}

// cachedPage is a rendered 200 response: an HTML page, or a document such
// as a feed or a sitemap.
type cachedPage struct {
	key      string
	body     []byte
	etag     string
	ctype    string    // Content-Type; empty for an HTML page
	modified time.Time // Last-Modified; zero leaves it out
}

func newCachedPage(key string, body []byte) *cachedPage {
	sum := sha256.Sum256(body)
	return &cachedPage{key: key, body: body, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
}

// page adapts a page handler: it answers from the cache when it can,
// otherwise renders the page and, for a 200, keeps it.
func (s *Site) page(h func(*http.Request) (pageView, error)) http.Handler {
	return s.cached(func(r *http.Request, key string) (*cachedPage, error) {
		v, err := h(r)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := s.pages[v.name].ExecuteTemplate(&buf, "layout", v.data); err != nil {
			return nil, err
		}
		return newCachedPage(key, buf.Bytes()), nil
	})
}

// document is a response other than an HTML page that is cached like
// one: a feed, a sitemap, robots.txt.
type document struct {
	ctype    string
	body     []byte
	modified time.Time // newest change to what it lists; zero when unknown
}

// documentHandler adapts a document handler as page adapts a page handler.
func (s *Site) documentHandler(h func(*http.Request) (document, error)) http.Handler {
	return s.cached(func(r *http.Request, key string) (*cachedPage, error) {
		d, err := h(r)
		if err != nil {
			return nil, err
		}
		p := newCachedPage(key, d.body)
		p.ctype, p.modified = d.ctype, d.modified.UTC().Truncate(time.Second)
		return p, nil
	})
}

// cached answers from the page cache when it can, otherwise renders with
// render and keeps the result.
func (s *Site) cached(render func(r *http.Request, key string) (*cachedPage, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Path + "?" + r.URL.RawQuery
		// The generation is taken before anything is read from the store, so
		// that a page rendered from data older than a drop is never kept.
		p, gen := s.cache.get(key, s.now())
		if p == nil {
			var err error
			if p, err = render(r, key); err != nil {
				s.fail(w, r, err)
				return
			}
			s.cache.put(p, gen, s.now())
		}
		writePage(w, r, p)
	})
}

func writePage(w http.ResponseWriter, r *http.Request, p *cachedPage) {
	h := w.Header()
	h.Set("ETag", p.etag)
	if !p.modified.IsZero() {
		h.Set("Last-Modified", p.modified.Format(http.TimeFormat))
	}
	// Readers revalidate every time; the ETag makes that cheap.
	h.Set("Cache-Control", "no-cache")
	if notModified(r, p) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	ctype := p.ctype
	if ctype == "" {
		ctype = "text/html; charset=utf-8"
	}
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(len(p.body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(p.body)
	}
}

// notModified reports whether the client's copy is current. As RFC 9110
// says, If-Modified-Since counts only without If-None-Match.
func notModified(r *http.Request, p *cachedPage) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return etagMatches(inm, p.etag)
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" || p.modified.IsZero() {
		return false
	}
	t, err := http.ParseTime(ims)
	return err == nil && !p.modified.After(t)
}

// etagMatches reports whether an If-None-Match header names etag, using the
// weak comparison RFC 9110 prescribes for it.
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// pageCache keeps rendered public pages while the content they show cannot
// have changed: the store's content version is the one last seen and the
// next scheduled publication has not come. It serves nothing until Run has
// read the version, because without Run nobody would notice a change.
type pageCache struct {
	mu      sync.Mutex
	enabled bool
	gen     uint64
	version int64
	expires time.Time // zero when no publication is scheduled
	checked time.Time // wall-clock time of the last successful refresh
	// invalidations counts Invalidate calls, so that a refresh that read the
	// version before one of them does not enable the cache again.
	invalidations uint64

	entries    map[string]*list.Element // of *cachedPage
	order      *list.List               // oldest first
	size       int
	maxEntries int
	maxBytes   int
}

func newPageCache(maxEntries, maxBytes int) *pageCache {
	return &pageCache{entries: make(map[string]*list.Element), order: list.New(), maxEntries: maxEntries, maxBytes: maxBytes}
}

// usable reports whether pages may be served and kept. now is the site's
// clock, which decides publication; the staleness check uses the wall clock.
func (c *pageCache) usable(now time.Time) bool {
	return c.enabled && (c.expires.IsZero() || now.Before(c.expires)) && time.Since(c.checked) < staleAfter
}

// get returns the page kept under key, or nil and the generation a page
// rendered now must be stored under.
func (c *pageCache) get(key string, now time.Time) (*cachedPage, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.usable(now) {
		return nil, c.gen
	}
	if e, ok := c.entries[key]; ok {
		return e.Value.(*cachedPage), c.gen
	}
	return nil, c.gen
}

// put keeps p unless the cache was dropped since gen was handed out.
func (c *pageCache) put(p *cachedPage, gen uint64, now time.Time) {
	if len(p.body) > c.maxBytes/16 {
		return // one huge page must not push out everything else
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen || !c.usable(now) {
		return
	}
	if old, ok := c.entries[p.key]; ok {
		c.size -= len(old.Value.(*cachedPage).body)
		c.order.Remove(old)
	}
	c.entries[p.key] = c.order.PushBack(p)
	c.size += len(p.body)
	for c.order.Len() > c.maxEntries || c.size > c.maxBytes {
		oldest := c.order.Front()
		op := oldest.Value.(*cachedPage)
		c.order.Remove(oldest)
		delete(c.entries, op.key)
		c.size -= len(op.body)
	}
}

// dropLocked forgets every page and starts a new generation.
func (c *pageCache) dropLocked() {
	c.gen++
	clear(c.entries)
	c.order.Init()
	c.size = 0
}

// disable drops everything and serves nothing until the next refresh.
func (c *pageCache) disable(invalidation bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropLocked()
	c.enabled = false
	if invalidation {
		c.invalidations++
	}
}

// mark returns the invalidation count a refresh starts from.
func (c *pageCache) mark() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.invalidations
}

// refresh applies a freshly read content version and next publication time,
// dropping the pages when either says they may be stale. It does nothing
// when Invalidate was called after mark: the values may predate that write.
func (c *pageCache) refresh(mark uint64, version int64, next, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if mark != c.invalidations {
		return
	}
	if !c.enabled || version != c.version || (!c.expires.IsZero() && !now.Before(c.expires)) {
		c.dropLocked()
	}
	c.enabled, c.version, c.expires, c.checked = true, version, next, time.Now()
}

// Invalidate drops every cached page at once; in-process writers call it
// after a change so that the next request shows it. Pages are not cached
// again until Run has read the new content version.
func (s *Site) Invalidate() {
	s.cache.disable(true)
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run keeps the page cache in step with the store until ctx is done: it reads
// the content version and the next scheduled publication every second (and
// at once after Invalidate), so writes from other processes show within a
// second. Without Run no page is cached.
func (s *Site) Run(ctx context.Context) error {
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	defer s.cache.disable(false)
	for {
		s.refresh(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-s.wake:
		}
	}
}

func (s *Site) refresh(ctx context.Context) {
	mark := s.cache.mark()
	v, err := s.store.ContentVersion(ctx)
	if err != nil {
		s.refreshFailed(ctx, "content version", err)
		return
	}
	now := s.now()
	next, err := s.store.NextPublication(ctx, now)
	if err != nil {
		s.refreshFailed(ctx, "next publication", err)
		return
	}
	s.cache.refresh(mark, v, next, now)
}

// refreshFailed turns the cache off: pages that cannot be checked are not
// served from it.
func (s *Site) refreshFailed(ctx context.Context, what string, err error) {
	s.cache.disable(false)
	if ctx.Err() == nil {
		s.log.Warn("site: page cache off: cannot read "+what, "err", err)
	}
}
