package site

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	xhtml "golang.org/x/net/html"

	"masthead/internal/content"
	"masthead/internal/store"
)

// feedItems is how many of the newest articles a feed carries.
const feedItems = 20

// feedFormat is one of the three feed formats, each served under its own
// file name beside the river it follows.
type feedFormat struct {
	file  string // "feed.xml"
	ctype string // the Content-Type it is served with
	label string // how autodiscovery links and the footer name it
	write func(*feedData) ([]byte, error)
}

var (
	formatRSS  = feedFormat{"feed.xml", "application/rss+xml; charset=utf-8", "RSS", writeRSS}
	formatAtom = feedFormat{"atom.xml", "application/atom+xml; charset=utf-8", "Atom", writeAtom}
	formatJSON = feedFormat{"feed.json", "application/feed+json; charset=utf-8", "JSON Feed", writeJSONFeed}

	feedFormats = []feedFormat{formatRSS, formatAtom, formatJSON}
)

// feedKinds are the rivers that have feeds: the whole site ("") and every
// section, tag, author and topic.
var feedKinds = []string{"", "sections", "tags", "authors", "topics"}

// feedRoutes mounts every feed.
func (s *Site) feedRoutes(mux *http.ServeMux) {
	for _, kind := range feedKinds {
		prefix := ""
		if kind != "" {
			prefix = "/" + kind + "/{slug}"
		}
		for _, f := range feedFormats {
			mux.Handle("GET "+prefix+"/"+f.file, s.documentHandler(s.feed(kind, f)))
		}
	}
}

// feedLink is an autodiscovery link to a feed.
type feedLink struct {
	Title string
	Type  string // MIME type without parameters
	// TypeAttr is type="…" written out: html/template would escape the +
	// of application/rss+xml, which naive feed finders do not decode.
	TypeAttr template.HTMLAttr
	URL      string // absolute
	Label    string // the format's name
}

// feedLinks lists the feeds of the river at riverPath ("" for the whole
// site), titled with title.
func (s *Site) feedLinks(riverPath, title string) []feedLink {
	links := make([]feedLink, 0, len(feedFormats))
	for _, f := range feedFormats {
		ctype, _, _ := strings.Cut(f.ctype, ";")
		links = append(links, feedLink{Title: title, Type: ctype, TypeAttr: template.HTMLAttr(`type="` + ctype + `"`),
			URL: s.baseURL + riverPath + "/" + f.file, Label: f.label})
	}
	return links
}

// feedData is a feed before it is written in one of the formats. Every
// URL in it is absolute.
type feedData struct {
	Title       string
	Description string
	HomeURL     string
	FeedURL     string
	Lang        string
	Logo        string
	Icon        string
	Publisher   string
	Updated     time.Time // newest change to the items; zero when there are none
	Items       []feedItem
	ctype       string
}

type feedItem struct {
	URL         string
	Title       string
	Summary     string // plain text
	ContentHTML string // empty when the feed carries excerpts
	Published   time.Time
	Updated     time.Time
	Authors     []feedPerson
	Categories  []string
	Image       *feedImage
}

type feedPerson struct {
	Name   string
	URL    string
	Avatar string
}

type feedImage struct {
	URL    string
	Type   string
	Width  int
	Height int
	Alt    string
	Credit string
}

// feed returns the handler of one feed. Feeds of unknown sections, tags
// and authors answer 404, like their rivers.
func (s *Site) feed(kind string, format feedFormat) func(*http.Request) (document, error) {
	return func(r *http.Request) (document, error) {
		ctx := r.Context()
		st, err := s.settings(ctx)
		if err != nil {
			return document{}, err
		}
		f := store.PublicFilter(s.now())
		f.Limit = feedItems
		d := &feedData{
			Title:       st.name,
			Description: st.description,
			HomeURL:     s.baseURL + "/",
			Lang:        st.lang,
			Publisher:   st.name,
			ctype:       format.ctype,
		}
		if u, err := s.assets.url("favicon.svg"); err == nil {
			d.Icon = s.absolute(u)
		}
		if st.logo != "" {
			d.Logo = s.absolute(mediaURL(st.logo))
		}
		river, topic := "", ""
		slug := r.PathValue("slug")
		switch kind {
		case "sections", "tags":
			t, err := s.store.TagBySlug(ctx, slug)
			if err != nil {
				return document{}, err
			}
			if kind == "sections" {
				if !t.IsSection {
					return document{}, errNotFound
				}
				f.SectionSlug, river = t.Slug, sectionURL(t.Slug)
			} else {
				f.TagSlug, river = t.Slug, tagURL(t.Slug)
			}
			d.Title = st.name + " — " + t.Name
			if t.Description != "" {
				d.Description = t.Description
			}
		case "authors":
			a, err := s.store.AuthorBySlug(ctx, slug)
			if err != nil {
				return document{}, err
			}
			f.AuthorSlug, river = a.Slug, authorURL(a.Slug)
			d.Title = st.name + " — " + a.Name
			if bio := content.PlainText(a.BioHTML); bio != "" {
				d.Description = clip(bio, 300)
			}
			d.Updated = a.UpdatedAt
		case "topics":
			e, _, err := s.topicEntry(ctx, slug)
			if err != nil {
				return document{}, err
			}
			topic, river = e.Slug, topicURL(e.Slug)
			d.Title = st.name + " — " + e.Name
			d.Description = "The latest articles about " + e.Name + " from " + st.name + "."
		}
		if river != "" {
			d.HomeURL = s.baseURL + river
		}
		d.FeedURL = s.baseURL + river + "/" + format.file
		if d.Description == "" {
			d.Description = "The latest articles from " + st.name + "."
		}

		var page store.PostPage
		if topic != "" {
			page, err = s.store.TopicPosts(ctx, topic, f)
		} else {
			page, err = s.store.Posts(ctx, f)
		}
		if err != nil {
			return document{}, err
		}
		for _, p := range page.Posts {
			item := s.newFeedItem(p, st.fullFeeds)
			d.Items = append(d.Items, item)
			d.Updated = latest(d.Updated, p.ModifiedAt)
			for _, a := range p.Authors {
				d.Updated = latest(d.Updated, a.UpdatedAt)
			}
		}
		body, err := format.write(d)
		if err != nil {
			return document{}, fmt.Errorf("site: write %s: %w", d.FeedURL, err)
		}
		return document{ctype: format.ctype, body: body, modified: d.Updated}, nil
	}
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// newFeedItem describes p for a feed: whole (its photo, body and
// corrections) or as its summary.
func (s *Site) newFeedItem(p content.Post, full bool) feedItem {
	u := s.baseURL + articleURL(p.Slug)
	it := feedItem{
		URL:       u,
		Title:     p.Title,
		Summary:   p.Summary(),
		Published: p.PublishedAt,
		Updated:   latest(p.PublishedAt, p.UpdatedAt),
	}
	for _, a := range p.Authors {
		person := feedPerson{Name: a.Name, URL: s.baseURL + authorURL(a.Slug)}
		if !a.Photo.IsZero() {
			person.Avatar = s.absolute(mediaURL(a.Photo.Key))
		}
		it.Authors = append(it.Authors, person)
	}
	if p.Section != nil {
		it.Categories = append(it.Categories, p.Section.Name)
	}
	for _, t := range p.Tags {
		it.Categories = append(it.Categories, t.Name)
	}
	if !p.Image.IsZero() {
		it.Image = &feedImage{
			URL:    s.absolute(mediaURL(p.Image.Key)),
			Type:   imageType(p.Image.Key),
			Width:  p.Image.Width,
			Height: p.Image.Height,
			Alt:    p.Image.Alt,
			Credit: p.Image.Credit,
		}
	}
	if !full {
		return it
	}
	var b strings.Builder
	if it.Image != nil {
		fmt.Fprintf(&b, `<figure><img src="%s" alt="%s"`, html.EscapeString(it.Image.URL), html.EscapeString(p.Image.Alt))
		if p.Image.Width > 0 && p.Image.Height > 0 {
			fmt.Fprintf(&b, ` width="%d" height="%d"`, p.Image.Width, p.Image.Height)
		}
		b.WriteString(">")
		caption := content.RenderInline(p.Image.Caption)
		if caption != "" || p.Image.Credit != "" {
			b.WriteString("<figcaption>")
			b.WriteString(caption)
			if p.Image.Credit != "" {
				if caption != "" {
					b.WriteString(" ")
				}
				b.WriteString("Photo: " + html.EscapeString(p.Image.Credit))
			}
			b.WriteString("</figcaption>")
		}
		b.WriteString("</figure>\n")
	}
	b.WriteString(p.BodyHTML)
	if len(p.Corrections) > 0 {
		b.WriteString("\n<h2>Corrections</h2>\n<ul>\n")
		for _, c := range p.Corrections {
			d := newDateView(c.Date)
			fmt.Fprintf(&b, "<li><time datetime=\"%s\">%s</time>: %s</li>\n", d.ISO, d.Text, content.RenderInline(c.Note))
		}
		b.WriteString("</ul>\n")
	}
	it.ContentHTML = absoluteURLs(b.String(), u)
	return it
}

// imageType is the MIME type of an image by its name; image/jpeg when
// unknown, which is what most photographs are.
func imageType(key string) string {
	if u, err := url.Parse(key); err == nil {
		key = u.Path
	}
	if t, ok := mediaTypes[strings.ToLower(path.Ext(key))]; ok {
		return t
	}
	return "image/jpeg"
}

// absoluteURLs resolves every relative link and image source of a
// fragment of HTML against page: a feed reader shows the article far from
// the site.
func absoluteURLs(doc, page string) string {
	base, err := url.Parse(page)
	if err != nil {
		return doc
	}
	z := xhtml.NewTokenizer(strings.NewReader(doc))
	var b strings.Builder
	b.Grow(len(doc) + 256)
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			return b.String()
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			tok := z.Token()
			changed := false
			for i, a := range tok.Attr {
				if a.Namespace != "" || (a.Key != "href" && a.Key != "src") {
					continue
				}
				if ref, err := url.Parse(strings.TrimSpace(a.Val)); err == nil && !ref.IsAbs() {
					tok.Attr[i].Val = base.ResolveReference(ref).String()
					changed = true
				}
			}
			if changed {
				b.WriteString(tok.String())
			} else {
				b.Write(z.Raw())
			}
		default:
			b.Write(z.Raw())
		}
	}
}

// xmlText drops what XML 1.0 cannot carry (most control characters, lone
// surrogates, U+FFFE and U+FFFF) and repairs invalid UTF-8, so that no
// title or body can make a feed ill-formed.
func xmlText(s string) string {
	s = strings.ToValidUTF8(s, "\ufffd")
	clean := true
	for _, r := range s {
		if !xmlChar(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if xmlChar(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// xmlChar reports whether r is a character XML 1.0 allows. The decoder
// turns invalid UTF-8 into U+FFFD, which is allowed.
func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// RSS 2.0, with the content, Dublin Core, Media RSS and Atom extensions.

type rssDoc struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	Atom    string     `xml:"xmlns:atom,attr"`
	Content string     `xml:"xmlns:content,attr"`
	DC      string     `xml:"xmlns:dc,attr"`
	Media   string     `xml:"xmlns:media,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language,omitempty"`
	LastBuildDate string    `xml:"lastBuildDate,omitempty"`
	Generator     string    `xml:"generator"`
	Self          rssLink   `xml:"atom:link"`
	Image         *rssImage `xml:"image,omitempty"`
	Items         []rssItem `xml:"item"`
}

type rssLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type rssImage struct {
	URL   string `xml:"url"`
	Title string `xml:"title"`
	Link  string `xml:"link"`
}

type rssItem struct {
	Title       string        `xml:"title"`
	Link        string        `xml:"link"`
	GUID        rssGUID       `xml:"guid"`
	PubDate     string        `xml:"pubDate"`
	Creators    []string      `xml:"dc:creator"`
	Categories  []string      `xml:"category"`
	Description string        `xml:"description"`
	Content     string        `xml:"content:encoded,omitempty"`
	Media       *rssMediaItem `xml:"media:content,omitempty"`
}

type rssGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

type rssMediaItem struct {
	URL         string `xml:"url,attr"`
	Type        string `xml:"type,attr"`
	Medium      string `xml:"medium,attr"`
	Width       int    `xml:"width,attr,omitempty"`
	Height      int    `xml:"height,attr,omitempty"`
	Description string `xml:"media:description,omitempty"`
	Credit      string `xml:"media:credit,omitempty"`
}

func writeRSS(d *feedData) ([]byte, error) {
	doc := rssDoc{
		Version: "2.0",
		Atom:    "http://www.w3.org/2005/Atom",
		Content: "http://purl.org/rss/1.0/modules/content/",
		DC:      "http://purl.org/dc/elements/1.1/",
		Media:   "http://search.yahoo.com/mrss/",
		Channel: rssChannel{
			Title:       xmlText(d.Title),
			Link:        d.HomeURL,
			Description: xmlText(d.Description),
			Language:    d.Lang,
			Generator:   "Masthead",
			Self:        rssLink{Href: d.FeedURL, Rel: "self", Type: "application/rss+xml"},
		},
	}
	if !d.Updated.IsZero() {
		doc.Channel.LastBuildDate = d.Updated.UTC().Format(time.RFC1123Z)
	}
	if d.Logo != "" {
		doc.Channel.Image = &rssImage{URL: d.Logo, Title: xmlText(d.Title), Link: d.HomeURL}
	}
	for _, it := range d.Items {
		ri := rssItem{
			Title:       xmlText(it.Title),
			Link:        it.URL,
			GUID:        rssGUID{IsPermaLink: "true", Value: it.URL},
			PubDate:     it.Published.UTC().Format(time.RFC1123Z),
			Description: xmlText(it.Summary),
			Content:     xmlText(it.ContentHTML),
		}
		for _, a := range it.Authors {
			ri.Creators = append(ri.Creators, xmlText(a.Name))
		}
		for _, c := range it.Categories {
			ri.Categories = append(ri.Categories, xmlText(c))
		}
		if im := it.Image; im != nil {
			ri.Media = &rssMediaItem{URL: im.URL, Type: im.Type, Medium: "image", Width: im.Width, Height: im.Height,
				Description: xmlText(im.Alt), Credit: xmlText(im.Credit)}
		}
		doc.Channel.Items = append(doc.Channel.Items, ri)
	}
	return marshalXML(doc)
}

// Atom 1.0 (RFC 4287).

type atomFeed struct {
	XMLName  xml.Name      `xml:"http://www.w3.org/2005/Atom feed"`
	Lang     string        `xml:"xml:lang,attr,omitempty"`
	Title    atomText      `xml:"title"`
	Subtitle *atomText     `xml:"subtitle,omitempty"`
	ID       string        `xml:"id"`
	Updated  string        `xml:"updated"`
	Links    []atomLink    `xml:"link"`
	Author   atomPerson    `xml:"author"`
	Icon     string        `xml:"icon,omitempty"`
	Logo     string        `xml:"logo,omitempty"`
	Entries  []atomEntry   `xml:"entry"`
	Gen      atomGenerator `xml:"generator"`
}

type atomGenerator struct {
	Value string `xml:",chardata"`
}

type atomText struct {
	Type  string `xml:"type,attr"`
	Value string `xml:",chardata"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

type atomEntry struct {
	Title      atomText       `xml:"title"`
	ID         string         `xml:"id"`
	Links      []atomLink     `xml:"link"`
	Published  string         `xml:"published"`
	Updated    string         `xml:"updated"`
	Authors    []atomPerson   `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    atomText       `xml:"summary"`
	Content    *atomText      `xml:"content,omitempty"`
}

func writeAtom(d *feedData) ([]byte, error) {
	updated := d.Updated
	if updated.IsZero() {
		// An empty feed still needs a date; the epoch says "never".
		updated = time.Unix(0, 0)
	}
	f := atomFeed{
		Lang:    d.Lang,
		Title:   atomText{Type: "text", Value: xmlText(d.Title)},
		ID:      d.FeedURL,
		Updated: updated.UTC().Format(time.RFC3339),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: d.FeedURL},
			{Rel: "alternate", Type: "text/html", Href: d.HomeURL},
		},
		Author: atomPerson{Name: xmlText(d.Publisher)},
		Icon:   d.Icon,
		Logo:   d.Logo,
		Gen:    atomGenerator{Value: "Masthead"},
	}
	if d.Description != "" {
		f.Subtitle = &atomText{Type: "text", Value: xmlText(d.Description)}
	}
	for _, it := range d.Items {
		e := atomEntry{
			Title:     atomText{Type: "text", Value: xmlText(it.Title)},
			ID:        it.URL,
			Links:     []atomLink{{Rel: "alternate", Type: "text/html", Href: it.URL}},
			Published: it.Published.UTC().Format(time.RFC3339),
			Updated:   it.Updated.UTC().Format(time.RFC3339),
			Summary:   atomText{Type: "text", Value: xmlText(it.Summary)},
		}
		if it.ContentHTML != "" {
			e.Content = &atomText{Type: "html", Value: xmlText(it.ContentHTML)}
		}
		for _, a := range it.Authors {
			e.Authors = append(e.Authors, atomPerson{Name: xmlText(a.Name), URI: a.URL})
		}
		for _, c := range it.Categories {
			e.Categories = append(e.Categories, atomCategory{Term: xmlText(c)})
		}
		if im := it.Image; im != nil {
			e.Links = append(e.Links, atomLink{Rel: "enclosure", Type: im.Type, Href: im.URL})
		}
		f.Entries = append(f.Entries, e)
	}
	return marshalXML(f)
}

func marshalXML(v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", " ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// JSON Feed 1.1 (https://jsonfeed.org/version/1.1).

type jsonFeed struct {
	Version     string       `json:"version"`
	Title       string       `json:"title"`
	HomePageURL string       `json:"home_page_url"`
	FeedURL     string       `json:"feed_url"`
	Description string       `json:"description,omitempty"`
	Icon        string       `json:"icon,omitempty"`
	Favicon     string       `json:"favicon,omitempty"`
	Language    string       `json:"language,omitempty"`
	Authors     []jsonPerson `json:"authors,omitempty"`
	Items       []jsonItem   `json:"items"`
}

type jsonPerson struct {
	Name   string `json:"name"`
	URL    string `json:"url,omitempty"`
	Avatar string `json:"avatar,omitempty"`
}

type jsonItem struct {
	ID            string       `json:"id"`
	URL           string       `json:"url"`
	Title         string       `json:"title"`
	ContentHTML   string       `json:"content_html,omitempty"`
	ContentText   string       `json:"content_text,omitempty"`
	Summary       string       `json:"summary,omitempty"`
	Image         string       `json:"image,omitempty"`
	DatePublished string       `json:"date_published"`
	DateModified  string       `json:"date_modified,omitempty"`
	Authors       []jsonPerson `json:"authors,omitempty"`
	Tags          []string     `json:"tags,omitempty"`
}

func writeJSONFeed(d *feedData) ([]byte, error) {
	f := jsonFeed{
		Version:     "https://jsonfeed.org/version/1.1",
		Title:       xmlText(d.Title),
		HomePageURL: d.HomeURL,
		FeedURL:     d.FeedURL,
		Description: xmlText(d.Description),
		Icon:        d.Logo,
		Favicon:     d.Icon,
		Language:    d.Lang,
		Authors:     []jsonPerson{{Name: xmlText(d.Publisher), URL: d.HomeURL}},
		Items:       []jsonItem{},
	}
	for _, it := range d.Items {
		ji := jsonItem{
			ID:            it.URL,
			URL:           it.URL,
			Title:         xmlText(it.Title),
			ContentHTML:   xmlText(it.ContentHTML),
			Summary:       xmlText(it.Summary),
			DatePublished: it.Published.UTC().Format(time.RFC3339),
		}
		if ji.ContentHTML == "" {
			ji.ContentText = ji.Summary
		}
		if it.Updated.After(it.Published) {
			ji.DateModified = it.Updated.UTC().Format(time.RFC3339)
		}
		if it.Image != nil {
			ji.Image = it.Image.URL
		}
		for _, a := range it.Authors {
			ji.Authors = append(ji.Authors, jsonPerson{Name: xmlText(a.Name), URL: a.URL, Avatar: a.Avatar})
		}
		for _, c := range it.Categories {
			ji.Tags = append(ji.Tags, xmlText(c))
		}
		f.Items = append(f.Items, ji)
	}
	b, err := json.MarshalIndent(f, "", " ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
