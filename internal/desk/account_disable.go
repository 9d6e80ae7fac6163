package desk

import "net/http"

// accountDisable stops an account from signing in and ends its sessions.
func (d *Desk) accountDisable(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := d.svc.SetDisabled(r.Context(), req.actor, id, true); err != nil {
		return err
	}
	return redirect(w, r, "/desk/accounts", "ok", "Account disabled; its sessions have ended.")
}
