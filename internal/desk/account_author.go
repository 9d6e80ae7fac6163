package desk

import (
	"net/http"

	"masthead/internal/editorial"
)

// accountAuthor links an account to the author profile it writes as.
func (d *Desk) accountAuthor(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	if err := d.svc.LinkAccountAuthor(r.Context(), req.actor, id, editorial.ParseID(r.PostFormValue("author"))); err != nil {
		return err
	}
	return redirect(w, r, "/desk/accounts", "ok", "Byline profile changed.")
}
