package desk

import (
	"net/http"

	"masthead/internal/editorial"
)

// postCorrection adds a dated correction to a published post.
func (d *Desk) postCorrection(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	p, err := d.svc.AddCorrection(r.Context(), req.actor, id, r.PostFormValue("correction"))
	if err != nil {
		fe, msg, err := formErrors(err)
		if err != nil {
			return err
		}
		fresh, lerr := d.svc.Post(r.Context(), req.actor, id)
		if lerr != nil {
			return lerr
		}
		return d.renderEditor(w, r, req, fresh, editorial.InputOf(fresh), fe, msg, http.StatusUnprocessableEntity)
	}
	return redirect(w, r, editURL(p.ID), "ok", "Correction added; the article shows it with today's date.")
}
