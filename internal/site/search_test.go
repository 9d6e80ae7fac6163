package site

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
)

func searchRig(t *testing.T) *rig {
	r := newRig(t)
	world := r.tag("World", true)
	econ := r.tag("Economy", true)
	ana := r.author("Ana Lima", "", "", false)
	ben := r.author("Ben Okoro", "", "", false)
	r.post("The Strait After the Ceasefire", testNow.Add(-24*time.Hour), func(p *content.Post) {
		p.Slug = "strait"
		p.Authors = []content.Author{ana}
		p.Section = &world
		p.Body = "Tankers wait at the \\<mouth\\> of the strait & the gulf."
	})
	r.post("Tanker Rates", testNow.Add(-48*time.Hour), func(p *content.Post) {
		p.Slug = "rates"
		p.Authors = []content.Author{ben}
		p.Section = &econ
		p.Body = "Insurers raised premiums for every tanker crossing the strait."
	})
	r.post("Strait Draft", testNow.Add(-time.Hour), func(p *content.Post) { p.Status = content.StatusDraft })
	r.post("Strait Tomorrow", testNow.Add(time.Hour), nil)
	return r
}

func searchTitles(t *testing.T, r *rig, path string) []string {
	t.Helper()
	_, doc := r.getOK(path)
	var out []string
	for _, h := range findAll(doc, "h3", "class", "search-result-title") {
		out = append(out, text(h))
	}
	return out
}

func TestSearchPage(t *testing.T) {
	r := searchRig(t)
	res, doc := r.getOK("/search?q=strait")
	if got := searchTitles(t, r, "/search?q=strait"); !slices.Equal(got, []string{"The Strait After the Ceasefire", "Tanker Rates"}) {
		t.Errorf("results %q", got)
	}
	if !strings.Contains(res.body, `<a href="/articles/strait">The <mark>Strait</mark> After the Ceasefire</a>`) {
		t.Errorf("headline not marked:\n%s", res.body)
	}
	if !strings.Contains(res.body, "…the &lt;mouth&gt; of the <mark>strait</mark> &amp; the gulf.") {
		t.Errorf("snippet not escaped and marked:\n%s", res.body)
	}
	if got := text(find(doc, "h2", "class", "search-summary")); got != "2 articles match “strait”." {
		t.Errorf("summary %q", got)
	}
	if meta(doc, "name", "robots") != "noindex" || res.header.Get("X-Robots-Tag") != "noindex" {
		t.Errorf("search page is not noindex")
	}
	if cc := res.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	if find(doc, "link", "rel", "canonical") != nil {
		t.Errorf("search page has a canonical link")
	}
	if got := attr(find(doc, "input", "name", "q"), "value"); got != "strait" {
		t.Errorf("the form forgot the query: %q", got)
	}

	for path, want := range map[string][]string{
		"/search?q=strait&section=economy":                   {"Tanker Rates"},
		"/search?q=strait&author=ana-lima":                   {"The Strait After the Ceasefire"},
		"/search?q=strait&from=2025-03-09":                   {"The Strait After the Ceasefire"},
		"/search?q=strait&to=2025-03-08":                     {"Tanker Rates"},
		"/search?q=strait&from=2025-03-08&to=2025-03-08":     {"Tanker Rates"},
		"/search?q=strait&section=nope":                      nil,
		"/search?q=premiums":                                 {"Tanker Rates"},
		"/search?q=%22tanker+crossing%22":                    {"Tanker Rates"},
		"/search?q=draft":                                    nil,
		"/search?q=tomorrow":                                 nil,
		"/search?q=tank":                                     nil, // whole words on the page
		"/search?q=" + url.QueryEscape("strait') OR 1=1 --"): nil,
	} {
		if got := searchTitles(t, r, path); !slices.Equal(got, want) {
			t.Errorf("%s: results %q, want %q", path, got, want)
		}
	}
	// The filters show what was chosen.
	_, doc = r.getOK("/search?q=strait&section=economy&author=ben-okoro&from=2025-01-01")
	if attr(find(doc, "option", "value", "economy"), "selected") == "" && !hasAttr(find(doc, "option", "value", "economy"), "selected") {
		t.Errorf("section not selected")
	}
	if !hasAttr(find(doc, "details", "class", "search-filters"), "open") {
		t.Errorf("filters folded although in use")
	}

	// No query: the form alone. Nothing to search for: a hint.
	_, doc = r.getOK("/search")
	if find(doc, "section", "class", "search-results") != nil {
		t.Errorf("results without a query")
	}
	_, doc = r.getOK("/search?q=" + url.QueryEscape("*** 😀 \""))
	if got := text(find(doc, "h2", "class", "search-summary")); got != "Type a word or a name to search for." {
		t.Errorf("summary for nothing to search: %q", got)
	}
}

func TestSearchPagination(t *testing.T) {
	r := newRig(t)
	for i := range searchPageSize + 5 {
		r.post(fmt.Sprintf("Harbour %d", i), testNow.Add(-time.Duration(i+1)*time.Hour), nil)
	}
	_, doc := r.getOK("/search?q=harbour&from=2025-01-01")
	older := attr(find(doc, "a", "class", "pager-older"), "href")
	if older != "/search?from=2025-01-01&page=2&q=harbour" {
		t.Fatalf("older link %q", older)
	}
	if got := attr(find(doc, "link", "rel", "next"), "href"); got != testBaseURL+older {
		t.Errorf("rel=next %q", got)
	}
	if got := len(findAll(doc, "li", "class", "search-result")); got != searchPageSize {
		t.Errorf("page 1: %d results", got)
	}
	_, doc = r.getOK(older)
	if got := len(findAll(doc, "li", "class", "search-result")); got != 5 {
		t.Errorf("page 2: %d results", got)
	}
	if got := attr(find(doc, "link", "rel", "prev"), "href"); got != testBaseURL+"/search?from=2025-01-01&q=harbour" {
		t.Errorf("rel=prev %q", got)
	}
	_, doc = r.getOK("/search?q=harbour&page=9")
	if got := text(find(doc, "p", "class", "river-empty")); got != "There are no more results." {
		t.Errorf("past the end: %q", got)
	}
}

// TestSearchBadInputNeverFails feeds the page and the JSON endpoint what
// robots send: never a 500, always an answer.
func TestSearchBadInputNeverFails(t *testing.T) {
	r := searchRig(t)
	for _, q := range []string{
		`"`, `""`, `*`, `strait*`, `NEAR(strait tanker)`, `strait AND OR NOT`, `'; DROP TABLE posts; --`,
		"\x00\x01", "\xff\xfe", "😀😀", "東京 москва", strings.Repeat("strait ", 2000), strings.Repeat(`"`, 5000),
		`{title}: strait`, `strait:*`, `a & b | !c <-> d`, "%", "\\", "<script>alert(1)</script>",
	} {
		for _, path := range []string{"/search?q=", "/search.json?typing=1&q="} {
			res := r.get(path + url.QueryEscape(q))
			name := q
			if len(name) > 30 {
				name = name[:30] + "…"
			}
			if res.status != http.StatusOK {
				t.Errorf("%s%q: %d", path, name, res.status)
			}
			if strings.Contains(res.body, "<script>alert(1)") {
				t.Errorf("%s%q: the query is echoed unescaped", path, name)
			}
		}
	}
	for _, path := range []string{"/search?q=x&from=yesterday", "/search?q=x&to=2025-13-01", "/search?q=x&page=0", "/search?q=x&page=two"} {
		if res := r.get(path); res.status != http.StatusBadRequest {
			t.Errorf("GET %s: %d, want 400", path, res.status)
		}
	}
	for _, path := range []string{"/search.json?q=x&from=nope", "/search.json?q=x&limit=0", "/search.json?q=x&limit=a"} {
		res := r.get(path)
		var v map[string]string
		if res.status != http.StatusBadRequest || json.Unmarshal([]byte(res.body), &v) != nil || v["error"] == "" {
			t.Errorf("GET %s: %d %s, want 400 with a JSON error", path, res.status, res.body)
		}
	}
}

func TestSearchJSON(t *testing.T) {
	r := searchRig(t)
	get := func(path string) searchJSONResult {
		t.Helper()
		res := r.get(path)
		if res.status != http.StatusOK || res.header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Fatalf("GET %s: %d %q", path, res.status, res.header.Get("Content-Type"))
		}
		if res.header.Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s: Cache-Control %q", path, res.header.Get("Cache-Control"))
		}
		var v searchJSONResult
		if err := json.Unmarshal([]byte(res.body), &v); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return v
	}
	v := get("/search.json?q=tank&typing=1")
	if v.Total != 2 || len(v.Results) != 2 || v.Understood != "tank*" || v.Query != "tank" {
		t.Fatalf("typing: %+v", v)
	}
	h := v.Results[0]
	if h.Slug != "rates" || h.URL != testBaseURL+"/articles/rates" || h.Title != "Tanker Rates" ||
		h.TitleHTML != "<mark>Tanker</mark> Rates" || h.Section != "Economy" || !slices.Equal(h.Authors, []string{"Ben Okoro"}) ||
		h.Published != "2025-03-08T12:00:00Z" || !strings.Contains(h.SnippetHTML, "<mark>tanker</mark>") {
		t.Errorf("first hit %+v", h)
	}
	if v := get("/search.json?q=tank"); v.Total != 0 {
		t.Errorf("without typing, a prefix is a whole word: %+v", v)
	}
	if v := get("/search.json?q=strait&limit=1&page=2"); len(v.Results) != 1 || v.Results[0].Slug != "rates" || v.Page != 2 {
		t.Errorf("second page of one: %+v", v)
	}
	if v := get("/search.json?q="); v.Results == nil || len(v.Results) != 0 {
		t.Errorf("empty query: %+v", v)
	}
}
