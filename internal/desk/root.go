package desk

import "net/http"

// root sends people where they start: the owner setup on a new
// installation, the sign-in page, or their dashboard.
func (d *Desk) root(w http.ResponseWriter, r *http.Request, req *request) error {
	if req.actor.ID == 0 {
		d.toSignIn(w, r)
		return nil
	}
	http.Redirect(w, r, "/desk/home", http.StatusSeeOther)
	return nil
}
