package site

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"masthead/internal/content"
)

// jsonLD returns the page's structured data, parsed, by @type.
func jsonLD(t *testing.T, path string, doc *html.Node) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, s := range findAll(doc, "script", "type", "application/ld+json") {
		var v map[string]any
		if err := json.Unmarshal([]byte(text(s)), &v); err != nil {
			t.Fatalf("%s: JSON-LD: %v", path, err)
		}
		if v["@context"] != "https://schema.org" {
			t.Errorf("%s: @context %v", path, v["@context"])
		}
		out[fmt.Sprint(v["@type"])] = v
	}
	return out
}

// field walks a parsed JSON value: "author.0.name".
func field(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			var i int
			if _, err := fmt.Sscan(k, &i); err != nil || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func meta(doc *html.Node, key, name string) string {
	return attr(find(doc, "meta", key, name), "content")
}

func TestArticleStructuredData(t *testing.T) {
	r := newRig(t)
	for k, v := range map[string]string{"site.name": "Latitude", "site.logo": "images/logo.png"} {
		if err := r.store.SetSetting(r.ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	world := r.tag("World", true)
	trade := r.tag("Trade", false)
	ana := r.author("Ana Lima", "Editor", "Ana covers Brazil.", true)
	ben := r.author("Ben Okoro", "", "", false)
	evil := `Ports </script><script>alert(1)</script> & "more"`
	p := r.post(evil, testNow.Add(-48*time.Hour), func(p *content.Post) {
		p.Slug = "ports"
		p.Authors = []content.Author{ana, ben}
		p.Section = &world
		p.Tags = []content.Tag{trade}
		p.Image = r.image("ports", 120, 80)
		p.Image.Alt = "Cranes </script>"
		p.Image.Caption = "The port of *Santos*."
		p.Image.Credit = "A. Photographer"
		p.SEODescription = "How ports </script> change."
		p.UpdatedAt = testNow.Add(-24 * time.Hour)
		p.Corrections = []content.Correction{{Date: testNow.Add(-30 * time.Hour), Note: "An earlier version misspelled *Santos*."}}
	})
	res, doc := r.getOK("/articles/ports")
	if strings.Contains(res.body, "</script><script>alert(1)") {
		t.Fatal("the headline broke out of the JSON-LD script element")
	}
	ld := jsonLD(t, "/articles/ports", doc)
	a := ld["NewsArticle"]
	if a == nil {
		t.Fatalf("no NewsArticle in %v", ld)
	}
	canonical := testBaseURL + "/articles/ports"
	for path, want := range map[string]any{
		"headline":                   evil,
		"description":                "How ports </script> change.",
		"url":                        canonical,
		"mainEntityOfPage.@id":       canonical,
		"datePublished":              "2025-03-08T12:00:00Z",
		"dateModified":               "2025-03-09T12:00:00Z",
		"image.0.url":                testBaseURL + mediaURL(p.Image.Key),
		"image.0.width":              float64(120),
		"image.0.height":             float64(80),
		"image.0.caption":            "The port of Santos.",
		"image.0.creditText":         "A. Photographer",
		"author.0.@type":             "Person",
		"author.0.name":              "Ana Lima",
		"author.0.url":               testBaseURL + "/authors/ana-lima",
		"author.1.name":              "Ben Okoro",
		"author.1.url":               testBaseURL + "/authors/ben-okoro",
		"publisher.@type":            "Organization",
		"publisher.name":             "Latitude",
		"publisher.url":              testBaseURL + "/",
		"publisher.logo.url":         testBaseURL + "/media/images/logo.png",
		"articleSection":             "World",
		"keywords.0":                 "Trade",
		"correction.0.@type":         "CorrectionComment",
		"correction.0.text":          "An earlier version misspelled Santos.",
		"correction.0.datePublished": "2025-03-09T06:00:00Z",
		"inLanguage":                 "en",
	} {
		if got := field(a, path); got != want {
			t.Errorf("NewsArticle %s = %#v, want %#v", path, got, want)
		}
	}

	b := ld["BreadcrumbList"]
	var crumbs []string
	for i := range 3 {
		crumbs = append(crumbs, fmt.Sprint(field(b, fmt.Sprintf("itemListElement.%d.name", i)), " ",
			field(b, fmt.Sprintf("itemListElement.%d.item", i)), " ", field(b, fmt.Sprintf("itemListElement.%d.position", i))))
	}
	want := []string{"Latitude " + testBaseURL + "/ 1", "World " + testBaseURL + "/sections/world 2", evil + " " + canonical + " 3"}
	if !slices.Equal(crumbs, want) {
		t.Errorf("breadcrumbs %q, want %q", crumbs, want)
	}

	// Open Graph and Twitter cards.
	for key, want := range map[string]string{
		"og:type":                "article",
		"og:title":               evil,
		"og:url":                 canonical,
		"og:image":               testBaseURL + mediaURL(p.Image.Key),
		"og:image:alt":           "Cranes </script>",
		"og:image:width":         "120",
		"og:image:height":        "80",
		"og:description":         "How ports </script> change.",
		"article:published_time": "2025-03-08T12:00:00Z",
		"article:modified_time":  "2025-03-09T12:00:00Z",
		"article:section":        "World",
		"article:tag":            "Trade",
	} {
		if got := meta(doc, "property", key); got != want {
			t.Errorf("meta %s = %q, want %q", key, got, want)
		}
	}
	for key, want := range map[string]string{
		"twitter:card":        "summary_large_image",
		"twitter:title":       evil,
		"twitter:description": "How ports </script> change.",
		"twitter:image":       testBaseURL + mediaURL(p.Image.Key),
		"twitter:image:alt":   "Cranes </script>",
	} {
		if got := meta(doc, "name", key); got != want {
			t.Errorf("meta %s = %q, want %q", key, got, want)
		}
	}
	if got := attr(find(doc, "link", "rel", "canonical"), "href"); got != canonical {
		t.Errorf("canonical %q", got)
	}

	// Without a logo or a photo the data says less, and stays valid.
	if err := r.store.SetSetting(r.ctx, "site.logo", ""); err != nil {
		t.Fatal(err)
	}
	r.post("Bare", testNow.Add(-time.Hour), func(p *content.Post) { p.Body = "Text." })
	_, doc = r.getOK("/articles/bare")
	a = jsonLD(t, "/articles/bare", doc)["NewsArticle"]
	for _, k := range []string{"image", "author", "correction", "articleSection", "keywords", "publisher.logo"} {
		if v := field(a, k); v != nil {
			t.Errorf("bare article: %s = %v", k, v)
		}
	}
	if got := meta(doc, "name", "twitter:card"); got != "summary" {
		t.Errorf("twitter:card without a photo = %q", got)
	}
}

func TestAuthorAndRiverStructuredData(t *testing.T) {
	r := newRig(t)
	a := content.Author{Slug: "ana-lima", Name: "Ana Lima", Role: "Senior Fellow", Bio: "Ana covers *Brazil*.",
		Links: []content.Link{{Label: "Site", URL: "https://ana.example/"}}}
	a.Photo = r.image("ana", 50, 50)
	a.Photo.Alt = "Ana"
	if err := r.store.SaveAuthor(r.ctx, &a); err != nil {
		t.Fatal(err)
	}
	r.tag("World", true)
	_, doc := r.getOK("/authors/ana-lima")
	ld := jsonLD(t, "/authors/ana-lima", doc)
	p := ld["Person"]
	for path, want := range map[string]any{
		"name":        "Ana Lima",
		"url":         testBaseURL + "/authors/ana-lima",
		"jobTitle":    "Senior Fellow",
		"description": "Ana covers Brazil.",
		"image":       testBaseURL + mediaURL(a.Photo.Key),
		"sameAs.0":    "https://ana.example/",
	} {
		if got := field(p, path); got != want {
			t.Errorf("Person %s = %#v, want %#v", path, got, want)
		}
	}
	if got := field(ld["BreadcrumbList"], "itemListElement.1.item"); got != testBaseURL+"/authors/ana-lima" {
		t.Errorf("author breadcrumb %v", got)
	}
	if got := meta(doc, "property", "og:type"); got != "profile" {
		t.Errorf("og:type %q", got)
	}
	_, doc = r.getOK("/sections/world")
	if got := field(jsonLD(t, "/sections/world", doc)["BreadcrumbList"], "itemListElement.1.name"); got != "World" {
		t.Errorf("section breadcrumb %v", got)
	}
}

func TestRelPrevNext(t *testing.T) {
	r := newRig(t)
	for i := range 2*riverPageSize + 3 {
		r.post(fmt.Sprintf("Story %d", i), testNow.Add(-time.Duration(i+1)*time.Hour), nil)
	}
	for path, want := range map[string][2]string{
		"/":        {"", "/?page=2"},
		"/?page=2": {"/", "/?page=3"},
		"/?page=3": {"/?page=2", ""},
	} {
		_, doc := r.getOK(path)
		prev := strings.TrimPrefix(attr(find(doc, "link", "rel", "prev"), "href"), testBaseURL)
		next := strings.TrimPrefix(attr(find(doc, "link", "rel", "next"), "href"), testBaseURL)
		if prev != want[0] || next != want[1] {
			t.Errorf("%s: prev %q next %q, want %q %q", path, prev, next, want[0], want[1])
		}
		for _, l := range []*html.Node{find(doc, "link", "rel", "prev"), find(doc, "link", "rel", "next")} {
			if l != nil && !strings.HasPrefix(attr(l, "href"), testBaseURL+"/") {
				t.Errorf("%s: relative rel link %q", path, attr(l, "href"))
			}
		}
	}
}
