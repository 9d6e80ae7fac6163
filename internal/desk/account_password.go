package desk

import (
	"net/http"

	"masthead/internal/editorial"
)

// changePassword sets a new password; other sessions end, this one stays.
func (d *Desk) changePassword(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	v, err := d.accountView(r.Context(), req)
	if err != nil {
		return err
	}
	next := r.PostFormValue("password")
	if next != r.PostFormValue("confirm") {
		v.Errors = editorial.FieldErrors{"confirm": "The two passwords differ."}
		return d.render(w, r, req, http.StatusUnprocessableEntity, "account", "Your account", v)
	}
	err = d.svc.ChangePassword(r.Context(), req.actor, r.PostFormValue("current"), next, req.token)
	if err != nil {
		fe, _, err2 := formErrors(err)
		if err2 != nil || fe == nil {
			return err
		}
		v.Errors = fe
		return d.render(w, r, req, http.StatusUnprocessableEntity, "account", "Your account", v)
	}
	return redirect(w, r, "/desk/account", "ok", "Your password is changed; your other sessions have ended.")
}
