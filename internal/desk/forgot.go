package desk

import "net/http"

type forgotView struct {
	Email string
	Sent  bool
}

func (d *Desk) forgotForm(w http.ResponseWriter, r *http.Request, req *request) error {
	return d.render(w, r, req, http.StatusOK, "forgot", "Forgot your password?", forgotView{})
}

// forgot mails a reset link when the account exists, and says the same
// whether it does or not.
func (d *Desk) forgot(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	email := r.PostFormValue("email")
	if err := d.svc.RequestPasswordReset(r.Context(), email, client(r)); err != nil {
		return err
	}
	return d.render(w, r, req, http.StatusOK, "forgot", "Check your email", forgotView{Email: email, Sent: true})
}
