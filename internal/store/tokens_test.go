package store_test

import (
	"context"
	"testing"
	"time"

	"masthead/internal/store"
)

func TestNewToken(t *testing.T) {
	a, ha, err := store.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	b, hb, err := store.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if a == b || ha == hb {
		t.Error("two new tokens are equal")
	}
	if len(a) != 43 {
		t.Errorf("token %q has %d characters, want 43 (32 bytes, base64url)", a, len(a))
	}
	if store.HashToken(a) != ha || len(ha) != 64 {
		t.Errorf("hash %q is not HashToken(token)", ha)
	}
	// A known SHA-256, so that hashes stay comparable across versions.
	if got, want := store.HashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
		t.Errorf("HashToken(abc) = %s, want %s", got, want)
	}
}

func TestAPITokens(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ann := createAccount(t, s, "ann@example.org", store.RoleEditor)
		bob := createAccount(t, s, "bob@example.org", store.RoleAuthor)

		token, hash, err := store.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		first := store.APIToken{AccountID: ann.ID, Name: "import script", TokenHash: hash, CreatedAt: t0}
		if err := s.CreateAPIToken(ctx, &first); err != nil {
			t.Fatalf("CreateAPIToken: %v", err)
		}
		if first.ID == 0 || !first.LastUsedAt.IsZero() {
			t.Errorf("after CreateAPIToken: %+v", first)
		}
		second := store.APIToken{AccountID: ann.ID, Name: "newsletter", TokenHash: store.HashToken("second"), CreatedAt: t0.Add(time.Minute)}
		if err := s.CreateAPIToken(ctx, &second); err != nil {
			t.Fatal(err)
		}
		bobs := store.APIToken{AccountID: bob.ID, Name: "bob", TokenHash: store.HashToken("bob")}
		if err := s.CreateAPIToken(ctx, &bobs); err != nil {
			t.Fatal(err)
		}

		got, acc, err := s.APITokenByHash(ctx, store.HashToken(token))
		if err != nil {
			t.Fatalf("APITokenByHash: %v", err)
		}
		equal(t, "API token", got, first)
		equal(t, "API token's account", acc, ann)
		_, _, err = s.APITokenByHash(ctx, token)
		wantErr(t, "APITokenByHash(raw token)", err, store.ErrNotFound)

		if err := s.TouchAPIToken(ctx, first.ID, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		list, err := s.APITokens(ctx, ann.ID)
		if err != nil {
			t.Fatal(err)
		}
		first.LastUsedAt = t0.Add(time.Hour)
		equal(t, "Ann's tokens, newest first", list, []store.APIToken{second, first})

		raw := store.APIToken{AccountID: ann.ID, Name: "raw", TokenHash: token}
		wantErr(t, "CreateAPIToken with a raw token", s.CreateAPIToken(ctx, &raw), store.ErrInvalid)
		dup := store.APIToken{AccountID: bob.ID, Name: "dup", TokenHash: hash}
		wantErr(t, "CreateAPIToken with a used hash", s.CreateAPIToken(ctx, &dup), store.ErrConflict)
		orphan := store.APIToken{AccountID: bob.ID + 100, TokenHash: store.HashToken("o")}
		wantErr(t, "CreateAPIToken for a missing account", s.CreateAPIToken(ctx, &orphan), store.ErrInvalid)

		// Bob cannot revoke Ann's token.
		wantErr(t, "DeleteAPIToken of another account", s.DeleteAPIToken(ctx, bob.ID, first.ID), store.ErrNotFound)
		if err := s.DeleteAPIToken(ctx, ann.ID, first.ID); err != nil {
			t.Fatal(err)
		}
		_, _, err = s.APITokenByHash(ctx, hash)
		wantErr(t, "revoked token", err, store.ErrNotFound)
		wantErr(t, "TouchAPIToken(revoked)", s.TouchAPIToken(ctx, first.ID, t0), store.ErrNotFound)
		if list, _ := s.APITokens(ctx, bob.ID); len(list) != 1 || list[0].ID != bobs.ID {
			t.Errorf("Bob's tokens: %+v", list)
		}
	})
}
