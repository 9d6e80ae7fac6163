package desk

import (
	"net/http"

	"masthead/internal/editorial"
)

type setupView struct {
	Email, Name string
	Errors      editorial.FieldErrors
	Error       string
}

func (d *Desk) setupForm(w http.ResponseWriter, r *http.Request, req *request) error {
	need, err := d.svc.NeedsSetup(r.Context())
	if err != nil {
		return err
	}
	if !need {
		return redirect(w, r, "/desk/signin", "ok", "The owner account exists; sign in.")
	}
	return d.render(w, r, req, http.StatusOK, "setup", "Set up your publication", setupView{})
}

// setup creates the owner account on a new installation.
func (d *Desk) setup(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	in := editorial.NewAccount{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Password: r.PostFormValue("password")}
	v := setupView{Email: in.Email, Name: in.Name}
	if in.Password != r.PostFormValue("confirm") {
		v.Errors = editorial.FieldErrors{"confirm": "The two passwords differ."}
		return d.render(w, r, req, http.StatusUnprocessableEntity, "setup", "Set up your publication", v)
	}
	signed, err := d.svc.SetupOwner(r.Context(), in, client(r))
	if err != nil {
		fe, msg, err := formErrors(err)
		if err != nil {
			return err
		}
		v.Errors, v.Error = fe, msg
		return d.render(w, r, req, http.StatusUnprocessableEntity, "setup", "Set up your publication", v)
	}
	d.startSession(w, signed)
	return redirect(w, r, "/desk/home", "ok", "Welcome. Your publication is ready; start with a post, or invite your colleagues.")
}
