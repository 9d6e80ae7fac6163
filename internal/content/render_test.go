package content

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func TestRenderGolden(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "article.md"))
	if err != nil {
		t.Fatal(err)
	}
	got := Render(string(src))
	golden := filepath.Join("testdata", "article.html")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("Render(article.md) differs from %s (run go test -update after checking the change):\n%s", golden, got)
	}
	if err := checkSafeHTML(got); err != nil {
		t.Error(err)
	}
}

func TestRender(t *testing.T) {
	tests := []struct {
		name    string
		md      string
		want    []string // substrings the output must contain
		notWant []string // substrings it must not contain
	}{
		{
			name: "empty",
			md:   " \n\t\n",
		},
		{
			name: "paragraph and emphasis",
			md:   "Some *emphasis*, **strong** and `code`.",
			want: []string{"<p>Some <em>emphasis</em>, <strong>strong</strong> and <code>code</code>.</p>"},
		},
		{
			name: "heading ids are ASCII slugs",
			md:   "## Café in Zürich: the *new* [Łódź](/lodz) line\n",
			want: []string{`<h2 id="cafe-in-zurich-the-new-lodz-line">Café in Zürich: the <em>new</em> <a href="/lodz">Łódź</a> line</h2>`},
		},
		{
			name: "heading ids are unique",
			md:   "# Background\n\n## Background\n\n### Background\n\n## Background 2\n",
			want: []string{`id="background"`, `id="background-2"`, `id="background-3"`, `id="background-2-2"`},
		},
		{
			name: "heading without letters gets an id",
			md:   "## ***\n\n## 中文\n",
			want: []string{`<h2 id="section">`, `<h2 id="section-2">中文</h2>`},
		},
		{
			name: "heading id ignores typographic quotes and link targets",
			md:   "## Don't call it \"détente\" -- see [this](https://example.org/long/path)\n",
			want: []string{`<h2 id="dont-call-it-detente-see-this">`},
		},
		{
			name: "footnotes",
			md:   "Claim.[^a] Another.[^b]\n\n[^a]: First note.\n[^b]: Second note.\n",
			want: []string{
				`<sup id="fnref:1"><a href="#fn:1" class="footnote-ref" role="doc-noteref">1</a></sup>`,
				`<sup id="fnref:2"><a href="#fn:2" class="footnote-ref" role="doc-noteref">2</a></sup>`,
				`<div class="footnotes" role="doc-endnotes">`,
				`<li id="fn:1">`,
				"First note.\u00a0" + `<a href="#fnref:1" class="footnote-backref" role="doc-backlink">`,
			},
		},
		{
			name: "table with alignment",
			md:   "| Country | Share |\n|:--|--:|\n| Oman | 4 |\n",
			want: []string{"<table>", `<th align="left">Country</th>`, `<th align="right">Share</th>`, `<td align="left">Oman</td>`, `<td align="right">4</td>`, "</table>"},
		},
		{
			name: "strikethrough",
			md:   "~~old~~ new",
			want: []string{"<del>old</del> new"},
		},
		{
			name: "task list",
			md:   "- [x] done\n- [ ] to do\n",
			want: []string{`<li><input checked="" disabled="" type="checkbox"> done</li>`, `<li><input disabled="" type="checkbox"> to do</li>`},
		},
		{
			name: "typographer",
			md:   `"Quoted," she said -- it's 'done'... --- really`,
			want: []string{"“Quoted,” she said – it’s ‘done’… — really"},
		},
		{
			name: "fenced code keeps its language class",
			md:   "```go\nfmt.Println(\"<b>\")\n```\n",
			want: []string{`<pre><code class="language-go">fmt.Println(&#34;&lt;b&gt;&#34;)`},
		},
		{
			name: "ordered list start",
			md:   "3. three\n4. four\n",
			want: []string{`<ol start="3">`},
		},
		{
			name: "blockquote",
			md:   "> quoted\n",
			want: []string{"<blockquote>\n<p>quoted</p>\n</blockquote>"},
		},
		{
			name: "thematic break and line break",
			md:   "a  \nb\n\n---\n",
			want: []string{"<p>a<br>\nb</p>", "<hr>"},
		},
		{
			name: "image",
			md:   `![A market in Kabul](/media/kabul.jpg "Kabul") ![Remote](https://example.org/a.png)`,
			want: []string{`<img src="/media/kabul.jpg" alt="A market in Kabul" title="Kabul">`, `<img src="https://example.org/a.png" alt="Remote">`},
		},
		{
			name:    "external link gets noopener",
			md:      "[CSIS](https://www.csis.org/analysis) and [plain](http://example.org)",
			want:    []string{`<a href="https://www.csis.org/analysis" rel="noopener">CSIS</a>`, `<a href="http://example.org" rel="noopener">plain</a>`},
			notWant: []string{"target=", "nofollow"},
		},
		{
			name:    "scheme-relative link is external",
			md:      "[elsewhere](//example.org/x)",
			want:    []string{`<a href="//example.org/x" rel="noopener">elsewhere</a>`},
			notWant: []string{"target="},
		},
		{
			name:    "internal links keep no rel",
			md:      "[earlier](/articles/omans-quiet-diplomacy) [here](#background) [up](../x) [write](mailto:desk@example.org)",
			want:    []string{`<a href="/articles/omans-quiet-diplomacy">earlier</a>`, `<a href="#background">here</a>`, `<a href="../x">up</a>`, `<a href="mailto:desk@example.org">write</a>`},
			notWant: []string{"rel=", "target="},
		},
		{
			name:    "autolinks",
			md:      "See <https://example.org/a>, www.example.com and desk@example.org.",
			want:    []string{`<a href="https://example.org/a" rel="noopener">https://example.org/a</a>`, `<a href="http://www.example.com" rel="noopener">www.example.com</a>`, `<a href="mailto:desk@example.org">desk@example.org</a>`},
			notWant: []string{"target="},
		},
		{
			name: "reference links",
			md:   "[CSIS][c] and [home][h]\n\n[c]: https://www.csis.org \"CSIS\"\n[h]: /\n",
			want: []string{`<a href="https://www.csis.org" title="CSIS" rel="noopener">CSIS</a>`, `<a href="/">home</a>`},
		},
		{
			name:    "raw HTML is dropped",
			md:      "<div class=\"x\">block</div>\n\nText with <b>bold</b> and <span style=\"color:red\">span</span>.",
			want:    []string{"<p>Text with bold and span.</p>"},
			notWant: []string{"<div", "<b>", "<span", "style=", "raw HTML omitted", "<!--"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Render(tt.md)
			if tt.want == nil && tt.notWant == nil && got != "" {
				t.Errorf("Render(%q) = %q, want empty", tt.md, got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Render(%q) lacks %q:\n%s", tt.md, w, got)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("Render(%q) contains %q:\n%s", tt.md, w, got)
				}
			}
			if err := checkSafeHTML(got); err != nil {
				t.Error(err)
			}
		})
	}
}

// xssVectors are Markdown sources that try to smuggle script into the page.
// Each is rendered and the output must pass checkSafeHTML; notWant lists
// fragments that must be gone from the output as well.
var xssVectors = []struct {
	name    string
	md      string
	notWant []string
}{
	{"script block", "<script>alert(1)</script>", []string{"<script"}},
	{"script inline", "Hello <script>alert(1)</script> world", []string{"<script"}},
	{"script unclosed", "<script>\nalert(1)\n\nmore", []string{"<script"}},
	{"script mixed case", "<ScRiPt>alert(1)</sCrIpT>", []string{"<script", "<ScRiPt"}},
	{"style block", "<style>body{display:none}</style>", []string{"<style"}},
	{"img onerror", `<img src=x onerror="alert(1)">`, []string{"onerror", "<img"}},
	{"img onerror inline", `text <img src=x onerror=alert(1)> text`, []string{"onerror", "<img"}},
	{"svg onload", `<svg onload=alert(1)>`, []string{"onload", "<svg"}},
	{"svg script", `<svg><script>alert(1)</script></svg>`, []string{"<svg", "<script"}},
	{"iframe", `<iframe src="https://evil.example"></iframe>`, []string{"<iframe"}},
	{"iframe srcdoc", `<iframe srcdoc="<script>alert(1)</script>">`, []string{"<iframe", "srcdoc"}},
	{"object embed", `<object data="x.swf"></object><embed src="x.swf">`, []string{"<object", "<embed"}},
	{"html comment", "<!-- <script>alert(1)</script> -->", []string{"<script", "<!--"}},
	{"cdata", "<![CDATA[<script>alert(1)</script>]]>", []string{"<script"}},
	{"processing instruction", "<?php echo 1 ?>", []string{"<?php"}},
	{"body onload", `<body onload=alert(1)>`, []string{"onload", "<body"}},
	{"details ontoggle", `<details open ontoggle=alert(1)>`, []string{"ontoggle", "<details"}},
	{"a onclick", `<a href="/x" onclick="alert(1)">x</a>`, []string{"onclick"}},
	{"form action", `<form action="javascript:alert(1)"><button>go</button></form>`, []string{"<form", "<button", "javascript:"}},
	{"meta refresh", `<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`, []string{"<meta", "javascript:"}},
	{"base href", `<base href="javascript:alert(1)//">`, []string{"<base", "javascript:"}},
	{"link javascript", "[click](javascript:alert(1))", []string{"javascript:", "href"}},
	{"link javascript upper", "[click](JAVASCRIPT:alert(1))", []string{"JAVASCRIPT:", "href"}},
	{"link javascript angle", "[click](<javascript:alert(1)>)", []string{"href"}},
	{"link javascript spaced", "[click]( javascript:alert(1) )", []string{"href"}},
	{"link javascript tab entity", "[click](java&#x09;script:alert(1))", []string{"href"}},
	{"link javascript newline entity", "[click](java&#10;script:alert(1))", []string{"href"}},
	{"link javascript decimal entities", "[click](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))", []string{"href"}},
	{"link javascript hex entities", "[click](&#x6A;avascript&#x3A;alert(1))", []string{"href"}},
	{"link javascript named colon", "[click](javascript&colon;alert(1))", []string{`href="javascript`}},
	{"link javascript percent", "[click](javascript%3Aalert(1))", []string{`href="javascript:`}},
	{"link javascript leading control", "[click](\x01javascript:alert(1))", []string{`javascript:alert`}},
	{"link javascript backslash escape", `[click](javascript\:alert(1))`, []string{"href"}},
	{"link vbscript", "[click](vbscript:msgbox(1))", []string{"vbscript:", "href"}},
	{"link data", "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", []string{"data:", "href"}},
	{"link file", "[click](file:///etc/passwd)", []string{"file:", "href"}},
	{"link title breakout", `[click](/x "a\" onmouseover=\"alert(1)")`, []string{`" onmouseover`}},
	{"link destination breakout", `[click](/x"onmouseover="alert(1))`, []string{`" onmouseover`, `"onmouseover`}},
	{"autolink javascript", "<javascript:alert(1)>", []string{"href"}},
	{"autolink javascript upper", "<JavaScript:alert(1)>", []string{"href"}},
	{"autolink data", "<data:text/html,<script>alert(1)</script>>", []string{"href", "<script"}},
	{"autolink vbscript", "<vbscript:msgbox(1)>", []string{"href"}},
	{"reference javascript", "[click][x]\n\n[x]: javascript:alert(1)\n", []string{"href"}},
	{"reference javascript entity", "[click][x]\n\n[x]: &#106;avascript:alert(1)\n", []string{"href"}},
	{"reference javascript title", "[click][x]\n\n[x]: javascript:alert(1) \"t\"\n", []string{"href"}},
	{"image javascript", "![x](javascript:alert(1))", []string{"<img"}},
	{"image data svg", "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)", []string{"<img", "data:"}},
	{"image data png", "![x](data:image/png;base64,iVBORw0KGgo=)", []string{"<img", "data:"}},
	{"image mailto", "![x](mailto:a@example.org)", []string{"<img"}},
	{"image alt breakout", `![x" onerror="alert(1)](/a.png)`, []string{`" onerror`}},
	{"image reference javascript", "![x][i]\n\n[i]: javascript:alert(1)\n", []string{"<img"}},
	{"linkify javascript", "javascript:alert(1)//www.example.com", []string{`href="javascript`}},
	{"html entity tag", "&lt;script&gt;alert(1)&lt;/script&gt;", []string{"<script"}},
	{"double encoded entity", "&amp;lt;script&amp;gt;", []string{"<script"}},
	{"code span", "`<script>alert(1)</script>`", []string{"<script"}},
	{"code block", "    <script>alert(1)</script>", []string{"<script"}},
	{"fenced info string", "```\"><script>alert(1)</script>\nx\n```", []string{"<script"}},
	{"fenced class breakout", "```go\" onmouseover=\"alert(1)\nx\n```", []string{`" onmouseover`}},
	{"heading attribute syntax", "# Title {#x onclick=alert(1)}", []string{`id="x"`, `<h1 onclick`}},
	{"table cell html", "| a |\n|---|\n| <img src=x onerror=alert(1)> |", []string{"onerror", "<img"}},
	{"footnote html", "x[^1]\n\n[^1]: <script>alert(1)</script>", []string{"<script"}},
	{"math tag", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", []string{"<math", "onerror"}},
	{"noscript", "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">", []string{"onerror"}},
	{"textarea", "<textarea><script>alert(1)</script></textarea>", []string{"<textarea", "<script"}},
	{"unicode escapes", "<scr\u0000ipt>alert(1)</script>", []string{"<script"}},
}

func TestRenderXSS(t *testing.T) {
	for _, tt := range xssVectors {
		t.Run(tt.name, func(t *testing.T) {
			for _, render := range []func(string) string{Render, RenderInline} {
				got := render(tt.md)
				if err := checkSafeHTML(got); err != nil {
					t.Errorf("input %q: %v\n%s", tt.md, err, got)
				}
				for _, w := range tt.notWant {
					if strings.Contains(got, w) {
						t.Errorf("input %q: output contains %q:\n%s", tt.md, w, got)
					}
				}
			}
		})
	}
}

func TestRenderInline(t *testing.T) {
	tests := []struct {
		name string
		md   string
		want string
	}{
		{"empty", "", ""},
		{"plain", "Corrected the date.", "Corrected the date."},
		{"emphasis and link", "An earlier version misspelled *Łódź*; see [the report](https://example.org/r).", `An earlier version misspelled <em>Łódź</em>; see <a href="https://example.org/r" rel="noopener">the report</a>.`},
		{"typographer", `The "deal" wasn't signed.`, "The “deal” wasn’t signed."},
		{"trailing newlines", "Photo: Reuters\n\n\n", "Photo: Reuters"},
		{"two paragraphs keep their tags", "One.\n\nTwo.", "<p>One.</p>\n<p>Two.</p>"},
		{"a list is not a paragraph", "- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"},
		{"raw html dropped", "Credit <b>AP</b><script>x</script>", "Credit APx"},
		{"javascript link", "[x](javascript:alert(1))", "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RenderInline(tt.md); got != tt.want {
				t.Errorf("RenderInline(%q) = %q, want %q", tt.md, got, tt.want)
			}
		})
	}
}

func TestRenderConcurrent(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "article.md"))
	if err != nil {
		t.Fatal(err)
	}
	want := Render(string(src))
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Go(func() {
			for range 5 {
				if got := Render(string(src)); got != want {
					errs <- got
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for got := range errs {
		t.Errorf("concurrent Render gave different output:\n%s", got)
	}
}

func TestRenderLarge(t *testing.T) {
	// About 10 MB of an article's paragraphs, headings, lists, tables and
	// quotes, with a hundred footnotes and some raw HTML on the way: it must
	// render completely and safely. Under the race detector 2 MB make the
	// same point in reasonable time.
	size := 10 << 20
	if raceDetector {
		size = 2 << 20
	}
	article, err := os.ReadFile(filepath.Join("testdata", "article.md"))
	if err != nil {
		t.Fatal(err)
	}
	body, _, _ := strings.Cut(string(article), "[^1]:")
	body = strings.ReplaceAll(body, "[^1]", "")
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		b.WriteString(body)
		if i < 100 {
			fmt.Fprintf(&b, "\n\nA claim.[^n%d] <script>alert(%d)</script>\n\n", i, i)
		}
	}
	for i := range 100 {
		fmt.Fprintf(&b, "[^n%d]: Footnote %d.\n", i, i)
	}
	src := b.String()
	start := time.Now()
	got := Render(src)
	t.Logf("rendered %d bytes of Markdown into %d bytes of HTML in %v", len(src), len(got), time.Since(start))
	if len(got) < len(src) {
		t.Fatalf("output is %d bytes, shorter than the %d-byte source: content was lost", len(got), len(src))
	}
	if strings.Contains(got, "<script") {
		t.Fatal("output contains <script")
	}
	if !strings.Contains(got, `<li id="fn:100">`) || !strings.HasSuffix(got, "</div>\n") {
		t.Fatalf("output lacks the footnotes section; it ends with %q", got[len(got)-200:])
	}
	if n, want := strings.Count(got, "<h2 id="), 4*strings.Count(got, "<p>For more background"); n != want || n == 0 {
		t.Errorf("output has %d h2 headings, want %d", n, want)
	}
}

func TestRenderPathological(t *testing.T) {
	// Inputs shaped to hit worst cases in the parser or the id bookkeeping
	// must finish quickly and safely.
	var notes strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&notes, "Claim %d.[^%d]\n\n[^%d]: Note %d.\n\n", i, i, i, i)
	}
	tests := []struct {
		name string
		md   string
		want string
	}{
		{"many footnotes", notes.String(), "<p>Claim 2999.[^2999]</p>"},
		{"same heading", strings.Repeat("## Notes\n\n", 5000), `<h2 id="notes-5000">`},
		{"one paragraph", strings.Repeat("word *em* [l](/x) ", 1<<13), "<em>em</em>"},
		{"nested quotes", strings.Repeat(">", 2000) + " deep", "deep"},
		{"nested lists", nestedList(200), "<li>level"},
		{"emphasis runs", strings.Repeat("*a _b ", 20000), "*a _b"},
		{"table", "| a |\n|---|\n" + strings.Repeat("| b |\n", 10000), "<td>b</td>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			got := Render(tt.md)
			t.Logf("%d bytes in %v", len(tt.md), time.Since(start))
			if !strings.Contains(got, tt.want) {
				t.Errorf("output lacks %q", tt.want)
			}
			if err := checkSafeHTML(got); err != nil {
				t.Error(err)
			}
		})
	}
}

func nestedList(depth int) string {
	var b strings.Builder
	for i := range depth {
		b.WriteString(strings.Repeat("  ", i))
		b.WriteString("- level\n")
	}
	return b.String()
}

func FuzzRender(f *testing.F) {
	src, err := os.ReadFile(filepath.Join("testdata", "article.md"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(src))
	for _, v := range xssVectors {
		f.Add(v.md)
	}
	f.Add("[a](<java\tscript:x>) ![b](//x/y.png) <http://a.b/c?d=e&f=g>")
	f.Add("# h\n\n| a |\n|---|\n| b |\n\n- [ ] c\n\n[^1]\n\n[^1]: d")
	f.Fuzz(func(t *testing.T, md string) {
		for _, render := range []func(string) string{Render, RenderInline} {
			out := render(md)
			if err := checkSafeHTML(out); err != nil {
				t.Fatalf("input %q: %v\noutput: %s", md, err, out)
			}
		}
	})
}

func BenchmarkRender(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("testdata", "article.md"))
	if err != nil {
		b.Fatal(err)
	}
	md := string(src)
	Render(md) // build the renderer outside the timing
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		Render(md)
	}
}

// checkSafeHTML parses out as a browser's tokenizer would and reports any
// element, attribute or URL that could run script.
func checkSafeHTML(out string) error {
	lower := strings.ToLower(out)
	for _, bad := range []string{"<script", "<iframe", "<style", "<object", "<embed", "<svg", "<math"} {
		if strings.Contains(lower, bad) {
			return fmt.Errorf("output contains %q", bad)
		}
	}
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return nil
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if !safeElements[tok.Data] {
				return fmt.Errorf("element <%s> in output", tok.Data)
			}
			for _, a := range tok.Attr {
				name := strings.ToLower(a.Key)
				if strings.HasPrefix(name, "on") {
					return fmt.Errorf("event handler attribute %s=%q on <%s>", a.Key, a.Val, tok.Data)
				}
				switch name {
				case "style", "srcdoc", "srcset", "formaction", "action", "xlink:href", "background", "poster", "data", "codebase":
					return fmt.Errorf("attribute %s=%q on <%s>", a.Key, a.Val, tok.Data)
				case "href", "src", "cite":
					if err := checkURL(a.Val); err != nil {
						return fmt.Errorf("<%s %s>: %w", tok.Data, a.Key, err)
					}
				}
			}
		}
	}
}

// checkURL accepts relative URLs and http, https and mailto ones.
func checkURL(u string) error {
	// Browsers drop tabs and newlines and trim control characters and
	// spaces before reading the scheme.
	clean := strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, u)
	clean = strings.ToLower(strings.TrimFunc(clean, func(r rune) bool { return r <= ' ' }))
	for _, bad := range []string{"javascript:", "vbscript:", "data:", "file:"} {
		if strings.HasPrefix(clean, bad) {
			return fmt.Errorf("URL %q is a %s URL", u, bad)
		}
	}
	if scheme, ok := urlScheme(clean); ok && scheme != "http" && scheme != "https" && scheme != "mailto" {
		return fmt.Errorf("URL %q has scheme %s", u, scheme)
	}
	return nil
}

// safeElements are the elements rendered Markdown may contain.
var safeElements = map[string]bool{
	"p": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"blockquote": true, "ul": true, "ol": true, "li": true, "pre": true, "code": true,
	"em": true, "strong": true, "del": true, "a": true, "img": true,
	"table": true, "thead": true, "tbody": true, "tfoot": true, "tr": true, "th": true, "td": true,
	"hr": true, "br": true, "sup": true, "sub": true, "div": true, "section": true,
	"figure": true, "figcaption": true, "input": true,
}
