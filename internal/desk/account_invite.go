package desk

import (
	"net/http"

	"masthead/internal/store"
)

// accountInvite mails an invitation with a role.
func (d *Desk) accountInvite(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	email, role := r.PostFormValue("email"), store.Role(r.PostFormValue("role"))
	if _, err := d.svc.Invite(r.Context(), req.actor, email, role); err != nil {
		fe, msg, ferr := formErrors(err)
		if ferr != nil {
			return err
		}
		if msg != "" {
			fe = map[string]string{"role": msg}
		}
		return d.renderAccounts(w, r, req, accountListView{Email: email, Role: role, Errors: fe}, http.StatusUnprocessableEntity)
	}
	return redirect(w, r, "/desk/accounts", "ok", "Invitation sent to "+email+". The link works for seven days; until mail delivery is set up, find it in the Outbox.")
}
