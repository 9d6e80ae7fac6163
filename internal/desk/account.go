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

	// Personal API tokens; NewToken is shown once, right after it is made.
	Tokens       []apiTokenView
	TokenName    string
	NewToken     string
	NewTokenName string
}

// accountPage is the signed-in person's own account: password, sessions
// and API tokens.
func (d *Desk) accountPage(w http.ResponseWriter, r *http.Request, req *request) error {
	v, err := d.accountView(r.Context(), req)
	if err != nil {
		return err
	}
	return d.render(w, r, req, http.StatusOK, "account", "Your account", v)
}
