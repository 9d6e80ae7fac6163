package site

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
)

func TestArticlePage(t *testing.T) {
	r := newRig(t)
	world := r.tag("World", true)
	trade := r.tag("Trade", false)
	energy := r.tag("Energy", false)
	ana := r.author("Ana Lima", "Senior Fellow, Americas Program", "Ana covers *Brazil*.", true)
	ben := r.author("Ben Okoro", "Correspondent", "Ben reports from Lagos.", false)
	published := testNow.Add(-26 * time.Hour)
	p := r.post("The Quiet Winners", published, func(p *content.Post) {
		p.Deck = "Middle powers profit from the divide"
		p.Authors = []content.Author{ana, ben}
		p.Section = &world
		p.Tags = []content.Tag{trade, energy}
		p.Body = "# A stray top heading\n\n" + longBody("The Quiet Winners")
		p.UpdatedAt = testNow.Add(-2 * time.Hour)
		p.Image = r.image("winners", 160, 90)
		p.Image.Alt = "Ships at anchor"
		p.Image.Caption = "Ships wait off *Rotterdam*."
		p.Image.Credit = "Jane Doe / Agency"
		p.Corrections = []content.Correction{
			{Date: testNow.Add(-5 * time.Hour), Note: "An earlier version misstated the **share** of trade."},
		}
	})
	for i, title := range []string{"Related one", "Related two", "Related three", "Related four", "Related five"} {
		r.post(title, published.Add(-time.Duration(i+1)*time.Hour), func(p *content.Post) { p.Section = &world })
	}
	r.post("Unrelated", published.Add(-time.Hour), nil)

	res, doc := r.getOK("/articles/the-quiet-winners")
	h1 := findAll(doc, "h1")
	if len(h1) != 1 || text(h1[0]) != "The Quiet Winners" {
		t.Fatalf("h1 %q", text(h1[0]))
	}
	if got := text(find(doc, "p", "class", "deck")); got != "Middle powers profit from the divide" {
		t.Errorf("deck %q", got)
	}
	if got := text(find(doc, "p", "class", "kicker")); got != "World" {
		t.Errorf("section kicker %q", got)
	}
	byline := find(doc, "p", "class", "byline")
	if got := text(byline); got != "By Ana Lima and Ben Okoro" {
		t.Errorf("byline %q", got)
	}
	var links []string
	for _, a := range findAll(byline, "a") {
		links = append(links, attr(a, "href"))
	}
	if !slices.Equal(links, []string{"/authors/ana-lima", "/authors/ben-okoro"}) {
		t.Errorf("byline links %q", links)
	}
	dates := find(doc, "p", "class", "dates")
	times := findAll(dates, "time")
	if len(times) != 2 || attr(times[0], "datetime") != "2025-03-09T10:00:00Z" || text(times[0]) != "March 9, 2025" ||
		attr(times[1], "datetime") != "2025-03-10T10:00:00Z" || !strings.Contains(text(dates), "Updated March 10, 2025") {
		t.Errorf("dates %q", text(dates))
	}

	fig := find(doc, "figure", "class", "top-photo")
	img := find(fig, "img")
	if !strings.HasPrefix(attr(img, "src"), "/media/images/winners-") || attr(img, "width") != "160" ||
		attr(img, "height") != "90" || attr(img, "alt") != "Ships at anchor" {
		t.Errorf("top photo %v", img.Attr)
	}
	if cap := find(fig, "span", "class", "caption"); text(cap) != "Ships wait off Rotterdam." || find(cap, "em") == nil {
		t.Errorf("caption %q", text(cap))
	}
	if got := text(find(fig, "span", "class", "credit")); got != "Top photo credit: Jane Doe / Agency" {
		t.Errorf("credit %q", got)
	}

	body := find(doc, "div", "class", "article-body")
	if got := text(body); !strings.Contains(got, "The opening paragraph of The Quiet Winners") ||
		!strings.HasSuffix(got, "The last paragraph of The Quiet Winners.") {
		t.Errorf("body %q", got)
	}
	if find(body, "blockquote") == nil || attr(find(body, "a"), "href") != "https://example.org/" {
		t.Error("body lost its quotation or link")
	}
	// The body's own top heading gives way to the headline.
	if h := find(body, "h2", "id", "a-stray-top-heading"); h == nil {
		t.Error("a # heading in the body is not demoted to h2")
	}

	corr := find(doc, "aside", "class", "corrections")
	if got := text(corr); got != "Correction March 10, 2025: An earlier version misstated the share of trade." {
		t.Errorf("corrections %q", got)
	}
	if find(corr, "strong") == nil || attr(find(corr, "time"), "datetime") != "2025-03-10T07:00:00Z" {
		t.Error("correction note not rendered or not dated")
	}

	boxes := findAll(doc, "section", "class", "author-box")
	if len(boxes) != 2 {
		t.Fatalf("%d author boxes, want 2", len(boxes))
	}
	if a := find(boxes[0], "h2"); text(a) != "Ana Lima" || attr(find(a, "a"), "href") != "/authors/ana-lima" {
		t.Errorf("author box name %q", text(a))
	}
	if got := text(find(boxes[0], "p", "class", "author-role")); got != "Senior Fellow, Americas Program" {
		t.Errorf("author box role %q", got)
	}
	if bio := find(boxes[0], "div", "class", "author-bio"); text(bio) != "Ana covers Brazil." || find(bio, "em") == nil {
		t.Errorf("author box bio %q", text(bio))
	}
	if img := find(boxes[0], "img"); attr(img, "width") != "200" {
		t.Errorf("author box photo %v", img)
	}
	if find(boxes[1], "img") != nil || text(find(boxes[1], "div", "class", "author-bio")) != "Ben reports from Lagos." {
		t.Error("second author box wrong")
	}

	var tags []string
	for _, a := range findAll(find(doc, "nav", "class", "tags"), "a") {
		tags = append(tags, text(a)+" "+attr(a, "href"))
	}
	if want := []string{"World /tags/world", "Trade /tags/trade", "Energy /tags/energy"}; !slices.Equal(tags, want) {
		t.Errorf("tags %q, want %q", tags, want)
	}

	related := find(doc, "aside", "class", "related")
	var rel []string
	for _, h := range findAll(related, "h3") {
		rel = append(rel, text(h))
	}
	if want := []string{"Related one", "Related two", "Related three", "Related four"}; !slices.Equal(rel, want) {
		t.Errorf("related %q, want %q", rel, want)
	}

	if got := attr(find(doc, "link", "rel", "canonical"), "href"); got != testBaseURL+"/articles/the-quiet-winners" {
		t.Errorf("canonical %q", got)
	}
	if got := text(find(doc, "title")); got != "The Quiet Winners — Masthead" {
		t.Errorf("title %q", got)
	}
	if got := attr(find(doc, "meta", "name", "description"), "content"); !strings.HasPrefix(got, "The opening paragraph of The Quiet Winners") {
		t.Errorf("description %q, want the summary", got)
	}
	if got := attr(find(doc, "meta", "property", "og:image"), "content"); !strings.HasPrefix(got, testBaseURL+"/media/images/winners-") {
		t.Errorf("og:image %q", got)
	}
	if res.header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("content type %q", res.header.Get("Content-Type"))
	}

	// SEO fields and a canonical URL elsewhere take precedence.
	p.SEOTitle = "Who gains from the new cold war"
	p.SEODescription = "A short description for search engines."
	p.CanonicalURL = "https://elsewhere.example/original"
	p.Corrections = nil
	p.UpdatedAt = time.Time{}
	if err := r.store.SavePost(r.ctx, &p); err != nil {
		t.Fatal(err)
	}
	_, doc = r.getOK("/articles/the-quiet-winners")
	if got := text(find(doc, "title")); got != "Who gains from the new cold war" {
		t.Errorf("SEO title %q", got)
	}
	if got := attr(find(doc, "meta", "name", "description"), "content"); got != "A short description for search engines." {
		t.Errorf("SEO description %q", got)
	}
	if got := attr(find(doc, "link", "rel", "canonical"), "href"); got != "https://elsewhere.example/original" {
		t.Errorf("canonical %q", got)
	}
	if find(doc, "aside", "class", "corrections") != nil || find(doc, "span", "class", "updated") != nil {
		t.Error("corrections or Updated shown without any")
	}
}

func TestArticleMinimal(t *testing.T) {
	r := newRig(t)
	r.post("Bare", testNow.Add(-time.Hour), func(p *content.Post) { p.Body = "Just one paragraph." })
	_, doc := r.getOK("/articles/bare")
	for _, class := range []string{"deck", "byline", "kicker"} {
		if find(doc, "p", "class", class) != nil {
			t.Errorf("empty %s shown", class)
		}
	}
	for _, n := range []struct{ tag, class string }{
		{"figure", "top-photo"}, {"aside", "corrections"}, {"section", "author-box"}, {"nav", "tags"}, {"aside", "related"},
	} {
		if find(doc, n.tag, "class", n.class) != nil {
			t.Errorf("empty %s shown", n.class)
		}
	}
}

func TestUpdatedView(t *testing.T) {
	pub := time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		updated time.Time
		want    string // "" means not shown
	}{
		{"never", time.Time{}, ""},
		{"before publication", pub.Add(-time.Hour), ""},
		{"same moment", pub, ""},
		{"minutes later", pub.Add(59 * time.Minute), ""},
		{"an hour later", pub.Add(time.Hour), "March 10, 2025, 10:00 UTC"},
		{"next day", pub.Add(15 * time.Hour), "March 11, 2025"},
		{"next day, minutes later", time.Date(2025, 3, 10, 23, 50, 0, 0, time.UTC), "March 10, 2025, 23:50 UTC"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := updatedView(pub, c.updated)
			switch {
			case c.want == "" && got != nil:
				t.Errorf("shown as %q", got.Text)
			case c.want != "" && (got == nil || got.Text != c.want):
				t.Errorf("got %v, want %q", got, c.want)
			}
		})
	}
	// Across midnight a short change still names the new day.
	late := time.Date(2025, 3, 10, 23, 50, 0, 0, time.UTC)
	if got := updatedView(late, late.Add(20*time.Minute)); got == nil || got.Text != "March 11, 2025" {
		t.Errorf("change across midnight: %v", got)
	}
}

func TestArticleVisibility(t *testing.T) {
	r := newRig(t)
	r.post("Draft", testNow.Add(-time.Hour), func(p *content.Post) { p.Status = content.StatusDraft })
	r.post("In review", testNow.Add(-time.Hour), func(p *content.Post) { p.Status = content.StatusReview })
	r.post("Scheduled", testNow.Add(time.Hour), func(p *content.Post) { p.Status = content.StatusScheduled })
	r.post("Future", testNow.Add(time.Minute), nil)
	r.post("Archived", testNow.Add(-time.Hour), func(p *content.Post) { p.Status = content.StatusArchived })
	r.post("Visible", testNow, nil)
	for _, slug := range []string{"draft", "in-review", "scheduled", "future", "archived", "never-existed"} {
		if res := r.get("/articles/" + slug); res.status != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", slug, res.status)
		}
	}
	r.getOK("/articles/visible")
	r.clock.Set(testNow.Add(time.Minute))
	r.getOK("/articles/future")
}

func TestOldSlugsAndDeletedArticles(t *testing.T) {
	r := newRig(t)
	p := r.post("First title", testNow.Add(-time.Hour), nil)
	p.Slug = "better-title"
	if err := r.store.SavePost(r.ctx, &p); err != nil {
		t.Fatal(err)
	}
	res := r.get("/articles/first-title")
	if res.status != http.StatusMovedPermanently || res.header.Get("Location") != "/articles/better-title" {
		t.Fatalf("old slug: status %d, Location %q; want 301 to the new slug", res.status, res.header.Get("Location"))
	}
	r.getOK("/articles/better-title")

	if err := r.store.DeletePost(r.ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	for _, slug := range []string{"better-title", "first-title"} {
		res := r.get("/articles/" + slug)
		if res.status != http.StatusGone {
			t.Errorf("deleted %s: status %d, want 410", slug, res.status)
			continue
		}
		doc := checkPage(t, slug, res.body)
		if find(doc, "a", "href", "/") == nil || !strings.Contains(text(find(doc, "h1")), "removed") {
			t.Errorf("410 page %q", text(find(doc, "main")))
		}
	}
}

func TestBodyAdjustments(t *testing.T) {
	cases := []struct {
		name, in     string
		shift, min   int
		prefix, want string
	}{
		{"article demotes h1 only", `<h1 id="a">A</h1><h2 id="b">B</h2><h3>C</h3>`, 0, 2, "",
			`<h2 id="a">A</h2><h2 id="b">B</h2><h3>C</h3>`},
		{"river shifts and prefixes", `<h2 id="b">B</h2><p><a href="#b">to b</a><a href="https://x.example/#b">out</a></p><h6>F</h6>`, 1, 3, "post-7-",
			`<h3 id="post-7-b">B</h3><p><a href="#post-7-b">to b</a><a href="https://x.example/#b">out</a></p><h6>F</h6>`},
		{"other tags untouched", `<hr><header><p>h1 &lt;h1&gt; text</p>`, 1, 3, "x-", `<hr><header><p>h1 &lt;h1&gt; text</p>`},
		{"footnotes", `<sup id="fnref:1"><a href="#fn:1">1</a></sup><li id="fn:1">`, 1, 3, "p-",
			`<sup id="p-fnref:1"><a href="#p-fn:1">1</a></sup><li id="p-fn:1">`},
		{"empty", "", 1, 3, "p-", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := adjustBody(c.in, c.shift, c.min, c.prefix); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestSplitBody(t *testing.T) {
	body := content.Render(longBody("X"))
	opening, rest, whole := splitBody(body)
	if whole || opening+rest != body {
		t.Fatalf("opening and rest do not make the body: whole=%v", whole)
	}
	if !strings.Contains(opening, "second paragraph") || strings.Contains(opening, "What comes next") {
		t.Errorf("opening %q", opening)
	}
	if _, rest, _ := splitBody(content.Render("One.\n\nTwo.")); rest != "" {
		t.Errorf("a two-block body leaves rest %q", rest)
	}
}
