package desk

import (
	"net/http"

	"masthead/internal/content"
	"masthead/internal/editorial"
	"masthead/internal/store"
)

type accountRow struct {
	Account   store.Account
	Name      string
	Self      bool
	CanChange bool
	Roles     []store.Role // roles the actor may give this account
}

type accountListView struct {
	Accounts    []accountRow
	Invitations []store.AccountToken
	InviteRoles []store.Role
	Authors     []content.Author
	Email       string
	Role        store.Role
	Errors      editorial.FieldErrors
}

// accountList shows the accounts, pending invitations and the invitation
// form; admins only.
func (d *Desk) accountList(w http.ResponseWriter, r *http.Request, req *request) error {
	return d.renderAccounts(w, r, req, accountListView{Role: store.RoleContributor}, http.StatusOK)
}

func (d *Desk) renderAccounts(w http.ResponseWriter, r *http.Request, req *request, v accountListView, status int) error {
	ctx := r.Context()
	accs, err := d.svc.Accounts(ctx, req.actor)
	if err != nil {
		return err
	}
	if v.Invitations, err = d.svc.PendingInvitations(ctx, req.actor); err != nil {
		return err
	}
	if v.Authors, err = d.svc.Authors(ctx); err != nil {
		return err
	}
	names := map[int64]string{}
	for _, a := range v.Authors {
		names[a.ID] = a.Name
	}
	for _, role := range editorial.Roles() {
		if editorial.Can(req.actor.Account, editorial.AccountInvite, editorial.Target{Role: role}) == nil {
			v.InviteRoles = append(v.InviteRoles, role)
		}
	}
	for _, a := range accs {
		row := accountRow{Account: a, Name: names[a.AuthorID], Self: a.ID == req.actor.ID}
		row.CanChange = editorial.Can(req.actor.Account, editorial.AccountDisable, editorial.Target{Account: &a}) == nil
		for _, role := range editorial.Roles() {
			if editorial.Can(req.actor.Account, editorial.AccountRole, editorial.Target{Account: &a, Role: role}) == nil {
				row.Roles = append(row.Roles, role)
			}
		}
		v.Accounts = append(v.Accounts, row)
	}
	return d.render(w, r, req, status, "accounts", "Accounts", v)
}
