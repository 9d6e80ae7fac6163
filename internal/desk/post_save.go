package desk

import (
	"net/http"

	"masthead/internal/content"
	"masthead/internal/editorial"
)

// postSave saves the editor form; the post's state does not change.
func (d *Desk) postSave(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	p, err := d.svc.Post(r.Context(), req.actor, id)
	if err != nil {
		return err
	}
	handled, err := d.saveForm(w, r, req, p)
	if handled || err != nil {
		return err
	}
	return redirect(w, r, editURL(id), "ok", "Saved.")
}

// saveForm saves the editor form sent with a button. When the form has a
// problem it shows the editor again with it and reports handled.
func (d *Desk) saveForm(w http.ResponseWriter, r *http.Request, req *request, p content.Post) (bool, error) {
	in := postInputFrom(r)
	if msg, err := d.attachUpload(r, req, &in); err != nil {
		return true, err
	} else if msg != "" {
		return true, d.renderEditor(w, r, req, p, in, editorial.FieldErrors{"image": msg}, "", http.StatusUnprocessableEntity)
	}
	if _, err := d.svc.SavePost(r.Context(), req.actor, p.ID, in, editorial.SaveOptions{}); err != nil {
		fe, msg, err := formErrors(err)
		if err != nil {
			return true, err
		}
		return true, d.renderEditor(w, r, req, p, in, fe, msg, http.StatusUnprocessableEntity)
	}
	return false, nil
}
