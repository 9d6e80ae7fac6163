package site

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"masthead/internal/content"
	"masthead/internal/store"
)

// layoutView is what every page needs: site settings, the navigation, and
// the head of the document.
type layoutView struct {
	Lang            string
	SiteName        string
	SiteDescription string
	Sections        []linkView
	Newsletter      bool

	Title       string // the <title>
	Description string // meta description; empty leaves it out
	Canonical   string
	NoIndex     bool
	OG          ogView

	// Feeds are the autodiscovery links: the site's feeds, then the
	// page's own. SiteFeeds are the site's, for the footer.
	Feeds     []feedLink
	SiteFeeds []feedLink
	// Prev and Next are the neighbouring pages of a paged list, absolute.
	Prev, Next string
	// JSONLD holds the page's structured data, one script element each.
	JSONLD []template.JS

	settings siteSettings
}

// ogView is the Open Graph description of a page, used when it is shared;
// Twitter cards take the same values.
type ogView struct {
	Type        string // "website", "article" or "profile"
	Title       string
	Image       string // absolute URL
	ImageAlt    string
	ImageWidth  int
	ImageHeight int
	// For articles.
	Published string
	Modified  string
	Section   string
	Tags      []string
}

// linkView is a named link. Sep is the text that goes before it in a list
// written out as prose ("", ", " or " and ").
type linkView struct {
	Name    string
	URL     string
	Current bool
	Sep     string
}

// imageView is a picture ready for an <img> element.
type imageView struct {
	URL    string
	Alt    string
	Width  int
	Height int
	Lazy   bool // below the fold: the browser may load it late

	// CaptionHTML and Credit are filled where the page shows them.
	CaptionHTML template.HTML
	Credit      string

	// Srcset and WebP list the responsive renditions ("url 800w, …") in the
	// image's own format and in WebP, and Sizes how wide the image shows;
	// all are empty until the renditions exist (see addRenditions).
	Srcset string
	WebP   string
	Sizes  string
	key    string
}

// dateView is a time shown to readers and given to machines.
type dateView struct {
	ISO  string
	Text string
}

// siteSettings are the editorial settings the layout, the feeds and the
// structured data show.
type siteSettings struct {
	name, description, lang string
	newsletter              bool
	logo                    string // media key or URL of the publisher's logo; empty for none
	fullFeeds               bool   // feeds carry whole articles rather than excerpts
}

func (s *Site) settings(ctx context.Context) (siteSettings, error) {
	st := siteSettings{name: "Masthead", lang: "en"}
	get := func(key string, into *string) error {
		v, err := s.store.Setting(ctx, key)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("site: setting %s: %w", key, err)
		}
		if v = strings.TrimSpace(v); v != "" {
			*into = v
		}
		return nil
	}
	var newsletter, fullFeeds string
	for _, kv := range []struct {
		key  string
		into *string
	}{
		{"site.name", &st.name},
		{"site.description", &st.description},
		{"site.language", &st.lang},
		{"site.logo", &st.logo},
		{"newsletter.enabled", &newsletter},
		{"feeds.full_content", &fullFeeds},
	} {
		if err := get(kv.key, kv.into); err != nil {
			return st, err
		}
	}
	if !validLangTag(st.lang) {
		st.lang = "en"
	}
	st.newsletter = newsletter == "true"
	// Whole articles unless the editors chose excerpts: readers of feeds
	// mostly read in their feed reader.
	st.fullFeeds = fullFeeds != "false"
	return st, nil
}

// validLangTag accepts the shape of a BCP 47 tag ("en", "pt-BR"), which is
// all the lang attribute needs.
func validLangTag(s string) bool {
	if s == "" || len(s) > 35 {
		return false
	}
	for i, part := range strings.Split(s, "-") {
		if part == "" || len(part) > 8 || (i == 0 && len(part) < 2) {
			return false
		}
		for _, r := range part {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return false
			}
		}
	}
	return true
}

// layout builds what every page needs. title is the page's own title;
// the site name is added to it.
func (s *Site) layout(r *http.Request, title string) (layoutView, error) {
	ctx := r.Context()
	st, err := s.settings(ctx)
	if err != nil {
		return layoutView{}, err
	}
	sections, err := s.store.Sections(ctx)
	if err != nil {
		return layoutView{}, fmt.Errorf("site: sections: %w", err)
	}
	v := layoutView{
		Lang:            st.lang,
		SiteName:        st.name,
		SiteDescription: st.description,
		Newsletter:      st.newsletter,
		Title:           st.name,
		Description:     st.description,
		Canonical:       s.baseURL + r.URL.EscapedPath(),
		OG:              ogView{Type: "website", Title: st.name},
		SiteFeeds:       s.feedLinks("", st.name),
		settings:        st,
	}
	v.Feeds = v.SiteFeeds
	if title != "" {
		v.Title = title + " — " + st.name
		v.OG.Title = title
	}
	for _, t := range sections {
		u := sectionURL(t.Slug)
		v.Sections = append(v.Sections, linkView{Name: t.Name, URL: u, Current: r.URL.Path == u})
	}
	return v, nil
}

// layoutOrDefaults is layout for error pages: when the store fails, the page
// still renders with the defaults.
func (s *Site) layoutOrDefaults(r *http.Request, title string) layoutView {
	v, err := s.layout(r, title)
	if err != nil {
		s.log.Warn("site: error page without settings", "err", err)
		v = layoutView{Lang: "en", SiteName: "Masthead", Title: title + " — Masthead"}
	}
	v.JSONLD = nil
	v.Canonical = ""
	return v
}

func articleURL(slug string) string { return "/articles/" + url.PathEscape(slug) }
func sectionURL(slug string) string { return "/sections/" + url.PathEscape(slug) }
func tagURL(slug string) string     { return "/tags/" + url.PathEscape(slug) }
func authorURL(slug string) string  { return "/authors/" + url.PathEscape(slug) }

// mediaURL is where a media key is served, or the key itself when the image
// lives elsewhere.
func mediaURL(key string) string {
	if strings.HasPrefix(key, "https://") || strings.HasPrefix(key, "http://") {
		return key
	}
	return "/media/" + (&url.URL{Path: key}).EscapedPath()
}

// absolute makes a site-relative URL absolute for links that leave the page.
func (s *Site) absolute(u string) string {
	if strings.HasPrefix(u, "/") {
		return s.baseURL + u
	}
	return u
}

// addFeeds adds the autodiscovery links of the river at path to the
// site's.
func (s *Site) addFeeds(v *layoutView, path, name string) {
	v.Feeds = append(slices.Clip(v.Feeds), s.feedLinks(path, v.SiteName+" — "+name)...)
}

// setImage makes img the picture shown when the page is shared.
func (s *Site) setImage(v *layoutView, img content.Image) {
	if img.IsZero() {
		return
	}
	v.OG.Image = s.absolute(mediaURL(img.Key))
	v.OG.ImageAlt = img.Alt
	v.OG.ImageWidth, v.OG.ImageHeight = img.Width, img.Height
}

func newImageView(img content.Image) *imageView {
	if img.IsZero() {
		return nil
	}
	return &imageView{URL: mediaURL(img.Key), Alt: img.Alt, Width: img.Width, Height: img.Height, key: img.Key}
}

// Dates are shown in UTC: one fixed zone keeps every page and every cache
// entry the same for all readers.
const dateLayout = "January 2, 2006"

func newDateView(t time.Time) dateView {
	t = t.UTC()
	return dateView{ISO: t.Format(time.RFC3339), Text: t.Format(dateLayout)}
}

// updatedView returns the "Updated" date to show, or nil when the change came
// too soon after publication to matter to readers.
func updatedView(published, updated time.Time) *dateView {
	if updated.IsZero() || !updated.After(published) {
		return nil
	}
	d := newDateView(updated)
	sameDay := published.UTC().Format(dateLayout) == d.Text
	if sameDay {
		if updated.Sub(published) < time.Hour {
			return nil
		}
		d.Text += ", " + updated.UTC().Format("15:04") + " UTC"
	}
	return &d
}

// bylineLinks links each author to their page, with the separators of
// "A, B and C".
func bylineLinks(authors []content.Author) []linkView {
	links := make([]linkView, len(authors))
	for i, a := range authors {
		links[i] = linkView{Name: a.Name, URL: authorURL(a.Slug)}
		switch {
		case i == 0:
		case i == len(authors)-1:
			links[i].Sep = " and "
		default:
			links[i].Sep = ", "
		}
	}
	return links
}

// visible reports whether readers may see p at now.
func visible(p content.Post, now time.Time) bool {
	return p.Status == content.StatusPublished && !p.PublishedAt.IsZero() && !p.PublishedAt.After(now)
}

// pageNumber reads the ?page= parameter: absent is 1; anything but a plain
// positive number is a bad request.
func pageNumber(r *http.Request) (int, error) {
	vals, ok := r.URL.Query()["page"]
	if !ok {
		return 1, nil
	}
	if len(vals) != 1 {
		return 0, badRequest{"the page number is given more than once"}
	}
	n, err := strconv.Atoi(vals[0])
	if err != nil || n < 1 || strconv.Itoa(n) != vals[0] {
		return 0, badRequest{"the page number must be a whole number from 1 up"}
	}
	if n > maxPage {
		return 0, errNotFound
	}
	return n, nil
}

// maxPage keeps offsets far from overflow; no river is this long.
const maxPage = 1_000_000

// clip shortens plain text to at most n bytes at a word boundary, for meta
// descriptions.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexByte(s[:n], ' ')
	if cut < n/2 {
		cut = n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
	}
	return strings.TrimRight(s[:cut], " ,;:.") + "…"
}
