package content

// RendererVersion changes whenever Render's output for the same source may
// change; stored HTML made by an older version is rendered again.
const RendererVersion = 1

// Render turns Markdown into sanitized HTML: GFM, footnotes and typographic
// punctuation; headings get ids; external links get rel="noopener"; raw
// HTML, scripts, event handlers, iframes and javascript: URLs never survive.
func Render(markdown string) string { return "" }

// RenderInline renders a short Markdown text (a correction, a caption) to
// sanitized inline HTML without a wrapping paragraph.
func RenderInline(markdown string) string { return "" }

// Lead returns the first n top-level blocks of rendered HTML (the opening
// paragraphs a river shows before "Keep reading").
func Lead(html string, n int) string { return "" }

// PlainText strips tags from rendered HTML and collapses white space.
func PlainText(html string) string { return "" }

// Summary is the post's excerpt: the explicit one, or the opening of the body
// as plain text, cut at a word boundary near 280 characters.
func (p Post) Summary() string { return "" }

// Slugify makes a URL slug from a title: lower-case ASCII letters, digits and
// single hyphens.
func Slugify(s string) string { return "" }

// ValidSlug reports whether s is a slug Slugify could produce.
func ValidSlug(s string) bool { return false }
