package site

import (
	"strconv"
	"strings"

	"masthead/internal/content"
)

// splitBody returns the opening of a rendered body (its first two blocks)
// and the rest. whole reports that the opening could not be cut from the
// body, so that rest is the entire body and the page hides the opening once
// the rest is shown.
func splitBody(body string) (opening, rest string, whole bool) {
	opening = content.Lead(body, 2)
	if !strings.HasPrefix(body, opening) {
		return opening, body, true
	}
	rest = body[len(opening):]
	if strings.TrimSpace(rest) == "" {
		rest = ""
	}
	return opening, rest, false
}

// adjustBody fits rendered article HTML into a page. Heading levels become
// at least minLevel (and deeper by shift) so that they sit under the page's
// own headings; with idPrefix set, ids and the fragment links pointing at
// them are prefixed so that several bodies on one page do not clash.
//
// It relies on the body being sanitized HTML, where '<' and '"' appear
// escaped in text and attribute values, so a literal "<h2" or ` id="` can
// only be markup.
func adjustBody(html string, shift, minLevel int, idPrefix string) string {
	if html == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(html) + 64)
	for {
		i := strings.IndexByte(html, '<')
		if i < 0 {
			b.WriteString(html)
			return b.String()
		}
		b.WriteString(html[:i])
		html = html[i:]
		end := strings.IndexByte(html, '>')
		if end < 0 {
			b.WriteString(html)
			return b.String()
		}
		tag := html[:end+1]
		html = html[end+1:]
		tag = adjustHeading(tag, shift, minLevel)
		if idPrefix != "" {
			tag = strings.ReplaceAll(tag, ` id="`, ` id="`+idPrefix)
			tag = strings.ReplaceAll(tag, ` href="#`, ` href="#`+idPrefix)
		}
		b.WriteString(tag)
	}
}

// adjustHeading renumbers an <hN ...> or </hN> tag.
func adjustHeading(tag string, shift, minLevel int) string {
	p := 1
	if strings.HasPrefix(tag, "</") {
		p = 2
	}
	if len(tag) < p+3 || (tag[p] != 'h' && tag[p] != 'H') || tag[p+1] < '1' || tag[p+1] > '6' {
		return tag
	}
	if c := tag[p+2]; c != '>' && c != ' ' && c != '\t' && c != '\n' && c != '/' {
		return tag
	}
	level := min(max(int(tag[p+1]-'0')+shift, minLevel), 6)
	return tag[:p+1] + strconv.Itoa(level) + tag[p+2:]
}
