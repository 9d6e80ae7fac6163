package desk_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// The examples of docs/api.md are run here, in order, against a real
// server, so that the documentation cannot drift from the API. Each
// example is a ```sh block with a curl command, a ```http block with the
// request it sends and a ```http block with the answer. The answer's
// status and documented headers must match exactly; its JSON body must
// hold every documented field with the documented value, except that a
// documented RFC 3339 time stands for any time, and a string ending in
// "…" for any string starting with what comes before it.

// docsSite is the address the examples use for the site.
const docsSite = "https://magazine.example"

// docsNow is the clock of the examples.
var docsNow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

type docBlock struct {
	lang string
	text string
	line int
}

type docExample struct {
	line     int
	curl     string
	request  string
	response string
}

func readDocExamples(t *testing.T) []docExample {
	t.Helper()
	path := filepath.Join("..", "..", "docs", "api.md")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks []docBlock
	var cur *docBlock
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			cur = &docBlock{lang: strings.TrimSpace(strings.TrimPrefix(line, "```")), line: n}
		case cur != nil && line == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.text += line + "\n"
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cur != nil {
		t.Fatalf("docs/api.md:%d: unclosed code block", cur.line)
	}
	var exs []docExample
	for i := 0; i < len(blocks); i++ {
		b := blocks[i]
		if b.lang != "sh" && b.lang != "http" {
			continue
		}
		if b.lang == "http" {
			t.Fatalf("docs/api.md:%d: an http block without the curl command before it", b.line)
		}
		if i+2 >= len(blocks) || blocks[i+1].lang != "http" || blocks[i+2].lang != "http" ||
			strings.HasPrefix(blocks[i+1].text, "HTTP/") || !strings.HasPrefix(blocks[i+2].text, "HTTP/") {
			t.Fatalf("docs/api.md:%d: a curl example must be followed by an http request block and an http answer block", b.line)
		}
		exs = append(exs, docExample{line: b.line, curl: b.text, request: blocks[i+1].text, response: blocks[i+2].text})
		i += 2
	}
	return exs
}

// httpMessage is a request or answer as written in the docs.
type httpMessage struct {
	first  string
	header http.Header
	body   string
}

func parseHTTPBlock(text string) httpMessage {
	head, body, _ := strings.Cut(text, "\n\n")
	lines := strings.Split(strings.TrimRight(head, "\n"), "\n")
	m := httpMessage{first: lines[0], header: http.Header{}, body: strings.TrimRight(body, "\n")}
	for _, l := range lines[1:] {
		k, v, _ := strings.Cut(l, ":")
		m.header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	return m
}

// shellWords splits a command line as a POSIX shell would, for the quoting
// used in the docs: single and double quotes and backslash-newline.
func shellWords(s string) ([]string, error) {
	s = strings.ReplaceAll(s, "\\\n", " ")
	var words []string
	var w strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unclosed single quote")
			}
			w.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`"\$`, s[i+1]) >= 0 {
					i++
				}
				w.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unclosed double quote")
			}
			inWord = true
		case c == ' ' || c == '\n' || c == '\t':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}

// checkCurl fails unless the curl command sends the documented request.
func checkCurl(t *testing.T, curl string, req httpMessage) {
	t.Helper()
	words, err := shellWords(strings.TrimSpace(curl))
	if err != nil || len(words) == 0 || words[0] != "curl" {
		t.Fatalf("not a curl command (%v): %s", err, curl)
	}
	method, url, data, binary := "", "", "", ""
	var headers, fields []string
	for i := 1; i < len(words); i++ {
		w := words[i]
		next := func() string {
			i++
			if i >= len(words) {
				t.Fatalf("curl option %s without a value", w)
			}
			return words[i]
		}
		switch w {
		case "-X":
			method = next()
		case "-H":
			headers = append(headers, next())
		case "-d":
			data = next()
		case "--data-binary":
			binary = next()
		case "-F":
			fields = append(fields, next())
		default:
			if strings.HasPrefix(w, "-") {
				t.Fatalf("curl option %s is not understood by this test", w)
			}
			url = w
		}
	}
	if method == "" {
		method = "GET"
		if data != "" || binary != "" || fields != nil {
			method = "POST"
		}
	}
	if got := method + " " + strings.TrimPrefix(url, docsSite); got != req.first {
		t.Fatalf("curl sends %q, the request block says %q", got, req.first)
	}
	var reqHeaders []string
	for k, vs := range req.header {
		if k == "Content-Type" && fields != nil {
			continue // curl -F sets it, with the boundary
		}
		for _, v := range vs {
			reqHeaders = append(reqHeaders, k+": "+v)
		}
	}
	slices.Sort(headers)
	slices.Sort(reqHeaders)
	if !slices.Equal(headers, reqHeaders) {
		t.Fatalf("curl sends headers %q, the request block %q", headers, reqHeaders)
	}
	switch {
	case data != "":
		var a, b any
		if json.Unmarshal([]byte(data), &a) != nil || json.Unmarshal([]byte(req.body), &b) != nil {
			if data != req.body {
				t.Fatalf("curl sends %q, the request block %q", data, req.body)
			}
		} else if !reflect.DeepEqual(a, b) {
			t.Fatalf("curl sends %s, the request block %s", data, req.body)
		}
	case binary != "":
		if binary != req.body {
			t.Fatalf("curl sends %s, the request block %s", binary, req.body)
		}
	case fields != nil:
		if got := strings.Join(fields, "\n"); got != req.body {
			t.Fatalf("curl sends fields %q, the request block %q", got, req.body)
		}
	case req.body != "":
		t.Fatalf("the request block has a body curl does not send")
	}
}

// buildRequest makes the documented request against the test server.
func buildRequest(t *testing.T, base string, m httpMessage, tokens map[string]string, files map[string][]byte) *http.Request {
	t.Helper()
	method, target, ok := strings.Cut(m.first, " ")
	if !ok {
		t.Fatalf("bad request line %q", m.first)
	}
	h := http.Header{}
	for k, vs := range m.header {
		for _, v := range vs {
			for name, tok := range tokens {
				v = strings.ReplaceAll(v, name, tok)
			}
			h.Add(k, v)
		}
	}
	var body []byte
	switch {
	case strings.HasPrefix(h.Get("Content-Type"), "multipart/form-data"):
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for _, l := range strings.Split(m.body, "\n") {
			k, v, _ := strings.Cut(l, "=")
			if name, ok := strings.CutPrefix(v, "@"); ok {
				fw, _ := mw.CreateFormFile(k, name)
				fw.Write(docFile(t, files, name))
			} else {
				mw.WriteField(k, v)
			}
		}
		mw.Close()
		body = buf.Bytes()
		h.Set("Content-Type", mw.FormDataContentType())
	case strings.HasPrefix(m.body, "@"):
		body = docFile(t, files, m.body[1:])
	default:
		body = []byte(m.body)
	}
	req, err := http.NewRequest(method, base+target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h
	return req
}

func docFile(t *testing.T, files map[string][]byte, name string) []byte {
	b, ok := files[name]
	if !ok {
		t.Fatalf("the docs use a file %q the test does not have", name)
	}
	return b
}

// matchJSON reports where got differs from the documented want.
func matchJSON(want, got any, path string) error {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: got %v, want an object", path, got)
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				return fmt.Errorf("%s.%s: missing", path, k)
			}
			if err := matchJSON(wv, gv, path+"."+k); err != nil {
				return err
			}
		}
		return nil
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Errorf("%s: got %v, want %d items", path, got, len(w))
		}
		for i := range w {
			if err := matchJSON(w[i], g[i], fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	case string:
		g, ok := got.(string)
		if !ok {
			return fmt.Errorf("%s: got %v, want a string", path, got)
		}
		if _, err := time.Parse(time.RFC3339, w); err == nil {
			if _, err := time.Parse(time.RFC3339, g); err != nil {
				return fmt.Errorf("%s: got %q, want an RFC 3339 time", path, g)
			}
			return nil
		}
		if prefix, ok := strings.CutSuffix(w, "…"); ok {
			if !strings.HasPrefix(g, prefix) || len(g) == len(prefix) {
				return fmt.Errorf("%s: got %q, want %q", path, g, w)
			}
			return nil
		}
		if g != w {
			return fmt.Errorf("%s: got %q, want %q", path, g, w)
		}
		return nil
	}
	if !reflect.DeepEqual(want, got) {
		return fmt.Errorf("%s: got %v, want %v", path, got, want)
	}
	return nil
}

func TestAPIDocsExamples(t *testing.T) {
	exs := readDocExamples(t)
	if len(exs) < 40 {
		t.Fatalf("found %d examples in docs/api.md; the parser is probably broken", len(exs))
	}
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		r := newRigOn(t, st, 0, docsNow)
		editor, _ := r.tokenFor("maria@magazine.example", "Maria Lopez", store.RoleEditor)
		contributor, _ := r.tokenFor("sam@magazine.example", "Sam Chen", store.RoleContributor)
		tokens := map[string]string{"$CONTRIBUTOR_TOKEN": contributor, "$TOKEN": editor}
		files := map[string][]byte{
			"photo.jpg":    jpegFile(t),
			"portrait.png": pngFile(t, 40, 60),
			"page.html":    []byte("<!doctype html><html><body><script>alert(1)</script></body></html>\n"),
		}
		for _, ex := range exs {
			req := parseHTTPBlock(ex.request)
			t.Run(fmt.Sprintf("line %d %s", ex.line, req.first), func(t *testing.T) {
				checkCurl(t, ex.curl, req)
				ans := r.send(buildRequest(t, r.srv.URL, req, tokens, files))
				want := parseHTTPBlock(ex.response)
				fields := strings.Fields(want.first)
				if len(fields) < 2 {
					t.Fatalf("bad status line %q", want.first)
				}
				code, _ := strconv.Atoi(fields[1])
				if ans.status != code {
					t.Fatalf("docs/api.md:%d: status %d, documented %d\n%s", ex.line, ans.status, code, ans.body)
				}
				if http.StatusText(code) != strings.Join(fields[2:], " ") {
					t.Errorf("docs/api.md:%d: status line %q, want %d %s", ex.line, want.first, code, http.StatusText(code))
				}
				for k := range want.header {
					if g, w := ans.header.Get(k), want.header.Get(k); g != w {
						t.Errorf("docs/api.md:%d: header %s is %q, documented %q", ex.line, k, g, w)
					}
				}
				if want.body == "" {
					if ans.body != "" {
						t.Errorf("docs/api.md:%d: answer has a body, documented none: %s", ex.line, ans.body)
					}
					return
				}
				var wantJSON any
				if err := json.Unmarshal([]byte(want.body), &wantJSON); err != nil {
					t.Fatalf("docs/api.md:%d: the documented answer is not JSON: %v", ex.line, err)
				}
				var gotJSON any
				json.Unmarshal([]byte(ans.body), &gotJSON)
				if err := matchJSON(wantJSON, gotJSON, "answer"); err != nil {
					t.Fatalf("docs/api.md:%d: %v\n%s", ex.line, err, ans.body)
				}
			})
		}
	})
}
