package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"masthead/internal/store"
)

func TestInvitations(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		owner := createAccount(t, s, "owner@example.org", store.RoleOwner)
		token, hash, err := store.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		inv := store.AccountToken{Kind: store.TokenInvite, TokenHash: hash, Email: "New.Writer@Example.org",
			Role: store.RoleContributor, CreatedBy: owner.ID, CreatedAt: t0, ExpiresAt: t0.Add(72 * time.Hour)}
		if err := s.CreateAccountToken(ctx, &inv); err != nil {
			t.Fatalf("CreateAccountToken: %v", err)
		}
		if inv.ID == 0 || inv.Email != "new.writer@example.org" {
			t.Errorf("after CreateAccountToken: %+v", inv)
		}
		got, err := s.AccountTokenByHash(ctx, store.HashToken(token))
		if err != nil {
			t.Fatalf("AccountTokenByHash: %v", err)
		}
		equal(t, "invitation", got, inv)
		if !got.Usable(t0.Add(71*time.Hour)) || got.Usable(t0.Add(72*time.Hour)) {
			t.Error("Usable does not end at ExpiresAt")
		}

		// A second, expired invitation and a reset do not show as pending.
		old := store.AccountToken{Kind: store.TokenInvite, TokenHash: store.HashToken("old"), Email: "old@example.org",
			Role: store.RoleEditor, CreatedAt: t0.Add(-96 * time.Hour), ExpiresAt: t0.Add(-24 * time.Hour)}
		if err := s.CreateAccountToken(ctx, &old); err != nil {
			t.Fatal(err)
		}
		reset := store.AccountToken{Kind: store.TokenReset, TokenHash: store.HashToken("reset"), Email: owner.Email,
			AccountID: owner.ID, ExpiresAt: t0.Add(time.Hour)}
		if err := s.CreateAccountToken(ctx, &reset); err != nil {
			t.Fatal(err)
		}
		pending, err := s.PendingInvitations(ctx, t0)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "pending invitations", pending, []store.AccountToken{inv})

		// Accepting: the account is created and the token used in one
		// transaction; when creating fails, the invitation stays usable.
		boom := errors.New("boom")
		err = s.InTx(ctx, func(tx *store.Store) error {
			if err := tx.MarkAccountTokenUsed(ctx, inv.ID, t0.Add(time.Hour)); err != nil {
				return err
			}
			a := store.Account{Email: inv.Email, Role: inv.Role}
			if err := tx.CreateAccount(ctx, &a); err != nil {
				return err
			}
			return boom
		})
		wantErr(t, "failed acceptance", err, boom)
		if got, _ := s.AccountTokenByHash(ctx, hash); !got.Usable(t0) {
			t.Errorf("invitation after a failed acceptance: %+v", got)
		}
		if _, err := s.AccountByEmail(ctx, inv.Email); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("account after a failed acceptance: %v", err)
		}
		err = s.InTx(ctx, func(tx *store.Store) error {
			if err := tx.MarkAccountTokenUsed(ctx, inv.ID, t0.Add(time.Hour)); err != nil {
				return err
			}
			a := store.Account{Email: inv.Email, Role: inv.Role}
			return tx.CreateAccount(ctx, &a)
		})
		if err != nil {
			t.Fatalf("accepting: %v", err)
		}
		got, _ = s.AccountTokenByHash(ctx, hash)
		if got.Usable(t0) || !got.UsedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("used invitation: %+v", got)
		}
		wantErr(t, "using an invitation twice", s.MarkAccountTokenUsed(ctx, inv.ID, t0.Add(2*time.Hour)), store.ErrConflict)
		wantErr(t, "using a missing token", s.MarkAccountTokenUsed(ctx, inv.ID+100, t0), store.ErrNotFound)
		if pending, _ := s.PendingInvitations(ctx, t0); len(pending) != 0 {
			t.Errorf("pending invitations after acceptance: %+v", pending)
		}

		// Withdrawing.
		if err := s.DeleteAccountToken(ctx, old.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.AccountTokenByHash(ctx, old.TokenHash)
		wantErr(t, "withdrawn invitation", err, store.ErrNotFound)
		wantErr(t, "withdrawing twice", s.DeleteAccountToken(ctx, old.ID), store.ErrNotFound)
	})
}

func TestAccountTokenErrors(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := createAccount(t, s, "ann@example.org", store.RoleEditor)
		exp := t0.Add(time.Hour)
		tests := []struct {
			name string
			tok  store.AccountToken
		}{
			{"raw token", store.AccountToken{Kind: store.TokenInvite, TokenHash: "not-a-hash", Email: "x@example.org", Role: store.RoleEditor, ExpiresAt: exp}},
			{"unknown kind", store.AccountToken{Kind: "login", TokenHash: store.HashToken("a"), Email: "x@example.org", Role: store.RoleEditor, ExpiresAt: exp}},
			{"invite without role", store.AccountToken{Kind: store.TokenInvite, TokenHash: store.HashToken("b"), Email: "x@example.org", ExpiresAt: exp}},
			{"invite with a bad role", store.AccountToken{Kind: store.TokenInvite, TokenHash: store.HashToken("c"), Email: "x@example.org", Role: "god", ExpiresAt: exp}},
			{"invite without email", store.AccountToken{Kind: store.TokenInvite, TokenHash: store.HashToken("d"), Role: store.RoleEditor, ExpiresAt: exp}},
			{"no expiry", store.AccountToken{Kind: store.TokenInvite, TokenHash: store.HashToken("e"), Email: "x@example.org", Role: store.RoleEditor}},
			{"reset without account", store.AccountToken{Kind: store.TokenReset, TokenHash: store.HashToken("f"), Email: a.Email, ExpiresAt: exp}},
			{"reset of a missing account", store.AccountToken{Kind: store.TokenReset, TokenHash: store.HashToken("g"), AccountID: a.ID + 100, ExpiresAt: exp}},
		}
		for _, tt := range tests {
			tok := tt.tok
			if err := s.CreateAccountToken(ctx, &tok); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("%s: CreateAccountToken = %v, want ErrInvalid", tt.name, err)
			}
		}
	})
}

func TestAccountTokenUsedOnce(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := createAccount(t, s, "ann@example.org", store.RoleEditor)
		reset := store.AccountToken{Kind: store.TokenReset, TokenHash: store.HashToken("r"), AccountID: a.ID, Email: a.Email, ExpiresAt: t0.Add(time.Hour)}
		if err := s.CreateAccountToken(ctx, &reset); err != nil {
			t.Fatal(err)
		}
		// The same link clicked in several tabs at once works once.
		const n = 6
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.MarkAccountTokenUsed(ctx, reset.ID, t0)
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, store.ErrConflict):
				t.Errorf("MarkAccountTokenUsed: %v", err)
			}
		}
		if ok != 1 {
			t.Errorf("%d of %d concurrent uses succeeded, want 1", ok, n)
		}

		// A new password voids the other reset links.
		for _, k := range []string{"r2", "r3"} {
			tok := store.AccountToken{Kind: store.TokenReset, TokenHash: store.HashToken(k), AccountID: a.ID, ExpiresAt: t0.Add(time.Hour)}
			if err := s.CreateAccountToken(ctx, &tok); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := s.DeleteUnusedResets(ctx, a.ID); err != nil || n != 2 {
			t.Errorf("DeleteUnusedResets = %d, %v; want 2", n, err)
		}
		if _, err := s.AccountTokenByHash(ctx, reset.TokenHash); err != nil {
			t.Errorf("the used reset is kept as a record: %v", err)
		}
	})
}
