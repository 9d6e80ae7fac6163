package site

import (
	"bytes"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"masthead/internal/content"
	"masthead/internal/store/storetest"
	"masthead/web"
)

func TestSecurityHeaders(t *testing.T) {
	r := newRig(t)
	r.post("First", testNow.Add(-time.Hour), func(p *content.Post) { p.Image = r.image("first", 10, 10) })
	css, _ := r.site.assets.url("site.css")
	for _, path := range []string{"/", "/articles/first", "/nowhere", "/?page=x", css, "/static/nope.css", "/media/missing.jpg"} {
		res := r.get(path)
		want := map[string]string{
			"Content-Security-Policy": "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; " +
				"object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "strict-origin-when-cross-origin",
		}
		for k, v := range want {
			if got := res.header.Get(k); got != v {
				t.Errorf("GET %s: %s %q, want %q", path, k, got, v)
			}
		}
	}
}

func TestStaticFiles(t *testing.T) {
	r := newRig(t)
	_, doc := r.getOK("/")
	cssURL := attr(find(doc, "link", "rel", "stylesheet"), "href")
	jsURL := attr(find(doc, "script"), "src")
	hashed := regexp.MustCompile(`^/static/site\.[0-9a-f]{8}\.(css|js)$`)
	if !hashed.MatchString(cssURL) || !hashed.MatchString(jsURL) {
		t.Fatalf("asset URLs %q %q are not content-hashed", cssURL, jsURL)
	}
	res := r.get(cssURL)
	if res.status != http.StatusOK || res.header.Get("Content-Type") != "text/css; charset=utf-8" ||
		res.header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Fatalf("GET %s: %d %v", cssURL, res.status, res.header)
	}
	// The stylesheet names the fonts by their hashed URLs, and those serve.
	fonts := regexp.MustCompile(`url\((/static/fonts/[^)]+\.woff2)\)`).FindAllStringSubmatch(res.body, -1)
	if len(fonts) != 3 {
		t.Fatalf("stylesheet refers to %d hashed fonts, want 3", len(fonts))
	}
	for _, m := range fonts {
		res := r.get(m[1])
		if res.status != http.StatusOK || res.header.Get("Content-Type") != "font/woff2" ||
			res.header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s: %d %q", m[1], res.status, res.header.Get("Content-Type"))
		}
	}
	if strings.Contains(res.body, "url(\"fonts/") {
		t.Error("stylesheet still has unhashed font URLs")
	}
	if js := r.get(jsURL); js.status != http.StatusOK || js.header.Get("Content-Type") != "text/javascript; charset=utf-8" {
		t.Errorf("GET %s: %d", jsURL, js.status)
	}
	// A conditional request answers 304.
	req := httptest.NewRequest(http.MethodGet, cssURL, nil)
	req.Header.Set("If-None-Match", res.header.Get("ETag"))
	if res := r.do(req); res.status != http.StatusNotModified {
		t.Errorf("conditional GET %s: %d", cssURL, res.status)
	}
	for _, path := range []string{"/static/site.css", "/static/site.00000000.css", "/static/fonts/", "/static/"} {
		if res := r.get(path); res.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, res.status)
		}
	}
}

func TestAssetHashesFollowContent(t *testing.T) {
	fsys := fstest.MapFS{
		"a.css":         {Data: []byte(`@font-face { src: url("fonts/x.woff2") } body { background: url(data:image/gif;base64,AAAA) }`)},
		"fonts/x.woff2": {Data: []byte("font one")},
	}
	a1, err := loadAssets(fsys)
	if err != nil {
		t.Fatal(err)
	}
	fsys["fonts/x.woff2"] = &fstest.MapFile{Data: []byte("font two")}
	a2, err := loadAssets(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if a1.byName["a.css"].url == a2.byName["a.css"].url {
		t.Error("stylesheet URL unchanged when a font it uses changed")
	}
	if !bytes.Contains(a2.byName["a.css"].body, []byte("url("+a2.byName["fonts/x.woff2"].url+")")) ||
		!bytes.Contains(a2.byName["a.css"].body, []byte("url(data:image/gif;base64,AAAA)")) {
		t.Errorf("stylesheet %s", a2.byName["a.css"].body)
	}
	fsys["a.css"] = &fstest.MapFile{Data: []byte(`x { background: url(missing.png) }`)}
	if _, err := loadAssets(fsys); err == nil || !strings.Contains(err.Error(), "missing.png") {
		t.Errorf("a reference to a missing file: %v", err)
	}
}

func TestNewRejectsBrokenTemplates(t *testing.T) {
	st := storetest.Open(t)
	tmpl, err := fs.Sub(web.Templates, "templates")
	if err != nil {
		t.Fatal(err)
	}
	static, err := fs.Sub(web.Static, "static")
	if err != nil {
		t.Fatal(err)
	}
	good := func() fstest.MapFS {
		m := fstest.MapFS{}
		fs.WalkDir(tmpl, ".", func(name string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				data, _ := fs.ReadFile(tmpl, name)
				m[name] = &fstest.MapFile{Data: data}
			}
			return err
		})
		return m
	}
	opts := Options{Store: st, BaseURL: testBaseURL}
	if _, err := newSite(opts, good(), static); err != nil {
		t.Fatalf("the shipped templates: %v", err)
	}
	cases := map[string]func(fstest.MapFS){
		"missing page":   func(m fstest.MapFS) { delete(m, "pages/article.html") },
		"missing layout": func(m fstest.MapFS) { delete(m, "layout.html") },
		"syntax error": func(m fstest.MapFS) {
			m["pages/river.html"] = &fstest.MapFile{Data: []byte(`{{define "main"}}{{if}}{{end}}`)}
		},
		"no main": func(m fstest.MapFS) {
			m["pages/error.html"] = &fstest.MapFile{Data: []byte(`{{define "other"}}x{{end}}`)}
		},
		"unknown function": func(m fstest.MapFS) {
			m["partials.html"] = &fstest.MapFile{Data: []byte(`{{define "x"}}{{nosuch}}{{end}}`)}
		},
	}
	for name, breakIt := range cases {
		t.Run(name, func(t *testing.T) {
			m := good()
			breakIt(m)
			if _, err := newSite(opts, m, static); err == nil {
				t.Error("New accepted broken templates")
			}
		})
	}
	if _, err := New(Options{Store: st, BaseURL: "localhost:8080"}); err == nil {
		t.Error("New accepted a relative base URL")
	}
	if _, err := New(Options{BaseURL: testBaseURL}); err == nil {
		t.Error("New accepted no store")
	}
}

func TestMedia(t *testing.T) {
	r := newRig(t)
	img := r.image("photo", 40, 30)
	res := r.get("/media/" + img.Key)
	if res.status != http.StatusOK || res.header.Get("Content-Type") != "image/jpeg" ||
		res.header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Fatalf("GET media: %d %v", res.status, res.header)
	}
	if !strings.HasPrefix(res.body, "\xff\xd8") {
		t.Error("media body is not the JPEG")
	}
	size := len(res.body)

	req := httptest.NewRequest(http.MethodGet, "/media/"+img.Key, nil)
	req.Header.Set("Range", "bytes=0-9")
	if res := r.do(req); res.status != http.StatusPartialContent || len(res.body) != 10 {
		t.Errorf("range request: %d, %d bytes", res.status, len(res.body))
	}
	req = httptest.NewRequest(http.MethodGet, "/media/"+img.Key, nil)
	req.Header.Set("If-Modified-Since", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
	if res := r.do(req); res.status != http.StatusNotModified {
		t.Errorf("conditional request: %d", res.status)
	}
	if res := r.do(httptest.NewRequest(http.MethodHead, "/media/"+img.Key, nil)); res.status != http.StatusOK ||
		res.header.Get("Content-Length") != strconv.Itoa(size) {
		t.Errorf("HEAD media: %d, length %q", res.status, res.header.Get("Content-Length"))
	}

	// Objects of other types are served as opaque bytes.
	if err := r.media.Put(r.ctx, "files/notes.html", strings.NewReader("<script>x</script>")); err != nil {
		t.Fatal(err)
	}
	if res := r.get("/media/files/notes.html"); res.header.Get("Content-Type") != "application/octet-stream" {
		t.Errorf("HTML from media storage served as %q", res.header.Get("Content-Type"))
	}
	// An archive waiting for its import is the app's, not the readers'.
	if err := r.media.Put(r.ctx, "imports/0123abcd/upload", strings.NewReader("email\nreader@example.org\n")); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/media/images/missing.jpg", "/media/%2e%2e/x.jpg", "/media/", "/media/.hidden/x.jpg",
		"/media/imports/0123abcd/upload"} {
		if res := r.get(path); res.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, res.status)
		}
	}
	// The router sends a dot-dot path to its clean form, outside /media/.
	if res := r.get("/media/../etc/passwd"); res.status/100 != 3 || res.header.Get("Location") != "/etc/passwd" {
		t.Errorf("GET /media/../etc/passwd: %d to %q", res.status, res.header.Get("Location"))
	}
}

func TestMediaURL(t *testing.T) {
	for key, want := range map[string]string{
		"images/a-1.jpg":               "/media/images/a-1.jpg",
		"https://cdn.example/a.jpg":    "https://cdn.example/a.jpg",
		"http://old.example/a.jpg?x=1": "http://old.example/a.jpg?x=1",
		"images/with space.jpg":        "/media/images/with%20space.jpg",
	} {
		if got := mediaURL(key); got != want {
			t.Errorf("mediaURL(%q) = %q, want %q", key, got, want)
		}
	}
}
