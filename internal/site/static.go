package site

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strings"
	"time"
)

// asset is a static file served at a content-hashed URL.
type asset struct {
	body  []byte
	ctype string
	url   string // "/static/site.3f2a9c1b.css"
	etag  string
	// encoded holds the body compressed at start, by coding; nil where the
	// file is compressed already (fonts, images) or would not shrink.
	encoded [numEncodings][]byte
}

// assets are the static files by their plain name ("site.css") and by the
// hashed path they are served at ("site.3f2a9c1b.css").
type assets struct {
	byName map[string]*asset
	byPath map[string]*asset
}

var staticTypes = map[string]string{
	".css":   "text/css; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".woff2": "font/woff2",
	".svg":   "image/svg+xml",
	".txt":   "text/plain; charset=utf-8",
}

// cssURL finds url(...) references in a stylesheet.
var cssURL = regexp.MustCompile(`url\(\s*['"]?([^'")\s]+)['"]?\s*\)`)

// loadAssets reads every static file and names it by its content. A
// stylesheet's references to other static files are rewritten to their
// hashed URLs first, so that a changed font also changes the stylesheet's
// URL; a reference to a missing file is an error.
func loadAssets(fsys fs.FS) (*assets, error) {
	a := &assets{byName: map[string]*asset{}, byPath: map[string]*asset{}}
	var styles []string
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if path.Ext(name) == ".css" {
			styles = append(styles, name)
			return nil
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		a.add(name, body)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("site: static files: %w", err)
	}
	for _, name := range styles {
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("site: static files: %w", err)
		}
		var missing []string
		body = cssURL.ReplaceAllFunc(body, func(m []byte) []byte {
			ref := string(cssURL.FindSubmatch(m)[1])
			if strings.Contains(ref, ":") || strings.HasPrefix(ref, "#") {
				return m // data: URLs and fragments stay as they are
			}
			target, ok := a.byName[path.Join(path.Dir(name), ref)]
			if !ok {
				missing = append(missing, ref)
				return m
			}
			return []byte("url(" + target.url + ")")
		})
		if len(missing) > 0 {
			return nil, fmt.Errorf("site: %s refers to missing static files %s", name, strings.Join(missing, ", "))
		}
		a.add(name, body)
	}
	return a, nil
}

func (a *assets) add(name string, body []byte) {
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:4])
	ext := path.Ext(name)
	hashed := strings.TrimSuffix(name, ext) + "." + hash + ext
	ctype, ok := staticTypes[ext]
	if !ok {
		if ctype = mime.TypeByExtension(ext); ctype == "" {
			ctype = "application/octet-stream"
		}
	}
	as := &asset{body: body, ctype: ctype, url: "/static/" + hashed, etag: `"` + hash + `"`}
	if compressibleType(ctype) {
		// Static files are compressed once per process, at start.
		as.encoded[encGzip] = compressBytes(encGzip, gzip.BestCompression, body)
		as.encoded[encBrotli] = compressBytes(encBrotli, brotliStaticLevel, body)
	}
	a.byName[name] = as
	a.byPath[hashed] = as
}

// url returns the hashed URL of a static file; templates call it as
// {{asset "site.css"}}, and an unknown name fails the render.
func (a *assets) url(name string) (string, error) {
	as, ok := a.byName[name]
	if !ok {
		return "", fmt.Errorf("site: no static file %q", name)
	}
	return as.url, nil
}

// serveStatic serves a static file by its hashed name; any other name,
// including a stale hash, is not found.
func (s *Site) serveStatic(w http.ResponseWriter, r *http.Request) error {
	as, ok := s.assets.byPath[r.PathValue("path")]
	if !ok {
		return errNotFound
	}
	h := w.Header()
	h.Set("Content-Type", as.ctype)
	h.Set("Cache-Control", immutable)
	body, etag := as.body, as.etag
	if compressibleType(as.ctype) {
		h.Set("Vary", "Accept-Encoding")
		if enc := negotiateEncoding(r.Header.Get("Accept-Encoding")); as.encoded[enc] != nil {
			body, etag = as.encoded[enc], enc.taggedETag(as.etag)
			h.Set("Content-Encoding", enc.token())
		}
	}
	h.Set("ETag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	return nil
}
