package desk

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"masthead/internal/editorial"
	"masthead/internal/store"
)

// maxAPITokens bounds the tokens of one account; each is a door to keep
// track of.
const maxAPITokens = 20

type apiTokenView struct {
	ID         int64
	Name       string
	CreatedAt  time.Time
	LastUsedAt time.Time
}

// accountView builds the account page of the signed-in person, with their
// API tokens.
func (d *Desk) accountView(ctx context.Context, req *request) (accountView, error) {
	v := accountView{Email: req.actor.Email, Role: req.actor.Role, AuthorID: req.actor.AuthorID}
	tokens, err := d.svc.Store().APITokens(ctx, req.actor.ID)
	if err != nil {
		return v, fmt.Errorf("desk: account: %w", err)
	}
	for _, t := range tokens {
		v.Tokens = append(v.Tokens, apiTokenView{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt})
	}
	return v, nil
}

// apiTokenCreate makes a personal API token and shows it on the account
// page, once: only its hash is kept, so it cannot be shown again.
func (d *Desk) apiTokenCreate(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	ctx := r.Context()
	name := strings.Join(strings.Fields(r.PostFormValue("name")), " ")
	v, err := d.accountView(ctx, req)
	if err != nil {
		return err
	}
	v.TokenName = name
	switch {
	case name == "":
		v.Errors = editorial.FieldErrors{"token_name": "Name the token after what will use it, such as “import script”."}
	case utf8.RuneCountInString(name) > 100:
		v.Errors = editorial.FieldErrors{"token_name": "Keep the name under 100 characters."}
	case len(v.Tokens) >= maxAPITokens:
		v.Errors = editorial.FieldErrors{"token_name": fmt.Sprintf("You have %d tokens already; revoke one you no longer use first.", maxAPITokens)}
	}
	if v.Errors != nil {
		return d.render(w, r, req, http.StatusUnprocessableEntity, "account", "Your account", v)
	}
	token, hash, err := store.NewToken()
	if err != nil {
		return err
	}
	t := store.APIToken{AccountID: req.actor.ID, Name: name, TokenHash: hash, CreatedAt: time.Now()}
	if err := d.svc.Store().CreateAPIToken(ctx, &t); err != nil {
		return fmt.Errorf("desk: create API token: %w", err)
	}
	d.auditToken(ctx, req, "api_token.create", t)
	if v, err = d.accountView(ctx, req); err != nil {
		return err
	}
	v.NewToken, v.NewTokenName = token, name
	return d.render(w, r, req, http.StatusOK, "account", "Your account", v)
}

// apiTokenRevoke deletes one of the signed-in person's tokens; programs
// using it are refused from the next call on.
func (d *Desk) apiTokenRevoke(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	st := d.svc.Store()
	tokens, err := st.APITokens(ctx, req.actor.ID)
	if err != nil {
		return fmt.Errorf("desk: revoke API token: %w", err)
	}
	var t store.APIToken
	for _, x := range tokens {
		if x.ID == id {
			t = x
		}
	}
	err = st.DeleteAPIToken(ctx, req.actor.ID, id)
	if errors.Is(err, store.ErrNotFound) || t.ID == 0 {
		return &editorial.Refusal{Reason: editorial.ErrNotFound, Message: "That API token does not exist; it may have been revoked already."}
	}
	if err != nil {
		return fmt.Errorf("desk: revoke API token: %w", err)
	}
	d.auditToken(ctx, req, "api_token.revoke", t)
	return redirect(w, r, "/desk/account", "ok", fmt.Sprintf("The token “%s” is revoked; programs using it are refused from now on.", t.Name))
}

// auditToken records the making or revoking of a token: either gives or
// takes away a way into the account.
func (d *Desk) auditToken(ctx context.Context, req *request, action string, t store.APIToken) {
	e := store.AuditEntry{At: time.Now(), AccountID: req.actor.ID, Action: action,
		Target: fmt.Sprintf("API token %d “%s”", t.ID, t.Name), IP: req.actor.IP}
	if err := d.svc.Store().AppendAudit(context.WithoutCancel(ctx), &e); err != nil {
		d.log.ErrorContext(ctx, "desk: audit", "action", action, "err", err)
	}
}
