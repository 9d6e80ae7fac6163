package desk

import (
	"fmt"
	"net/http"
)

// signOutEverywhere ends every session of the account, this one included.
func (d *Desk) signOutEverywhere(w http.ResponseWriter, r *http.Request, req *request) error {
	n, err := d.svc.SignOutEverywhere(r.Context(), req.actor)
	if err != nil {
		return err
	}
	clearSession(w, d.secure)
	return redirect(w, r, "/desk/signin", "ok", fmt.Sprintf("You are signed out on every device (%d sessions ended).", n))
}
