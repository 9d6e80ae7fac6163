package desk

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// asset is a static file served at a content-hashed URL, so it can be
// cached for good and a new version is never mistaken for the old.
type asset struct {
	body  []byte
	ctype string
	url   string // "/desk/static/desk.3f2a9c1b.css"
	etag  string
}

type assets struct {
	byName map[string]*asset
	byPath map[string]*asset
}

var staticTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
}

func loadAssets(fsys fs.FS) (*assets, error) {
	a := &assets{byName: map[string]*asset{}, byPath: map[string]*asset{}}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:4])
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hash + ext
		ctype, ok := staticTypes[ext]
		if !ok {
			ctype = "application/octet-stream"
		}
		as := &asset{body: body, ctype: ctype, url: "/desk/static/" + hashed, etag: `"` + hash + `"`}
		a.byName[name] = as
		a.byPath[hashed] = as
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("desk: static files: %w", err)
	}
	return a, nil
}

// url returns the hashed URL of a static file; templates call it as
// {{asset "desk.css"}} and an unknown name fails the render.
func (a *assets) url(name string) (string, error) {
	as, ok := a.byName[name]
	if !ok {
		return "", fmt.Errorf("desk: no static file %q", name)
	}
	return as.url, nil
}

func (d *Desk) serveStatic(w http.ResponseWriter, r *http.Request) {
	as, ok := d.assets.byPath[r.PathValue("path")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", as.ctype)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", as.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(as.body))
}
