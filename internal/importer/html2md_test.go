package importer

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"masthead/internal/content"
)

func TestHTMLToMarkdown(t *testing.T) {
	cases := []struct {
		name, in, want string
		dropped        []string
	}{
		{"paragraphs and emphasis", `<p>The <em>strait</em> is <strong>open</strong>.</p><p>Again.</p>`,
			"The *strait* is **open**.\n\nAgain.", nil},
		{"spaces move outside markers", `<p>a<em> b </em>c</p>`, "a *b* c", nil},
		{"headings", `<h2>Who <em>guarantees</em> it?</h2><h3>Next</h3>`, "## Who *guarantees* it?\n\n### Next", nil},
		{"links and titles", `<p><a href="https://ex.org/a" title="A &quot;b&quot;">see</a> <a href="javascript:alert(1)">bad</a></p>`,
			`[see](https://ex.org/a "A \"b\"") bad`, nil},
		{"images", `<p><img src="/up/a b.jpg" alt="Ships [at] anchor"></p>`, `![Ships \[at\] anchor](</up/a b.jpg>)`, nil},
		{"escapes", `<p>*not* _emphasis_ &lt;b&gt; 1 | 2 &amp;copy; R&amp;D</p>`,
			`\*not\* \_emphasis\_ \<b\> 1 \| 2 \&copy; R&D`, nil},
		{"line starts", `<p># not a heading<br>- not a list<br>1984. A year</p>`,
			"\\# not a heading\\\n\\- not a list\\\n1984\\. A year", nil},
		{"lists", `<ul><li>one</li><li>two<ul><li>nested</li></ul></li></ul><ol start="3"><li>three</li></ol>`,
			"- one\n- two\n  - nested\n\n3. three", nil},
		{"quote", `<blockquote><p>We will not.</p><p>— A minister</p></blockquote>`, "> We will not.\n>\n> — A minister", nil},
		{"code", "<pre><code class=\"language-go\">x := `a`\n</code></pre><p>use <code>go ``vet``</code></p>",
			"```go\nx := `a`\n```\n\nuse ``` go ``vet`` ```", nil},
		{"table", `<table><tr><th>Port</th><th>Ships</th></tr><tr><td>Aden</td><td>4|5</td></tr></table>`,
			"| Port | Ships |\n| --- | --- |\n| Aden | 4\\|5 |", nil},
		{"figure", `<figure><img src="https://ex.org/p.jpg" alt="Port"><figcaption>The port at dawn.</figcaption></figure>`,
			"![Port](https://ex.org/p.jpg)\n\n*The port at dawn.*", nil},
		{"active content", `<p>Text</p><script>alert(1)</script><iframe src="https://www.youtube.com/embed/x"></iframe><form><input></form>`,
			"Text\n\n<https://www.youtube.com/embed/x>", []string{"form", "iframe", "script"}},
		{"style and classes vanish", `<p class="x" style="color:red"><span style="x">plain</span> <u>under</u><sup>2</sup></p><style>p{}</style>`,
			"plain under2", nil},
		{"empty paragraphs", "<p>&nbsp;</p><p> </p><p>x</p>", "x", nil},
		{"stray inline text", "loose <b>text</b><div>block</div>tail", "loose **text**\n\nblock\n\ntail", nil},
		{"nested emphasis", `<em>a <em>b</em> c</em>`, "*a b c*", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := htmlToMarkdown(c.in)
			if got.markdown != c.want {
				t.Errorf("markdown\n got %q\nwant %q", got.markdown, c.want)
			}
			if !slices.Equal(got.dropped, c.dropped) {
				t.Errorf("dropped %q, want %q", got.dropped, c.dropped)
			}
		})
	}
}

// TestHTMLToMarkdownRenders checks that what the conversion keeps is what
// the site then shows.
func TestHTMLToMarkdownRenders(t *testing.T) {
	in := `<h2>Shipping</h2><p>Insurers <em>still</em> charge <a href="https://ex.org/rates">war-risk rates</a>.</p>` +
		`<ul><li>Aden</li><li>Jeddah</li></ul><blockquote><p>Quoted.</p></blockquote><p>5 * 3 &lt;script&gt;</p>`
	out := content.Render(htmlToMarkdown(in).markdown)
	for _, want := range []string{`<h2 id="shipping">Shipping</h2>`, `<em>still</em>`, `href="https://ex.org/rates"`,
		`<li>Aden</li>`, `<blockquote>`, `5 * 3 &lt;script&gt;`} {
		if !strings.Contains(out, want) {
			t.Errorf("rendered body lacks %q:\n%s", want, out)
		}
	}
}

func FuzzHTMLToMarkdown(f *testing.F) {
	for _, s := range []string{
		`<p>a <em>b</em> <a href="x">c</a></p>`, `<ul><li><ol><li>x</ol></ul>`, `<table><tr><td>|</td></tr></table>`,
		"<pre>```</pre>", `<blockquote><blockquote>x</blockquote></blockquote>`, `<img src="javascript:x">`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		res := htmlToMarkdown(in)
		if !utf8.ValidString(in) {
			return
		}
		if !utf8.ValidString(res.markdown) {
			t.Fatalf("invalid UTF-8 from %q", in)
		}
		for _, img := range res.images {
			if !strings.Contains(res.markdown, img) {
				t.Fatalf("image %q not in the markdown %q", img, res.markdown)
			}
		}
		html := content.Render(res.markdown)
		if strings.Contains(strings.ToLower(html), "<script") || strings.Contains(strings.ToLower(html), "javascript:") {
			t.Fatalf("active content survived: %q → %q", in, html)
		}
	})
}
