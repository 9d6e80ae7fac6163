package desk

import "net/http"

// accountDeleteConfirm asks before an account is deleted, saying what goes
// and what stays; the accounts list's "Delete" leads here.
func (d *Desk) accountDeleteConfirm(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	del, err := d.svc.AccountToDelete(r.Context(), req.actor, id)
	if err != nil {
		return err
	}
	return d.render(w, r, req, http.StatusOK, "account_delete", "Delete "+del.Account.Email, del)
}

// accountDelete deletes an account once confirmed.
func (d *Desk) accountDelete(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if r.PostFormValue("confirm") != "delete" {
		return redirect(w, r, "/desk/accounts", "error", "The account was not deleted: confirm on its delete page.")
	}
	if err := d.svc.DeleteAccount(r.Context(), req.actor, id); err != nil {
		return err
	}
	return redirect(w, r, "/desk/accounts", "ok", "Account deleted; its byline stays on its articles.")
}
