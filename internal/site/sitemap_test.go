package site

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
)

type parsedURLSet struct {
	URLs []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
		Images  []struct {
			Loc string `xml:"loc"`
		} `xml:"http://www.google.com/schemas/sitemap-image/1.1 image"`
		News *struct {
			Name     string `xml:"publication>name"`
			Language string `xml:"publication>language"`
			Date     string `xml:"publication_date"`
			Title    string `xml:"title"`
		} `xml:"http://www.google.com/schemas/sitemap-news/0.9 news"`
	} `xml:"url"`
}

func getXML(t *testing.T, r *rig, path string, into any) response {
	t.Helper()
	res := r.get(path)
	if res.status != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", path, res.status, res.body)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/xml; charset=utf-8" {
		t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	wellFormed(t, path, res.body)
	if err := xml.Unmarshal([]byte(res.body), into); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return res
}

func TestSitemaps(t *testing.T) {
	r := newRig(t)
	r.site.sitemapSize = 2
	if err := r.store.SetSetting(r.ctx, "site.name", "Latitude & Co"); err != nil {
		t.Fatal(err)
	}
	r.tag("World", true)
	r.tag("Trade", false)
	r.author("Ana Lima", "", "", false)
	var want []string
	for i := range 5 {
		p := r.post(fmt.Sprintf("Story %d & <more>", i), testNow.Add(-time.Duration(i*30)*time.Hour), func(p *content.Post) {
			p.Slug = fmt.Sprintf("story-%d", i)
			if i%2 == 0 {
				p.Image = r.image(fmt.Sprintf("s%d", i), 30, 20)
			}
		})
		want = append(want, testBaseURL+"/articles/"+p.Slug)
	}
	r.post("A draft", testNow.Add(-time.Hour), func(p *content.Post) { p.Status = content.StatusDraft })
	r.post("Scheduled", testNow.Add(time.Hour), nil)
	r.post("In review", testNow.Add(-time.Hour), func(p *content.Post) { p.Status = content.StatusReview })

	var idx struct {
		Sitemaps []struct {
			Loc string `xml:"loc"`
		} `xml:"sitemap"`
	}
	getXML(t, r, "/sitemap.xml", &idx)
	var locs []string
	for _, s := range idx.Sitemaps {
		locs = append(locs, strings.TrimPrefix(s.Loc, testBaseURL))
	}
	wantLocs := []string{"/sitemaps/pages.xml", "/sitemaps/news.xml", "/sitemaps/articles-1.xml", "/sitemaps/articles-2.xml", "/sitemaps/articles-3.xml"}
	if !slices.Equal(locs, wantLocs) {
		t.Fatalf("sitemap index lists %q, want %q", locs, wantLocs)
	}

	// The article sitemaps together list every public article once, oldest
	// first, with their photos.
	var got []string
	for _, loc := range locs[2:] {
		var set parsedURLSet
		getXML(t, r, loc, &set)
		if len(set.URLs) > 2 {
			t.Errorf("%s lists %d URLs, more than the page size", loc, len(set.URLs))
		}
		for _, u := range set.URLs {
			got = append(got, u.Loc)
			if _, err := time.Parse(time.RFC3339, u.LastMod); err != nil {
				t.Errorf("%s: lastmod %q: %v", loc, u.LastMod, err)
			}
			i := strings.TrimPrefix(u.Loc, testBaseURL+"/articles/story-")
			hasImage := len(u.Images) == 1 && strings.HasPrefix(u.Images[0].Loc, testBaseURL+"/media/images/s"+i+"-")
			if hasImage != (i == "0" || i == "2" || i == "4") {
				t.Errorf("%s: %s images %v", loc, u.Loc, u.Images)
			}
		}
	}
	slices.Reverse(want)
	if !slices.Equal(got, want) {
		t.Errorf("article sitemaps list %q, want %q", got, want)
	}

	var pages parsedURLSet
	getXML(t, r, "/sitemaps/pages.xml", &pages)
	var pageLocs []string
	for _, u := range pages.URLs {
		pageLocs = append(pageLocs, strings.TrimPrefix(u.Loc, testBaseURL))
	}
	if want := []string{"/", "/sections/world", "/tags/trade", "/tags/world", "/authors/ana-lima"}; !slices.Equal(pageLocs, want) {
		t.Errorf("pages sitemap lists %q, want %q", pageLocs, want)
	}

	// The news sitemap: the last 48 hours only.
	var news parsedURLSet
	getXML(t, r, "/sitemaps/news.xml", &news)
	var newsLocs []string
	for _, u := range news.URLs {
		newsLocs = append(newsLocs, strings.TrimPrefix(u.Loc, testBaseURL))
		if u.News == nil || u.News.Name != "Latitude & Co" || u.News.Language != "en" || !strings.HasSuffix(u.News.Title, "& <more>") {
			t.Errorf("news entry %s: %+v", u.Loc, u.News)
		} else if _, err := time.Parse(time.RFC3339, u.News.Date); err != nil {
			t.Errorf("news date %q: %v", u.News.Date, err)
		}
	}
	if want := []string{"/articles/story-1", "/articles/story-0"}; !slices.Equal(newsLocs, want) {
		t.Errorf("news sitemap lists %q, want %q", newsLocs, want)
	}

	for _, path := range []string{"/sitemaps/articles-4.xml", "/sitemaps/articles-0.xml", "/sitemaps/articles-01.xml",
		"/sitemaps/articles-x.xml", "/sitemaps/other.xml", "/sitemaps/articles-1", "/sitemaps/articles-99999999999999999999.xml"} {
		if res := r.get(path); res.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, res.status)
		}
	}
}

func TestRobots(t *testing.T) {
	r := newRig(t)
	res := r.get("/robots.txt")
	if res.status != http.StatusOK || res.header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("GET /robots.txt: %d %q", res.status, res.header.Get("Content-Type"))
	}
	for _, want := range []string{"User-agent: *\n", "Disallow: /search\n", "Sitemap: " + testBaseURL + "/sitemap.xml\n"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("robots.txt lacks %q:\n%s", want, res.body)
		}
	}
}

func TestNewsLanguage(t *testing.T) {
	for in, want := range map[string]string{"en": "en", "pt-BR": "pt", "zh-Hans": "zh-cn", "zh-TW": "zh-tw", "zh-Hant-HK": "zh-tw", "de": "de"} {
		if got := newsLanguage(in); got != want {
			t.Errorf("newsLanguage(%q) = %q, want %q", in, got, want)
		}
	}
}
