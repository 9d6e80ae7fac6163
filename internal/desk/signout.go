package desk

import "net/http"

// signOut ends this browser's session.
func (d *Desk) signOut(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := d.svc.SignOut(r.Context(), req.actor, req.token); err != nil {
		return err
	}
	clearSession(w, d.secure)
	return redirect(w, r, "/desk/signin", "ok", "You are signed out.")
}
