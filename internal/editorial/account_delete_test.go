package editorial_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"masthead/internal/editorial"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

func TestDeleteAccount(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		r := newRig(t, st)
		owner := r.member(store.RoleOwner)
		admin := r.member(store.RoleAdmin)
		editor := r.member(store.RoleEditor)
		gone := r.member(store.RoleAuthor)
		now := r.clock.Now()

		// What the account leaves behind: a session, an API token, a reset
		// link and an invitation it sent.
		_, sessionHash, _ := store.NewToken()
		if err := st.CreateSession(r.ctx, &store.Session{TokenHash: sessionHash, AccountID: gone.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		_, apiHash, _ := store.NewToken()
		if err := st.CreateAPIToken(r.ctx, &store.APIToken{AccountID: gone.ID, Name: "script", TokenHash: apiHash, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		_, resetHash, _ := store.NewToken()
		if err := st.CreateAccountToken(r.ctx, &store.AccountToken{Kind: store.TokenReset, TokenHash: resetHash, Email: gone.Email, AccountID: gone.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		_, inviteHash, _ := store.NewToken()
		if err := st.CreateAccountToken(r.ctx, &store.AccountToken{Kind: store.TokenInvite, TokenHash: inviteHash, Email: "new@example.org", Role: store.RoleAuthor, CreatedBy: gone.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		// An entry the account made itself, which must keep its id.
		if err := st.AppendAudit(r.ctx, &store.AuditEntry{At: now, AccountID: gone.ID, Action: "signin", Target: gone.Email}); err != nil {
			t.Fatal(err)
		}

		// Editors cannot delete; nobody deletes themselves.
		if err := r.svc.DeleteAccount(r.ctx, editor, gone.ID); !errors.Is(err, editorial.ErrForbidden) {
			t.Errorf("editor deletes: %v", err)
		}
		if _, err := r.svc.AccountToDelete(r.ctx, editor, gone.ID); !errors.Is(err, editorial.ErrForbidden) {
			t.Errorf("editor asks to delete: %v", err)
		}
		if err := r.svc.DeleteAccount(r.ctx, admin, admin.ID); !errors.Is(err, editorial.ErrForbidden) || !strings.Contains(err.Error(), "your own") {
			t.Errorf("self delete: %v", err)
		}
		// Admins do not touch owners.
		if err := r.svc.DeleteAccount(r.ctx, admin, owner.ID); !errors.Is(err, editorial.ErrForbidden) {
			t.Errorf("admin deletes owner: %v", err)
		}
		if err := r.svc.DeleteAccount(r.ctx, admin, 999999); !errors.Is(err, editorial.ErrNotFound) {
			t.Errorf("unknown account: %v", err)
		}

		del, err := r.svc.AccountToDelete(r.ctx, admin, gone.ID)
		if err != nil || del.Account.ID != gone.ID || del.Name == "" {
			t.Fatalf("AccountToDelete = %+v, %v", del, err)
		}
		if err := r.svc.DeleteAccount(r.ctx, admin, gone.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AccountByID(r.ctx, gone.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("account still there: %v", err)
		}
		if _, _, err := st.SessionByTokenHash(r.ctx, sessionHash); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session still there: %v", err)
		}
		if _, _, err := st.APITokenByHash(r.ctx, apiHash); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("API token still there: %v", err)
		}
		if _, err := st.AccountTokenByHash(r.ctx, resetHash); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("reset link still there: %v", err)
		}
		inv, err := st.AccountTokenByHash(r.ctx, inviteHash)
		if err != nil || inv.CreatedBy != 0 {
			t.Errorf("invitation sent by the deleted account = %+v, %v; want kept, without sender", inv, err)
		}
		author, err := st.AuthorByID(r.ctx, gone.AuthorID)
		if err != nil {
			t.Errorf("author profile gone: %v", err)
		}
		if _, err := st.AccountByAuthor(r.ctx, author.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("author still linked: %v", err)
		}
		// The author profile can get a new login.
		again := store.Account{Email: "back@example.org", Role: store.RoleAuthor, AuthorID: author.ID}
		if err := st.CreateAccount(r.ctx, &again); err != nil {
			t.Errorf("relink the profile: %v", err)
		}

		// The log keeps the deleted account's id, without an email.
		log, err := st.AuditLog(r.ctx, store.AuditFilter{AccountID: gone.ID})
		if err != nil || log.Total != 1 || log.Entries[0].AccountID != gone.ID || log.Entries[0].AccountEmail != "" {
			t.Errorf("entries of the deleted account = %+v, %v", log, err)
		}
		log, err = st.AuditLog(r.ctx, store.AuditFilter{Actions: []string{"account.delete"}})
		if err != nil || log.Total != 1 {
			t.Fatalf("account.delete entries = %+v, %v", log, err)
		}
		e := log.Entries[0]
		if e.AccountID != admin.ID || e.Target != "account "+strconv.FormatInt(gone.ID, 10) ||
			!strings.Contains(e.Detail, del.Name) || strings.Contains(e.Detail+e.Target, gone.Email) {
			t.Errorf("account.delete entry = %+v", e)
		}

		if err := r.svc.DeleteAccount(r.ctx, admin, gone.ID); !errors.Is(err, editorial.ErrNotFound) {
			t.Errorf("deleting twice: %v", err)
		}
	})
}

func TestDeleteLastOwner(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		r := newRig(t, st)
		first := r.member(store.RoleOwner)
		second := r.member(store.RoleOwner)
		if err := r.svc.DeleteAccount(r.ctx, first, second.ID); err != nil {
			t.Fatal(err)
		}
		// The service never lets an owner reach the last owner (that is
		// themselves), so the store's rule is checked directly.
		if _, err := st.DeleteAccount(r.ctx, first.ID); !errors.Is(err, store.ErrLastOwner) {
			t.Errorf("deleting the last owner: %v", err)
		}
		if _, err := st.AccountByID(r.ctx, first.ID); err != nil {
			t.Errorf("last owner gone: %v", err)
		}
		// A disabled owner is not what keeps the publication administered.
		third := r.member(store.RoleOwner)
		if err := r.svc.SetDisabled(r.ctx, first, third.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := r.svc.DeleteAccount(r.ctx, first, third.ID); err != nil {
			t.Errorf("deleting a disabled owner: %v", err)
		}
	})
}
