package importer

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"masthead/internal/content"
	"masthead/internal/store"
)

// maxItemBytes bounds the text of one element of an export read as a
// whole (an item with its content); anything larger is no article.
const maxItemBytes = 32 << 20

// ReadWordPress reads a WordPress export file (WXR, from Tools → Export).
// The file is streamed, never held whole: this reads the authors,
// categories, tags and attachments, and the Archive's Posts reads the file
// again for the posts each time it is called.
//
// Posts and pages are imported (pages with the tag "Page", since Masthead
// has only articles), with drafts, pending and scheduled posts; trashed
// items, automatic drafts, revisions, menus and other site machinery are
// skipped, and comments are counted. The first category (or the primary
// one an SEO plugin chose) becomes the section, the others and the tags
// become tags; "Uncategorized" is left out. A file that declares XML
// entities is refused before any is expanded.
func ReadWordPress(ctx context.Context, path string) (*Archive, error) {
	wp := &wordpress{path: path, name: filepath.Base(path), cats: map[string]ArchiveTag{}, catIDs: map[string]string{},
		attachments: map[string]wpAttachment{}, children: map[string][]string{}}
	arc := &Archive{Format: "WordPress", Source: wp.name}
	authorSeen := map[string]bool{}
	sawWXR := false
	notes, err := wp.scan(ctx, map[string]bool{"content:encoded": true, "wp:comment": true}, func(n *xnode) error {
		switch n.name {
		case "wp:wxr_version":
			sawWXR = true
		case "link":
			wp.siteURL = n.text
		case "wp:base_site_url":
			if wp.siteURL == "" {
				wp.siteURL = n.text
			}
		case "wp:author":
			a := wp.author(n)
			if a.Key == "" || authorSeen[a.Key] {
				return nil
			}
			authorSeen[a.Key] = true
			arc.Authors = append(arc.Authors, a)
		case "wp:category":
			nice := wpSlug(n.val("wp:category_nicename"))
			t := ArchiveTag{Slug: nice, Name: n.val("wp:cat_name"), Description: n.val("wp:category_description")}
			wp.cats[nice] = t
			wp.catIDs[n.val("wp:term_id")] = nice
			arc.Tags = append(arc.Tags, t)
		case "wp:tag":
			arc.Tags = append(arc.Tags, ArchiveTag{Slug: wpSlug(n.val("wp:tag_slug")), Name: n.val("wp:tag_name"),
				Description: n.val("wp:tag_description")})
		case "item":
			if n.val("wp:post_type") != "attachment" {
				return nil
			}
			id := n.val("wp:post_id")
			att := wpAttachment{url: n.val("wp:attachment_url"), caption: plainHTML(n.val("excerpt:encoded")),
				alt: wp.meta(n, "_wp_attachment_image_alt")}
			if att.url == "" {
				att.url = n.val("guid")
			}
			wp.attachments[id] = att
			if parent := n.val("wp:post_parent"); parent != "" && parent != "0" {
				wp.children[parent] = append(wp.children[parent], id)
			}
		}
		return nil
	})
	for _, note := range notes {
		arc.Warnings = append(arc.Warnings, Problem{Path: wp.name, Line: 1, Msg: note})
	}
	if pe, ok := errors.AsType[*archiveError](err); ok {
		arc.Problems = append(arc.Problems, pe.Problem)
		arc.Posts = func(context.Context, func(*ArchivePost) error) error { return nil }
		return arc, nil
	}
	if err != nil {
		return nil, err
	}
	if !sawWXR {
		arc.Problems = append(arc.Problems, Problem{Path: wp.name, Line: 1,
			Msg: "not a WordPress export: it has no wp:wxr_version (export the site with Tools → Export)"})
	}
	arc.Posts = func(ctx context.Context, fn func(*ArchivePost) error) error {
		_, err := wp.scan(ctx, nil, func(n *xnode) error {
			if n.name != "item" {
				return nil
			}
			if p := wp.post(n); p != nil {
				return fn(p)
			}
			return nil
		})
		return err
	}
	return arc, nil
}

// wordpress is what the first reading of an export learned.
type wordpress struct {
	path, name  string
	siteURL     string
	cats        map[string]ArchiveTag   // by nicename
	catIDs      map[string]string       // term id → nicename
	attachments map[string]wpAttachment // by post id
	children    map[string][]string     // post id → ids of its attachments, in order
}

type wpAttachment struct {
	url, alt, caption string
}

// xnode is one element of an export with what it holds.
type xnode struct {
	name  string // "prefix:local" for WordPress's usual prefixes
	attrs []xml.Attr
	text  string
	kids  []*xnode
	line  int
}

func (n *xnode) child(name string) *xnode {
	for _, k := range n.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

// val is the trimmed text of the first child element called name.
func (n *xnode) val(name string) string {
	if k := n.child(name); k != nil {
		return strings.TrimSpace(k.text)
	}
	return ""
}

func (n *xnode) attr(name string) string {
	for _, a := range n.attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// qname names an element by the prefix WordPress uses for its namespace,
// whatever the file declared.
func qname(n xml.Name) string {
	s := n.Space
	switch {
	case s == "":
		return n.Local
	case strings.Contains(s, "wordpress.org/export") && strings.Contains(s, "excerpt"), s == "excerpt":
		return "excerpt:" + n.Local
	case strings.Contains(s, "wordpress.org/export"), s == "wp":
		return "wp:" + n.Local
	case strings.Contains(s, "purl.org/rss/1.0/modules/content"), s == "content":
		return "content:" + n.Local
	case strings.Contains(s, "purl.org/dc/elements"), s == "dc":
		return "dc:" + n.Local
	}
	return s + ":" + n.Local
}

// channelElements are the children of <channel> the import reads.
var channelElements = map[string]bool{
	"item": true, "wp:author": true, "wp:category": true, "wp:tag": true, "link": true,
	"wp:base_site_url": true, "wp:wxr_version": true,
}

// scan streams the export, calling fn with each element of channelElements
// read whole, except for the children named in skip. Malformed XML is an
// *archiveError with its line. It returns notes on the file's encoding.
func (wp *wordpress) scan(ctx context.Context, skip map[string]bool, fn func(*xnode) error) ([]string, error) {
	f, err := os.Open(wp.path)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	head, _ := br.Peek(1024)
	var r io.Reader = br
	var clean *cleanText
	if isUTF8Label(declaredEncoding(head)) {
		clean = newCleanText(br)
		r = clean
	}
	var note string
	d := xml.NewDecoder(r)
	d.CharsetReader = charsetReader(&note)
	notes := func() []string {
		var ns []string
		if note != "" {
			ns = append(ns, note)
		}
		if clean != nil {
			if w := clean.warning(); w != "" {
				ns = append(ns, w)
			}
		}
		return ns
	}

	depth, channel, root := 0, false, false
	for {
		if depth <= 2 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return notes(), wp.xmlError(d, err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			if bytes.Contains(t, []byte("ENTITY")) {
				line, _ := d.InputPos()
				return notes(), &archiveError{Problem{Path: wp.name, Line: line,
					Msg: "the file declares XML entities (<!ENTITY …>), which no WordPress export has; it is refused before anything is expanded"}}
			}
		case xml.StartElement:
			depth++
			name := qname(t.Name)
			switch {
			case depth == 1:
				if name != "rss" {
					line, _ := d.InputPos()
					return notes(), &archiveError{Problem{Path: wp.name, Line: line,
						Msg: fmt.Sprintf("not a WordPress export: the document is <%s>, not <rss>", t.Name.Local)}}
				}
				root = true
			case depth == 2 && name == "channel":
				channel = true
			case depth == 3 && channel && channelElements[name]:
				line, _ := d.InputPos()
				n, err := readTree(d, t, skip, line, new(int))
				if err != nil {
					return notes(), wp.xmlError(d, err)
				}
				depth--
				if err := fn(n); err != nil {
					return notes(), err
				}
			default:
				if depth >= 3 || depth == 2 {
					if err := d.Skip(); err != nil {
						return notes(), wp.xmlError(d, err)
					}
					depth--
				}
			}
		case xml.EndElement:
			depth--
			if depth == 1 {
				channel = false
			}
		}
	}
	if !root {
		return notes(), &archiveError{Problem{Path: wp.name, Line: 1, Msg: "the file is empty or holds no XML document"}}
	}
	return notes(), nil
}

// xmlError turns a decoding error into a problem at its line.
func (wp *wordpress) xmlError(d *xml.Decoder, err error) error {
	if ae, ok := errors.AsType[*archiveError](err); ok {
		if ae.Path == "" {
			ae.Path = wp.name
		}
		return ae
	}
	line, _ := d.InputPos()
	msg := err.Error()
	if se, ok := errors.AsType[*xml.SyntaxError](err); ok {
		line, msg = se.Line, se.Msg
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || msg == "unexpected EOF" {
		msg = "the file ends in the middle of the XML (was the export cut short?)"
	}
	return &archiveError{Problem{Path: wp.name, Line: line, Msg: "malformed XML: " + msg}}
}

// readTree reads the element start (already read from d) to its end.
// size counts the text read for the whole tree.
func readTree(d *xml.Decoder, start xml.StartElement, skip map[string]bool, line int, size *int) (*xnode, error) {
	n := &xnode{name: qname(start.Name), attrs: start.Attr, line: line}
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if skip[qname(t.Name)] {
				if err := d.Skip(); err != nil {
					return nil, err
				}
				n.kids = append(n.kids, &xnode{name: qname(t.Name)})
				continue
			}
			l, _ := d.InputPos()
			k, err := readTree(d, t, skip, l, size)
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, k)
		case xml.CharData:
			*size += len(t)
			if *size > maxItemBytes {
				return nil, &archiveError{Problem{Line: line, Msg: fmt.Sprintf("an element larger than %d MB", maxItemBytes>>20)}}
			}
			text.Write(t)
		case xml.EndElement:
			n.text = text.String()
			return n, nil
		}
	}
}

func (wp *wordpress) meta(n *xnode, key string) string {
	for _, k := range n.kids {
		if k.name == "wp:postmeta" && k.val("wp:meta_key") == key {
			return k.val("wp:meta_value")
		}
	}
	return ""
}

// wpSlug undoes the percent-encoding WordPress keeps non-ASCII slugs in.
func wpSlug(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

func (wp *wordpress) author(n *xnode) ArchiveAuthor {
	login := n.val("wp:author_login")
	name := n.val("wp:author_display_name")
	if name == "" {
		name = strings.TrimSpace(n.val("wp:author_first_name") + " " + n.val("wp:author_last_name"))
	}
	if name == "" {
		name = login
	}
	a := ArchiveAuthor{Pos: Pos{wp.name, n.line}, Key: login, Slug: content.Slugify(name), Name: name}
	if a.Slug == "" {
		a.Slug = login
	}
	for _, key := range []string{"wp:author_description", "wp:author_bio", "wp:description"} {
		if bio := n.val(key); bio != "" {
			a.Bio = htmlToMarkdown(autop(bio)).markdown
			break
		}
	}
	if site := n.val("wp:author_url"); webURL(site, "http", "https") {
		a.Links = []content.Link{{Label: "Website", URL: site}}
	}
	return a
}

// wpInternalTypes are post types of WordPress's own machinery, skipped
// without a word.
var wpInternalTypes = map[string]bool{
	"attachment": true, "revision": true, "nav_menu_item": true, "custom_css": true, "customize_changeset": true,
	"oembed_cache": true, "user_request": true, "wp_block": true, "wp_template": true, "wp_template_part": true,
	"wp_global_styles": true, "wp_navigation": true, "wp_font_family": true, "wp_font_face": true,
}

// post turns an item into a post, or nil for items of no interest.
func (wp *wordpress) post(n *xnode) *ArchivePost {
	typ := n.val("wp:post_type")
	if wpInternalTypes[typ] {
		return nil
	}
	id := n.val("wp:post_id")
	p := &ArchivePost{Pos: Pos{wp.name, n.line}, Title: html2text(n.val("title")), Slug: wpSlug(n.val("wp:post_name"))}
	for _, k := range n.kids {
		if k.name == "wp:comment" {
			p.Comments++
		}
	}
	if typ != "post" && typ != "page" {
		p.Skip = fmt.Sprintf("WordPress items of type %q are not articles", typ)
		return p
	}
	switch st := n.val("wp:status"); st {
	case "publish":
		p.Status = content.StatusPublished
	case "future":
		p.Status = content.StatusScheduled
	case "draft":
		p.Status = content.StatusDraft
	case "pending":
		p.Status = content.StatusReview
	case "private":
		p.Status = content.StatusDraft
		p.Warnings = append(p.Warnings, "private on WordPress; imported as a draft")
	case "trash":
		p.Skip = "in the WordPress trash"
		return p
	case "auto-draft", "inherit":
		p.Skip = "an automatic draft WordPress kept, never written"
		return p
	default:
		p.Status = content.StatusDraft
		p.Warnings = append(p.Warnings, fmt.Sprintf("WordPress status %q is unknown; imported as a draft", st))
	}
	if n.val("wp:post_password") != "" && p.Status != content.StatusDraft {
		p.Status = content.StatusDraft
		p.Warnings = append(p.Warnings, "password-protected on WordPress; imported as a draft so that it stays private")
	}

	var dateNote string
	p.PublishedAt, dateNote = wpDate(n)
	if dateNote != "" {
		if p.PublishedAt.IsZero() && (p.Status == content.StatusPublished || p.Status == content.StatusScheduled) {
			p.Problems = append(p.Problems, dateNote)
		} else {
			p.Warnings = append(p.Warnings, dateNote)
		}
	}

	if creator := n.val("dc:creator"); creator != "" {
		p.Authors = []string{creator}
	}
	wp.categories(n, p)
	if typ == "page" {
		p.Tags = append(p.Tags, ArchiveTag{Slug: "page", Name: "Page"})
	}

	if thumb := wp.meta(n, "_thumbnail_id"); thumb != "" {
		if att, ok := wp.attachments[thumb]; ok {
			p.Image = ArchiveImage{URL: att.url, Alt: att.alt, Caption: att.caption}
		} else {
			p.Warnings = append(p.Warnings, fmt.Sprintf("featured image %s is not among the export's attachments", thumb))
		}
	}

	raw := n.val("content:encoded")
	raw, notes := wp.shortcodes(raw, id)
	p.Warnings = append(p.Warnings, notes...)
	if !strings.Contains(raw, "<!-- wp:") {
		raw = autop(raw)
	}
	res := htmlToMarkdown(raw)
	p.Body, p.BodyImages = res.markdown, res.images
	if len(res.dropped) > 0 {
		p.Warnings = append(p.Warnings, "content that Markdown cannot hold was left out or linked: "+strings.Join(res.dropped, ", "))
	}
	p.Excerpt = plainHTML(n.val("excerpt:encoded"))

	if t := wp.meta(n, "_yoast_wpseo_title"); t != "" && !strings.Contains(t, "%%") {
		p.SEOTitle = t
	}
	if d := wp.meta(n, "_yoast_wpseo_metadesc"); d != "" && !strings.Contains(d, "%%") {
		p.SEODescription = d
	}

	if strings.TrimSpace(p.Title) == "" {
		opening := truncateWords(content.PlainText(content.Render(p.Body)), 70)
		if opening == "" {
			p.Skip = "has neither a title nor any text"
			return p
		}
		p.Title = opening
		p.Warnings = append(p.Warnings, "has no title; it is titled with its opening words")
	}
	if content.Slugify(p.Slug) == "" && content.Slugify(p.Title) == "" && id != "" {
		p.Slug = "post-" + id
	}

	if p.Status == content.StatusPublished {
		p.OldPaths = wp.oldPaths(n, typ, id)
	}
	return p
}

// categories sets the section and tags of a post from its category
// elements.
func (wp *wordpress) categories(n *xnode, p *ArchivePost) {
	var cats, tags []ArchiveTag
	for _, k := range n.kids {
		if k.name != "category" {
			continue
		}
		t := ArchiveTag{Slug: wpSlug(k.attr("nicename")), Name: strings.TrimSpace(k.text)}
		switch k.attr("domain") {
		case "category":
			if t.Slug != "uncategorized" {
				cats = append(cats, t)
			}
		case "post_tag":
			tags = append(tags, t)
		}
	}
	if primary := wp.catIDs[wp.meta(n, "_yoast_wpseo_primary_category")]; primary != "" {
		if i := slices.IndexFunc(cats, func(t ArchiveTag) bool { return t.Slug == primary }); i > 0 {
			cats[0], cats[i] = cats[i], cats[0]
		}
	}
	if len(cats) > 0 {
		p.Section = &cats[0]
		cats = cats[1:]
	}
	p.Tags = append(cats, tags...)
}

// oldPaths are the addresses a published item had: its permalink and its
// ?p= (or ?page_id=) short link.
func (wp *wordpress) oldPaths(n *xnode, typ, id string) []string {
	var paths []string
	add := func(raw string) {
		u, err := url.Parse(strings.TrimSpace(raw))
		if err != nil || raw == "" {
			return
		}
		p := store.RedirectPath(u.Path, u.Query())
		if p != "/" && len(p) < 2000 && !slices.Contains(paths, p) {
			paths = append(paths, p)
		}
	}
	add(n.val("link"))
	if id != "" {
		key := "p"
		if typ == "page" {
			key = "page_id"
		}
		add("/?" + key + "=" + url.QueryEscape(id))
	}
	return paths
}

// wpDate is an item's publication time: the GMT date, else the RSS date,
// else the local date read as UTC. The note says what was odd about it.
func wpDate(n *xnode) (time.Time, string) {
	gmt, local, pub := n.val("wp:post_date_gmt"), n.val("wp:post_date"), n.val("pubDate")
	if t, ok := parseLooseDate(gmt); ok {
		return t, ""
	}
	if t, ok := parseLooseDate(pub); ok {
		return t, ""
	}
	if t, ok := parseLooseDate(local); ok {
		return t, fmt.Sprintf("no GMT date; the local date %q is taken as UTC", local)
	}
	for _, c := range []struct{ key, v string }{{"wp:post_date_gmt", gmt}, {"wp:post_date", local}, {"pubDate", pub}} {
		if c.v != "" && !emptyDate(c.v) {
			return time.Time{}, fmt.Sprintf("no usable date: %s %q is not a date", c.key, c.v)
		}
	}
	return time.Time{}, ""
}

// emptyDate reports WordPress's ways of saying "no date".
func emptyDate(s string) bool {
	return strings.HasPrefix(s, "0000-00-00") || strings.Contains(s, " -0001 ")
}

// looseDateLayouts are the date forms found in exports and feeds; layouts
// without a zone are UTC.
var looseDateLayouts = []string{
	"2006-01-02 15:04:05", time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02",
	time.RFC1123Z, time.RFC1123, "Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 MST",
	"2 Jan 2006 15:04:05 -0700", "Mon, 02 Jan 2006 15:04 -0700", "2006/01/02 15:04:05", "2006/01/02",
	"January 2, 2006", "2 January 2006", "2006-01-02 15:04:05 -0700", "2006-01-02T15:04:05-0700",
}

// parseLooseDate reads a date in any of looseDateLayouts, refusing empty
// dates and years before 1900 or after 9999.
func parseLooseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" || emptyDate(s) {
		return time.Time{}, false
	}
	for _, layout := range looseDateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 1900 || t.Year() > 9999 {
				return time.Time{}, false
			}
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// html2text is the text of a bit of HTML, such as a title with entities.
func html2text(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return strings.TrimSpace(s)
	}
	return strings.TrimSpace(content.PlainText(s))
}

// plainHTML is the plain text of an HTML excerpt or caption.
func plainHTML(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	return strings.TrimSpace(content.PlainText(s))
}

// truncateWords cuts s to at most n bytes at a word boundary, with "…"
// when it cut.
func truncateWords(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	cut := s[:n]
	if i := strings.LastIndexFunc(cut, unicode.IsSpace); i > n/2 {
		cut = cut[:i]
	} else {
		for len(cut) > 0 && !utf8RuneStart(s[len(cut)]) {
			cut = cut[:len(cut)-1]
		}
	}
	return strings.TrimRightFunc(cut, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }) + "…"
}

// autop turns the blank-line paragraphs of classic-editor content into
// HTML paragraphs, as WordPress does when it shows a post: runs of text
// separated by blank lines become <p> elements, single line breaks inside
// them <br>, and runs that start with a block element stay as they are.
func autop(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	if strings.TrimSpace(s) == "" {
		return ""
	}
	// Block elements stand apart from the text around them, as blank
	// lines would set them apart.
	s = separateBlocks(s)
	var chunks []string
	var pending []string // chunks inside an open <pre>
	open := 0            // <pre> elements open in pending
	for _, c := range blankLines.Split(s, -1) {
		// A blank line inside <pre> belongs to it.
		lower := strings.ToLower(c)
		open += strings.Count(lower, "<pre") - strings.Count(lower, "</pre")
		if open > 0 {
			pending = append(pending, c)
			continue
		}
		open = 0
		if len(pending) > 0 {
			c = strings.Join(append(pending, c), "\n\n")
			pending = pending[:0]
		}
		chunks = append(chunks, c)
	}
	if len(pending) > 0 {
		chunks = append(chunks, strings.Join(pending, "\n\n"))
	}
	var b strings.Builder
	for _, c := range chunks {
		c = strings.TrimSpace(c)
		switch {
		case c == "":
		case blockStart.MatchString(c):
			b.WriteString(c)
		default:
			b.WriteString("<p>" + strings.ReplaceAll(c, "\n", "<br>\n") + "</p>")
		}
		b.WriteString("\n")
	}
	return b.String()
}

var (
	blankLines = regexp.MustCompile(`\n[ \t]*\n`)
	blockNames = `(?:p|div|h[1-6]|ul|ol|li|blockquote|pre|table|thead|tbody|tr|td|th|figure|figcaption|hr|section|article|aside|header|footer|dl|dd|dt|iframe|form|address|details|!--)`
	blockStart = regexp.MustCompile(`(?i)^</?` + blockNames + `[\s/>]`)
)

// autopBlocks are the elements autop sets apart from the text around them.
var autopBlocks = map[string]bool{
	"p": true, "div": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "ul": true,
	"ol": true, "li": true, "blockquote": true, "pre": true, "table": true, "thead": true, "tbody": true, "tr": true,
	"td": true, "th": true, "figure": true, "figcaption": true, "hr": true, "section": true, "article": true,
	"aside": true, "header": true, "footer": true, "dl": true, "dd": true, "dt": true, "iframe": true, "form": true,
	"address": true, "details": true,
}

// separateBlocks puts a blank line before every block element's start tag
// and after every end tag (and before comments), which a regular
// expression does far more slowly on large archives.
func separateBlocks(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/16)
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		s = s[i:]
		if strings.HasPrefix(s, "<!--") {
			b.WriteString("\n\n<!--")
			s = s[4:]
			continue
		}
		j := 1
		closing := len(s) > 1 && s[1] == '/'
		if closing {
			j = 2
		}
		k := j
		for k < len(s) && (isASCIILetter(s[k]) || '0' <= s[k] && s[k] <= '9') {
			k++
		}
		if k == j || !autopBlocks[strings.ToLower(s[j:k])] || k < len(s) && !strings.ContainsRune(" \t\r\n/>", rune(s[k])) {
			b.WriteByte('<')
			s = s[1:]
			continue
		}
		if !closing {
			b.WriteString("\n\n")
			b.WriteString(s[:k])
			s = s[k:]
			continue
		}
		end := strings.IndexByte(s, '>')
		if end < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:end+1])
		b.WriteString("\n\n")
		s = s[end+1:]
	}
}

// Shortcodes WordPress posts use, in [name attrs]…[/name] form.
var (
	captionCode = regexp.MustCompile(`(?s)\[caption([^\]]*)\](.*?)\[/caption\]`)
	galleryCode = regexp.MustCompile(`\[gallery([^\]]*)\]`)
	embedCode   = regexp.MustCompile(`(?s)\[embed[^\]]*\](.*?)\[/embed\]`)
	mediaCode   = regexp.MustCompile(`(?s)\[(video|audio|playlist)([^\]]*)\](?:(.*?)\[/(?:video|audio|playlist)\])?`)
	anyCode     = regexp.MustCompile(`\[(/?)([a-zA-Z][\w-]*)((?:\s+[^\]]*)?)\]`)
	codeAttr    = regexp.MustCompile(`([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s'"\]]+))`)
	imgOrLink   = regexp.MustCompile(`(?s)^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$`)
)

func shortcodeAttrs(s string) map[string]string {
	m := map[string]string{}
	for _, a := range codeAttr.FindAllStringSubmatch(s, -1) {
		m[strings.ToLower(a[1])] = a[2] + a[3] + a[4]
	}
	return m
}

// shortcodes turns [caption], [gallery], [embed], [video] and [audio] into
// HTML the conversion understands, and names others left as text.
func (wp *wordpress) shortcodes(s, postID string) (string, []string) {
	if !strings.Contains(s, "[") {
		return s, nil
	}
	var notes []string
	s = captionCode.ReplaceAllStringFunc(s, func(m string) string {
		sub := captionCode.FindStringSubmatch(m)
		attrs := shortcodeAttrs(sub[1])
		inner, caption := sub[2], attrs["caption"]
		if parts := imgOrLink.FindStringSubmatch(inner); parts != nil {
			inner = parts[1]
			if strings.TrimSpace(parts[2]) != "" {
				caption = parts[2]
			}
		}
		return "\n\n<figure>" + inner + "<figcaption>" + caption + "</figcaption></figure>\n\n"
	})
	s = galleryCode.ReplaceAllStringFunc(s, func(m string) string {
		attrs := shortcodeAttrs(galleryCode.FindStringSubmatch(m)[1])
		var ids []string
		if v := attrs["ids"]; v != "" {
			for _, id := range strings.Split(v, ",") {
				ids = append(ids, strings.TrimSpace(id))
			}
		} else {
			ids = wp.children[cmp.Or(attrs["id"], postID)]
		}
		var b strings.Builder
		b.WriteString("\n\n")
		for _, id := range ids {
			att, ok := wp.attachments[id]
			if !ok {
				notes = append(notes, fmt.Sprintf("gallery image %s is not among the export's attachments", id))
				continue
			}
			b.WriteString(`<figure><img src="` + htmlAttr(att.url) + `" alt="` + htmlAttr(att.alt) + `">`)
			if att.caption != "" {
				b.WriteString("<figcaption>" + htmlAttr(att.caption) + "</figcaption>")
			}
			b.WriteString("</figure>\n\n")
		}
		return b.String()
	})
	s = embedCode.ReplaceAllStringFunc(s, func(m string) string {
		u := strings.TrimSpace(embedCode.FindStringSubmatch(m)[1])
		if !webURL(u, "http", "https") {
			return u
		}
		return "\n\n<p><a href=\"" + htmlAttr(u) + "\">" + htmlAttr(u) + "</a></p>\n\n"
	})
	s = mediaCode.ReplaceAllStringFunc(s, func(m string) string {
		sub := mediaCode.FindStringSubmatch(m)
		attrs := shortcodeAttrs(sub[2])
		for _, k := range []string{"src", "mp4", "mp3", "m4a", "ogg", "wav", "webm"} {
			if u := attrs[k]; webURL(u, "http", "https") {
				return "\n\n<p><a href=\"" + htmlAttr(u) + "\">" + htmlAttr(u) + "</a></p>\n\n"
			}
		}
		notes = append(notes, fmt.Sprintf("[%s] without an address was left out", sub[1]))
		return ""
	})
	seen := map[string]bool{}
	for _, m := range anyCode.FindAllStringSubmatch(s, -1) {
		name := strings.ToLower(m[2])
		// "[sic]" and "[1]" are text; a closing tag or attributes make a
		// shortcode.
		if (m[1] == "/" || strings.Contains(m[3], "=")) && !seen[name] {
			seen[name] = true
			notes = append(notes, fmt.Sprintf("shortcode [%s] is not known and stays as text", name))
		}
	}
	return s, notes
}

func htmlAttr(s string) string {
	return strings.NewReplacer("&", "&amp;", `"`, "&quot;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
