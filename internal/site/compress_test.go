package site

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	"masthead/internal/content"
)

func TestNegotiateEncoding(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   encoding
	}{
		{"", identity},
		{"gzip", encGzip},
		{"br", encBrotli},
		{"gzip, deflate, br, zstd", encBrotli}, // browsers
		{"gzip, deflate", encGzip},
		{"deflate", identity},
		{"GZIP", encGzip},
		{"x-gzip", encGzip},
		{"br;q=0.5, gzip", encGzip},
		{"br;q=0.8, gzip;q=0.8", encBrotli}, // a tie goes to brotli
		{"gzip;q=0", identity},
		{"br;q=0, gzip;q=0", identity},
		{"*", encBrotli},
		{"*;q=0.5, br;q=0", encGzip},
		{"*;q=0", identity}, // nothing acceptable: the page still goes out
		{"identity", identity},
		{"identity;q=1, gzip;q=0.5", identity},
		{"identity;q=0.2, gzip;q=0.5", encGzip},
		{"identity;q=0, gzip;q=0.001", encGzip},
		{"gzip;q=0.001", encGzip}, // identity not named is only the last resort
		{"gzip;q=2", identity},    // malformed weights count as absent
		{"gzip;q=abc, br", encBrotli},
		{"gzip ; q=0.7 , br ; Q=0.6", encGzip},
		{" , ,br", encBrotli},
		{"gzip;level=9", encGzip},
	} {
		if got := negotiateEncoding(tc.header); got != tc.want {
			t.Errorf("negotiateEncoding(%q) = %s, want %s", tc.header, got.token(), tc.want.token())
		}
	}
}

func FuzzNegotiateEncoding(f *testing.F) {
	for _, s := range []string{"", "gzip, br", "br;q=0.5, gzip;q=1", "*;q=0", "identity;q=0, *", "gzip;q=", ";;,,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		e := negotiateEncoding(header)
		if e < identity || e >= numEncodings {
			t.Fatalf("negotiateEncoding(%q) = %d", header, e)
		}
		// A coding the client excluded by name is never chosen.
		if e != identity && regexp.MustCompile(`(?i)(^|,)\s*`+e.token()+`\s*;\s*q\s*=\s*0(\.0*)?\s*(,|$)`).MatchString(header) &&
			!regexp.MustCompile(`(?i)(^|,)\s*`+e.token()+`\s*(,|$|;\s*q\s*=\s*(0?\.0*[1-9]|1))`).MatchString(header) {
			t.Fatalf("negotiateEncoding(%q) chose the excluded %s", header, e.token())
		}
	})
}

// decode undoes a Content-Encoding with the real decoders.
func decode(t testing.TB, coding string, body []byte) string {
	t.Helper()
	var rd io.Reader
	switch coding {
	case "":
		return string(body)
	case "gzip":
		z, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("gzip: %v", err)
		}
		rd = z
	case "br":
		rd = brotli.NewReader(bytes.NewReader(body))
	default:
		t.Fatalf("unknown coding %q", coding)
	}
	b, err := io.ReadAll(rd)
	if err != nil {
		t.Fatalf("%s: %v", coding, err)
	}
	return string(b)
}

func (r *rig) getEncoded(path, acceptEncoding, ifNoneMatch string) response {
	r.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	if ifNoneMatch != "" {
		req.Header.Set("If-None-Match", ifNoneMatch)
	}
	return r.do(req)
}

func TestPagesCompressed(t *testing.T) {
	r := newRig(t)
	r.post("First", testNow.Add(-time.Hour), func(p *content.Post) { p.Body = longBody("First") })
	r.post("Second", testNow.Add(-2*time.Hour), nil)
	for _, cached := range []bool{false, true} {
		if cached {
			r.run()
			r.waitCached(t, "/articles/first")
			r.waitCached(t, "/")
			r.waitCached(t, "/feed.xml")
		}
		for _, path := range []string{"/", "/articles/first", "/feed.xml"} {
			plain := r.get(path)
			if plain.status != http.StatusOK || plain.header.Get("Content-Encoding") != "" {
				t.Fatalf("GET %s without Accept-Encoding: %d, %q", path, plain.status, plain.header.Get("Content-Encoding"))
			}
			etags := map[string]string{"": plain.header.Get("ETag")}
			for _, tc := range []struct{ accept, coding string }{
				{"gzip", "gzip"}, {"br", "br"}, {"gzip, deflate, br", "br"}, {"br;q=0.1, gzip", "gzip"}, {"identity", ""},
			} {
				res := r.getEncoded(path, tc.accept, "")
				if res.status != http.StatusOK || res.header.Get("Content-Encoding") != tc.coding {
					t.Fatalf("cached=%v GET %s, Accept-Encoding %q: %d, Content-Encoding %q, want %q",
						cached, path, tc.accept, res.status, res.header.Get("Content-Encoding"), tc.coding)
				}
				if !strings.Contains(res.header.Get("Vary"), "Accept-Encoding") {
					t.Errorf("GET %s (%s): Vary %q", path, tc.accept, res.header.Get("Vary"))
				}
				if got := decode(t, tc.coding, []byte(res.body)); got != plain.body {
					t.Fatalf("GET %s (%s): decoded body differs from the plain one", path, tc.accept)
				}
				if tc.coding != "" && len(res.body) >= len(plain.body)/2 {
					t.Errorf("GET %s (%s): %d bytes from %d", path, tc.coding, len(res.body), len(plain.body))
				}
				if cl := res.header.Get("Content-Length"); cl != fmt.Sprint(len(res.body)) {
					t.Errorf("GET %s (%s): Content-Length %s for %d bytes", path, tc.coding, cl, len(res.body))
				}
				etag := res.header.Get("ETag")
				if prev, ok := etags[tc.coding]; ok && prev != etag {
					t.Errorf("GET %s (%s): ETag %s, earlier %s", path, tc.coding, etag, prev)
				}
				etags[tc.coding] = etag
				// The reader's copy in this coding is current...
				if nm := r.getEncoded(path, tc.accept, etag); nm.status != http.StatusNotModified || nm.header.Get("ETag") != etag || nm.body != "" {
					t.Errorf("GET %s (%s) If-None-Match %s: %d, ETag %s", path, tc.accept, etag, nm.status, nm.header.Get("ETag"))
				}
			}
			if len(etags) != 3 || etags[""] == etags["br"] || etags[""] == etags["gzip"] || etags["br"] == etags["gzip"] {
				t.Errorf("GET %s: ETags per coding %v are not distinct", path, etags)
			}
			// ...but a copy in another coding is not what would be sent.
			if res := r.getEncoded(path, "gzip", etags["br"]); res.status != http.StatusOK || res.header.Get("Content-Encoding") != "gzip" {
				t.Errorf("GET %s gzip with the brotli ETag: %d", path, res.status)
			}
			head := httptest.NewRequest(http.MethodHead, path, nil)
			head.Header.Set("Accept-Encoding", "br")
			if res := r.do(head); res.status != http.StatusOK || res.body != "" || res.header.Get("Content-Encoding") != "br" {
				t.Errorf("HEAD %s: %d, %q", path, res.status, res.header.Get("Content-Encoding"))
			}
		}
	}
}

func TestCompressedVariantsCountAgainstTheCacheBound(t *testing.T) {
	r := newRig(t)
	r.post("First", testNow.Add(-time.Hour), func(p *content.Post) { p.Body = longBody("First") })
	r.run()
	r.waitCached(t, "/articles/first")
	size := func() int {
		r.site.cache.mu.Lock()
		defer r.site.cache.mu.Unlock()
		return r.site.cache.size
	}
	before := size()
	br := r.getEncoded("/articles/first", "br", "")
	gz := r.getEncoded("/articles/first", "gzip", "")
	if got, want := size(), before+len(br.body)+len(gz.body); got != want {
		t.Errorf("cache size %d after compressing, want %d", got, want)
	}
	// A second request reuses the variant: nothing more is counted.
	r.getEncoded("/articles/first", "br", "")
	if got, want := size(), before+len(br.body)+len(gz.body); got != want {
		t.Errorf("cache size %d after a repeat, want %d", got, want)
	}
	// Eviction gives back the variants' bytes too.
	r.site.cache.mu.Lock()
	r.site.cache.maxEntries = 0
	r.site.cache.evictLocked()
	r.site.cache.mu.Unlock()
	if got := size(); got != 0 {
		t.Errorf("cache size %d with no pages", got)
	}
}

func TestPageCacheGrowEvicts(t *testing.T) {
	c := newPageCache(10, 100)
	c.refresh(c.mark(), 1, time.Time{}, testNow)
	_, gen := c.get("", testNow)
	a := &cachedPage{key: "a", body: make([]byte, 5)}
	b := &cachedPage{key: "b", body: make([]byte, 5)}
	c.put(a, gen, testNow)
	c.put(b, gen, testNow)
	c.grow(b, 91) // 101 bytes: a, the oldest, goes
	if p, _ := c.get("a", testNow); p != nil || c.size != 96 {
		t.Errorf("after growing b: a kept=%v, size %d", p != nil, c.size)
	}
	c.grow(a, 50) // a is no longer kept: not counted
	if c.size != 96 {
		t.Errorf("size %d after growing an evicted page", c.size)
	}
}

func TestStaticFilesPrecompressed(t *testing.T) {
	r := newRig(t)
	for name, as := range r.site.assets.byName {
		compressible := !strings.HasSuffix(name, ".woff2") && len(as.body) >= compressMinSize
		if (as.encoded[encBrotli] != nil) != compressible || (as.encoded[encGzip] != nil) != compressible {
			t.Errorf("%s: precompressed br=%v gzip=%v", name, as.encoded[encBrotli] != nil, as.encoded[encGzip] != nil)
		}
	}
	css, _ := r.site.assets.url("site.css")
	plain := r.get(css)
	for _, coding := range []string{"br", "gzip"} {
		res := r.getEncoded(css, coding, "")
		if res.status != http.StatusOK || res.header.Get("Content-Encoding") != coding || res.header.Get("Vary") != "Accept-Encoding" {
			t.Fatalf("GET %s (%s): %d %v", css, coding, res.status, res.header)
		}
		if decode(t, coding, []byte(res.body)) != plain.body {
			t.Errorf("GET %s (%s): decoded body differs", css, coding)
		}
		etag := res.header.Get("ETag")
		if etag == plain.header.Get("ETag") {
			t.Errorf("GET %s (%s): same ETag as the plain file", css, coding)
		}
		if nm := r.getEncoded(css, coding, etag); nm.status != http.StatusNotModified {
			t.Errorf("GET %s (%s) If-None-Match: %d", css, coding, nm.status)
		}
	}
	for name, as := range r.site.assets.byName {
		if !strings.HasSuffix(name, ".woff2") {
			continue
		}
		res := r.getEncoded(as.url, "br, gzip", "")
		if res.status != http.StatusOK || res.header.Get("Content-Encoding") != "" || res.body != string(as.body) {
			t.Errorf("GET %s: %d, Content-Encoding %q", as.url, res.status, res.header.Get("Content-Encoding"))
		}
	}
}

func TestSearchCompressedOnTheFly(t *testing.T) {
	r := newRig(t)
	for i := range 5 {
		r.post(fmt.Sprintf("Harbour report %d", i), testNow.Add(-time.Duration(i+1)*time.Hour), nil)
	}
	plain := r.get("/search?q=harbour")
	if plain.status != http.StatusOK || !strings.Contains(plain.body, "report 3") {
		t.Fatalf("search: %d\n%s", plain.status, plain.body)
	}
	for _, coding := range []string{"br", "gzip"} {
		res := r.getEncoded("/search?q=harbour", coding, "")
		if res.status != http.StatusOK || res.header.Get("Content-Encoding") != coding || !strings.Contains(res.header.Get("Vary"), "Accept-Encoding") {
			t.Fatalf("search (%s): %d %v", coding, res.status, res.header)
		}
		if res.header.Get("Content-Length") != "" {
			t.Errorf("search (%s): Content-Length %s on a streamed body", coding, res.header.Get("Content-Length"))
		}
		if decode(t, coding, []byte(res.body)) != plain.body {
			t.Errorf("search (%s): decoded body differs", coding)
		}
	}
	// Error pages go through the same path.
	res := r.getEncoded("/nowhere", "gzip", "")
	if res.status != http.StatusNotFound || res.header.Get("Content-Encoding") != "gzip" ||
		!strings.Contains(decode(t, "gzip", []byte(res.body)), "Page not found") {
		t.Errorf("404 page: %d %q", res.status, res.header.Get("Content-Encoding"))
	}
}

func TestCompressMiddleware(t *testing.T) {
	long := strings.Repeat("All the news that fits, and then some more of it. ", 200)
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		accept  string
		coding  string // expected Content-Encoding
		vary    bool
		body    string
		status  int
	}{
		{"large html", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, long)
		}, "gzip, br", "br", true, long, 200},
		{"many small writes", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			for i := 0; i < len(long); i += 7 {
				io.WriteString(w, long[i:min(i+7, len(long))])
			}
		}, "gzip", "gzip", true, long, 200},
		{"sniffed type", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "<!doctype html><p>"+long)
		}, "gzip", "gzip", true, "<!doctype html><p>" + long, 200},
		{"short body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, "ok")
		}, "gzip", "", true, "ok", 200},
		{"image", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/jpeg")
			io.WriteString(w, long)
		}, "gzip", "", false, long, 200},
		{"no accept-encoding", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, long)
		}, "", "", true, long, 200},
		{"status kept", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusUnprocessableEntity)
			io.WriteString(w, long)
		}, "gzip", "gzip", true, long, 422},
		{"handler negotiated itself", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("Content-Encoding", "gzip")
			z := gzip.NewWriter(w)
			io.WriteString(z, long)
			z.Close()
		}, "gzip", "gzip", false, long, 200},
		{"no body", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNoContent)
		}, "gzip", "", false, "", 204},
		{"nothing written", func(w http.ResponseWriter, r *http.Request) {}, "gzip", "", false, "", 200},
		{"streamed", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, "data: one\n\n")
			http.NewResponseController(w).Flush()
			io.WriteString(w, "data: two\n\n")
		}, "gzip", "gzip", true, "data: one\n\ndata: two\n\n", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(Compress(tc.handler))
			defer srv.Close()
			req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
			if tc.accept != "" {
				req.Header.Set("Accept-Encoding", tc.accept)
			}
			// A transport that leaves the body as it came.
			res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, err := io.ReadAll(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != tc.status || res.Header.Get("Content-Encoding") != tc.coding {
				t.Fatalf("status %d, Content-Encoding %q; want %d, %q", res.StatusCode, res.Header.Get("Content-Encoding"), tc.status, tc.coding)
			}
			if got := strings.Contains(res.Header.Get("Vary"), "Accept-Encoding"); got != tc.vary {
				t.Errorf("Vary %q", res.Header.Get("Vary"))
			}
			if got := decode(t, tc.coding, body); got != tc.body {
				t.Errorf("decoded body %.60q…, want %.60q…", got, tc.body)
			}
		})
	}
}

func FuzzCompressWriter(f *testing.F) {
	f.Add([]byte("short"), uint8(3), true)
	f.Add(bytes.Repeat([]byte("abcdefgh"), 500), uint8(100), false)
	f.Fuzz(func(t *testing.T, body []byte, chunk uint8, brotliFirst bool) {
		accept := "gzip"
		if brotliFirst {
			accept = "br, gzip"
		}
		h := Compress(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			step := int(chunk) + 1
			for i := 0; i < len(body); i += step {
				w.Write(body[i:min(i+step, len(body))])
			}
		}))
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Accept-Encoding", accept)
		h.ServeHTTP(rec, req)
		coding := rec.Header().Get("Content-Encoding")
		if len(body) < compressMinSize && coding != "" {
			t.Fatalf("%d bytes compressed", len(body))
		}
		if got := decode(t, coding, rec.Body.Bytes()); got != string(body) {
			t.Fatalf("round trip through %q lost the body", coding)
		}
	})
}

func TestRenderGroupSharesOneRender(t *testing.T) {
	g := newRenderGroup(4)
	var renders atomic.Int32
	release := make(chan struct{})
	started := make(chan struct{})
	render := func() (*cachedPage, error) {
		if renders.Add(1) == 1 {
			close(started)
		}
		<-release
		return newCachedPage("k", []byte("page")), nil
	}
	const n = 50
	var wg sync.WaitGroup
	pages := make([]*cachedPage, n)
	wg.Go(func() {
		p, err := g.do(context.Background(), "k", 1, render)
		if err != nil {
			t.Error(err)
		}
		pages[0] = p
	})
	<-started
	for i := 1; i < n; i++ {
		wg.Go(func() {
			p, err := g.do(context.Background(), "k", 1, render)
			if err != nil {
				t.Error(err)
			}
			pages[i] = p
		})
	}
	// Everyone who joins waits on the render in flight.
	waitFor(t, "the requests to join the render", func() bool {
		g.mu.Lock()
		defer g.mu.Unlock()
		f := g.flights[flightKey{"k", 1}]
		return f != nil && f.waiters == n-1
	})
	close(release)
	wg.Wait()
	if renders.Load() != 1 {
		t.Errorf("%d renders for one page", renders.Load())
	}
	for i, p := range pages {
		if p == nil || string(p.body) != "page" {
			t.Fatalf("request %d got %v", i, p)
		}
	}
	// Another generation is another render.
	if _, err := g.do(context.Background(), "k", 2, render); err != nil || renders.Load() < 2 {
		t.Errorf("new generation: %v, %d renders", err, renders.Load())
	}
}

func TestRenderGroupBoundsConcurrency(t *testing.T) {
	g := newRenderGroup(2)
	var running, peak atomic.Int32
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			g.do(context.Background(), fmt.Sprint(i), 1, func() (*cachedPage, error) {
				n := running.Add(1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
				<-gate
				running.Add(-1)
				return newCachedPage("", nil), nil
			})
		})
	}
	waitFor(t, "two renders to run", func() bool { return running.Load() == 2 })
	close(gate)
	wg.Wait()
	if peak.Load() != 2 {
		t.Errorf("peak of %d renders at once, bound 2", peak.Load())
	}
	// A request whose reader leaves while it queues gives up.
	hold, _ := g.acquire(context.Background())
	hold2, _ := g.acquire(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := g.do(ctx, "queued", 1, func() (*cachedPage, error) { return nil, nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("queued request after its reader left: %v", err)
	}
	hold()
	hold2()
}

func TestRenderGroupLeaderLeaves(t *testing.T) {
	g := newRenderGroup(4)
	leaderCtx, leave := context.WithCancel(context.Background())
	started := make(chan struct{})
	var follower sync.WaitGroup
	var got *cachedPage
	var gotErr error
	go g.do(leaderCtx, "k", 1, func() (*cachedPage, error) {
		close(started)
		<-leaderCtx.Done()
		return nil, leaderCtx.Err()
	})
	<-started
	follower.Go(func() {
		got, gotErr = g.do(context.Background(), "k", 1, func() (*cachedPage, error) {
			return newCachedPage("k", []byte("fresh")), nil
		})
	})
	waitFor(t, "the follower to join", func() bool {
		g.mu.Lock()
		defer g.mu.Unlock()
		return len(g.flights) == 1
	})
	leave()
	follower.Wait()
	if gotErr != nil || got == nil || string(got.body) != "fresh" {
		t.Errorf("follower after the leader left: %v, %v", got, gotErr)
	}
}

func TestBrotliWindowFitsTheBody(t *testing.T) {
	for _, tc := range []struct{ n, want int }{{0, 10}, {1, 10}, {1024, 10}, {1025, 11}, {90 << 10, 17}, {1 << 30, 22}} {
		if got := brotliWindow(tc.n); got != tc.want {
			t.Errorf("brotliWindow(%d) = %d, want %d", tc.n, got, tc.want)
		}
	}
}
