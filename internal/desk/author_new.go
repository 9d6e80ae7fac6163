package desk

import (
	"net/http"

	"masthead/internal/editorial"
)

// authorNew shows the form for a guest author: a byline without a login.
func (d *Desk) authorNew(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := editorial.Can(req.actor.Account, editorial.AuthorCreate, editorial.Target{}); err != nil {
		return err
	}
	return d.renderAuthor(w, r, req, authorEditView{New: true, Action: "/desk/authors"}, http.StatusOK)
}
