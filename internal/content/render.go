package content

import (
	"bytes"
	"html"
	"strconv"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// RendererVersion changes whenever Render's output for the same source may
// change; stored HTML made by an older version is rendered again.
const RendererVersion = 1

// Render turns Markdown into sanitized HTML: GFM, footnotes and typographic
// punctuation; headings get ids; external links get rel="noopener"; raw
// HTML, scripts, event handlers, iframes and javascript: URLs never survive.
func Render(markdown string) string {
	out, _ := markdownRenderer().render(markdown)
	return out
}

// RenderInline renders a short Markdown text (a correction, a caption) to
// sanitized inline HTML without a wrapping paragraph.
func RenderInline(markdown string) string {
	out, single := markdownRenderer().render(markdown)
	if single {
		// A lone paragraph renders as exactly "<p>…</p>\n"; the sanitizer
		// keeps that frame as it is, so trimming it is safe.
		if s, ok := strings.CutPrefix(out, "<p>"); ok {
			if s, ok := strings.CutSuffix(strings.TrimRight(s, "\n"), "</p>"); ok {
				return s
			}
		}
	}
	return strings.TrimSpace(out)
}

// mdRenderer pairs the Markdown converters with the sanitizing policy. All
// are immutable once built and safe for concurrent use.
type mdRenderer struct {
	md goldmark.Markdown
	// plain lacks the footnote extension, whose cost grows with the square
	// of the number of notes; it serves sources with more footnote marks
	// than maxFootnoteMarks, where the notes then stay literal text.
	plain  goldmark.Markdown
	policy *bluemonday.Policy
}

// maxFootnoteMarks bounds the "[^" marks a source may have and still get
// footnotes. Scholarly articles have dozens; thousands only come from
// machine-made or hostile input, which would otherwise take seconds.
const maxFootnoteMarks = 1000

// markdownRenderer is built on first use and shared by every caller:
// building goldmark and the policy costs far more than a render.
var markdownRenderer = sync.OnceValue(func() *mdRenderer {
	return &mdRenderer{
		md:     newMarkdown(extension.Footnote),
		plain:  newMarkdown(),
		policy: newPolicy(),
	}
})

func newMarkdown(extra ...goldmark.Extender) goldmark.Markdown {
	exts := []goldmark.Extender{
		extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
		extension.Strikethrough,
		extension.Linkify,
		extension.TaskList,
		extension.Typographer,
	}
	return goldmark.New(
		goldmark.WithExtensions(append(exts, extra...)...),
		goldmark.WithParserOptions(
			parser.WithASTTransformers(util.Prioritized(articleTransformer{}, 100)),
		),
		// The HTML renderer keeps its default of omitting raw HTML;
		// WithUnsafe must never be set here.
	)
}

// render converts markdown and sanitizes the result. single reports whether
// the document is one paragraph and nothing else.
func (r *mdRenderer) render(markdown string) (out string, single bool) {
	if strings.TrimSpace(markdown) == "" {
		return "", false
	}
	md := r.md
	if strings.Count(markdown, "[^") > maxFootnoteMarks {
		md = r.plain
	}
	src := []byte(markdown)
	doc := md.Parser().Parse(text.NewReader(src))
	single = doc.ChildCount() == 1 && doc.FirstChild().Kind() == ast.KindParagraph

	var buf bytes.Buffer
	buf.Grow(len(src) + len(src)/4)
	if err := md.Renderer().Render(&buf, src, doc); err != nil {
		// Rendering into memory cannot fail; should goldmark ever report
		// an error, show nothing rather than half an article.
		return "", false
	}
	return r.policy.SanitizeReader(&buf).String(), single
}

// articleTransformer adjusts the parsed document before it is rendered:
// headings get unique ASCII ids, links and images whose URLs are not allowed
// are reduced to their text, and links leaving the site get rel="noopener".
type articleTransformer struct{}

func (articleTransformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	source := reader.Source()
	ids := headingIDs{used: map[string]bool{}, next: map[string]int{}}
	var unwrap []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			n.SetAttributeString("id", []byte(ids.unique(Slugify(nodeText(n, source)))))
		case *ast.Link:
			switch {
			case !allowedURL(n.Destination, linkSchemes):
				unwrap = append(unwrap, n)
			case isExternalURL(n.Destination):
				n.SetAttributeString("rel", []byte("noopener"))
			}
		case *ast.AutoLink:
			u := n.URL(source)
			if n.AutoLinkType == ast.AutoLinkEmail && !hasPrefixFold(u, "mailto:") {
				u = append([]byte("mailto:"), u...)
			}
			switch {
			case !allowedURL(u, linkSchemes):
				unwrap = append(unwrap, n)
			case isExternalURL(u):
				n.SetAttributeString("rel", []byte("noopener"))
			}
		case *ast.Image:
			if !allowedURL(n.Destination, imageSchemes) {
				unwrap = append(unwrap, n)
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	for _, n := range unwrap {
		replaceWithContent(n, source)
	}
}

// replaceWithContent puts a link's or image's text where the node was.
func replaceWithContent(n ast.Node, source []byte) {
	parent := n.Parent()
	if parent == nil {
		return
	}
	if al, ok := n.(*ast.AutoLink); ok {
		parent.ReplaceChild(parent, n, ast.NewString(al.Label(source)))
		return
	}
	for c := n.FirstChild(); c != nil; {
		next := c.NextSibling()
		parent.InsertBefore(parent, n, c)
		c = next
	}
	parent.RemoveChild(parent, n)
}

// headingIDs hands out the heading ids of one document.
type headingIDs struct {
	used map[string]bool
	next map[string]int // the next suffix to try for a base id
}

// unique returns base, or base with the first free numeric suffix ("-2",
// "-3" …), and records the result as used.
func (h headingIDs) unique(base string) string {
	if base == "" {
		base = "section"
	}
	if !h.used[base] {
		h.used[base] = true
		return base
	}
	for i := max(h.next[base], 2); ; i++ {
		id := base + "-" + strconv.Itoa(i)
		if !h.used[id] {
			h.used[id] = true
			h.next[base] = i + 1
			return id
		}
	}
}

// nodeText is the visible text of an inline tree, as a reader would see it.
func nodeText(n ast.Node, source []byte) string {
	var b strings.Builder
	var walk func(ast.Node)
	walk = func(n ast.Node) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				b.WriteString(html.UnescapeString(string(c.Value(source))))
				if c.SoftLineBreak() || c.HardLineBreak() {
					b.WriteByte(' ')
				}
			case *ast.String:
				// Typographer output is entities such as "&rsquo;".
				if c.IsCode() {
					b.WriteString(html.UnescapeString(string(c.Value)))
				} else {
					b.Write(c.Value)
				}
			case *ast.AutoLink:
				b.Write(c.Label(source))
			case *ast.RawHTML:
				// Omitted from the output, so not part of the text either.
			default:
				walk(c)
			}
		}
	}
	walk(n)
	return b.String()
}

var (
	linkSchemes  = []string{"http", "https", "mailto"}
	imageSchemes = []string{"http", "https"}
)

// allowedURL reports whether u is relative or uses one of the schemes.
// Browsers ignore tabs and newlines anywhere in a URL and control
// characters and spaces around it, so those are dropped before looking for
// a scheme: "java\tscript:" is javascript: to a browser.
func allowedURL(u []byte, schemes []string) bool {
	s := cleanURL(u)
	scheme, ok := urlScheme(s)
	if !ok {
		return true
	}
	for _, allowed := range schemes {
		if strings.EqualFold(scheme, allowed) {
			return true
		}
	}
	return false
}

// isExternalURL reports whether u points at another host: an absolute
// http(s) URL or a scheme-relative one.
func isExternalURL(u []byte) bool {
	s := cleanURL(u)
	if strings.HasPrefix(s, "//") || strings.HasPrefix(s, `\\`) {
		return true
	}
	scheme, ok := urlScheme(s)
	return ok && (strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https"))
}

func cleanURL(u []byte) string {
	s := strings.TrimFunc(string(u), func(r rune) bool { return r <= ' ' })
	if strings.ContainsAny(s, "\t\n\r") {
		s = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(s)
	}
	return s
}

// urlScheme returns the scheme of s, if it has one (RFC 3986: a letter, then
// letters, digits, "+", "-" or ".", before the first ":").
func urlScheme(s string) (string, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case c == ':' && i > 0:
			return s[:i], true
		default:
			return "", false
		}
	}
	return "", false
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && strings.EqualFold(string(b[:len(prefix)]), prefix)
}
