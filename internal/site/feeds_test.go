package site

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"masthead/internal/content"
)

// feedRig is a magazine with a section, a tag, two authors and articles
// whose titles hold everything that breaks careless XML.
type feedRig struct {
	*rig
	world, trade content.Tag
	ana, ben     content.Author
	posts        []content.Post // public, newest first
}

const nastyTitle = "Trade & <Tariffs> ]]> \"quoted\" \x01\x0b\x1f\ufffe end"

// nastyTitleClean is nastyTitle as a feed can carry it.
const nastyTitleClean = "Trade & <Tariffs> ]]> \"quoted\"  end"

func newFeedRig(t *testing.T) *feedRig {
	r := &feedRig{rig: newRig(t)}
	for k, v := range map[string]string{"site.name": "Latitude", "site.description": "A magazine of world affairs",
		"site.logo": "images/logo.png"} {
		if err := r.store.SetSetting(r.ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	r.world = r.tag("World", true)
	r.trade = r.tag("Trade", false)
	r.ana = r.author("Ana Lima", "Editor", "Ana covers Brazil.", true)
	r.ben = r.author("Ben Okoro", "", "", false)
	day := 24 * time.Hour
	first := r.post(nastyTitle, testNow.Add(-day), func(p *content.Post) {
		p.Slug = "nasty"
		p.Deck = "A deck"
		p.Authors = []content.Author{r.ana, r.ben}
		p.Section = &r.world
		p.Tags = []content.Tag{r.trade}
		p.Image = r.image("nasty", 120, 80)
		p.Image.Alt = "Cranes at dusk"
		p.Image.Caption = "The port of *Santos*."
		p.Image.Credit = "A. Photographer"
		p.Body = "Read [the earlier piece](/articles/older) and [the notes](#notes) or [elsewhere](https://example.org/x).\n\n" +
			"![A chart](/media/images/chart.png)\n\nA claim.[^1]\n\n[^1]: The source, with \x02 a control character.\n"
		p.Corrections = []content.Correction{{Date: testNow.Add(-12 * time.Hour), Note: "An earlier version misspelled *Santos*."}}
	})
	second := r.post("Older", testNow.Add(-2*day), func(p *content.Post) {
		p.Authors = []content.Author{r.ben}
		p.Section = &r.world
		p.Excerpt = "An explicit excerpt."
	})
	third := r.post("Oldest in trade", testNow.Add(-3*day), func(p *content.Post) {
		p.Authors = []content.Author{r.ana}
		p.Tags = []content.Tag{r.trade}
	})
	r.posts = []content.Post{first, second, third}
	// None of these may appear.
	r.post("A draft", testNow.Add(-time.Hour), func(p *content.Post) { p.Status = content.StatusDraft; p.Section = &r.world })
	r.post("Scheduled", testNow.Add(time.Hour), func(p *content.Post) { p.Section = &r.world; p.Authors = []content.Author{r.ana} })
	r.post("Archived", testNow.Add(-time.Hour), func(p *content.Post) { p.Status = content.StatusArchived })
	return r
}

func parseFeed(t *testing.T, path string, res response) *gofeed.Feed {
	t.Helper()
	if res.status != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", path, res.status, res.body)
	}
	if strings.HasSuffix(path, ".xml") {
		wellFormed(t, path, res.body)
	}
	f, err := gofeed.NewParser().ParseString(res.body)
	if err != nil {
		t.Fatalf("GET %s: gofeed: %v\n%s", path, err, res.body)
	}
	return f
}

// wellFormed decodes a whole XML document strictly.
func wellFormed(t *testing.T, path, body string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(body))
	d.Strict = true
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("GET %s: not well-formed XML: %v", path, err)
		}
	}
}

func TestFeedsMatchTheArticles(t *testing.T) {
	r := newFeedRig(t)
	type scope struct {
		river string
		posts []content.Post
		title string
	}
	p := r.posts
	scopes := []scope{
		{"", p, "Latitude"},
		{"/sections/world", []content.Post{p[0], p[1]}, "Latitude — World"},
		{"/tags/trade", []content.Post{p[0], p[2]}, "Latitude — Trade"},
		{"/authors/ana-lima", []content.Post{p[0], p[2]}, "Latitude — Ana Lima"},
	}
	for _, sc := range scopes {
		for _, file := range []string{"feed.xml", "atom.xml", "feed.json"} {
			path := sc.river + "/" + file
			res := r.get(path)
			f := parseFeed(t, path, res)
			want := map[string]string{"feed.xml": "rss", "atom.xml": "atom", "feed.json": "json"}[file]
			if f.FeedType != want {
				t.Errorf("%s: feed type %q, want %q", path, f.FeedType, want)
			}
			if ct := res.header.Get("Content-Type"); !strings.Contains(ct, map[string]string{"rss": "rss+xml", "atom": "atom+xml", "json": "feed+json"}[want]) {
				t.Errorf("%s: Content-Type %q", path, ct)
			}
			if f.Title != sc.title {
				t.Errorf("%s: title %q, want %q", path, f.Title, sc.title)
			}
			home := testBaseURL + sc.river
			if sc.river == "" {
				home += "/"
			}
			if f.Link != home {
				t.Errorf("%s: link %q, want %q", path, f.Link, home)
			}
			if want := testBaseURL + path; !slices.Contains(f.Links, want) && f.FeedLink != want {
				t.Errorf("%s: self link %q %q, want %q", path, f.FeedLink, f.Links, want)
			}
			if f.Language != "en" {
				t.Errorf("%s: language %q", path, f.Language)
			}
			if len(f.Items) != len(sc.posts) {
				t.Fatalf("%s: %d items, want %d", path, len(f.Items), len(sc.posts))
			}
			for i, it := range f.Items {
				checkFeedItem(t, path, want, it, sc.posts[i], r)
			}
			// Last-Modified is the newest change among the items.
			newest := time.Time{}
			for _, p := range sc.posts {
				newest = latest(newest, p.ModifiedAt)
				for _, a := range p.Authors {
					newest = latest(newest, a.UpdatedAt)
				}
			}
			if got := res.header.Get("Last-Modified"); got != newest.UTC().Format(http.TimeFormat) {
				t.Errorf("%s: Last-Modified %q, want %q", path, got, newest.UTC().Format(http.TimeFormat))
			}
		}
	}
}

func checkFeedItem(t *testing.T, path, kind string, it *gofeed.Item, p content.Post, r *feedRig) {
	t.Helper()
	u := testBaseURL + "/articles/" + p.Slug
	title := p.Title
	if p.Slug == "nasty" {
		title = nastyTitleClean
	}
	if it.Title != title {
		t.Errorf("%s: item title %q, want %q", path, it.Title, title)
	}
	if it.Link != u {
		t.Errorf("%s: item link %q, want %q", path, it.Link, u)
	}
	if it.GUID != u {
		t.Errorf("%s: item id %q, want %q", path, it.GUID, u)
	}
	if it.PublishedParsed == nil || !it.PublishedParsed.Equal(p.PublishedAt.Truncate(time.Second)) {
		t.Errorf("%s: %s published %v, want %v", path, p.Slug, it.PublishedParsed, p.PublishedAt)
	}
	var names []string
	if kind == "rss" {
		// RSS names several authors with dc:creator; gofeed keeps them there.
		if it.DublinCoreExt != nil {
			names = it.DublinCoreExt.Creator
		}
	} else {
		for _, a := range it.Authors {
			names = append(names, a.Name)
		}
	}
	var wantNames []string
	for _, a := range p.Authors {
		wantNames = append(wantNames, a.Name)
	}
	if !slices.Equal(names, wantNames) {
		t.Errorf("%s: %s authors %q, want %q", path, p.Slug, names, wantNames)
	}
	var cats []string
	if p.Section != nil {
		cats = append(cats, p.Section.Name)
	}
	for _, tg := range p.Tags {
		cats = append(cats, tg.Name)
	}
	if !slices.Equal(it.Categories, cats) {
		t.Errorf("%s: %s categories %q, want %q", path, p.Slug, it.Categories, cats)
	}
	// Atom carries the photo as an enclosure link, which gofeed keeps as
	// such; RSS (Media RSS) and JSON Feed as the item's image.
	image := ""
	if kind == "atom" {
		for _, e := range it.Enclosures {
			if strings.HasPrefix(e.Type, "image/") {
				image = e.URL
			}
		}
	} else if it.Image != nil {
		image = it.Image.URL
	}
	if wantImage := testBaseURL + mediaURL(p.Image.Key); p.Image.IsZero() && image != "" && kind != "rss" {
		t.Errorf("%s: %s has image %q", path, p.Slug, image)
	} else if !p.Image.IsZero() && image != wantImage {
		t.Errorf("%s: %s image %q, want %q", path, p.Slug, image, wantImage)
	}
	if it.Description != p.Summary() && !(kind == "json" && it.Description == "") {
		t.Errorf("%s: %s description %q, want the summary %q", path, p.Slug, it.Description, p.Summary())
	}
	// The whole article, with every address absolute.
	body := it.Content
	if !strings.Contains(body, "The last paragraph of") && p.Slug != "nasty" {
		t.Errorf("%s: %s content is not the whole article: %q", path, p.Slug, body)
	}
	if p.Slug == "nasty" {
		for _, want := range []string{
			`href="` + testBaseURL + `/articles/older"`,
			`href="` + u + `#notes"`,
			`href="https://example.org/x"`,
			`src="` + testBaseURL + `/media/images/chart.png"`,
			`src="` + testBaseURL + mediaURL(p.Image.Key) + `"`,
			`alt="Cranes at dusk"`,
			"<em>Santos</em>",
			"Photo: A. Photographer",
			"An earlier version misspelled",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: content lacks %s:\n%s", path, want, body)
			}
		}
		if strings.Contains(body, `="/`) || strings.Contains(body, `="#`) {
			t.Errorf("%s: content keeps a relative address:\n%s", path, body)
		}
		if strings.ContainsRune(body, '\x02') {
			t.Errorf("%s: content keeps a control character", path)
		}
	}
}

func TestFeedExcerpts(t *testing.T) {
	r := newFeedRig(t)
	if err := r.store.SetSetting(r.ctx, "feeds.full_content", "false"); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/feed.xml", "/atom.xml", "/feed.json"} {
		f := parseFeed(t, path, r.get(path))
		for i, it := range f.Items {
			p := r.posts[i]
			if path == "/feed.json" {
				// content_text carries the summary.
				if it.Content != p.Summary() {
					t.Errorf("%s: %s content %q, want the summary", path, p.Slug, it.Content)
				}
				continue
			}
			if it.Content != "" {
				t.Errorf("%s: %s carries the whole article in excerpt mode", path, p.Slug)
			}
			if it.Description != p.Summary() {
				t.Errorf("%s: %s description %q, want %q", path, p.Slug, it.Description, p.Summary())
			}
		}
	}
}

func TestFeedsOfUnknownRiversAre404(t *testing.T) {
	r := newFeedRig(t)
	for _, path := range []string{
		"/sections/nope/feed.xml", "/tags/nope/atom.xml", "/authors/nope/feed.json",
		"/sections/trade/feed.xml", // a tag, not a section
		"/feed.rss", "/sections/world/feed",
	} {
		if res := r.get(path); res.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, res.status)
		}
	}
}

func TestFeedEmpty(t *testing.T) {
	r := newRig(t)
	for _, path := range []string{"/feed.xml", "/atom.xml", "/feed.json"} {
		res := r.get(path)
		f := parseFeed(t, path, res)
		if len(f.Items) != 0 {
			t.Errorf("%s: %d items", path, len(f.Items))
		}
		if res.header.Get("Last-Modified") != "" {
			t.Errorf("%s: Last-Modified %q with nothing in it", path, res.header.Get("Last-Modified"))
		}
	}
	var jf map[string]any
	if err := json.Unmarshal([]byte(r.get("/feed.json").body), &jf); err != nil || jf["items"] == nil {
		t.Errorf("empty JSON feed: %v %v", err, jf)
	}
}

func TestFeedConditionalAndCached(t *testing.T) {
	r := newFeedRig(t)
	r.run()
	for _, path := range []string{"/feed.xml", "/sections/world/atom.xml", "/authors/ana-lima/feed.json", "/sitemap.xml", "/robots.txt"} {
		r.waitCached(t, path)
		res := r.get(path)
		etag, mod := res.header.Get("ETag"), res.header.Get("Last-Modified")
		if etag == "" {
			t.Fatalf("%s: no ETag", path)
		}
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("If-None-Match", etag)
		if got := r.do(req); got.status != http.StatusNotModified || got.body != "" {
			t.Errorf("%s If-None-Match: %d", path, got.status)
		}
		req = httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("If-None-Match", `"other"`)
		req.Header.Set("If-Modified-Since", time.Now().UTC().Format(http.TimeFormat))
		if got := r.do(req); got.status != http.StatusOK {
			t.Errorf("%s: a different ETag wins over If-Modified-Since: %d", path, got.status)
		}
		if mod == "" {
			continue
		}
		req = httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("If-Modified-Since", mod)
		if got := r.do(req); got.status != http.StatusNotModified {
			t.Errorf("%s If-Modified-Since: %d", path, got.status)
		}
		mt, _ := http.ParseTime(mod)
		req = httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("If-Modified-Since", mt.Add(-time.Second).Format(http.TimeFormat))
		if got := r.do(req); got.status != http.StatusOK {
			t.Errorf("%s older If-Modified-Since: %d", path, got.status)
		}
	}
	// A new article drops the cached feed at once.
	r.post("Breaking", testNow.Add(-time.Minute), func(p *content.Post) { p.Section = &r.world })
	r.site.Invalidate()
	f := parseFeed(t, "/sections/world/feed.xml", r.get("/sections/world/feed.xml"))
	if len(f.Items) == 0 || f.Items[0].Title != "Breaking" {
		t.Errorf("after Invalidate the feed starts with %v", f.Items[0].Title)
	}
}

func TestFeedAutodiscoveryAndFooter(t *testing.T) {
	r := newFeedRig(t)
	for path, want := range map[string][]string{
		"/":                  {"/feed.xml", "/atom.xml", "/feed.json"},
		"/articles/older":    {"/feed.xml", "/atom.xml", "/feed.json"},
		"/sections/world":    {"/feed.xml", "/atom.xml", "/feed.json", "/sections/world/feed.xml", "/sections/world/atom.xml", "/sections/world/feed.json"},
		"/tags/trade":        {"/feed.xml", "/atom.xml", "/feed.json", "/tags/trade/feed.xml", "/tags/trade/atom.xml", "/tags/trade/feed.json"},
		"/authors/ben-okoro": {"/feed.xml", "/atom.xml", "/feed.json", "/authors/ben-okoro/feed.xml", "/authors/ben-okoro/atom.xml", "/authors/ben-okoro/feed.json"},
	} {
		res, doc := r.getOK(path)
		var got []string
		for _, l := range findAll(doc, "link", "rel", "alternate") {
			got = append(got, strings.TrimPrefix(attr(l, "href"), testBaseURL))
			if typ := attr(l, "type"); typ != "application/rss+xml" && typ != "application/atom+xml" && typ != "application/feed+json" {
				t.Errorf("%s: alternate link type %q", path, typ)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: feed links %q, want %q", path, got, want)
		}
		// Feed finders that read the markup without decoding it find the type.
		if !strings.Contains(res.body, `type="application/rss+xml"`) {
			t.Errorf("%s: the RSS type is escaped in the markup", path)
		}
		footer := find(doc, "p", "class", "footer-feeds")
		if n := len(findAll(footer, "a")); n != 3 {
			t.Errorf("%s: %d feed links in the footer", path, n)
		}
		for _, u := range want {
			if res := r.get(u); res.status != http.StatusOK {
				t.Errorf("%s links to %s, which answers %d", path, u, res.status)
			}
		}
	}
}

func TestXMLText(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                    "plain",
		"tab\tnl\ncr\r":            "tab\tnl\ncr\r",
		"\x00\x01\x08\x0b\x0c\x1f": "",
		"a\ufffeb\uffffc":          "abc",
		"\xffbad":                  "\ufffdbad",
		"emoji 😀 and 東京":           "emoji 😀 and 東京",
	} {
		if got := xmlText(in); got != want {
			t.Errorf("xmlText(%q) = %q, want %q", in, got, want)
		}
		var buf bytes.Buffer
		if err := xml.EscapeText(&buf, []byte(xmlText(in))); err != nil || bytes.ContainsRune(buf.Bytes(), '\ufffd') != strings.ContainsRune(want, '\ufffd') {
			t.Errorf("xmlText(%q) does not escape cleanly: %q %v", in, buf.String(), err)
		}
	}
}

func TestAbsoluteURLs(t *testing.T) {
	page := "https://mag.example/articles/a"
	for in, want := range map[string]string{
		`<a href="/x">x</a>`:                       `<a href="https://mag.example/x">x</a>`,
		`<a href="#fn:1">1</a>`:                    `<a href="https://mag.example/articles/a#fn:1">1</a>`,
		`<a href="other">o</a>`:                    `<a href="https://mag.example/articles/other">o</a>`,
		`<a href="https://e.org/">e</a>`:           `<a href="https://e.org/">e</a>`,
		`<img src="/media/a.jpg" alt="A &amp; B">`: `<img src="https://mag.example/media/a.jpg" alt="A &amp; B">`,
		`<p>text &amp; &lt;b&gt;</p>`:              `<p>text &amp; &lt;b&gt;</p>`,
		`<a href="mailto:x@y.org">m</a>`:           `<a href="mailto:x@y.org">m</a>`,
	} {
		if got := absoluteURLs(in, page); got != want {
			t.Errorf("absoluteURLs(%q) = %q, want %q", in, got, want)
		}
	}
}
