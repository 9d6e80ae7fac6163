package site

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
)

func TestHomeRiver(t *testing.T) {
	r := newRig(t)
	world := r.tag("World", true)
	ana := r.author("Ana Lima", "Editor", "Ana covers Brazil.", true)
	ben := r.author("Ben Okoro", "", "", false)
	r.post("Older story", testNow.Add(-48*time.Hour), func(p *content.Post) { p.Authors = []content.Author{ben} })
	r.post("Newest story", testNow.Add(-time.Hour), func(p *content.Post) {
		p.Deck = "The deck of the newest story"
		p.Authors = []content.Author{ana, ben}
		p.Section = &world
		p.Image = r.image("newest", 120, 80)
		p.Image.Alt = "A river at dawn"
	})
	r.post("Middle story", testNow.Add(-24*time.Hour), nil)
	// Readers must not see these.
	r.post("Draft story", testNow.Add(-2*time.Hour), func(p *content.Post) { p.Status = content.StatusDraft })
	r.post("Scheduled story", testNow.Add(time.Hour), nil)
	r.post("Archived story", testNow.Add(-3*time.Hour), func(p *content.Post) { p.Status = content.StatusArchived })

	_, doc := r.getOK("/")
	if got, want := headlines(doc), []string{"Newest story", "Middle story", "Older story"}; !slices.Equal(got, want) {
		t.Fatalf("headlines %q, want %q (newest first, public only)", got, want)
	}
	if h1 := find(doc, "h1"); text(h1) != "Latest" {
		t.Errorf("h1 %q, want the hidden %q", text(h1), "Latest")
	}

	entry := find(doc, "article", "id", "post-2")
	if entry == nil {
		t.Fatal("no entry for the newest story")
	}
	if !strings.Contains(attr(entry, "class"), "entry-lead") {
		t.Errorf("the first entry is not the lead story: class %q", attr(entry, "class"))
	}
	img := find(entry, "img")
	if attr(img, "width") != "120" || attr(img, "height") != "80" || attr(img, "alt") != "A river at dawn" ||
		!strings.HasPrefix(attr(img, "src"), "/media/images/newest-") {
		t.Errorf("entry photo %v", img.Attr)
	}
	if a := find(find(entry, "h2"), "a"); attr(a, "href") != "/articles/newest-story" {
		t.Errorf("headline link %q", attr(a, "href"))
	}
	if got := text(find(entry, "p", "class", "entry-deck")); got != "The deck of the newest story" {
		t.Errorf("deck %q", got)
	}
	byline := find(entry, "span", "class", "byline")
	if got := text(byline); got != "By Ana Lima and Ben Okoro" {
		t.Errorf("byline %q", got)
	}
	var hrefs []string
	for _, a := range findAll(byline, "a") {
		hrefs = append(hrefs, attr(a, "href"))
	}
	if !slices.Equal(hrefs, []string{"/authors/ana-lima", "/authors/ben-okoro"}) {
		t.Errorf("byline links %q", hrefs)
	}
	if tm := find(entry, "time"); attr(tm, "datetime") != "2025-03-10T11:00:00Z" || text(tm) != "March 10, 2025" {
		t.Errorf("date %v %q", tm.Attr, text(tm))
	}
	if got := text(find(entry, "p", "class", "kicker")); got != "World" {
		t.Errorf("kicker %q", got)
	}

	// The opening shows; the rest waits behind Keep reading, whole.
	opening := text(find(entry, "div", "class", "entry-opening"))
	if !strings.Contains(opening, "The opening paragraph of Newest story") || !strings.Contains(opening, "second paragraph") ||
		strings.Contains(opening, "third paragraph") {
		t.Errorf("opening %q", opening)
	}
	details := find(entry, "details", "class", "more")
	if details == nil || hasAttr(details, "open") {
		t.Fatal("no closed <details> for Keep reading")
	}
	summary := find(details, "summary")
	if got := text(find(summary, "span", "class", "more-closed")); got != "Keep reading" {
		t.Errorf("summary %q", got)
	}
	if got := text(find(summary, "span", "class", "more-open")); got != "Show less" {
		t.Errorf("open summary %q", got)
	}
	rest := text(find(details, "div", "class", "more-body"))
	if !strings.Contains(rest, "A third paragraph") || !strings.HasSuffix(rest, "The last paragraph of Newest story.") ||
		strings.Contains(rest, "opening paragraph") {
		t.Errorf("unfolded text %q", rest)
	}
	// Headings inside a river entry sit under its h2.
	if h := find(details, "h3"); text(h) != "What comes next" || attr(h, "id") != "post-2-what-comes-next" {
		t.Errorf("body heading in the river: %v %q", h, text(h))
	}
	if find(doc, "nav", "class", "pager") != nil {
		t.Error("pager on a river that fits one page")
	}
}

func TestRiverPagination(t *testing.T) {
	r := newRig(t)
	const n = 2*riverPageSize + 3
	for i := range n {
		// Post i is i hours old: "Story 0" is the newest.
		r.post(fmt.Sprintf("Story %d", i), testNow.Add(-time.Duration(i)*time.Hour), func(p *content.Post) {
			p.Body = "One.\n\nTwo."
		})
	}
	pages := []struct {
		path         string
		first, count int
		newer, older string
	}{
		{"/", 0, riverPageSize, "", "/?page=2"},
		{"/?page=1", 0, riverPageSize, "", "/?page=2"},
		{"/?page=2", riverPageSize, riverPageSize, "/", "/?page=3"},
		{"/?page=3", 2 * riverPageSize, 3, "/?page=2", ""},
	}
	for _, pg := range pages {
		t.Run(pg.path, func(t *testing.T) {
			_, doc := r.getOK(pg.path)
			got := headlines(doc)
			if len(got) != pg.count || got[0] != fmt.Sprintf("Story %d", pg.first) {
				t.Fatalf("%d entries starting %q, want %d starting with Story %d", len(got), got[0], pg.count, pg.first)
			}
			newer := find(doc, "a", "rel", "prev")
			older := find(doc, "a", "rel", "next")
			if attr(newer, "href") != pg.newer || (newer != nil && !strings.Contains(text(newer), "Newer")) {
				t.Errorf("newer link %q, want %q", attr(newer, "href"), pg.newer)
			}
			if attr(older, "href") != pg.older || (older != nil && !strings.Contains(text(older), "Older")) {
				t.Errorf("older link %q, want %q", attr(older, "href"), pg.older)
			}
			// Short bodies have nothing to unfold.
			if find(doc, "details") != nil {
				t.Error("Keep reading on a body of two blocks")
			}
		})
	}
	_, doc := r.getOK("/?page=2")
	if got := attr(find(doc, "link", "rel", "canonical"), "href"); got != testBaseURL+"/?page=2" {
		t.Errorf("canonical of page 2: %q", got)
	}

	for path, want := range map[string]int{
		"/?page=4":              http.StatusNotFound,
		"/?page=99999999999999": http.StatusNotFound,
		"/?page=0":              http.StatusBadRequest,
		"/?page=-1":             http.StatusBadRequest,
		"/?page=two":            http.StatusBadRequest,
		"/?page=02":             http.StatusBadRequest,
		"/?page=1&page=2":       http.StatusBadRequest,
		"/?page=":               http.StatusBadRequest,
	} {
		res := r.get(path)
		if res.status != want {
			t.Errorf("GET %s: status %d, want %d", path, res.status, want)
			continue
		}
		checkPage(t, path, res.body)
	}
}

func TestEmptyRiver(t *testing.T) {
	r := newRig(t)
	res, doc := r.getOK("/")
	if !strings.Contains(res.body, "Nothing has been published here yet.") || len(headlines(doc)) != 0 {
		t.Error("empty home page does not say so")
	}
	if res := r.get("/?page=2"); res.status != http.StatusNotFound {
		t.Errorf("page 2 of nothing: status %d", res.status)
	}
}

func TestSectionTagAuthorRivers(t *testing.T) {
	r := newRig(t)
	world := r.tag("World", true)
	economy := r.tag("Economy", true)
	trade := r.tag("Trade", false)
	ana := r.author("Ana Lima", "Senior Fellow, Americas Program", "Ana *covers* Brazil.", true)
	ben := r.author("Ben Okoro", "", "", false)
	r.post("World one", testNow.Add(-1*time.Hour), func(p *content.Post) {
		p.Section, p.Authors = &world, []content.Author{ana}
	})
	r.post("World two", testNow.Add(-2*time.Hour), func(p *content.Post) {
		p.Section, p.Tags, p.Authors = &world, []content.Tag{trade}, []content.Author{ben}
	})
	r.post("Economy one", testNow.Add(-3*time.Hour), func(p *content.Post) {
		p.Section, p.Authors = &economy, []content.Author{ana, ben}
	})
	r.post("Trade section", testNow.Add(-4*time.Hour), func(p *content.Post) { p.Section = &trade })
	r.post("World draft", testNow.Add(-5*time.Hour), func(p *content.Post) {
		p.Section, p.Status, p.Authors = &world, content.StatusDraft, []content.Author{ana}
	})

	cases := []struct {
		path  string
		h1    string
		posts []string
	}{
		{"/sections/world", "World", []string{"World one", "World two"}},
		{"/sections/economy", "Economy", []string{"Economy one"}},
		{"/tags/trade", "Trade", []string{"World two", "Trade section"}},
		{"/tags/world", "World", []string{"World one", "World two"}},
		{"/authors/ana-lima", "Ana Lima", []string{"World one", "Economy one"}},
		{"/authors/ben-okoro", "Ben Okoro", []string{"World two", "Economy one"}},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			_, doc := r.getOK(c.path)
			if got := text(find(doc, "h1")); got != c.h1 {
				t.Errorf("h1 %q, want %q", got, c.h1)
			}
			if got := headlines(doc); !slices.Equal(got, c.posts) {
				t.Errorf("entries %q, want %q", got, c.posts)
			}
			if got := attr(find(doc, "link", "rel", "canonical"), "href"); got != testBaseURL+c.path {
				t.Errorf("canonical %q", got)
			}
		})
	}

	_, doc := r.getOK("/sections/world")
	if nav := find(doc, "nav", "aria-label", "Sections"); len(findAll(nav, "a")) != 2 {
		t.Errorf("navigation does not list the two sections")
	}
	if cur := find(doc, "a", "aria-current", "page"); attr(cur, "href") != "/sections/world" {
		t.Errorf("navigation does not mark the current section: %v", cur)
	}
	if got := text(find(doc, "p", "class", "river-intro")); got != "All about World." {
		t.Errorf("section description %q", got)
	}

	// The author page leads with the profile.
	_, doc = r.getOK("/authors/ana-lima")
	header := find(doc, "header", "class", "author-header")
	if img := find(header, "img"); !strings.HasPrefix(attr(img, "src"), "/media/images/authors-ana-lima-") ||
		attr(img, "width") != "200" || attr(img, "height") != "200" {
		t.Errorf("author photo %v", img)
	}
	if got := text(find(header, "p", "class", "author-role")); got != "Senior Fellow, Americas Program" {
		t.Errorf("role %q", got)
	}
	if bio := find(header, "div", "class", "author-bio"); find(bio, "em") == nil || text(bio) != "Ana covers Brazil." {
		t.Errorf("bio %q", text(bio))
	}

	for _, path := range []string{
		"/sections/nowhere", "/tags/nowhere", "/authors/nobody",
		"/sections/trade", // a tag, but not a section
		"/sections/world/", "/nowhere", "/articles/",
	} {
		res := r.get(path)
		if res.status != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, res.status)
			continue
		}
		doc := checkPage(t, path, res.body)
		if find(doc, "a", "href", "/") == nil || find(doc, "a", "href", "/sections/world") == nil {
			t.Errorf("GET %s: the 404 page offers no way back", path)
		}
	}
}

func TestSubscribeBox(t *testing.T) {
	r := newRig(t)
	r.post("A story", testNow.Add(-time.Hour), nil)
	for _, path := range []string{"/", "/articles/a-story", "/nowhere"} {
		if body := r.get(path).body; strings.Contains(body, "Subscribe to our weekly round-up") || strings.Contains(body, "/subscribe") {
			t.Errorf("GET %s: subscribe box shown while the newsletter is off", path)
		}
	}
	if err := r.store.SetSetting(r.ctx, "newsletter.enabled", "true"); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/articles/a-story", "/nowhere"} {
		res := r.get(path)
		doc := checkPage(t, path, res.body)
		box := find(doc, "section", "class", "subscribe")
		if !strings.Contains(text(box), "Subscribe to our weekly round-up") {
			t.Errorf("GET %s: no subscribe box while the newsletter is on", path)
			continue
		}
		form := find(box, "form")
		if attr(form, "method") != "post" || attr(form, "action") != "/subscribe" {
			t.Errorf("GET %s: form %v", path, form.Attr)
		}
		// One email field for readers, and a hidden honeypot field that
		// only robots fill in.
		inputs := findAll(form, "input")
		if len(inputs) != 2 || attr(inputs[0], "type") != "email" || attr(inputs[0], "name") != "email" ||
			attr(inputs[1], "name") != "website" || attr(inputs[1], "tabindex") != "-1" {
			t.Errorf("GET %s: want one email field and the honeypot", path)
		}
		if label := find(form, "label"); attr(label, "for") != attr(inputs[0], "id") {
			t.Errorf("GET %s: email field has no label", path)
		}
	}
}

func TestSettings(t *testing.T) {
	r := newRig(t)
	_, doc := r.getOK("/")
	if got := text(find(doc, "title")); got != "Masthead" {
		t.Errorf("default title %q", got)
	}
	if got := attr(find(doc, "html"), "lang"); got != "en" {
		t.Errorf("default lang %q", got)
	}
	for k, v := range map[string]string{"site.name": "Latitude", "site.description": "World affairs", "site.language": "pt-BR"} {
		if err := r.store.SetSetting(r.ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	_, doc = r.getOK("/")
	if got := text(find(doc, "p", "class", "wordmark")); got != "Latitude" {
		t.Errorf("wordmark %q", got)
	}
	if got := attr(find(doc, "meta", "name", "description"), "content"); got != "World affairs" {
		t.Errorf("description %q", got)
	}
	if got := attr(find(doc, "html"), "lang"); got != "pt-BR" {
		t.Errorf("lang %q", got)
	}
	if err := r.store.SetSetting(r.ctx, "site.language", `en" onload="x`); err != nil {
		t.Fatal(err)
	}
	_, doc = r.getOK("/")
	if got := attr(find(doc, "html"), "lang"); got != "en" {
		t.Errorf("a malformed language setting gives lang %q, want the default", got)
	}
}
