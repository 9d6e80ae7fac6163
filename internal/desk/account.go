package desk

import (
	"net/http"

	"masthead/internal/editorial"
	"masthead/internal/store"
)

type accountView struct {
	Email    string
	Role     store.Role
	AuthorID int64
	Errors   editorial.FieldErrors
}

// accountPage is the signed-in person's own account: password and
// sessions.
func (d *Desk) accountPage(w http.ResponseWriter, r *http.Request, req *request) error {
	return d.render(w, r, req, http.StatusOK, "account", "Your account",
		accountView{Email: req.actor.Email, Role: req.actor.Role, AuthorID: req.actor.AuthorID})
}
