package content

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

func TestLead(t *testing.T) {
	const doc = "<p>One.</p>\n<h2 id=\"two\">Two</h2>\n<blockquote>\n<p>Three a.</p>\n<p>Three b.</p>\n</blockquote>\n<hr>\n<ul>\n<li>Four<ul><li>nested</li></ul></li>\n</ul>\n<p>Five <em>with <strong>inline</strong></em><br>\nbreak.</p>\n"
	const withNotes = "<p>One.<sup id=\"fnref:1\"><a href=\"#fn:1\" class=\"footnote-ref\" role=\"doc-noteref\">1</a></sup></p>\n<p>Two.</p>\n<div class=\"footnotes\" role=\"doc-endnotes\">\n<hr>\n<ol>\n<li id=\"fn:1\">\n<p>Note.</p>\n</li>\n</ol>\n</div>\n"
	tests := []struct {
		name string
		html string
		n    int
		want string
	}{
		{"zero", doc, 0, ""},
		{"negative", doc, -1, ""},
		{"empty", "", 2, ""},
		{"first paragraph", doc, 1, "<p>One.</p>\n"},
		{"heading counts", doc, 2, "<p>One.</p>\n<h2 id=\"two\">Two</h2>\n"},
		{"blockquote is one block", doc, 3, "<p>One.</p>\n<h2 id=\"two\">Two</h2>\n<blockquote>\n<p>Three a.</p>\n<p>Three b.</p>\n</blockquote>\n"},
		{"rule does not count", doc, 4, "<p>One.</p>\n<h2 id=\"two\">Two</h2>\n<blockquote>\n<p>Three a.</p>\n<p>Three b.</p>\n</blockquote>\n<hr>\n<ul>\n<li>Four<ul><li>nested</li></ul></li>\n</ul>\n"},
		{"exactly all blocks", doc, 5, doc},
		{"more than all blocks", doc, 50, doc},
		{"footnotes do not count", withNotes, 1, "<p>One.<sup id=\"fnref:1\"><a href=\"#fn:1\" class=\"footnote-ref\" role=\"doc-noteref\">1</a></sup></p>\n"},
		{"footnotes kept with whole document", withNotes, 2, withNotes},
		{"no trailing newline", "<p>a</p><p>b</p>", 1, "<p>a</p>\n"},
		{"unclosed element keeps everything", "<p>a<p>b", 1, "<p>a<p>b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Lead(tt.html, tt.n)
			if got != tt.want {
				t.Errorf("Lead(%q, %d) =\n%q\nwant\n%q", tt.html, tt.n, got, tt.want)
			}
			if checkBalanced(tt.html) == nil {
				if err := checkBalanced(got); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func TestLeadOfRenderedArticle(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "article.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := Render(string(src))
	prev := ""
	for n := 1; n <= 40; n++ {
		lead := Lead(doc, n)
		if err := checkBalanced(lead); err != nil {
			t.Fatalf("Lead(article, %d): %v", n, err)
		}
		if !strings.HasPrefix(doc, strings.TrimSuffix(lead, "\n")) {
			t.Fatalf("Lead(article, %d) is not a prefix of the article:\n%s", n, lead)
		}
		if len(lead) < len(prev) || (lead == prev && lead != doc) {
			t.Fatalf("Lead(article, %d) did not grow", n)
		}
		prev = lead
	}
	if prev != doc {
		t.Errorf("Lead(article, 40) is not the whole article")
	}
	if got := Lead(doc, 3); strings.Count(got, "<p>") != 2 || strings.Count(got, "<h2") != 1 {
		t.Errorf("Lead(article, 3) should be two paragraphs and a heading:\n%s", got)
	}
}

// checkBalanced reports an element of s that is closed without being open,
// or left open.
func checkBalanced(s string) error {
	z := html.NewTokenizer(strings.NewReader(s))
	var open []string
	for {
		switch z.Next() {
		case html.ErrorToken:
			if len(open) > 0 {
				return fmt.Errorf("unclosed %v in %q", open, s)
			}
			return nil
		case html.StartTagToken:
			name, _ := z.TagName()
			if !voidElements[string(name)] {
				open = append(open, string(name))
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if len(open) == 0 || open[len(open)-1] != string(name) {
				return fmt.Errorf("unexpected </%s> in %q", name, s)
			}
			open = open[:len(open)-1]
		}
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct {
		name string
		html string
		want string
	}{
		{"empty", "", ""},
		{"paragraphs", "<p>One.</p>\n<p>Two.</p>", "One. Two."},
		{"blocks without white space", "<h2>Title</h2><p>Text</p><ul><li>a</li><li>b</li></ul>", "Title Text a b"},
		{"inline elements join", "<p>in<em>line</em> <strong>bold</strong>ly</p>", "inline boldly"},
		{"entities", "<p>Caf&eacute; &amp; &lt;b&gt; &#8220;q&#8221; &#x2014; a&nbsp;b</p>", "Café & <b> “q” — a b"},
		{"white space collapses", "<p>  a \n\n\t b  </p>\n\n<p>\nc</p>", "a b c"},
		{"line break separates", "<p>a<br>b</p>", "a b"},
		{"table cells", "<table><tr><th>a</th><td>b</td></tr></table>", "a b"},
		{"script and style skipped", "<p>a</p><script>var x = '<p>';</script><style>p{}</style><p>b</p>", "a b"},
		{"footnote marks skipped", "<p>Claim.<sup id=\"fnref:1\"><a href=\"#fn:1\" class=\"footnote-ref\" role=\"doc-noteref\">1</a></sup> More.</p><div class=\"footnotes\"><hr><ol><li id=\"fn:1\"><p>Note.&#160;<a href=\"#fnref:1\" class=\"footnote-backref\" role=\"doc-backlink\">&#x21a9;&#xfe0e;</a></p></li></ol></div>", "Claim. More. Note."},
		{"images have no text", "<p>a <img src=\"/x.png\" alt=\"picture\"> b</p>", "a b"},
		{"plain text passes", "just text", "just text"},
		{"broken markup", "<p>a <em>b</p", "a b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PlainText(tt.html); got != tt.want {
				t.Errorf("PlainText(%q) = %q, want %q", tt.html, got, tt.want)
			}
		})
	}
}

func TestSummary(t *testing.T) {
	long := strings.Repeat("Diplomacy is the art of letting other people have your way. ", 10)
	tests := []struct {
		name string
		post Post
		want string
	}{
		{"explicit excerpt wins", Post{Excerpt: "  The short version.  ", Body: "The long version."}, "The short version."},
		{"blank excerpt is no excerpt", Post{Excerpt: " \n ", Body: "From the body."}, "From the body."},
		{"rendered body preferred", Post{Body: "Source text.", BodyHTML: "<p>Stored <em>HTML</em>.</p>"}, "Stored HTML."},
		{"body rendered when no HTML", Post{Body: "A *short* body with a [link](https://example.org) -- and \"quotes\"."}, "A short body with a link – and “quotes”."},
		{"headings left out", Post{Body: "## Background\n\nFirst paragraph.\n\n### More\n\nSecond paragraph."}, "First paragraph. Second paragraph."},
		{"footnotes left out", Post{Body: "Claim.[^1] More.\n\n[^1]: A note that is not part of the summary."}, "Claim. More."},
		{"empty post", Post{}, ""},
		{
			"cut at a word boundary",
			Post{Body: long},
			"Diplomacy is the art of letting other people have your way. Diplomacy is the art of letting other people have your way. Diplomacy is the art of letting other people have your way. Diplomacy is the art of letting other people have your way. Diplomacy is the art of letting other…",
		},
		{
			"one huge word is cut hard",
			Post{Body: strings.Repeat("x", 400)},
			strings.Repeat("x", 279) + "…",
		},
		{
			"exactly the limit is not cut",
			Post{Body: strings.Repeat("é", 280)},
			strings.Repeat("é", 280),
		},
		{
			"punctuation before the cut is dropped",
			Post{Body: strings.Repeat("word, ", 60)},
			strings.TrimSuffix(strings.Repeat("word, ", 46), ", ") + "…",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.post.Summary()
			if got != tt.want {
				t.Errorf("Summary() =\n%q\nwant\n%q", got, tt.want)
			}
			if n := utf8.RuneCountInString(got); tt.post.Excerpt == "" && n > summaryLength {
				t.Errorf("Summary() is %d characters, more than %d", n, summaryLength)
			}
		})
	}
}

func TestSummaryOfArticle(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "article.md"))
	if err != nil {
		t.Fatal(err)
	}
	got := Post{Body: string(src)}.Summary()
	const wantStart = "The ceasefire announced in Doha on Tuesday was, by the standards of the region’s recent diplomacy"
	if !strings.HasPrefix(got, wantStart) || !strings.HasSuffix(got, "…") {
		t.Errorf("Summary() = %q", got)
	}
	if n := utf8.RuneCountInString(got); n > summaryLength || n < summaryLength-40 {
		t.Errorf("Summary() is %d characters, want near %d", n, summaryLength)
	}
	if strings.HasSuffix(got, " …") || strings.Contains(got, "  ") {
		t.Errorf("Summary() has stray spaces: %q", got)
	}
}
