package site

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"time"

	"masthead/internal/store"
)

// sitemapURLs is how many articles one sitemap lists. The protocol allows
// 50,000; a thousand keeps each file near 250 KB, quick to send many times
// a second from the page cache, while a crawler still needs only a hundred
// of them for a hundred thousand articles.
const sitemapURLs = 1000

// newsWindow is how far back the Google News sitemap reaches, and
// newsURLs the most it lists, as Google News asks.
const (
	newsWindow = 48 * time.Hour
	newsURLs   = 1000
)

const (
	sitemapNS = "http://www.sitemaps.org/schemas/sitemap/0.9"
	imageNS   = "http://www.google.com/schemas/sitemap-image/1.1"
	newsNS    = "http://www.google.com/schemas/sitemap-news/0.9"
	xmlType   = "application/xml; charset=utf-8"
)

type sitemapIndex struct {
	XMLName  xml.Name       `xml:"sitemapindex"`
	NS       string         `xml:"xmlns,attr"`
	Sitemaps []sitemapEntry `xml:"sitemap"`
}

type sitemapEntry struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

type urlSet struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	ImageNS string       `xml:"xmlns:image,attr,omitempty"`
	NewsNS  string       `xml:"xmlns:news,attr,omitempty"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string        `xml:"loc"`
	LastMod string        `xml:"lastmod,omitempty"`
	Images  []sitemapImg  `xml:"image:image,omitempty"`
	News    *sitemapNewsE `xml:"news:news,omitempty"`
}

type sitemapImg struct {
	Loc string `xml:"image:loc"`
}

type sitemapNewsE struct {
	Publication struct {
		Name     string `xml:"news:name"`
		Language string `xml:"news:language"`
	} `xml:"news:publication"`
	Date  string `xml:"news:publication_date"`
	Title string `xml:"news:title"`
}

// sitemapIndex lists the sitemaps: the site's pages, the news of the last
// two days, and the articles, oldest first, sitemapURLs to a file.
func (s *Site) sitemapIndex(r *http.Request) (document, error) {
	_, total, err := s.store.PostLinks(r.Context(), s.linkFilter(1, 0), time.Time{})
	if err != nil {
		return document{}, err
	}
	idx := sitemapIndex{NS: sitemapNS}
	for _, name := range []string{"pages.xml", "news.xml"} {
		idx.Sitemaps = append(idx.Sitemaps, sitemapEntry{Loc: s.baseURL + "/sitemaps/" + name})
	}
	for n := 1; (n-1)*s.sitemapSize < total; n++ {
		idx.Sitemaps = append(idx.Sitemaps, sitemapEntry{Loc: s.baseURL + "/sitemaps/articles-" + strconv.Itoa(n) + ".xml"})
	}
	body, err := marshalXML(idx)
	return document{ctype: xmlType, body: body}, err
}

// linkFilter selects the articles readers may see now.
func (s *Site) linkFilter(limit, offset int) store.PostFilter {
	f := store.PublicFilter(s.now())
	f.Limit, f.Offset = limit, offset
	return f
}

// sitemap serves one of the files the index lists; any other name is 404.
func (s *Site) sitemap(r *http.Request) (document, error) {
	name := r.PathValue("file")
	switch name {
	case "pages.xml":
		return s.pagesSitemap(r)
	case "news.xml":
		return s.newsSitemap(r)
	}
	num, ok := strings.CutPrefix(name, "articles-")
	num, ok2 := strings.CutSuffix(num, ".xml")
	n, err := strconv.Atoi(num)
	if !ok || !ok2 || err != nil || n < 1 || n > maxPage || strconv.Itoa(n) != num {
		return document{}, errNotFound
	}
	links, _, err := s.store.PostLinks(r.Context(), s.linkFilter(s.sitemapSize, (n-1)*s.sitemapSize), time.Time{})
	if err != nil {
		return document{}, err
	}
	if len(links) == 0 {
		return document{}, errNotFound
	}
	set := urlSet{NS: sitemapNS, ImageNS: imageNS}
	var newest time.Time
	for _, l := range links {
		mod := latest(latest(l.PublishedAt, l.UpdatedAt), l.ModifiedAt)
		newest = latest(newest, mod)
		u := sitemapURL{Loc: s.baseURL + articleURL(l.Slug), LastMod: mod.UTC().Format(time.RFC3339)}
		if l.ImageKey != "" {
			u.Images = []sitemapImg{{Loc: s.absolute(mediaURL(l.ImageKey))}}
		}
		set.URLs = append(set.URLs, u)
	}
	body, err := marshalXML(set)
	return document{ctype: xmlType, body: body, modified: newest}, err
}

// pagesSitemap lists the home page and the pages of every section, tag,
// author and topic with articles.
func (s *Site) pagesSitemap(r *http.Request) (document, error) {
	ctx := r.Context()
	set := urlSet{NS: sitemapNS}
	set.URLs = append(set.URLs, sitemapURL{Loc: s.baseURL + "/"})
	sections, err := s.store.Sections(ctx)
	if err != nil {
		return document{}, err
	}
	for _, t := range sections {
		set.URLs = append(set.URLs, sitemapURL{Loc: s.baseURL + sectionURL(t.Slug)})
	}
	tags, err := s.store.Tags(ctx)
	if err != nil {
		return document{}, err
	}
	for _, t := range tags {
		set.URLs = append(set.URLs, sitemapURL{Loc: s.baseURL + tagURL(t.Slug)})
	}
	authors, err := s.store.Authors(ctx)
	if err != nil {
		return document{}, err
	}
	for _, a := range authors {
		set.URLs = append(set.URLs, sitemapURL{Loc: s.baseURL + authorURL(a.Slug), LastMod: a.UpdatedAt.UTC().Format(time.RFC3339)})
	}
	topicURLs, err := s.topicSitemapURLs(ctx)
	if err != nil {
		return document{}, err
	}
	set.URLs = append(set.URLs, topicURLs...)
	body, err := marshalXML(set)
	return document{ctype: xmlType, body: body}, err
}

// newsSitemap lists the articles of the last two days for Google News.
func (s *Site) newsSitemap(r *http.Request) (document, error) {
	ctx := r.Context()
	st, err := s.settings(ctx)
	if err != nil {
		return document{}, err
	}
	links, _, err := s.store.PostLinks(ctx, s.linkFilter(newsURLs, 0), s.now().Add(-newsWindow))
	if err != nil {
		return document{}, err
	}
	set := urlSet{NS: sitemapNS, NewsNS: newsNS, ImageNS: imageNS}
	var newest time.Time
	for _, l := range links {
		newest = latest(newest, latest(l.PublishedAt, l.ModifiedAt))
		n := &sitemapNewsE{Date: l.PublishedAt.UTC().Format(time.RFC3339), Title: xmlText(l.Title)}
		n.Publication.Name, n.Publication.Language = xmlText(st.name), newsLanguage(st.lang)
		u := sitemapURL{Loc: s.baseURL + articleURL(l.Slug), News: n}
		if l.ImageKey != "" {
			u.Images = []sitemapImg{{Loc: s.absolute(mediaURL(l.ImageKey))}}
		}
		set.URLs = append(set.URLs, u)
	}
	body, err := marshalXML(set)
	return document{ctype: xmlType, body: body, modified: newest}, err
}

// newsLanguage is the language code Google News wants: ISO 639, with the
// two Chinese scripts told apart.
func newsLanguage(lang string) string {
	l := strings.ToLower(lang)
	switch {
	case l == "zh-cn" || l == "zh-hans" || strings.HasPrefix(l, "zh-hans-"):
		return "zh-cn"
	case l == "zh-tw" || l == "zh-hant" || strings.HasPrefix(l, "zh-hant-"):
		return "zh-tw"
	}
	base, _, _ := strings.Cut(l, "-")
	return base
}
