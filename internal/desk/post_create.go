package desk

import (
	"net/http"

	"masthead/internal/content"
	"masthead/internal/editorial"
)

// postCreate saves a new draft from the editor.
func (d *Desk) postCreate(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	in := postInputFrom(r)
	blank := content.Post{Status: content.StatusDraft}
	if msg, err := d.attachUpload(r, req, &in); err != nil {
		return err
	} else if msg != "" {
		return d.renderEditor(w, r, req, blank, in, editorial.FieldErrors{"image": msg}, "", http.StatusUnprocessableEntity)
	}
	p, err := d.svc.CreateDraft(r.Context(), req.actor, in)
	if err != nil {
		fe, msg, err := formErrors(err)
		if err != nil {
			return err
		}
		return d.renderEditor(w, r, req, blank, in, fe, msg, http.StatusUnprocessableEntity)
	}
	return redirect(w, r, editURL(p.ID), "ok", "Draft saved.")
}
