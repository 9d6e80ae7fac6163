package desk

import (
	"errors"
	"net/http"

	"masthead/internal/editorial"
)

type signInView struct {
	Email string
	Next  string
	Error string
}

func (d *Desk) signInForm(w http.ResponseWriter, r *http.Request, req *request) error {
	if need, err := d.svc.NeedsSetup(r.Context()); err != nil {
		return err
	} else if need {
		http.Redirect(w, r, "/desk/setup", http.StatusSeeOther)
		return nil
	}
	if req.actor.ID != 0 {
		http.Redirect(w, r, "/desk/home", http.StatusSeeOther)
		return nil
	}
	return d.render(w, r, req, http.StatusOK, "signin", "Sign in", signInView{Next: r.URL.Query().Get("next")})
}

// signIn checks the email and password and starts a session.
func (d *Desk) signIn(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	v := signInView{Email: r.PostFormValue("email"), Next: r.PostFormValue("next")}
	signed, err := d.svc.SignIn(r.Context(), v.Email, r.PostFormValue("password"), client(r))
	if err != nil {
		var ref *editorial.Refusal
		if !errors.As(err, &ref) {
			return err
		}
		v.Error = ref.Message
		status := http.StatusUnauthorized
		if errors.Is(err, editorial.ErrTooManyAttempts) {
			status = http.StatusTooManyRequests
		}
		return d.render(w, r, req, status, "signin", "Sign in", v)
	}
	d.startSession(w, signed)
	http.Redirect(w, r, safeNext(v.Next), http.StatusSeeOther)
	return nil
}
