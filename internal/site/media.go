package site

import (
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"masthead/internal/media"
)

// immutable is the Cache-Control of content-addressed responses: the same
// URL always names the same bytes.
const immutable = "public, max-age=31536000, immutable"

// mediaTypes are the types media is served with. Anything else is served
// as opaque bytes, so that nothing uploaded can run as a page or a script.
var mediaTypes = map[string]string{
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".png":  "image/png",
	".gif":  "image/gif",
	".webp": "image/webp",
	".avif": "image/avif",
}

// serveMedia serves an object from media storage. Keys are content-hashed,
// so responses may be cached for good.
func (s *Site) serveMedia(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("key")
	if s.media == nil || !media.ValidKey(key) || !media.Public(key) {
		return errNotFound
	}
	obj, err := s.media.Open(r.Context(), key)
	if err != nil {
		return err
	}
	defer obj.Close()
	ctype, ok := mediaTypes[strings.ToLower(path.Ext(key))]
	if !ok {
		ctype = "application/octet-stream"
	}
	var modtime time.Time
	if st, ok := obj.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := st.Stat(); err == nil {
			modtime = fi.ModTime()
		}
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", immutable)
	http.ServeContent(w, r, "", modtime, obj)
	return nil
}
