package desk

import "net/http"

// invitationWithdraw cancels a pending invitation; its link stops working.
func (d *Desk) invitationWithdraw(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := d.svc.WithdrawInvitation(r.Context(), req.actor, id); err != nil {
		return err
	}
	return redirect(w, r, "/desk/accounts", "ok", "Invitation withdrawn.")
}
