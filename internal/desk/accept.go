package desk

import (
	"net/http"

	"masthead/internal/editorial"
	"masthead/internal/store"
)

type acceptView struct {
	Token  string
	Email  string
	Role   store.Role
	Name   string
	Errors editorial.FieldErrors
	Error  string
}

func (d *Desk) acceptForm(w http.ResponseWriter, r *http.Request, req *request) error {
	t, err := d.svc.CheckInvite(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	return d.render(w, r, req, http.StatusOK, "accept", "Join the desk",
		acceptView{Token: r.PathValue("token"), Email: t.Email, Role: t.Role})
}

// accept creates the invited account and signs it in.
func (d *Desk) accept(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	token := r.PathValue("token")
	t, err := d.svc.CheckInvite(r.Context(), token)
	if err != nil {
		return err
	}
	v := acceptView{Token: token, Email: t.Email, Role: t.Role, Name: r.PostFormValue("name")}
	password := r.PostFormValue("password")
	if password != r.PostFormValue("confirm") {
		v.Errors = editorial.FieldErrors{"confirm": "The two passwords differ."}
		return d.render(w, r, req, http.StatusUnprocessableEntity, "accept", "Join the desk", v)
	}
	signed, err := d.svc.AcceptInvite(r.Context(), token, editorial.NewAccount{Name: v.Name, Password: password}, client(r))
	if err != nil {
		fe, msg, err := formErrors(err)
		if err != nil {
			return err
		}
		v.Errors, v.Error = fe, msg
		return d.render(w, r, req, http.StatusUnprocessableEntity, "accept", "Join the desk", v)
	}
	d.startSession(w, signed)
	return redirect(w, r, "/desk/home", "ok", "Welcome to the desk. Start a post with New post.")
}
