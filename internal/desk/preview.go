package desk

import (
	"html/template"
	"net/http"

	"masthead/internal/content"
)

type previewView struct {
	HTML template.HTML
}

// preview renders Markdown with the site's renderer, for the editor's
// live preview pane.
func (d *Desk) preview(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	// content.Render sanitizes its output with the site's policy.
	html := template.HTML(content.Render(r.PostFormValue("body")))
	return d.render(w, r, req, http.StatusOK, "preview", "Preview", previewView{HTML: html})
}
