package desk

import "net/http"

// accountEnable lets a disabled account sign in again.
func (d *Desk) accountEnable(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := d.svc.SetDisabled(r.Context(), req.actor, id, false); err != nil {
		return err
	}
	return redirect(w, r, "/desk/accounts", "ok", "Account enabled.")
}
