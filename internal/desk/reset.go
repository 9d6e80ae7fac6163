package desk

import (
	"net/http"

	"masthead/internal/editorial"
)

type resetView struct {
	Token  string
	Email  string
	Errors editorial.FieldErrors
}

func (d *Desk) resetForm(w http.ResponseWriter, r *http.Request, req *request) error {
	t, err := d.svc.CheckReset(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	return d.render(w, r, req, http.StatusOK, "reset", "Choose a new password", resetView{Token: r.PathValue("token"), Email: t.Email})
}

// reset sets the new password from a reset link and signs in.
func (d *Desk) reset(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	token := r.PathValue("token")
	t, err := d.svc.CheckReset(r.Context(), token)
	if err != nil {
		return err
	}
	v := resetView{Token: token, Email: t.Email}
	password := r.PostFormValue("password")
	if password != r.PostFormValue("confirm") {
		v.Errors = editorial.FieldErrors{"confirm": "The two passwords differ."}
		return d.render(w, r, req, http.StatusUnprocessableEntity, "reset", "Choose a new password", v)
	}
	signed, err := d.svc.ResetPassword(r.Context(), token, password, client(r))
	if err != nil {
		fe, _, err2 := formErrors(err)
		if err2 != nil || fe == nil {
			return err
		}
		v.Errors = fe
		return d.render(w, r, req, http.StatusUnprocessableEntity, "reset", "Choose a new password", v)
	}
	d.startSession(w, signed)
	return redirect(w, r, "/desk/home", "ok", "Your password is changed, and you are signed out everywhere else.")
}
