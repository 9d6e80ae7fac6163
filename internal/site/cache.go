package site

import (
	"bytes"
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"runtime"
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

// renderSlots is how many pages may render at once; more requests for
// uncached pages queue. A render holds a database connection and a page's
// worth of memory, so a spike of uncached requests must not start them all.
func renderSlots() int { return max(8, 4*runtime.GOMAXPROCS(0)) }

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

	// The compressed variants are made when a reader first asks for them,
	// once each; a nil variant means the coding does not make it smaller.
	once    [numEncodings]sync.Once
	encoded [numEncodings][]byte
	// charged is how many bytes of this page the cache counts against its
	// bound; guarded by the cache's lock.
	charged int
}

// variant returns the body in coding e, compressing it on first use. made
// is true for the one call that compressed it, whose caller accounts for
// the new bytes.
func (p *cachedPage) variant(e encoding) (body []byte, made bool) {
	if e == identity {
		return p.body, false
	}
	p.once[e].Do(func() {
		level := gzipStoredLevel
		if e == encBrotli {
			level = brotliStoredLevel
		}
		if p.ctype == "" || compressibleType(p.ctype) {
			p.encoded[e] = compressBytes(e, level, p.body)
		}
		made = true
	})
	return p.encoded[e], made
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
			p, err = s.renders.do(r.Context(), key, gen, func() (*cachedPage, error) {
				p, err := render(r, key)
				if err == nil {
					s.cache.put(p, gen, s.now())
				}
				return p, err
			})
			if err != nil {
				s.fail(w, r, err)
				return
			}
		}
		enc := negotiateEncoding(r.Header.Get("Accept-Encoding"))
		body, made := p.variant(enc)
		if made {
			s.cache.grow(p, len(body))
		}
		if body == nil {
			enc, body = identity, p.body
		}
		writePage(w, r, p, enc, body)
	})
}

// writePage answers with one coding of a page: body is p's body in enc.
func writePage(w http.ResponseWriter, r *http.Request, p *cachedPage, enc encoding, body []byte) {
	h := w.Header()
	etag := enc.taggedETag(p.etag)
	h.Set("ETag", etag)
	// Every page may be sent compressed, so shared caches must key on the
	// reader's Accept-Encoding.
	h.Set("Vary", "Accept-Encoding")
	if !p.modified.IsZero() {
		h.Set("Last-Modified", p.modified.Format(http.TimeFormat))
	}
	// Readers revalidate every time; the ETag makes that cheap.
	h.Set("Cache-Control", "no-cache")
	if notModified(r, etag, p.modified) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	ctype := p.ctype
	if ctype == "" {
		ctype = "text/html; charset=utf-8"
	}
	h.Set("Content-Type", ctype)
	if enc != identity {
		h.Set("Content-Encoding", enc.token())
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// notModified reports whether the client's copy is current. As RFC 9110
// says, If-Modified-Since counts only without If-None-Match.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return etagMatches(inm, etag)
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" || modified.IsZero() {
		return false
	}
	t, err := http.ParseTime(ims)
	return err == nil && !modified.After(t)
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
	hits    uint64 // pages served from the cache, for the metrics
	misses  uint64 // pages that had to be rendered
	enabled bool
	gen     uint64
	version int64
	expires time.Time // zero when no publication is scheduled
	checked time.Time // wall-clock time of the last successful refresh
	// invalidations counts Invalidate calls, so that a refresh that read the
	// version before one of them does not enable the cache again.
	invalidations uint64

	// counts remembers how many posts each river holds, by filter, for
	// the "Page N of M" line: counting a large archive costs more than
	// reading a page of it. Dropped with the pages.
	counts map[string]int

	entries    map[string]*list.Element // of *cachedPage
	order      *list.List               // oldest first
	size       int
	maxEntries int
	maxBytes   int
}

func newPageCache(maxEntries, maxBytes int) *pageCache {
	return &pageCache{entries: make(map[string]*list.Element), order: list.New(), maxEntries: maxEntries, maxBytes: maxBytes,
		counts: make(map[string]int)}
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
		c.misses++
		return nil, c.gen
	}
	if e, ok := c.entries[key]; ok {
		c.hits++
		return e.Value.(*cachedPage), c.gen
	}
	c.misses++
	return nil, c.gen
}

// CacheCounts returns how many public pages were served from the page
// cache and how many had to be rendered since the site started.
func (s *Site) CacheCounts() (hits, misses uint64) {
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	return s.cache.hits, s.cache.misses
}

// count returns the remembered size of the river filter names, and the
// generation a count read now must be kept under.
func (c *pageCache) count(filter string, now time.Time) (n int, ok bool, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.usable(now) {
		return 0, false, c.gen
	}
	n, ok = c.counts[filter]
	return n, ok, c.gen
}

// putCount remembers a river's size unless the cache was dropped since gen
// was handed out.
func (c *pageCache) putCount(filter string, n int, gen uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen || !c.usable(now) || len(c.counts) >= c.maxEntries {
		return
	}
	c.counts[filter] = n
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
		c.size -= old.Value.(*cachedPage).charged
		c.order.Remove(old)
	}
	c.entries[p.key] = c.order.PushBack(p)
	p.charged = len(p.body)
	c.size += p.charged
	c.evictLocked()
}

// grow counts n more bytes of p, a compressed variant made after it was
// kept, against the bound; a page no longer kept is not counted.
func (c *pageCache) grow(p *cachedPage, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[p.key]; !ok || e.Value.(*cachedPage) != p {
		return
	}
	p.charged += n
	c.size += n
	c.evictLocked()
}

// evictLocked drops the oldest pages until both bounds hold.
func (c *pageCache) evictLocked() {
	for c.order.Len() > c.maxEntries || c.size > c.maxBytes {
		oldest := c.order.Front()
		op := oldest.Value.(*cachedPage)
		c.order.Remove(oldest)
		delete(c.entries, op.key)
		c.size -= op.charged
	}
}

// dropLocked forgets every page and starts a new generation.
func (c *pageCache) dropLocked() {
	c.gen++
	clear(c.entries)
	clear(c.counts)
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

// renderGroup bounds how many renders run at once and lets requests for a
// page that is being rendered wait for that render instead of starting
// their own: when a story goes viral after a change, one render serves the
// crowd.
type renderGroup struct {
	slots   chan struct{}
	mu      sync.Mutex
	flights map[flightKey]*flight
}

// flightKey names a render: the page and the cache generation it was
// started in, so that nobody who arrives after an invalidation is handed
// a page rendered before it.
type flightKey struct {
	key string
	gen uint64
}

type flight struct {
	done    chan struct{}
	p       *cachedPage
	err     error
	waiters int // requests waiting for this render; guarded by the group's lock
}

func newRenderGroup(slots int) *renderGroup {
	return &renderGroup{slots: make(chan struct{}, slots), flights: map[flightKey]*flight{}}
}

// do runs render for key unless a render of it in the same generation is
// under way, in which case it waits for that one's result.
func (g *renderGroup) do(ctx context.Context, key string, gen uint64, render func() (*cachedPage, error)) (*cachedPage, error) {
	k := flightKey{key, gen}
	g.mu.Lock()
	if f, ok := g.flights[k]; ok {
		f.waiters++
		g.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if f.err == nil || !isCanceled(f.err) {
			return f.p, f.err
		}
		// The reader who started the render left and took it with him;
		// this one is still waiting.
		return g.run(ctx, render)
	}
	f := &flight{done: make(chan struct{})}
	g.flights[k] = f
	g.mu.Unlock()
	f.p, f.err = g.run(ctx, render)
	g.mu.Lock()
	delete(g.flights, k)
	g.mu.Unlock()
	close(f.done)
	return f.p, f.err
}

// run runs render in a free slot, waiting for one as long as ctx allows.
func (g *renderGroup) run(ctx context.Context, render func() (*cachedPage, error)) (*cachedPage, error) {
	release, err := g.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return render()
}

// acquire takes a render slot; uncached work that is not a page (search)
// takes one too.
func (g *renderGroup) acquire(ctx context.Context) (release func(), err error) {
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func isCanceled(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// limited runs an uncached handler, such as search, in a render slot.
func (s *Site) limited(h func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		release, err := s.renders.acquire(r.Context())
		if err != nil {
			return err
		}
		defer release()
		return h(w, r)
	}
}
