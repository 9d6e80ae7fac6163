package site

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"masthead/internal/content"
	"masthead/internal/media"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// testNow is the fixed "now" of most tests.
var testNow = time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)

const testBaseURL = "https://mag.example"

// clock is a settable time source for the site under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// rig is a site over a fresh store with a local media directory.
type rig struct {
	t     testing.TB
	store *store.Store
	media *media.Local
	site  *Site
	h     http.Handler
	clock *clock
	ctx   context.Context
}

func newRig(t testing.TB) *rig {
	t.Helper()
	return newRigOn(t, storetest.Open(t))
}

func newRigOn(t testing.TB, st *store.Store) *rig {
	t.Helper()
	m, err := media.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: testNow}
	s, err := New(Options{
		Store:   st,
		Media:   m,
		BaseURL: testBaseURL + "/",
		Logger:  slog.New(slog.NewTextHandler(testLogWriter{t}, nil)),
		Now:     c.Now,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &rig{t: t, store: st, media: m, site: s, h: s.Handler(), clock: c, ctx: context.Background()}
}

// run starts the cache refresher for the rest of the test.
func (r *rig) run() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.site.Run(ctx) }()
	r.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			r.t.Errorf("Run: %v", err)
		}
	})
}

// testLogWriter sends the site's log to the test's log, shown when it
// fails.
type testLogWriter struct{ t testing.TB }

func (w testLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

type response struct {
	status int
	header http.Header
	body   string
}

func (r *rig) do(req *http.Request) response {
	r.t.Helper()
	rec := httptest.NewRecorder()
	r.h.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Result().Header, body: rec.Body.String()}
}

func (r *rig) get(path string) response {
	r.t.Helper()
	return r.do(httptest.NewRequest(http.MethodGet, path, nil))
}

// getOK fetches a page that must answer 200 and checks the rules every page
// keeps.
func (r *rig) getOK(path string) (response, *html.Node) {
	r.t.Helper()
	res := r.get(path)
	if res.status != http.StatusOK {
		r.t.Fatalf("GET %s: status %d, want 200\n%s", path, res.status, res.body)
	}
	return res, checkPage(r.t, path, res.body)
}

func (r *rig) author(name, role, bio string, photo bool) content.Author {
	r.t.Helper()
	a := content.Author{Slug: content.Slugify(name), Name: name, Role: role, Bio: bio}
	if photo {
		a.Photo = r.image("authors/"+a.Slug, 200, 200)
		a.Photo.Alt = "Portrait of " + name
	}
	if err := r.store.SaveAuthor(r.ctx, &a); err != nil {
		r.t.Fatal(err)
	}
	return a
}

func (r *rig) tag(name string, section bool) content.Tag {
	r.t.Helper()
	t := content.Tag{Slug: content.Slugify(name), Name: name, IsSection: section, Description: "All about " + name + "."}
	if err := r.store.SaveTag(r.ctx, &t); err != nil {
		r.t.Fatal(err)
	}
	return t
}

// image stores a small JPEG under a content-hashed key.
func (r *rig) image(base string, w, h int) content.Image {
	r.t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), uint8(len(base) * 7), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		r.t.Fatal(err)
	}
	info, err := media.Probe(bytes.NewReader(buf.Bytes()))
	if err != nil {
		r.t.Fatal(err)
	}
	key := media.HashedKey("images", strings.ReplaceAll(base, "/", "-"), buf.Bytes(), info)
	if err := r.media.Put(r.ctx, key, bytes.NewReader(buf.Bytes())); err != nil {
		r.t.Fatal(err)
	}
	return content.Image{Key: key, Width: w, Height: h}
}

// post saves a published post; fill adjusts it before saving.
func (r *rig) post(title string, published time.Time, fill func(*content.Post)) content.Post {
	r.t.Helper()
	p := content.Post{
		Slug:        content.Slugify(title),
		Title:       title,
		Body:        longBody(title),
		Status:      content.StatusPublished,
		PublishedAt: published,
	}
	if fill != nil {
		fill(&p)
	}
	if err := r.store.SavePost(r.ctx, &p); err != nil {
		r.t.Fatal(err)
	}
	return p
}

// longBody is an article of several blocks whose last paragraph names the
// article, so tests can find it.
func longBody(title string) string {
	return fmt.Sprintf(`The opening paragraph of %[1]s sets the scene.

The second paragraph carries the argument forward.

## What comes next

A third paragraph with [a link](https://example.org/) and *emphasis*.

> A quotation that matters.

The last paragraph of %[1]s.
`, title)
}

// checkPage parses a page and checks what every page must have: one h1,
// a language, unique ids, no inline script or style (the CSP forbids
// them), alt text on every image, and the landmarks.
func checkPage(t testing.TB, path, body string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("GET %s: parse: %v", path, err)
	}
	if !strings.HasPrefix(body, "<!DOCTYPE html>") {
		t.Errorf("GET %s: no doctype", path)
	}
	if n := len(findAll(doc, "h1")); n != 1 {
		t.Errorf("GET %s: %d h1 elements, want 1", path, n)
	}
	if root := find(doc, "html"); root == nil || attr(root, "lang") == "" {
		t.Errorf("GET %s: no lang attribute", path)
	}
	// The sections <nav> is there when the site has sections; tests that
	// make sections check it.
	for _, tag := range []string{"header", "main", "footer"} {
		if find(doc, tag) == nil {
			t.Errorf("GET %s: no <%s> landmark", path, tag)
		}
	}
	ids := map[string]bool{}
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		if id := attr(n, "id"); id != "" {
			if ids[id] {
				t.Errorf("GET %s: duplicate id %q", path, id)
			}
			ids[id] = true
		}
		if hasAttr(n, "style") || n.Data == "style" {
			t.Errorf("GET %s: inline style on <%s>", path, n.Data)
		}
		for _, a := range n.Attr {
			if strings.HasPrefix(a.Key, "on") {
				t.Errorf("GET %s: inline event handler %s on <%s>", path, a.Key, n.Data)
			}
		}
		if n.Data == "script" && attr(n, "src") == "" {
			// Structured data is allowed: browsers do not run it. It must
			// be one JSON value.
			if attr(n, "type") != "application/ld+json" {
				t.Errorf("GET %s: inline script", path)
			} else if ld := text(n); !json.Valid([]byte(ld)) {
				t.Errorf("GET %s: JSON-LD does not parse: %s", path, ld)
			}
		}
		if n.Data == "img" && !hasAttr(n, "alt") {
			t.Errorf("GET %s: <img src=%q> without alt", path, attr(n, "src"))
		}
	})
	if href := attr(find(doc, "a", "class", "skip-link"), "href"); href == "" || !ids[strings.TrimPrefix(href, "#")] {
		t.Errorf("GET %s: skip link %q does not point at an element", path, href)
	}
	return doc
}

func walk(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

// findAll returns the elements named tag, optionally with an attribute
// containing a value (for "class", one of its words).
func findAll(root *html.Node, tag string, attrKV ...string) []*html.Node {
	var out []*html.Node
	walk(root, func(n *html.Node) {
		if n.Type != html.ElementNode || (tag != "" && n.Data != tag) {
			return
		}
		if len(attrKV) == 2 {
			v := attr(n, attrKV[0])
			if attrKV[0] == "class" {
				found := false
				for _, w := range strings.Fields(v) {
					found = found || w == attrKV[1]
				}
				if !found {
					return
				}
			} else if v != attrKV[1] {
				return
			}
		}
		out = append(out, n)
	})
	return out
}

func find(root *html.Node, tag string, attrKV ...string) *html.Node {
	if all := findAll(root, tag, attrKV...); len(all) > 0 {
		return all[0]
	}
	return nil
}

func attr(n *html.Node, key string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// text is the text content of n with white space collapsed.
func text(n *html.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return strings.Join(strings.Fields(b.String()), " ")
}

// headlines are the river's entry headlines in page order.
func headlines(doc *html.Node) []string {
	var out []string
	for _, h := range findAll(doc, "h2", "class", "entry-headline") {
		out = append(out, text(h))
	}
	return out
}
