package desk

import (
	"io"
	"net/http"
)

// newsletterPreviewText is the plain-text version of an issue.
func (d *Desk) newsletterPreviewText(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rendered, err := d.news.Preview(r.Context(), id)
	if err != nil {
		return newsletterError(err, "The issue")
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err = io.WriteString(w, rendered.Text)
	return err
}
