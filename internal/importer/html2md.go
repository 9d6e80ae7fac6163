package importer

import (
	"slices"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Imported HTML becomes Markdown. A post's body is Markdown source, and the
// renderer omits raw HTML by design, so keeping HTML would show nothing:
// the conversion keeps what Markdown can say (paragraphs, headings,
// emphasis, strike-through, links, images, lists, quotes, code, tables,
// rules and line breaks; figures become an image and an emphasized
// caption). Presentation without meaning (classes, styles, alignment,
// underline, superscript) is dropped silently. Embedded players and frames
// become a link to what they showed; scripts, forms and other active
// content are dropped, and the post gets a warning naming them. What the
// renderer makes of the Markdown is sanitized with the content policy as
// for any other post.

// mdResult is a converted body.
type mdResult struct {
	markdown string
	images   []string // image destinations exactly as written in markdown
	dropped  []string // elements whose content was lost or replaced, sorted
}

// maxHTMLDepth bounds the nesting followed; deeper content keeps its text.
const maxHTMLDepth = 200

// htmlToMarkdown converts an HTML fragment (the body of an article) to
// Markdown.
func htmlToMarkdown(src string) mdResult {
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragmentWithOptions(strings.NewReader(src), body, html.ParseOptionEnableScripting(false))
	if err != nil {
		// The HTML parser recovers from any markup; an error can only
		// come from reading the string, which does not fail.
		return mdResult{markdown: escapeText(src)}
	}
	c := &mdConverter{dropped: map[string]bool{}}
	blocks := c.blocks(nodes, 0)
	res := mdResult{markdown: strings.Join(blocks, "\n\n"), images: c.images}
	for name := range c.dropped {
		res.dropped = append(res.dropped, name)
	}
	slices.Sort(res.dropped)
	return res
}

type mdConverter struct {
	images  []string
	dropped map[string]bool
	// inLink and the emphasis flags stop markers from nesting where
	// Markdown cannot: a link in a link, emphasis in the same emphasis.
	inLink, inEm, inStrong, inDel bool
}

// blockAtoms are the elements rendered as blocks of their own.
var blockAtoms = map[atom.Atom]bool{
	atom.P: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Ul: true, atom.Ol: true, atom.Li: true, atom.Blockquote: true, atom.Pre: true, atom.Hr: true,
	atom.Table: true, atom.Figure: true, atom.Figcaption: true, atom.Div: true, atom.Section: true,
	atom.Article: true, atom.Aside: true, atom.Header: true, atom.Footer: true, atom.Main: true,
	atom.Nav: true, atom.Dl: true, atom.Dt: true, atom.Dd: true, atom.Address: true, atom.Details: true,
	atom.Summary: true, atom.Center: true, atom.Iframe: true, atom.Video: true, atom.Audio: true,
	atom.Object: true, atom.Embed: true, atom.Form: true, atom.Fieldset: true, atom.Script: true,
	atom.Style: true, atom.Noscript: true, atom.Template: true, atom.Hgroup: true, atom.Picture: false,
}

// silentAtoms are dropped with their content and without a warning: they
// hold nothing a reader saw.
var silentAtoms = map[atom.Atom]bool{
	atom.Style: true, atom.Template: true, atom.Head: true, atom.Title: true, atom.Meta: true, atom.Link: true,
	atom.Noscript: true, atom.Source: true, atom.Track: true, atom.Param: true, atom.Map: true, atom.Area: true,
	atom.Colgroup: true, atom.Col: true,
}

// activeAtoms are dropped with their content, with a warning.
var activeAtoms = map[atom.Atom]bool{
	atom.Script: true, atom.Form: true, atom.Input: true, atom.Button: true, atom.Select: true,
	atom.Textarea: true, atom.Canvas: true, atom.Svg: true, atom.Math: true, atom.Applet: true,
	atom.Frameset: true, atom.Frame: true, atom.Dialog: true,
}

// embedAtoms become a link to their source, with a warning.
var embedAtoms = map[atom.Atom]bool{
	atom.Iframe: true, atom.Video: true, atom.Audio: true, atom.Object: true, atom.Embed: true,
}

func isBlock(n *html.Node) bool {
	return n.Type == html.ElementNode && blockAtoms[n.DataAtom]
}

// blocks renders nodes as Markdown blocks: runs of inline content become
// paragraphs.
func (c *mdConverter) blocks(nodes []*html.Node, depth int) []string {
	var out []string
	var run []*html.Node
	flush := func() {
		if len(run) == 0 {
			return
		}
		if p := c.paragraph(run, depth); p != "" {
			out = append(out, p)
		}
		run = run[:0]
	}
	for _, n := range nodes {
		if !isBlock(n) && !(n.Type == html.ElementNode && (silentAtoms[n.DataAtom] || activeAtoms[n.DataAtom])) {
			if n.Type == html.TextNode || n.Type == html.ElementNode {
				run = append(run, n)
			}
			continue
		}
		flush()
		out = append(out, c.block(n, depth+1)...)
	}
	flush()
	return out
}

func children(n *html.Node) []*html.Node {
	var cs []*html.Node
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		cs = append(cs, ch)
	}
	return cs
}

// block renders one block element.
func (c *mdConverter) block(n *html.Node, depth int) []string {
	if depth > maxHTMLDepth {
		if p := escapeText(collapse(textContent(n))); p != "" {
			return []string{p}
		}
		return nil
	}
	switch a := n.DataAtom; {
	case silentAtoms[a]:
		return nil
	case activeAtoms[a]:
		c.dropped[n.Data] = true
		return nil
	case embedAtoms[a]:
		c.dropped[n.Data] = true
		if src := embedSource(n); src != "" {
			return []string{"<" + src + ">"}
		}
		return nil
	case a == atom.P || a == atom.Dt || a == atom.Summary || a == atom.Address:
		if p := c.paragraph(children(n), depth); p != "" {
			return []string{p}
		}
		return nil
	case headingLevel(a) > 0:
		text := strings.ReplaceAll(c.inlines(children(n), depth), "\\\n", " ")
		text = strings.TrimSpace(text)
		if text == "" {
			return nil
		}
		return []string{strings.Repeat("#", headingLevel(a)) + " " + text}
	case a == atom.Hr:
		return []string{"* * *"}
	case a == atom.Pre:
		return []string{codeBlock(n)}
	case a == atom.Blockquote:
		inner := c.blocks(children(n), depth)
		if len(inner) == 0 {
			return nil
		}
		return []string{prefixLines(strings.Join(inner, "\n\n"), "> ", ">")}
	case a == atom.Ul || a == atom.Ol:
		return c.list(n, depth)
	case a == atom.Li:
		// A list item outside a list: its content as it is.
		return c.blocks(children(n), depth)
	case a == atom.Table:
		if t := c.table(n, depth); t != "" {
			return []string{t}
		}
		return nil
	case a == atom.Figcaption:
		text := strings.TrimSpace(strings.ReplaceAll(c.inlines(children(n), depth), "\\\n", " "))
		if text == "" {
			return nil
		}
		if c.inEm {
			return []string{text}
		}
		return []string{"*" + strings.Trim(text, "*") + "*"}
	default:
		// Containers (div, section, figure…) only group their content.
		return c.blocks(children(n), depth)
	}
}

func headingLevel(a atom.Atom) int {
	switch a {
	case atom.H1:
		return 1
	case atom.H2:
		return 2
	case atom.H3:
		return 3
	case atom.H4:
		return 4
	case atom.H5:
		return 5
	case atom.H6:
		return 6
	}
	return 0
}

// embedSource is the address an embedded frame or player showed.
func embedSource(n *html.Node) string {
	for _, key := range []string{"src", "data"} {
		if v := attr(n, key); webURL(v, "http", "https") {
			return v
		}
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type == html.ElementNode && ch.DataAtom == atom.Source {
			if v := attr(ch, "src"); webURL(v, "http", "https") {
				return v
			}
		}
	}
	return ""
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return strings.TrimSpace(a.Val)
		}
	}
	return ""
}

// paragraph renders inline nodes as one paragraph, or "" when they hold
// nothing visible.
func (c *mdConverter) paragraph(nodes []*html.Node, depth int) string {
	text := strings.TrimFunc(c.inlines(nodes, depth), unicode.IsSpace)
	text = strings.TrimSuffix(text, "\\")
	if strings.TrimFunc(strings.ReplaceAll(text, "\\\n", ""), unicode.IsSpace) == "" {
		return ""
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = escapeLineStart(strings.TrimLeft(l, " \t"))
	}
	return strings.Join(lines, "\n")
}

// inlines renders inline content on one line, with "\\\n" for hard
// breaks.
func (c *mdConverter) inlines(nodes []*html.Node, depth int) string {
	var b strings.Builder
	for _, n := range nodes {
		c.inline(&b, n, depth+1)
	}
	return b.String()
}

func (c *mdConverter) inline(b *strings.Builder, n *html.Node, depth int) {
	switch n.Type {
	case html.TextNode:
		b.WriteString(escapeText(collapse(n.Data)))
		return
	case html.ElementNode:
	default:
		return
	}
	if depth > maxHTMLDepth {
		b.WriteString(escapeText(collapse(textContent(n))))
		return
	}
	a := n.DataAtom
	switch {
	case silentAtoms[a]:
	case activeAtoms[a]:
		c.dropped[n.Data] = true
	case embedAtoms[a]:
		c.dropped[n.Data] = true
		if src := embedSource(n); src != "" && !c.inLink {
			b.WriteString(" <" + src + "> ")
		}
	case a == atom.Br:
		b.WriteString("\\\n")
	case a == atom.Img:
		b.WriteString(c.image(n))
	case a == atom.A:
		c.link(b, n, depth)
	case a == atom.Em || a == atom.I || a == atom.Cite || a == atom.Var || a == atom.Dfn:
		c.wrap(b, n, depth, "*", &c.inEm)
	case a == atom.Strong || a == atom.B:
		c.wrap(b, n, depth, "**", &c.inStrong)
	case a == atom.Del || a == atom.S || a == atom.Strike:
		c.wrap(b, n, depth, "~~", &c.inDel)
	case a == atom.Code || a == atom.Kbd || a == atom.Samp || a == atom.Tt:
		b.WriteString(codeSpan(collapse(textContent(n))))
	case a == atom.Q:
		b.WriteString("“" + c.inlines(children(n), depth) + "”")
	case isBlock(n):
		// Block content where only inline content fits (a paragraph in a
		// link, a list in a table cell): its text, set apart by spaces.
		b.WriteByte(' ')
		b.WriteString(c.inlines(children(n), depth))
		b.WriteByte(' ')
	default:
		b.WriteString(c.inlines(children(n), depth))
	}
}

// wrap surrounds inline content with an emphasis marker, keeping spaces
// outside the markers so that Markdown recognizes them.
func (c *mdConverter) wrap(b *strings.Builder, n *html.Node, depth int, marker string, in *bool) {
	if *in {
		b.WriteString(c.inlines(children(n), depth))
		return
	}
	*in = true
	inner := c.inlines(children(n), depth)
	*in = false
	core := strings.TrimFunc(inner, unicode.IsSpace)
	if core == "" || strings.HasSuffix(core, "\\") {
		b.WriteString(inner)
		return
	}
	lead := inner[:strings.Index(inner, core)]
	trail := inner[len(lead)+len(core):]
	b.WriteString(lead + marker + core + marker + trail)
}

func (c *mdConverter) link(b *strings.Builder, n *html.Node, depth int) {
	href := attr(n, "href")
	if c.inLink || href == "" || strings.HasPrefix(href, "#") || !allowedLink(href) {
		b.WriteString(c.inlines(children(n), depth))
		return
	}
	c.inLink = true
	text := strings.TrimFunc(c.inlines(children(n), depth), unicode.IsSpace)
	c.inLink = false
	text = strings.ReplaceAll(text, "\\\n", " ")
	if text == "" {
		text = escapeText(href)
	}
	b.WriteString("[" + text + "](" + destination(href) + title(attr(n, "title")) + ")")
}

// image renders an img element, recording its source.
func (c *mdConverter) image(n *html.Node) string {
	src := attr(n, "src")
	if src == "" {
		src = attr(n, "data-src") // lazy-loading plugins
	}
	if src == "" || !allowedLink(src) || strings.HasPrefix(strings.ToLower(src), "mailto:") {
		return ""
	}
	dest := destination(src)
	c.images = append(c.images, strings.TrimSuffix(strings.TrimPrefix(dest, "<"), ">"))
	alt := strings.ReplaceAll(escapeText(collapse(attr(n, "alt"))), "\n", " ")
	return "![" + alt + "](" + dest + title(attr(n, "title")) + ")"
}

// allowedLink accepts relative URLs and http, https and mailto ones.
func allowedLink(u string) bool {
	i := strings.IndexAny(u, ":/?#")
	if i < 0 || u[i] != ':' {
		return true
	}
	switch strings.ToLower(u[:i]) {
	case "http", "https", "mailto":
		return true
	}
	return false
}

// destination writes a link destination, in angle brackets when it holds
// spaces or parentheses.
func destination(u string) string {
	u = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, u)
	if strings.ContainsAny(u, " ()<>") {
		u = strings.NewReplacer("<", "%3C", ">", "%3E").Replace(u)
		return "<" + u + ">"
	}
	return u
}

func title(t string) string {
	t = collapse(t)
	if strings.TrimSpace(t) == "" {
		return ""
	}
	return ` "` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(strings.TrimSpace(t)) + `"`
}

// codeSpan writes text as inline code, with a fence longer than any run
// of backticks inside.
func codeSpan(text string) string {
	if strings.TrimSpace(text) == "" {
		return escapeText(text)
	}
	fence := strings.Repeat("`", longestRun(text, '`')+1)
	if strings.HasPrefix(text, "`") || strings.HasSuffix(text, "`") {
		text = " " + text + " "
	}
	return fence + text + fence
}

func longestRun(s string, c byte) int {
	best, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

// codeBlock writes a pre element as a fenced code block, naming the
// language when a class says it (language-go, lang-go).
func codeBlock(n *html.Node) string {
	text := strings.TrimRight(strings.TrimPrefix(preText(n), "\n"), "\n ")
	lang := ""
	for _, el := range []*html.Node{n, n.FirstChild} {
		if el == nil || el.Type != html.ElementNode {
			continue
		}
		for _, cls := range strings.Fields(attr(el, "class")) {
			for _, prefix := range []string{"language-", "lang-"} {
				if l, ok := strings.CutPrefix(cls, prefix); ok && l != "" && !strings.ContainsAny(l, "`~") {
					lang = l
				}
			}
		}
	}
	fence := strings.Repeat("`", max(3, longestRun(text, '`')+1))
	return fence + lang + "\n" + text + "\n" + fence
}

// preText is the text of preformatted content, with br as a line break.
func preText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			switch {
			case ch.Type == html.TextNode:
				b.WriteString(ch.Data)
			case ch.Type == html.ElementNode && ch.DataAtom == atom.Br:
				b.WriteByte('\n')
			case ch.Type == html.ElementNode && !silentAtoms[ch.DataAtom] && !activeAtoms[ch.DataAtom]:
				walk(ch)
			}
		}
	}
	walk(n)
	return b.String()
}

// textContent is all the text below n, as the reader saw it.
func textContent(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type == html.ElementNode && (silentAtoms[ch.DataAtom] || activeAtoms[ch.DataAtom]) {
			continue
		}
		b.WriteString(textContent(ch))
		if ch.Type == html.ElementNode && (isBlock(ch) || ch.DataAtom == atom.Br) {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// list renders ul and ol, nested lists indented under their items.
func (c *mdConverter) list(n *html.Node, depth int) []string {
	ordered := n.DataAtom == atom.Ol
	num := 1
	if s, err := strconv.Atoi(attr(n, "start")); err == nil && s >= 0 && s < 1e9 {
		num = s
	}
	var items []string
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		var content []string
		switch {
		case ch.Type == html.ElementNode && ch.DataAtom == atom.Li:
			content = c.blocks(children(ch), depth)
		case ch.Type == html.ElementNode && (ch.DataAtom == atom.Ul || ch.DataAtom == atom.Ol) && len(items) > 0:
			// A list directly in a list belongs to the item before it.
			nested := strings.Join(c.list(ch, depth+1), "\n\n")
			if nested != "" {
				items[len(items)-1] += "\n" + indent(nested, "  ")
			}
			continue
		case ch.Type == html.TextNode && strings.TrimSpace(ch.Data) == "":
			continue
		default:
			content = c.blocks([]*html.Node{ch}, depth)
		}
		marker := "- "
		if ordered {
			marker = strconv.Itoa(num) + ". "
			num++
		}
		body := joinItemBlocks(content)
		if body == "" {
			items = append(items, strings.TrimSpace(marker))
			continue
		}
		items = append(items, marker+indent(body, strings.Repeat(" ", len(marker)))[len(marker):])
	}
	if len(items) == 0 {
		return nil
	}
	return []string{strings.Join(items, "\n")}
}

// joinItemBlocks joins the blocks of a list item, keeping a nested list
// right under the text it belongs to so that the list stays tight.
func joinItemBlocks(blocks []string) string {
	var b strings.Builder
	for i, bl := range blocks {
		if i > 0 {
			if startsList(bl) {
				b.WriteString("\n")
			} else {
				b.WriteString("\n\n")
			}
		}
		b.WriteString(bl)
	}
	return b.String()
}

func startsList(s string) bool {
	if strings.HasPrefix(s, "- ") || s == "-" {
		return true
	}
	i := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i > 0 && i < len(s) && s[i] == '.' && (i+1 == len(s) || s[i+1] == ' ')
}

// indent prefixes every non-empty line.
func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

// prefixLines prefixes every line, empty ones with emptyPrefix.
func prefixLines(s, prefix, emptyPrefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l == "" {
			lines[i] = emptyPrefix
		} else {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

// table renders a table as a GFM table, its first row the header.
func (c *mdConverter) table(n *html.Node, depth int) string {
	var rows [][]string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			if ch.Type != html.ElementNode {
				continue
			}
			switch ch.DataAtom {
			case atom.Tr:
				var row []string
				for cell := ch.FirstChild; cell != nil; cell = cell.NextSibling {
					if cell.Type == html.ElementNode && (cell.DataAtom == atom.Td || cell.DataAtom == atom.Th) {
						text := strings.ReplaceAll(c.inlines(children(cell), depth), "\\\n", " ")
						row = append(row, strings.TrimFunc(text, unicode.IsSpace))
					}
				}
				rows = append(rows, row)
			case atom.Thead, atom.Tbody, atom.Tfoot:
				walk(ch)
			case atom.Caption:
				// Rendered after the table, below.
			}
		}
	}
	walk(n)
	cols := 0
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	if cols == 0 {
		return ""
	}
	var b strings.Builder
	line := func(cells []string) {
		b.WriteString("|")
		for i := range cols {
			cell := ""
			if i < len(cells) {
				cell = cells[i]
			}
			b.WriteString(" " + cell + " |")
		}
		b.WriteString("\n")
	}
	line(rows[0])
	b.WriteString("|" + strings.Repeat(" --- |", cols) + "\n")
	for _, r := range rows[1:] {
		line(r)
	}
	out := strings.TrimSuffix(b.String(), "\n")
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type == html.ElementNode && ch.DataAtom == atom.Caption {
			if cap := strings.TrimSpace(c.inlines(children(ch), depth)); cap != "" {
				out += "\n\n*" + strings.Trim(cap, "*") + "*"
			}
		}
	}
	return out
}

// collapse turns runs of HTML white space into one space, as a browser
// shows them. Non-breaking spaces stay.
func collapse(s string) string {
	if !strings.ContainsAny(s, " \t\n\r\f") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if space {
		b.WriteByte(' ')
	}
	return b.String()
}

// escapeText escapes what Markdown would otherwise read as markup in
// running text: emphasis and code markers, brackets, angle brackets,
// pipes, tildes, backslashes, and ampersands that would start an entity.
func escapeText(s string) string {
	if !strings.ContainsAny(s, "\\`*_[]<>|~&") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '|', '~':
			b.WriteByte('\\')
		case '&':
			if entityAt(s[i+1:]) {
				b.WriteByte('\\')
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// entityAt reports whether s, following an ampersand, would make it a
// character reference: a name or number and a semicolon.
func entityAt(s string) bool {
	for i := 0; i < len(s) && i < 33; i++ {
		c := s[i]
		switch {
		case c == ';':
			return i > 0
		case c == '#' && i == 0, 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		default:
			return false
		}
	}
	return false
}

// escapeLineStart escapes what would make a line of a paragraph a heading,
// a list item, a rule or a setext underline.
func escapeLineStart(l string) string {
	if l == "" {
		return l
	}
	switch l[0] {
	case '#', '-', '+', '=':
		return "\\" + l
	}
	i := 0
	for i < len(l) && i < 10 && '0' <= l[i] && l[i] <= '9' {
		i++
	}
	if i > 0 && i < len(l) && (l[i] == '.' || l[i] == ')') {
		return l[:i] + "\\" + l[i:]
	}
	return l
}
