package desk

import (
	"net/http"

	"masthead/internal/editorial"
)

// authorEdit shows an author profile form.
func (d *Desk) authorEdit(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := d.svc.Author(r.Context(), id)
	if err != nil {
		return err
	}
	if err := editorial.Can(req.actor.Account, editorial.AuthorEdit, editorial.Target{AuthorID: id}); err != nil {
		return err
	}
	return d.renderAuthor(w, r, req, authorEditView{Author: a, In: editorial.AuthorInputOf(a), Action: r.URL.Path}, http.StatusOK)
}
