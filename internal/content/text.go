package content

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// Lead returns the first n top-level blocks of rendered HTML (the opening
// paragraphs a river shows before "Keep reading").
//
// Paragraphs, headings, lists, quotes, tables and figures count as blocks;
// thematic breaks and the footnotes section do not. The cut is made between
// top-level elements, so the result is as balanced as the input. A document
// with no more than n blocks is returned whole.
func Lead(doc string, n int) string {
	if n <= 0 {
		return ""
	}
	z := html.NewTokenizer(strings.NewReader(doc))
	var (
		open   []string // names of the elements open at this point
		pos    int      // byte offset of the next token in doc
		blocks int      // counted top-level blocks seen so far
		cutAt  = -1     // where the n-th block ends
		counts bool     // whether the open top-level element is a block
	)
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return doc // fewer blocks than n, or broken markup: keep it all
		}
		pos += len(z.Raw())
		switch tt {
		case html.StartTagToken:
			name, hasAttr := z.TagName()
			if voidElements[string(name)] {
				continue
			}
			if len(open) == 0 {
				counts = !isFootnotes(z, hasAttr)
				if counts && cutAt >= 0 {
					return strings.TrimRight(doc[:cutAt], " \t\r\n") + "\n"
				}
			}
			open = append(open, string(name))
		case html.EndTagToken:
			name, _ := z.TagName()
			if i := lastIndex(open, string(name)); i >= 0 {
				open = open[:i]
				if len(open) == 0 && counts {
					blocks++
					if blocks == n {
						cutAt = pos
					}
				}
			}
		}
	}
}

// PlainText strips tags from rendered HTML and collapses white space.
// Entities are decoded; footnote reference marks and back-links, which are
// navigation rather than text, are left out.
func PlainText(doc string) string {
	return extractText(doc, textOptions{})
}

// summaryLength is how long a derived summary may be, in characters,
// including the closing ellipsis.
const summaryLength = 280

// Summary is the post's excerpt: the explicit one, or the opening of the body
// as plain text, cut at a word boundary near 280 characters.
//
// The derived summary leaves out headings and footnotes, and ends with "…"
// when the body goes on.
func (p Post) Summary() string {
	if e := strings.TrimSpace(p.Excerpt); e != "" {
		return e
	}
	body := p.BodyHTML
	if body == "" {
		body = Render(p.Body)
	}
	text := extractText(body, textOptions{
		skipHeadings:  true,
		skipFootnotes: true,
		maxRunes:      summaryLength + 1,
	})
	return truncateWords(text, summaryLength)
}

// truncateWords cuts s to at most n characters, ellipsis included, at the
// last word boundary that keeps most of the text.
func truncateWords(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	// Byte offset of the n-th character: the text must fit in n-1 of them.
	end := 0
	for i := 0; i < n-1; i++ {
		_, size := utf8.DecodeRuneInString(s[end:])
		end += size
	}
	cut := s[:end]
	if s[end] != ' ' {
		if i := strings.LastIndexByte(cut, ' '); i >= len(cut)*2/3 {
			cut = cut[:i]
		}
	}
	cut = strings.TrimRightFunc(cut, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;:-–—([{\"'“‘«", r)
	})
	return cut + "…"
}

type textOptions struct {
	skipHeadings  bool // leave out h1–h6
	skipFootnotes bool // leave out the footnotes section
	maxRunes      int  // stop after this many characters; 0 means no limit
}

// extractText collects the text of an HTML fragment, one space between
// words and between blocks.
func extractText(doc string, opt textOptions) string {
	z := html.NewTokenizer(strings.NewReader(doc))
	var (
		b       strings.Builder
		runes   int
		space   bool   // a space is due before the next word
		skip    string // element whose content is being left out
		skipLvl int    // nesting of skip within itself
	)
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return b.String()
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			if skip != "" {
				if tag == skip && tt == html.StartTagToken {
					skipLvl++
				} else if tag == skip && tt == html.EndTagToken {
					skipLvl--
					if skipLvl == 0 {
						skip = ""
						space = true
					}
				}
				continue
			}
			if !inlineElements[tag] {
				space = true
			}
			if tt != html.StartTagToken || voidElements[tag] {
				continue
			}
			switch {
			case tag == "script" || tag == "style" || tag == "template",
				opt.skipHeadings && headingElements[tag],
				opt.skipFootnotes && (tag == "div" || tag == "section") && isFootnotes(z, hasAttr),
				tag == "a" && isFootnoteLink(z, hasAttr):
				skip, skipLvl = tag, 1
			}
		case html.TextToken:
			if skip != "" {
				continue
			}
			for _, r := range string(z.Text()) {
				if unicode.IsSpace(r) {
					space = true
					continue
				}
				if space && b.Len() > 0 {
					b.WriteByte(' ')
					runes++
				}
				space = false
				b.WriteRune(r)
				runes++
			}
			if opt.maxRunes > 0 && runes >= opt.maxRunes {
				return b.String()
			}
		}
	}
}

// isFootnotes reports whether the start tag just read is the footnotes
// section goldmark appends to a document.
func isFootnotes(z *html.Tokenizer, hasAttr bool) bool {
	return hasClass(z, hasAttr, "footnotes")
}

// isFootnoteLink reports whether the start tag just read is a footnote
// reference mark or a back-link from a note to its reference.
func isFootnoteLink(z *html.Tokenizer, hasAttr bool) bool {
	return hasClass(z, hasAttr, "footnote-ref", "footnote-backref")
}

// hasClass reports whether the current start tag has one of the classes.
// It consumes the tag's attributes.
func hasClass(z *html.Tokenizer, hasAttr bool, classes ...string) bool {
	for hasAttr {
		var key, val []byte
		key, val, hasAttr = z.TagAttr()
		if string(key) != "class" {
			continue
		}
		for _, c := range bytes.Fields(val) {
			for _, want := range classes {
				if string(c) == want {
					return true
				}
			}
		}
	}
	return false
}

func lastIndex(s []string, v string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == v {
			return i
		}
	}
	return -1
}

var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true,
	"hr": true, "img": true, "input": true, "link": true, "meta": true,
	"source": true, "track": true, "wbr": true,
}

// inlineElements do not separate words: "<em>wo</em>rd" is one word.
var inlineElements = map[string]bool{
	"a": true, "abbr": true, "b": true, "cite": true, "code": true,
	"del": true, "dfn": true, "em": true, "i": true, "ins": true,
	"kbd": true, "mark": true, "q": true, "s": true, "samp": true,
	"small": true, "span": true, "strong": true, "sub": true, "sup": true,
	"time": true, "u": true, "var": true,
}

var headingElements = map[string]bool{
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
}
