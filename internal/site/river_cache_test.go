package site

import (
	"fmt"
	"html/template"
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
)

func TestRiverCountRememberedPerContentVersion(t *testing.T) {
	r := newRig(t)
	for i := range riverPageSize + 1 {
		r.post(fmt.Sprintf("Dispatch %d", i), testNow.Add(-time.Duration(i+1)*time.Hour), nil)
	}
	r.run()
	r.waitCached(t, "/")
	if body := r.get("/").body; !strings.Contains(body, "Page 1 of 2") {
		t.Fatal("home page does not say Page 1 of 2")
	}
	r.site.cache.mu.Lock()
	if len(r.site.cache.counts) != 1 {
		t.Errorf("%d river counts remembered, want 1", len(r.site.cache.counts))
	}
	// A remembered count is what the next render of the river shows.
	for k := range r.site.cache.counts {
		r.site.cache.counts[k] = 40 * riverPageSize
	}
	r.site.cache.mu.Unlock()
	if body := r.get("/?page=2").body; !strings.Contains(body, "Page 2 of 40") {
		t.Error("the second page was counted again rather than remembered")
	}
	// A change drops the count with the pages.
	for i := range riverPageSize {
		r.post(fmt.Sprintf("Later dispatch %d", i), testNow.Add(-time.Duration(i+1)*time.Minute), nil)
	}
	r.site.Invalidate()
	if body := r.get("/").body; !strings.Contains(body, "Page 1 of 3") {
		t.Error("after new posts the home page does not say Page 1 of 3")
	}
	r.waitCached(t, "/")
	if body := r.get("/?page=3").body; !strings.Contains(body, "Page 3 of 3") {
		t.Error("the last page is wrong once the count is remembered again")
	}
}

func TestRiverFragmentsFollowTheirInputs(t *testing.T) {
	r := newRig(t)
	ana := r.author("Ana Lima", "Correspondent", "", false)
	world := r.tag("World", true)
	photo := r.image("harbour", 60, 40)
	for i := range 8 {
		r.post(fmt.Sprintf("Story %d", i), testNow.Add(-time.Duration(i+1)*time.Hour), func(p *content.Post) {
			p.Authors = []content.Author{ana}
			p.Section = &world
			p.Image = photo
			p.Image.Alt = "A harbour"
		})
	}
	first := r.get("/").body
	if n := len(r.site.fragments.entries); n != 8 {
		t.Fatalf("%d fragments kept after one river, want 8", n)
	}
	// From the fragments, the page is the same, byte for byte.
	if again := r.get("/").body; again != first {
		t.Fatal("the river rendered from fragments differs")
	}
	// On the section page the entries sit in the same places: shared.
	r.get("/sections/world")
	if n := len(r.site.fragments.entries); n != 8 {
		t.Errorf("%d fragments after the section page, want the same 8", n)
	}

	// Renaming the author changes no post, but every byline.
	ana.Name = "Ana Lima-Sousa"
	if err := r.store.SaveAuthor(r.ctx, &ana); err != nil {
		t.Fatal(err)
	}
	if body := r.get("/").body; strings.Count(body, "Ana Lima-Sousa") < 8 {
		t.Error("the river still shows the old byline")
	}
	// Editing a post shows its new body.
	p, err := r.store.PostBySlug(r.ctx, "story-3")
	if err != nil {
		t.Fatal(err)
	}
	p.Body = "A rewritten opening for the third story.\n\nAnd a second paragraph."
	if err := r.store.SavePost(r.ctx, &p); err != nil {
		t.Fatal(err)
	}
	body := r.get("/").body
	if !strings.Contains(body, "A rewritten opening for the third story.") || strings.Contains(body, "The last paragraph of Story 3.") {
		t.Error("the river shows the old body of an edited post")
	}
	// The same page rendered with no fragments at all is identical.
	r.site.fragments = newFragmentCache(maxFragments, maxFragmentBytes)
	if fresh := r.get("/").body; fresh != body {
		t.Error("the river from fragments differs from a fresh render")
	}
}

func TestFragmentCacheBounds(t *testing.T) {
	c := newFragmentCache(3, 160)
	for _, k := range []string{"a", "b", "c", "d"} {
		c.put(k, "12345")
	}
	if _, ok := c.get("a"); ok {
		t.Error("oldest fragment kept beyond the entry bound")
	}
	c.get("b") // used: now the newest
	c.put("e", "12345")
	if _, ok := c.get("b"); !ok {
		t.Error("a fragment in use was evicted before an unused one")
	}
	if _, ok := c.get("c"); ok {
		t.Error("the least recently used fragment was kept")
	}
	c.put("huge", template.HTML(strings.Repeat("x", 20)))
	if _, ok := c.get("huge"); ok {
		t.Error("a fragment over a sixteenth of the byte bound was kept")
	}
	if c.size != 3*6 {
		t.Errorf("size %d, want 18", c.size)
	}
}
