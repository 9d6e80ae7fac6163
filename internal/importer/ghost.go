package importer

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
)

// ReadGhost reads a Ghost export (Settings → Labs → Export, a JSON file).
// The file is decoded as a stream, record by record, and only what the
// import uses is kept: posts, pages (tagged "Page"), users as authors,
// tags (the primary tag becomes the section; internal #tags are left out)
// and their links. A post's html is used when the export has it, else its
// Lexical or Mobiledoc document is rendered. Members-only posts come in as
// drafts so that nothing paid for becomes free by accident.
func ReadGhost(ctx context.Context, path string) (*Archive, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	name := filepath.Base(path)
	arc := &Archive{Format: "Ghost", Source: name}
	var ex ghostExport
	if err := decodeGhost(ctx, bufio.NewReaderSize(f, 64<<10), &ex); err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, err
		}
		arc.Problems = append(arc.Problems, Problem{Path: name, Line: jsonErrorLine(path, err), Msg: "malformed Ghost export: " + jsonErrorText(err)})
		arc.Posts = func(context.Context, func(*ArchivePost) error) error { return nil }
		return arc, nil
	}
	if !ex.sawData {
		arc.Problems = append(arc.Problems, Problem{Path: name, Line: 1, Msg: `not a Ghost export: it has no "data" object (export the site from Ghost's settings)`})
	}

	users := map[string]ghostUser{}
	for _, u := range ex.Users {
		id := string(u.ID)
		users[id] = u
		a := ArchiveAuthor{Pos: Pos{Path: name}, Key: id, Slug: u.Slug, Name: u.Name, Bio: escapeParagraphs(u.Bio),
			Photo: ArchiveImage{URL: ghostURL(u.ProfileImage)}}
		if webURL(u.Website, "http", "https") {
			a.Links = []content.Link{{Label: "Website", URL: u.Website}}
		}
		if u.Location != "" {
			a.Role = u.Location
		}
		arc.Authors = append(arc.Authors, a)
	}
	tags := map[string]ghostTag{}
	for _, t := range ex.Tags {
		tags[string(t.ID)] = t
		if !t.internal() {
			arc.Tags = append(arc.Tags, ArchiveTag{Slug: t.Slug, Name: t.Name, Description: t.Description})
		}
	}
	meta := map[string]ghostMeta{}
	for _, m := range ex.PostsMeta {
		meta[string(m.PostID)] = m
	}
	postTags := map[string][]ghostLink{}
	for _, l := range ex.PostsTags {
		postTags[string(l.PostID)] = append(postTags[string(l.PostID)], l)
	}
	postAuthors := map[string][]ghostLink{}
	for _, l := range ex.PostsAuthors {
		postAuthors[string(l.PostID)] = append(postAuthors[string(l.PostID)], l)
	}
	for _, ls := range [](map[string][]ghostLink){postTags, postAuthors} {
		for _, l := range ls {
			slices.SortStableFunc(l, func(a, b ghostLink) int { return cmp.Compare(a.SortOrder, b.SortOrder) })
		}
	}

	arc.Posts = func(ctx context.Context, fn func(*ArchivePost) error) error {
		for i := range ex.Posts {
			if err := ctx.Err(); err != nil {
				return err
			}
			gp := &ex.Posts[i]
			p := ghostArchivePost(name, gp, meta[string(gp.ID)], users, tags, postTags[string(gp.ID)], postAuthors[string(gp.ID)])
			if err := fn(p); err != nil {
				return err
			}
		}
		return nil
	}
	return arc, nil
}

// ghostID is an id, a string in current exports and a number in old ones.
type ghostID string

func (id *ghostID) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*id = ghostID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("an id must be a string or a number, not %s", b)
	}
	*id = ghostID(n.String())
	return nil
}

// ghostTime is a date, an ISO 8601 string in current exports and
// milliseconds since 1970 in old ones. raw keeps what the file said.
type ghostTime struct {
	t   time.Time
	raw string
}

func (gt *ghostTime) UnmarshalJSON(b []byte) error {
	gt.raw = string(b)
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		gt.raw = s
		if t, ok := parseLooseDate(s); ok {
			gt.t = t
		}
		return nil
	}
	if ms, err := strconv.ParseInt(string(b), 10, 64); err == nil && ms > 0 && ms < 253402300800000 {
		gt.t = time.UnixMilli(ms).UTC()
	}
	return nil
}

type ghostPost struct {
	ID            ghostID   `json:"id"`
	Title         string    `json:"title"`
	Slug          string    `json:"slug"`
	HTML          *string   `json:"html"`
	Lexical       *string   `json:"lexical"`
	Mobiledoc     *string   `json:"mobiledoc"`
	Plaintext     string    `json:"plaintext"`
	FeatureImage  string    `json:"feature_image"`
	FeatureAlt    string    `json:"feature_image_alt"`
	FeatureCap    string    `json:"feature_image_caption"`
	Type          string    `json:"type"`
	Page          any       `json:"page"` // old exports: true or 1 for pages
	Status        string    `json:"status"`
	Visibility    string    `json:"visibility"`
	PublishedAt   ghostTime `json:"published_at"`
	CustomExcerpt string    `json:"custom_excerpt"`
	MetaTitle     string    `json:"meta_title"`
	MetaDesc      string    `json:"meta_description"`
	CanonicalURL  string    `json:"canonical_url"`
	AuthorID      ghostID   `json:"author_id"`
}

type ghostMeta struct {
	PostID       ghostID `json:"post_id"`
	MetaTitle    string  `json:"meta_title"`
	MetaDesc     string  `json:"meta_description"`
	FeatureAlt   string  `json:"feature_image_alt"`
	FeatureCap   string  `json:"feature_image_caption"`
	EmailSubject string  `json:"email_subject"`
}

type ghostUser struct {
	ID           ghostID `json:"id"`
	Name         string  `json:"name"`
	Slug         string  `json:"slug"`
	Bio          string  `json:"bio"`
	ProfileImage string  `json:"profile_image"`
	Website      string  `json:"website"`
	Location     string  `json:"location"`
}

type ghostTag struct {
	ID          ghostID `json:"id"`
	Name        string  `json:"name"`
	Slug        string  `json:"slug"`
	Description string  `json:"description"`
	Visibility  string  `json:"visibility"`
}

// internal reports Ghost's internal tags (#name), used for theming.
func (t ghostTag) internal() bool {
	return t.Visibility == "internal" || strings.HasPrefix(t.Name, "#")
}

type ghostLink struct {
	PostID    ghostID `json:"post_id"`
	TagID     ghostID `json:"tag_id"`
	AuthorID  ghostID `json:"author_id"`
	SortOrder int     `json:"sort_order"`
}

type ghostExport struct {
	sawData      bool
	Posts        []ghostPost
	PostsMeta    []ghostMeta
	Users        []ghostUser
	Tags         []ghostTag
	PostsTags    []ghostLink
	PostsAuthors []ghostLink
}

// decodeGhost streams the export: {"db":[{"meta":…,"data":{…}}]} or, from
// some tools, {"meta":…,"data":{…}}. Records of the tables the import uses
// are decoded one at a time; everything else is read past.
func decodeGhost(ctx context.Context, r io.Reader, ex *ghostExport) error {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("the file is not a JSON object")
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return err
		}
		switch key {
		case "db":
			if err := expectDelim(dec, '['); err != nil {
				return err
			}
			for dec.More() {
				if err := decodeGhostDB(ctx, dec, ex); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
		case "data":
			if err := decodeGhostData(ctx, dec, ex); err != nil {
				return err
			}
		default:
			if err := skipJSON(dec); err != nil {
				return err
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("more follows the export's JSON object")
	}
	return nil
}

func decodeGhostDB(ctx context.Context, dec *json.Decoder, ex *ghostExport) error {
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return err
		}
		if key == "data" {
			if err := decodeGhostData(ctx, dec, ex); err != nil {
				return err
			}
			continue
		}
		if err := skipJSON(dec); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	return err
}

func decodeGhostData(ctx context.Context, dec *json.Decoder, ex *ghostExport) error {
	ex.sawData = true
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return err
		}
		var err2 error
		switch key {
		case "posts":
			err2 = decodeRecords(ctx, dec, &ex.Posts)
		case "posts_meta":
			err2 = decodeRecords(ctx, dec, &ex.PostsMeta)
		case "users":
			err2 = decodeRecords(ctx, dec, &ex.Users)
		case "tags":
			err2 = decodeRecords(ctx, dec, &ex.Tags)
		case "posts_tags":
			err2 = decodeRecords(ctx, dec, &ex.PostsTags)
		case "posts_authors":
			err2 = decodeRecords(ctx, dec, &ex.PostsAuthors)
		default:
			err2 = skipJSON(dec)
		}
		if err2 != nil {
			return fmt.Errorf("%s: %w", key, err2)
		}
	}
	_, err := dec.Token()
	return err
}

// decodeRecords appends each element of a JSON array to list.
func decodeRecords[T any](ctx context.Context, dec *json.Decoder, list *[]T) error {
	if err := expectDelim(dec, '['); err != nil {
		return err
	}
	for i := 0; dec.More(); i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		var v T
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("record %d: %w", i+1, err)
		}
		*list = append(*list, v)
	}
	_, err := dec.Token()
	return err
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("expected %q, found %v", want, tok)
	}
	return nil
}

// skipJSON reads past one value, token by token, so that a large table the
// import does not use is never held whole.
func skipJSON(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}

// jsonErrorLine finds the line of a syntax error by counting the newlines
// before its offset.
func jsonErrorLine(path string, err error) int {
	var off int64 = -1
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		off = se.Offset
	}
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		off = te.Offset
	}
	if off < 0 {
		return 0
	}
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	line := 1
	br := bufio.NewReader(io.LimitReader(f, off))
	for {
		b, err := br.ReadByte()
		if err != nil {
			return line
		}
		if b == '\n' {
			line++
		}
	}
}

func jsonErrorText(err error) string {
	msg := strings.ReplaceAll(err.Error(), "json: ", "")
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		const cut = "the file ends in the middle of the JSON (was the export cut short?)"
		if m, ok := strings.CutSuffix(msg, "unexpected EOF"); ok {
			return m + cut
		}
		if m, ok := strings.CutSuffix(msg, "EOF"); ok {
			return m + cut
		}
		return cut
	}
	return msg
}

// ghostURL makes Ghost's placeholder for its own address a relative URL,
// found in the image folder like any other.
func ghostURL(u string) string {
	return strings.TrimPrefix(strings.TrimSpace(u), "__GHOST_URL__")
}

// escapeParagraphs turns plain text into Markdown paragraphs.
func escapeParagraphs(s string) string {
	var paras []string
	for _, p := range blankLines.Split(strings.ReplaceAll(strings.TrimSpace(s), "\r\n", "\n"), -1) {
		if p = strings.TrimSpace(p); p != "" {
			lines := strings.Split(p, "\n")
			for i, l := range lines {
				lines[i] = escapeLineStart(escapeText(strings.TrimSpace(l)))
			}
			paras = append(paras, strings.Join(lines, "\\\n"))
		}
	}
	return strings.Join(paras, "\n\n")
}

func ghostArchivePost(name string, gp *ghostPost, meta ghostMeta, users map[string]ghostUser, tags map[string]ghostTag,
	tagLinks, authorLinks []ghostLink) *ArchivePost {
	p := &ArchivePost{Pos: Pos{Path: name}, Title: strings.TrimSpace(gp.Title), Slug: gp.Slug,
		Excerpt: strings.TrimSpace(gp.CustomExcerpt), CanonicalURL: gp.CanonicalURL,
		SEOTitle: cmp.Or(meta.MetaTitle, gp.MetaTitle), SEODescription: cmp.Or(meta.MetaDesc, gp.MetaDesc)}
	if p.Title == "" && p.Slug == "" {
		p.Slug = "ghost-" + string(gp.ID)
	}
	page := gp.Type == "page" || gp.Page == true || gp.Page == json.Number("1")
	switch gp.Status {
	case "published":
		p.Status = content.StatusPublished
	case "scheduled":
		p.Status = content.StatusScheduled
	case "draft", "":
		p.Status = content.StatusDraft
	case "sent":
		p.Status = content.StatusDraft
		p.Warnings = append(p.Warnings, "sent by email only on Ghost; imported as a draft")
	default:
		p.Status = content.StatusDraft
		p.Warnings = append(p.Warnings, fmt.Sprintf("Ghost status %q is unknown; imported as a draft", gp.Status))
	}
	if v := gp.Visibility; v != "" && v != "public" && p.Status != content.StatusDraft {
		p.Status = content.StatusDraft
		p.Warnings = append(p.Warnings, fmt.Sprintf("for %s only on Ghost; imported as a draft so that it stays private", v))
	}
	p.PublishedAt = gp.PublishedAt.t
	if p.PublishedAt.IsZero() && gp.PublishedAt.raw != "" && gp.PublishedAt.raw != "null" {
		msg := fmt.Sprintf("no usable date: published_at %q is not a date", gp.PublishedAt.raw)
		if p.Status == content.StatusPublished || p.Status == content.StatusScheduled {
			p.Problems = append(p.Problems, msg)
		} else {
			p.Warnings = append(p.Warnings, msg)
		}
	}

	ids := make([]ghostID, 0, len(authorLinks)+1)
	for _, l := range authorLinks {
		ids = append(ids, l.AuthorID)
	}
	if len(ids) == 0 && gp.AuthorID != "" {
		ids = append(ids, gp.AuthorID)
	}
	for _, id := range ids {
		// Ghost names authors by id: one missing from the users has no
		// name to make a profile from.
		if _, ok := users[string(id)]; !ok {
			p.Warnings = append(p.Warnings, fmt.Sprintf("author %s is not among the export's users and is left out of the byline", id))
			continue
		}
		p.Authors = append(p.Authors, string(id))
	}
	for _, l := range tagLinks {
		t, ok := tags[string(l.TagID)]
		if !ok {
			p.Warnings = append(p.Warnings, fmt.Sprintf("tag %s is not in the export", l.TagID))
			continue
		}
		if t.internal() {
			continue
		}
		at := ArchiveTag{Slug: t.Slug, Name: t.Name}
		if p.Section == nil && !page {
			p.Section = &at
		} else {
			p.Tags = append(p.Tags, at)
		}
	}
	if page {
		p.Tags = append(p.Tags, ArchiveTag{Slug: "page", Name: "Page"})
	}

	if gp.FeatureImage != "" {
		p.Image = ArchiveImage{URL: ghostURL(gp.FeatureImage), Alt: cmp.Or(meta.FeatureAlt, gp.FeatureAlt),
			Caption: plainHTML(cmp.Or(meta.FeatureCap, gp.FeatureCap))}
	}

	var body string
	switch {
	case gp.HTML != nil && strings.TrimSpace(*gp.HTML) != "":
		body = *gp.HTML
	case gp.Lexical != nil && *gp.Lexical != "":
		h, err := lexicalHTML(*gp.Lexical)
		if err != nil {
			p.Problems = append(p.Problems, "the Lexical document cannot be read: "+err.Error())
		}
		body = h
	case gp.Mobiledoc != nil && *gp.Mobiledoc != "":
		h, err := mobiledocHTML(*gp.Mobiledoc)
		if err != nil {
			p.Problems = append(p.Problems, "the Mobiledoc document cannot be read: "+err.Error())
		}
		body = h
	default:
		body = "<p>" + html.EscapeString(gp.Plaintext) + "</p>"
	}
	body = strings.ReplaceAll(body, "__GHOST_URL__", "")
	res := htmlToMarkdown(body)
	p.Body, p.BodyImages = res.markdown, res.images
	if len(res.dropped) > 0 {
		p.Warnings = append(p.Warnings, "content that Markdown cannot hold was left out or linked: "+strings.Join(res.dropped, ", "))
	}
	if p.Status == content.StatusPublished && content.ValidSlug(gp.Slug) {
		p.OldPaths = []string{store.RedirectPath("/"+gp.Slug+"/", nil)}
	}
	return p
}

// lexicalNode is a node of a Lexical document, the editor format of Ghost
// 5; only what the conversion reads is declared.
type lexicalNode struct {
	Type      string        `json:"type"`
	Tag       string        `json:"tag"`
	Text      string        `json:"text"`
	Format    any           `json:"format"` // a bit mask on text, an alignment string on blocks
	URL       string        `json:"url"`
	Src       string        `json:"src"`
	AltText   string        `json:"altText"`
	Caption   string        `json:"caption"`
	ListType  string        `json:"listType"`
	Code      string        `json:"code"`
	Language  string        `json:"language"`
	HTML      string        `json:"html"`
	Markdown  string        `json:"markdown"`
	Images    []lexicalNode `json:"images"`
	Children  []lexicalNode `json:"children"`
	Start     int           `json:"start"`
	CardWidth string        `json:"cardWidth"`
}

// lexicalHTML renders a Lexical document: paragraphs, headings, lists,
// quotes, links, text formats, images, galleries, code, rules, and the
// html, markdown, embed and bookmark cards.
func lexicalHTML(doc string) (string, error) {
	var d struct {
		Root lexicalNode `json:"root"`
	}
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return "", errors.New(jsonErrorText(err))
	}
	var b strings.Builder
	for _, n := range d.Root.Children {
		lexicalBlock(&b, n, 0)
	}
	return b.String(), nil
}

func lexicalBlock(b *strings.Builder, n lexicalNode, depth int) {
	if depth > maxHTMLDepth {
		return
	}
	switch n.Type {
	case "paragraph", "extended-text":
		b.WriteString("<p>")
		lexicalInlines(b, n.Children, depth)
		b.WriteString("</p>\n")
	case "heading", "extended-heading":
		tag := n.Tag
		if len(tag) != 2 || tag[0] != 'h' || tag[1] < '1' || tag[1] > '6' {
			tag = "h2"
		}
		b.WriteString("<" + tag + ">")
		lexicalInlines(b, n.Children, depth)
		b.WriteString("</" + tag + ">\n")
	case "quote", "aside", "extended-quote":
		b.WriteString("<blockquote><p>")
		lexicalInlines(b, n.Children, depth)
		b.WriteString("</p></blockquote>\n")
	case "list":
		tag := "ul"
		if n.ListType == "number" {
			tag = "ol"
		}
		b.WriteString("<" + tag + ">")
		for _, item := range n.Children {
			b.WriteString("<li>")
			for _, c := range item.Children {
				if c.Type == "list" {
					lexicalBlock(b, c, depth+1)
				} else {
					lexicalInline(b, c, depth+1)
				}
			}
			b.WriteString("</li>")
		}
		b.WriteString("</" + tag + ">\n")
	case "image":
		imageFigure(b, n.Src, n.AltText, n.Caption)
	case "gallery":
		for _, img := range n.Images {
			imageFigure(b, img.Src, img.AltText, img.Caption)
		}
	case "horizontalrule":
		b.WriteString("<hr>\n")
	case "codeblock":
		b.WriteString(`<pre><code class="language-` + html.EscapeString(n.Language) + `">` + html.EscapeString(n.Code) + "</code></pre>\n")
	case "html":
		b.WriteString(n.HTML + "\n")
	case "markdown":
		b.WriteString(content.Render(n.Markdown) + "\n")
	case "embed", "bookmark", "video", "audio", "file":
		if u := cmp.Or(n.URL, n.Src); u != "" {
			b.WriteString(`<p><a href="` + html.EscapeString(u) + `">` + html.EscapeString(u) + "</a></p>\n")
		}
	default:
		if len(n.Children) > 0 {
			b.WriteString("<p>")
			lexicalInlines(b, n.Children, depth)
			b.WriteString("</p>\n")
		}
	}
}

func lexicalInlines(b *strings.Builder, ns []lexicalNode, depth int) {
	for _, n := range ns {
		lexicalInline(b, n, depth+1)
	}
}

// Lexical text format bits.
const (
	lexBold          = 1
	lexItalic        = 2
	lexStrikethrough = 4
	lexCode          = 16
)

func lexicalInline(b *strings.Builder, n lexicalNode, depth int) {
	if depth > maxHTMLDepth {
		return
	}
	switch n.Type {
	case "text", "extended-text":
		format := 0
		if f, ok := n.Format.(float64); ok {
			format = int(f)
		}
		text := html.EscapeString(n.Text)
		for _, f := range []struct {
			bit int
			tag string
		}{{lexCode, "code"}, {lexStrikethrough, "del"}, {lexItalic, "em"}, {lexBold, "strong"}} {
			if format&f.bit != 0 {
				text = "<" + f.tag + ">" + text + "</" + f.tag + ">"
			}
		}
		b.WriteString(text)
	case "linebreak":
		b.WriteString("<br>")
	case "link", "autolink":
		b.WriteString(`<a href="` + html.EscapeString(n.URL) + `">`)
		lexicalInlines(b, n.Children, depth)
		b.WriteString("</a>")
	default:
		lexicalInlines(b, n.Children, depth)
	}
}

func imageFigure(b *strings.Builder, src, alt, caption string) {
	if src == "" {
		return
	}
	b.WriteString(`<figure><img src="` + html.EscapeString(src) + `" alt="` + html.EscapeString(alt) + `">`)
	if caption != "" {
		// Ghost keeps captions as HTML.
		b.WriteString("<figcaption>" + caption + "</figcaption>")
	}
	b.WriteString("</figure>\n")
}

// mobiledocHTML renders a Mobiledoc document, the editor format of Ghost
// 1 to 4: markup sections, lists, image sections and the image, markdown,
// html, code, hr, embed, bookmark and gallery cards; soft returns become
// line breaks.
func mobiledocHTML(doc string) (string, error) {
	var d struct {
		Atoms    []json.RawMessage `json:"atoms"`
		Cards    []json.RawMessage `json:"cards"`
		Markups  []json.RawMessage `json:"markups"`
		Sections []json.RawMessage `json:"sections"`
	}
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&d); err != nil {
		return "", errors.New(jsonErrorText(err))
	}
	type markup struct {
		tag  string
		href string
	}
	markups := make([]markup, len(d.Markups))
	for i, raw := range d.Markups {
		var m []any
		if json.Unmarshal(raw, &m) != nil || len(m) == 0 {
			continue
		}
		tag, _ := m[0].(string)
		markups[i].tag = strings.ToLower(tag)
		if len(m) > 1 {
			if attrs, ok := m[1].([]any); ok {
				for j := 0; j+1 < len(attrs); j += 2 {
					if k, _ := attrs[j].(string); k == "href" {
						markups[i].href, _ = attrs[j+1].(string)
					}
				}
			}
		}
	}
	atoms := make([]string, len(d.Atoms))
	for i, raw := range d.Atoms {
		var a []any
		if json.Unmarshal(raw, &a) == nil && len(a) > 1 {
			name, _ := a[0].(string)
			text, _ := a[1].(string)
			if name == "soft-return" {
				atoms[i] = "<br>"
			} else {
				atoms[i] = html.EscapeString(text)
			}
		}
	}
	allowedTag := map[string]bool{"a": true, "b": true, "strong": true, "i": true, "em": true, "code": true, "s": true, "del": true, "sup": true, "sub": true, "u": true}
	markers := func(b *strings.Builder, raw []any) {
		var open []string
		for _, mk := range raw {
			m, ok := mk.([]any)
			if !ok || len(m) < 4 {
				continue
			}
			kind := jsonInt(m[0])
			if opens, ok := m[1].([]any); ok {
				for _, o := range opens {
					i := jsonInt(o)
					if i < 0 || i >= len(markups) || !allowedTag[markups[i].tag] {
						open = append(open, "span")
						b.WriteString("<span>")
						continue
					}
					mu := markups[i]
					open = append(open, mu.tag)
					if mu.tag == "a" {
						b.WriteString(`<a href="` + html.EscapeString(mu.href) + `">`)
					} else {
						b.WriteString("<" + mu.tag + ">")
					}
				}
			}
			if kind == 1 {
				if i := jsonInt(m[3]); i >= 0 && i < len(atoms) {
					b.WriteString(atoms[i])
				}
			} else {
				text, _ := m[3].(string)
				b.WriteString(html.EscapeString(text))
			}
			for range min(max(jsonInt(m[2]), 0), len(open)) {
				b.WriteString("</" + open[len(open)-1] + ">")
				open = open[:len(open)-1]
			}
		}
		for len(open) > 0 {
			b.WriteString("</" + open[len(open)-1] + ">")
			open = open[:len(open)-1]
		}
	}
	var b strings.Builder
	for _, raw := range d.Sections {
		var s []any
		if json.Unmarshal(raw, &s) != nil || len(s) < 2 {
			continue
		}
		switch jsonInt(s[0]) {
		case 1: // markup section
			tag, _ := s[1].(string)
			tag = strings.ToLower(tag)
			switch tag {
			case "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "p":
			case "aside", "pull-quote":
				tag = "blockquote"
			default:
				tag = "p"
			}
			b.WriteString("<" + tag + ">")
			if len(s) > 2 {
				ms, _ := s[2].([]any)
				markers(&b, ms)
			}
			b.WriteString("</" + tag + ">\n")
		case 2: // image section
			src, _ := s[1].(string)
			imageFigure(&b, src, "", "")
		case 3: // list section
			tag, _ := s[1].(string)
			if tag != "ol" {
				tag = "ul"
			}
			b.WriteString("<" + tag + ">")
			if len(s) > 2 {
				items, _ := s[2].([]any)
				for _, it := range items {
					ms, _ := it.([]any)
					b.WriteString("<li>")
					markers(&b, ms)
					b.WriteString("</li>")
				}
			}
			b.WriteString("</" + tag + ">\n")
		case 10: // card section
			i := jsonInt(s[1])
			if i < 0 || i >= len(d.Cards) {
				continue
			}
			mobiledocCard(&b, d.Cards[i])
		}
	}
	return b.String(), nil
}

func mobiledocCard(b *strings.Builder, raw json.RawMessage) {
	var card []json.RawMessage
	if json.Unmarshal(raw, &card) != nil || len(card) < 2 {
		return
	}
	var name string
	json.Unmarshal(card[0], &name)
	var p struct {
		Src      string `json:"src"`
		Alt      string `json:"alt"`
		Caption  string `json:"caption"`
		Markdown string `json:"markdown"`
		HTML     string `json:"html"`
		Code     string `json:"code"`
		Language string `json:"language"`
		URL      string `json:"url"`
		Images   []struct {
			Src     string `json:"src"`
			Alt     string `json:"alt"`
			Caption string `json:"caption"`
		} `json:"images"`
	}
	json.Unmarshal(card[1], &p)
	switch name {
	case "image":
		imageFigure(b, p.Src, p.Alt, p.Caption)
	case "gallery":
		for _, img := range p.Images {
			imageFigure(b, img.Src, img.Alt, img.Caption)
		}
	case "markdown", "card-markdown":
		b.WriteString(content.Render(p.Markdown) + "\n")
	case "html":
		b.WriteString(p.HTML + "\n")
	case "code":
		b.WriteString(`<pre><code class="language-` + html.EscapeString(p.Language) + `">` + html.EscapeString(p.Code) + "</code></pre>\n")
	case "hr":
		b.WriteString("<hr>\n")
	case "embed", "bookmark", "video", "audio", "file":
		if p.URL != "" {
			b.WriteString(`<p><a href="` + html.EscapeString(p.URL) + `">` + html.EscapeString(p.URL) + "</a></p>\n")
		}
	}
}

// jsonInt reads a JSON number decoded with UseNumber, or -1.
func jsonInt(v any) int {
	switch n := v.(type) {
	case json.Number:
		if i, err := n.Int64(); err == nil && i >= -1<<31 && i < 1<<31 {
			return int(i)
		}
	case float64:
		return int(n)
	}
	return -1
}
