package importer

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"masthead/internal/content"
	"masthead/internal/store"
)

// A Markdown file of an import is front matter between two "---" lines
// followed by the body:
//
//	---
//	title: Inside the Iran Talks
//	authors: [jdoe]
//	---
//	The negotiators met in Muscat…
//
// The parsers here know nothing of the file system or the database, so they
// can be fuzzed: they either return a file or problems with lines in it.

// authorFile is what an authors/*.md file says.
type authorFile struct {
	path     string
	slug     string
	slugLine int
	name     string
	role     string
	photo    imageRef
	// photoAlt defaults to the name; photoAltSet says it was written.
	photoAlt     string
	photoAltSet  bool
	photoCaption string
	photoCredit  string
	links        []content.Link
	bio          string
}

// postFile is what a posts/*.md file says.
type postFile struct {
	path           string
	slug           string
	slugLine       int
	title          string
	deck           string
	status         content.Status
	date           time.Time
	dateLine       int
	updated        time.Time
	authors        []ref
	section        *tagRef
	tags           []tagRef
	image          imageRef
	imageAlt       string
	imageCaption   string
	imageCredit    string
	excerpt        string
	seoTitle       string
	seoDescription string
	canonicalURL   string
	corrections    []content.Correction
	oldSlugs       []ref // earlier slugs that redirect to the post
	redirects      []ref // old addresses (store.RedirectPath form) that lead to the post
	body           string
}

// tagFile is what a tags/*.md file says: a tag with its description (the
// body) and its place in the navigation. Posts name tags freely; a tag
// file is needed only for what a name cannot say.
type tagFile struct {
	path      string
	slug      string
	slugLine  int
	name      string
	nameLine  int
	isSection bool
	position  int
	desc      string
}

// ref is an author named by slug, with the line that names it.
type ref struct {
	slug string
	line int
}

// tagRef is a tag or section named in a post.
type tagRef struct {
	name string
	slug string
	line int
}

// imageRef is an image named in front matter: a path inside the imported
// directory, or an http(s) URL of an image hosted elsewhere.
type imageRef struct {
	key  string // front-matter key that named it, for messages
	src  string // cleaned slash path, or the URL as written
	url  bool
	line int
}

var (
	authorKeys     = []string{"name", "slug", "role", "photo", "photo_alt", "photo_caption", "photo_credit", "links"}
	tagKeys        = []string{"name", "slug", "section", "position"}
	linkKeys       = []string{"label", "url"}
	postKeys       = []string{"title", "slug", "deck", "date", "updated", "authors", "tags", "section", "image", "image_alt", "image_caption", "image_credit", "status", "excerpt", "seo_title", "seo_description", "canonical_url", "corrections", "old_slugs", "redirects"}
	correctionKeys = []string{"date", "note"}
)

// parseAuthor reads an authors/*.md file; rel is its slash path in the
// imported directory.
func parseAuthor(rel string, data []byte) (authorFile, []Problem, []Problem) {
	p := &parser{path: rel}
	a := authorFile{path: rel}
	doc, ok := p.split(data)
	if !ok {
		return a, p.problems, p.warnings
	}
	m := p.entries(doc.meta, authorKeys)
	a.name = p.text(m["name"])
	if a.name == "" {
		p.add(p.lineOr(m["name"], 1), "missing name")
	}
	a.slug, a.slugLine = p.slug(m["slug"], rel)
	a.role = p.text(m["role"])
	a.photo = p.image(m["photo"])
	a.photoAlt = p.text(m["photo_alt"])
	a.photoAltSet = m["photo_alt"].raw != nil
	a.photoCaption = p.text(m["photo_caption"])
	a.photoCredit = p.text(m["photo_credit"])
	if m["photo"].raw == nil {
		for _, k := range []string{"photo_alt", "photo_caption", "photo_credit"} {
			if e := m[k]; e.raw != nil && p.text(e) != "" {
				p.warn(p.line(e.raw), "%s is set but the author has no photo", k)
			}
		}
	}
	for _, it := range p.list(m["links"]) {
		v := resolve(it)
		if v.Kind != yaml.MappingNode {
			p.add(p.line(it), "each entry of links needs a label and a url")
			continue
		}
		lm := p.entries(v, linkKeys)
		l := content.Link{Label: p.text(lm["label"]), URL: p.text(lm["url"])}
		if l.Label == "" {
			p.add(p.lineOr(lm["label"], p.line(it)), "link needs a label")
		}
		if l.URL == "" {
			p.add(p.lineOr(lm["url"], p.line(it)), "link needs a url")
		} else if !webURL(l.URL, "http", "https", "mailto") {
			p.add(p.lineOr(lm["url"], p.line(it)), "link url %q must be an http(s) or mailto: URL", l.URL)
		}
		a.links = append(a.links, l)
	}
	a.bio = doc.body
	return a, p.problems, p.warnings
}

// parsePost reads a posts/*.md file; rel is its slash path in the imported
// directory.
func parsePost(rel string, data []byte) (postFile, []Problem, []Problem) {
	p := &parser{path: rel}
	f := postFile{path: rel}
	doc, ok := p.split(data)
	if !ok {
		return f, p.problems, p.warnings
	}
	m := p.entries(doc.meta, postKeys)
	f.title = p.text(m["title"])
	if f.title == "" {
		p.add(p.lineOr(m["title"], 1), "missing title")
	}
	f.slug, f.slugLine = p.slug(m["slug"], rel)
	f.deck = p.text(m["deck"])

	f.status = content.StatusPublished
	badStatus := false
	if s := p.text(m["status"]); s != "" {
		if st := content.Status(s); st.Valid() {
			f.status = st
		} else {
			p.add(p.lineOr(m["status"], 1), "status %q is not one of draft, review, scheduled, published, archived", s)
			badStatus = true
		}
	}
	var badDate bool
	f.date, badDate = p.date(m["date"])
	f.dateLine = p.lineOr(m["date"], 1)
	if f.date.IsZero() && !badDate && !badStatus && (f.status == content.StatusPublished || f.status == content.StatusScheduled) {
		p.add(f.dateLine, "a %s post needs a date", f.status)
	}
	f.updated, _ = p.date(m["updated"])

	seen := map[string]bool{}
	for _, it := range p.texts(m["authors"]) {
		if seen[it.text] {
			p.add(it.line, "author %q is listed twice", it.text)
			continue
		}
		seen[it.text] = true
		f.authors = append(f.authors, ref{slug: it.text, line: it.line})
	}
	// Work in progress may be unsigned yet; what readers see has a byline.
	unsigned := f.status == content.StatusDraft || f.status == content.StatusReview
	if e := m["authors"]; !unsigned && (e.val == nil || isNull(e.val) || e.val.Kind == yaml.SequenceNode && len(e.val.Content) == 0) {
		p.add(p.lineOr(e, 1), "a post needs at least one author")
	}

	if name := p.text(m["section"]); name != "" {
		if t, ok := p.tag(m["section"].name, name, p.line(m["section"].raw)); ok {
			f.section = &t
		}
	}
	for _, it := range p.texts(m["tags"]) {
		if t, ok := p.tag("tag", it.text, it.line); ok {
			f.tags = append(f.tags, t)
		}
	}

	f.image = p.image(m["image"])
	f.imageAlt = p.text(m["image_alt"])
	f.imageCaption = p.text(m["image_caption"])
	f.imageCredit = p.text(m["image_credit"])
	if m["image"].raw == nil {
		for _, kv := range [][2]string{{"image_alt", f.imageAlt}, {"image_caption", f.imageCaption}, {"image_credit", f.imageCredit}} {
			if kv[1] != "" {
				p.warn(p.line(m[kv[0]].raw), "%s is set but the post has no image", kv[0])
			}
		}
	}

	f.excerpt = p.text(m["excerpt"])
	f.seoTitle = p.text(m["seo_title"])
	f.seoDescription = p.text(m["seo_description"])
	f.canonicalURL = p.text(m["canonical_url"])
	if f.canonicalURL != "" && !webURL(f.canonicalURL, "http", "https") {
		p.add(p.lineOr(m["canonical_url"], 1), "canonical_url %q must be an absolute http(s) URL", f.canonicalURL)
	}

	for _, it := range p.list(m["corrections"]) {
		v := resolve(it)
		if v.Kind != yaml.MappingNode {
			p.add(p.line(it), "each correction needs a date and a note")
			continue
		}
		cm := p.entries(v, correctionKeys)
		d, bad := p.date(cm["date"])
		if d.IsZero() && !bad {
			p.add(p.lineOr(cm["date"], p.line(it)), "correction needs a date")
		}
		note := p.text(cm["note"])
		if note == "" {
			p.add(p.lineOr(cm["note"], p.line(it)), "correction needs a note")
		}
		f.corrections = append(f.corrections, content.Correction{Date: d, Note: note})
	}
	// Articles list corrections oldest first, whatever order they were written in.
	slices.SortStableFunc(f.corrections, func(a, b content.Correction) int { return a.Date.Compare(b.Date) })

	oldSeen := map[string]bool{}
	for _, it := range p.texts(m["old_slugs"]) {
		switch {
		case !content.ValidSlug(it.text):
			p.add(it.line, "old slug %q is not valid: use lower-case letters, digits and single hyphens", it.text)
		case it.text == f.slug:
			p.add(it.line, "old slug %q is the post's own slug", it.text)
		case oldSeen[it.text]:
			p.add(it.line, "old slug %q is listed twice", it.text)
		default:
			oldSeen[it.text] = true
			f.oldSlugs = append(f.oldSlugs, ref{slug: it.text, line: it.line})
		}
	}

	// Old addresses of the site the post came from, such as WordPress
	// permalinks; the "slug" of each ref is the address as stored.
	redirectSeen := map[string]bool{}
	for _, it := range p.texts(m["redirects"]) {
		addr, err := store.ParseRedirect(it.text)
		switch {
		case err != nil:
			p.add(it.line, "redirect %s", strings.TrimSuffix(strings.TrimPrefix(err.Error(), "old address "), ": "+store.ErrInvalid.Error()))
		case redirectSeen[addr]:
			p.add(it.line, "redirect %q is listed twice", it.text)
		default:
			redirectSeen[addr] = true
			f.redirects = append(f.redirects, ref{slug: addr, line: it.line})
		}
	}

	f.body = doc.body
	return f, p.problems, p.warnings
}

// parseTag reads a tags/*.md file; rel is its slash path in the imported
// directory.
func parseTag(rel string, data []byte) (tagFile, []Problem, []Problem) {
	p := &parser{path: rel}
	t := tagFile{path: rel}
	doc, ok := p.split(data)
	if !ok {
		return t, p.problems, p.warnings
	}
	m := p.entries(doc.meta, tagKeys)
	t.name = p.text(m["name"])
	t.nameLine = p.lineOr(m["name"], 1)
	if t.name == "" {
		p.add(t.nameLine, "missing name")
	}
	t.slug, t.slugLine = p.slug(m["slug"], rel)
	t.isSection = p.boolean(m["section"])
	t.position = p.integer(m["position"])
	t.desc = doc.body
	return t, p.problems, p.warnings
}

// parser collects the problems of one file.
type parser struct {
	path      string
	closeLine int // line of the closing "---"; YAML lines are kept before it
	problems  []Problem
	warnings  []Problem
}

func (p *parser) add(line int, format string, args ...any) {
	p.problems = append(p.problems, Problem{Path: p.path, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) warn(line int, format string, args ...any) {
	p.warnings = append(p.warnings, Problem{Path: p.path, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// fileLine keeps a line reported by the YAML library within the front
// matter: an error at the end of the YAML is blamed on the closing "---".
func (p *parser) fileLine(l int) int {
	if p.closeLine > 0 && l > p.closeLine {
		l = p.closeLine
	}
	return max(l, 1)
}

func (p *parser) line(n *yaml.Node) int { return p.fileLine(n.Line) }

// lineOr is the line of e's value, or fallback when e is absent.
func (p *parser) lineOr(e entry, fallback int) int {
	if e.raw == nil {
		return fallback
	}
	return p.line(e.raw)
}

// document is a file split at its front matter.
type document struct {
	meta *yaml.Node // top-level mapping; nil when the front matter is empty
	body string
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): `)

// split separates front matter from body and parses the front matter. It
// reports false, with problems recorded, when the file cannot be read on.
func (p *parser) split(data []byte) (document, bool) {
	if !utf8.Valid(data) {
		at := 0
		for at < len(data) {
			r, size := utf8.DecodeRune(data[at:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			at += size
		}
		p.add(1+strings.Count(string(data[:at]), "\n"), "file is not UTF-8 text")
		return document{}, false
	}
	text := strings.TrimPrefix(string(data), "\uFEFF")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	lines := strings.Split(text, "\n")
	if strings.TrimRight(lines[0], " \t") != "---" {
		p.add(1, `missing front matter: the file must begin with a "---" line`)
		return document{}, false
	}
	closing := slices.IndexFunc(lines[1:], func(l string) bool { return strings.TrimRight(l, " \t") == "---" })
	if closing < 0 {
		p.add(1, `front matter is not closed by a "---" line`)
		return document{}, false
	}
	closing++ // index in lines
	p.closeLine = closing + 1

	var doc document
	// The opening "---" becomes an empty line, so that lines in the YAML
	// are lines of the file, and nothing that can go wrong is on line 0,
	// which the YAML library leaves out of its messages.
	yamlText := "\n" + strings.Join(lines[1:closing], "\n")
	dec := yaml.NewDecoder(strings.NewReader(yamlText))
	var root yaml.Node
	switch err := dec.Decode(&root); {
	case errors.Is(err, io.EOF):
		// Empty front matter: the missing keys are reported by the caller.
	case err != nil:
		p.yamlError(err, yamlText)
		return document{}, false
	default:
		var extra yaml.Node
		if err := dec.Decode(&extra); err == nil {
			p.add(p.line(&extra), "front matter holds more than one YAML document")
			return document{}, false
		} else if !errors.Is(err, io.EOF) {
			p.yamlError(err, yamlText)
			return document{}, false
		}
		top := &root
		if top.Kind == yaml.DocumentNode && len(top.Content) == 1 {
			top = top.Content[0]
		}
		switch {
		case top.Kind == yaml.MappingNode:
			doc.meta = top
		case top.Kind == yaml.ScalarNode && top.Tag == "!!null":
		default:
			p.add(p.line(top), `front matter must be "key: value" lines`)
			return document{}, false
		}
	}

	body := strings.Join(lines[closing+1:], "\n")
	for {
		i := strings.IndexByte(body, '\n')
		if i < 0 || strings.TrimSpace(body[:i]) != "" {
			break
		}
		body = body[i+1:]
	}
	doc.body = strings.TrimRightFunc(body, unicode.IsSpace)
	return doc, true
}

// yamlParserProblems are the messages of errors found by the YAML parser
// rather than its scanner. The parser reports lines counted from 0, the
// scanner from 1, and the message is the only way to tell them apart.
var yamlParserProblems = []string{
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"did not find expected '-' indicator",
	"did not find expected <document start>",
	"did not find expected <stream-start>",
	"did not find expected key",
	"did not find expected node content",
	"found duplicate %TAG directive",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found undefined tag handle",
}

var unknownAnchorRE = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)

// yamlContextFirst are YAML errors in a construct left open, such as a
// quote or a bracket, with a hint: the line where it was opened is the one
// to fix.
var yamlContextFirst = map[string]string{
	"found unexpected end of stream":   " (is a quote on this line left open?)",
	"did not find expected ',' or ']'": " (is a [ on this line left open?)",
	"did not find expected ',' or '}'": " (is a { on this line left open?)",
}

// yamlError records a YAML syntax error at the line it concerns; text is
// the YAML as parsed, starting with the empty line that stands for the
// opening "---".
func (p *parser) yamlError(err error, text string) {
	line, msg := yamlErrorLine(err, text)
	hint, open := yamlContextFirst[msg]
	if !open {
		// The YAML library reports where the construct holding the error
		// began, unless that is on line 0: then it reports where the error
		// was found, which is the better line to show. Parsing the YAML
		// again from line 0 gets that line for errors in the top-level
		// mapping.
		if l, m := yamlErrorLine(decodeAll(text[1:]), text[1:]); m == msg && l+1 > line {
			line = l + 1
		}
	}
	p.add(p.fileLine(line), "invalid YAML: %s%s", msg, hint)
}

// decodeAll returns the first error in parsing every YAML document of text.
func decodeAll(text string) error {
	dec := yaml.NewDecoder(strings.NewReader(text))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// yamlErrorLine returns the 1-based line of text a YAML error concerns
// (1 when it does not say) and its message.
func yamlErrorLine(err error, text string) (int, string) {
	if err == nil {
		return 0, ""
	}
	msg, line := strings.TrimPrefix(err.Error(), "yaml: "), 0
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		msg = err.Error()[len(m[0]):]
		line, _ = strconv.Atoi(m[1])
		if slices.Contains(yamlParserProblems, msg) {
			line++
		}
	} else if m := unknownAnchorRE.FindStringSubmatch(msg); m != nil {
		line = lineOf(text, strings.Index(text, "*"+m[1]))
	} else if strings.Contains(msg, "control characters") {
		line = lineOf(text, strings.IndexFunc(text, func(r rune) bool {
			return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'
		}))
	}
	return max(line, 1), msg
}

// lineOf returns the 1-based line of byte offset i in text, or 0 when i is
// negative.
func lineOf(text string, i int) int {
	if i < 0 {
		return 0
	}
	return 1 + strings.Count(text[:i], "\n")
}

// entry is one key of a mapping and its value.
type entry struct {
	name string
	raw  *yaml.Node // the value as written; nil when the key is absent
	val  *yaml.Node // the value with an alias resolved
}

func resolve(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// entries returns the values of mapping m by key, reporting keys that are
// unknown (usually typos) or repeated.
func (p *parser) entries(m *yaml.Node, known []string) map[string]entry {
	out := map[string]entry{}
	if m == nil {
		return out
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.add(p.line(k), "keys must be plain names")
			continue
		}
		if !slices.Contains(known, k.Value) {
			hint := suggest(k.Value, known)
			if slices.Contains([]string{"bio", "body", "content", "text"}, k.Value) {
				hint = " (write it as the text after the front matter)"
			}
			p.add(p.line(k), "unknown key %q%s", k.Value, hint)
			continue
		}
		if prev, ok := out[k.Value]; ok {
			p.add(p.line(k), "%s is set twice (first on line %d)", k.Value, p.line(prev.raw))
			continue
		}
		out[k.Value] = entry{name: k.Value, raw: v, val: resolve(v)}
	}
	return out
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// text returns a scalar value with surrounding space trimmed; absent and
// null values are empty.
func (p *parser) text(e entry) string {
	if e.val == nil || isNull(e.val) {
		return ""
	}
	if e.val.Kind != yaml.ScalarNode {
		p.add(p.line(e.raw), "%s must be text", e.name)
		return ""
	}
	return strings.TrimSpace(e.val.Value)
}

// boolean reads true or false; absent and null values are false.
func (p *parser) boolean(e entry) bool {
	switch s := p.text(e); s {
	case "", "false":
		return false
	case "true":
		return true
	default:
		p.add(p.line(e.raw), "%s must be true or false, not %q", e.name, s)
		return false
	}
}

// integer reads a whole number; absent and null values are 0.
func (p *parser) integer(e entry) int {
	s := p.text(e)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < -1_000_000 || n > 1_000_000 {
		p.add(p.line(e.raw), "%s must be a whole number, not %q", e.name, s)
		return 0
	}
	return n
}

// list returns the items of a sequence; absent and null values are empty.
func (p *parser) list(e entry) []*yaml.Node {
	if e.val == nil || isNull(e.val) {
		return nil
	}
	if e.val.Kind != yaml.SequenceNode {
		p.add(p.line(e.raw), "%s must be a list, like [one, two]", e.name)
		return nil
	}
	return e.val.Content
}

type textItem struct {
	text string
	line int
}

// texts returns a list of non-empty texts.
func (p *parser) texts(e entry) []textItem {
	var out []textItem
	for _, it := range p.list(e) {
		v, line := resolve(it), p.line(it)
		switch {
		case v.Kind != yaml.ScalarNode:
			p.add(line, "each entry of %s must be text", e.name)
		case isNull(v) || strings.TrimSpace(v.Value) == "":
			p.add(line, "%s has an empty entry", e.name)
		default:
			out = append(out, textItem{text: strings.TrimSpace(v.Value), line: line})
		}
	}
	return out
}

// date reads a date as RFC 3339 or YYYY-MM-DD (midnight UTC). bad reports
// that a problem was recorded; an absent date is zero and not bad.
func (p *parser) date(e entry) (t time.Time, bad bool) {
	s := p.text(e)
	if s == "" {
		return time.Time{}, e.val != nil && !isNull(e.val) && e.val.Kind != yaml.ScalarNode
	}
	t, err := parseDate(s)
	if err != nil {
		p.add(p.line(e.raw), "%s %q is not a date: use YYYY-MM-DD or RFC 3339 such as 2024-03-05T09:30:00Z", e.name, s)
		return time.Time{}, true
	}
	if t.Year() < 1000 {
		p.add(p.line(e.raw), "%s %q is too far in the past", e.name, s)
		return time.Time{}, true
	}
	return t, false
}

// parseDate keeps times as the store does, in UTC to the microsecond, so
// that a re-imported date compares equal to the stored one.
func parseDate(s string) (time.Time, error) {
	if len(s) == len(time.DateOnly) {
		return time.Parse(time.DateOnly, s)
	}
	t, err := time.Parse(time.RFC3339, s)
	return t.UTC().Truncate(time.Microsecond), err
}

// slug returns the slug set in front matter, or the file name without .md,
// and the line to blame for it.
func (p *parser) slug(e entry, rel string) (string, int) {
	if e.raw != nil {
		s, line := p.text(e), p.line(e.raw)
		if !content.ValidSlug(s) {
			p.add(line, "slug %q is not valid: use lower-case letters, digits and single hyphens%s", s, forExample(s))
		}
		return s, line
	}
	base := path.Base(rel)
	base = strings.TrimSuffix(base, path.Ext(base))
	if !content.ValidSlug(base) {
		p.add(1, "file name %q is not a valid slug: rename the file or set slug%s", base, forExample(base))
	}
	return base, 1
}

func forExample(s string) string {
	if sl := content.Slugify(s); sl != "" && sl != s {
		return fmt.Sprintf(" (for example %q)", sl)
	}
	return ""
}

// tag makes a tag reference from a name; what names the tag ("section" or
// "tag") is used in the message when the name gives no slug.
func (p *parser) tag(what, name string, line int) (tagRef, bool) {
	slug := content.Slugify(name)
	if slug == "" {
		p.add(line, "%s %q has no letters or digits to make a slug from", what, name)
		return tagRef{}, false
	}
	return tagRef{name: name, slug: slug, line: line}, true
}

// image reads an image reference. Local paths must stay inside the
// imported directory; whether the file is there is checked later.
func (p *parser) image(e entry) imageRef {
	s := p.text(e)
	if s == "" {
		return imageRef{}
	}
	r := imageRef{key: e.name, src: s, line: p.line(e.raw)}
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://"):
		if !webURL(s, "http", "https") {
			p.add(r.line, "%s %q is not a valid URL", e.name, s)
			return imageRef{}
		}
		r.url = true
	case strings.Contains(s, "://"):
		p.add(r.line, "%s %q: only http and https URLs are supported", e.name, s)
		return imageRef{}
	default:
		r.src = path.Clean(s)
		if !fs.ValidPath(r.src) || r.src == "." {
			p.add(r.line, "%s %q must be a path inside the imported directory", e.name, s)
			return imageRef{}
		}
	}
	return r
}

// webURL reports whether s is an absolute URL with one of the schemes (and
// a host, for http and https).
func webURL(s string, schemes ...string) bool {
	u, err := url.Parse(s)
	if err != nil || !slices.Contains(schemes, strings.ToLower(u.Scheme)) {
		return false
	}
	if strings.EqualFold(u.Scheme, "mailto") {
		return u.Opaque != ""
	}
	return u.Host != ""
}

// suggest names the known key closest to a mistyped one.
func suggest(key string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		if d := editDistance(key, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance between two short strings.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
