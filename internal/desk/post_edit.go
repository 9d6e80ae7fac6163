package desk

import (
	"net/http"

	"masthead/internal/editorial"
)

// postEdit shows a post in the editor.
func (d *Desk) postEdit(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := d.svc.Post(r.Context(), req.actor, id)
	if err != nil {
		return err
	}
	return d.renderEditor(w, r, req, p, editorial.InputOf(p), nil, "", http.StatusOK)
}
