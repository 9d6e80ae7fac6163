package content

import (
	"regexp"

	"github.com/microcosm-cc/bluemonday"
)

// newPolicy is the allow-list applied to every piece of rendered Markdown.
// It admits what Markdown produces and nothing more: goldmark already omits
// raw HTML, and this is the second line of defence should any slip through.
func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()

	p.RequireParseableURLs(true)
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(true)
	// rel="noopener" is set by the Markdown transformer on external links
	// only; the policy must not add nofollow or target="_blank" on its own.
	p.RequireNoFollowOnLinks(false)
	p.AddTargetBlankToFullyQualifiedLinks(false)

	p.AllowElements(
		"p", "blockquote", "ul", "li", "hr", "br",
		"em", "strong", "del", "sup", "sub",
		"pre", "code",
		"table", "thead", "tbody", "tfoot", "tr", "th", "td",
		"figure", "figcaption",
		"h1", "h2", "h3", "h4", "h5", "h6",
	)

	p.AllowAttrs("id").Matching(regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)).
		OnElements("h1", "h2", "h3", "h4", "h5", "h6")
	p.AllowAttrs("start").Matching(regexp.MustCompile(`^[0-9]{1,9}$`)).OnElements("ol")
	p.AllowElements("ol")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[A-Za-z0-9_+#.-]+$`)).OnElements("code")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(?:left|right|center)$`)).OnElements("th", "td")

	// Links: the URL itself is checked by the scheme rules above.
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("title").OnElements("a", "img")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^noopener$`)).OnElements("a")

	// Images: http(s) or relative sources only, never data: or mailto:.
	p.AllowAttrs("src").Matching(regexp.MustCompile(`^(?:(?i:https?)://|[^:/?#]*(?:[/?#]|$))`)).OnElements("img")
	p.AllowAttrs("alt").OnElements("img")
	p.AllowAttrs("width", "height").Matching(regexp.MustCompile(`^[0-9]{1,5}$`)).OnElements("img")

	// GFM task lists render disabled checkboxes.
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").Matching(regexp.MustCompile(`^(?:|checked|disabled)$`)).OnElements("input")

	// Footnotes: references, back-references and the notes section.
	p.AllowAttrs("id").Matching(regexp.MustCompile(`^fnref[0-9]*:[0-9]+$`)).OnElements("sup")
	p.AllowAttrs("id").Matching(regexp.MustCompile(`^fn:[0-9]+$`)).OnElements("li")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^footnote-(?:ref|backref)$`)).OnElements("a")
	p.AllowAttrs("role").Matching(regexp.MustCompile(`^doc-(?:noteref|backlink)$`)).OnElements("a")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^footnotes$`)).OnElements("div", "section")
	p.AllowAttrs("role").Matching(regexp.MustCompile(`^doc-endnotes$`)).OnElements("div", "section")

	return p
}
