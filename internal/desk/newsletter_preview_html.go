package desk

import (
	"io"
	"net/http"
)

// previewPolicy lets the issue screen frame the email and lets the
// email's inlined styles and pictures show, while nothing in it can run
// a script, send a form or frame anything.
const previewPolicy = "default-src 'none'; img-src 'self' data: https: http:; style-src 'unsafe-inline'; " +
	"frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox allow-popups allow-popups-to-escape-sandbox"

// newsletterPreviewHTML is the HTML email as subscribers will get it, for
// the frames of the issue screen.
func (d *Desk) newsletterPreviewHTML(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rendered, err := d.news.Preview(r.Context(), id)
	if err != nil {
		return newsletterError(err, "The issue")
	}
	h := w.Header()
	h.Set("Content-Security-Policy", previewPolicy)
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Content-Type", "text/html; charset=utf-8")
	_, err = io.WriteString(w, rendered.HTML)
	return err
}
