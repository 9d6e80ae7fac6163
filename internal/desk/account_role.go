package desk

import (
	"net/http"

	"masthead/internal/store"
)

// accountRole gives an account another role.
func (d *Desk) accountRole(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	if err := d.svc.ChangeRole(r.Context(), req.actor, id, store.Role(r.PostFormValue("role"))); err != nil {
		return err
	}
	return redirect(w, r, "/desk/accounts", "ok", "Role changed.")
}
