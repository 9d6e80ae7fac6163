package store_test

import (
	"context"
	"testing"
	"time"

	"masthead/internal/store"
)

func TestSessions(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ann := createAccount(t, s, "ann@example.org", store.RoleEditor)
		bob := createAccount(t, s, "bob@example.org", store.RoleAuthor)

		token, hash, err := store.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		se := store.Session{TokenHash: hash, AccountID: ann.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour),
			UserAgent: "Firefox", IP: "192.0.2.1"}
		if err := s.CreateSession(ctx, &se); err != nil {
			t.Fatalf("CreateSession: %v", err)
		}
		if !se.LastSeenAt.Equal(t0) {
			t.Errorf("LastSeenAt defaults to %v, want CreatedAt %v", se.LastSeenAt, t0)
		}
		got, acc, err := s.SessionByTokenHash(ctx, store.HashToken(token))
		if err != nil {
			t.Fatalf("SessionByTokenHash: %v", err)
		}
		equal(t, "session", got, se)
		equal(t, "session's account", acc, ann)
		if got.Expired(t0.Add(59*time.Minute)) || !got.Expired(t0.Add(time.Hour)) {
			t.Error("Expired does not end the session at ExpiresAt")
		}

		// The token itself is never accepted where its hash belongs.
		raw := store.Session{TokenHash: token, AccountID: ann.ID, ExpiresAt: t0.Add(time.Hour)}
		wantErr(t, "CreateSession with a raw token", s.CreateSession(ctx, &raw), store.ErrInvalid)
		_, _, err = s.SessionByTokenHash(ctx, token)
		wantErr(t, "SessionByTokenHash(raw token)", err, store.ErrNotFound)
		noExpiry := store.Session{TokenHash: store.HashToken("x"), AccountID: ann.ID}
		wantErr(t, "CreateSession without expiry", s.CreateSession(ctx, &noExpiry), store.ErrInvalid)
		nobody := store.Session{TokenHash: store.HashToken("y"), AccountID: bob.ID + 100, ExpiresAt: t0}
		wantErr(t, "CreateSession for a missing account", s.CreateSession(ctx, &nobody), store.ErrInvalid)
		dup := se
		wantErr(t, "CreateSession with a used hash", s.CreateSession(ctx, &dup), store.ErrConflict)

		// Sliding expiry.
		if err := s.TouchSession(ctx, hash, t0.Add(30*time.Minute), t0.Add(90*time.Minute)); err != nil {
			t.Fatalf("TouchSession: %v", err)
		}
		got, _, _ = s.SessionByTokenHash(ctx, hash)
		if !got.LastSeenAt.Equal(t0.Add(30*time.Minute)) || !got.ExpiresAt.Equal(t0.Add(90*time.Minute)) || !got.CreatedAt.Equal(t0) {
			t.Errorf("after TouchSession: %+v", got)
		}
		wantErr(t, "TouchSession(missing)", s.TouchSession(ctx, store.HashToken("gone"), t0, t0), store.ErrNotFound)

		// More devices: two for Ann, one for Bob, one of Ann's expired.
		mk := func(a store.Account, token string, created, expires time.Time) string {
			t.Helper()
			se := store.Session{TokenHash: store.HashToken(token), AccountID: a.ID, CreatedAt: created, ExpiresAt: expires}
			if err := s.CreateSession(ctx, &se); err != nil {
				t.Fatal(err)
			}
			return se.TokenHash
		}
		annPhone := mk(ann, "ann-phone", t0.Add(time.Minute), t0.Add(2*time.Hour))
		annOld := mk(ann, "ann-old", t0.Add(-48*time.Hour), t0.Add(-24*time.Hour))
		bobLaptop := mk(bob, "bob-laptop", t0, t0.Add(time.Hour))

		list, err := s.Sessions(ctx, ann.ID)
		if err != nil {
			t.Fatal(err)
		}
		var hashes []string
		for _, se := range list {
			hashes = append(hashes, se.TokenHash)
		}
		equal(t, "Ann's sessions, most recently seen first", hashes, []string{hash, annPhone, annOld})

		if n, err := s.DeleteExpiredSessions(ctx, t0); err != nil || n != 1 {
			t.Errorf("DeleteExpiredSessions = %d, %v; want 1", n, err)
		}
		_, _, err = s.SessionByTokenHash(ctx, annOld)
		wantErr(t, "expired session after cleanup", err, store.ErrNotFound)

		// Sign out everywhere else, then everywhere.
		if n, err := s.DeleteAccountSessions(ctx, ann.ID, hash); err != nil || n != 1 {
			t.Errorf("DeleteAccountSessions(keep current) = %d, %v; want 1", n, err)
		}
		if _, _, err := s.SessionByTokenHash(ctx, hash); err != nil {
			t.Errorf("kept session: %v", err)
		}
		if n, err := s.DeleteAccountSessions(ctx, ann.ID, ""); err != nil || n != 1 {
			t.Errorf("DeleteAccountSessions(all) = %d, %v; want 1", n, err)
		}
		if list, _ := s.Sessions(ctx, ann.ID); len(list) != 0 {
			t.Errorf("Ann still has sessions: %+v", list)
		}
		if _, _, err := s.SessionByTokenHash(ctx, bobLaptop); err != nil {
			t.Errorf("Bob's session was signed out with Ann's: %v", err)
		}
		if err := s.DeleteSession(ctx, bobLaptop); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteSession(ctx, bobLaptop); err != nil {
			t.Errorf("signing out twice: %v", err)
		}
		_, _, err = s.SessionByTokenHash(ctx, bobLaptop)
		wantErr(t, "deleted session", err, store.ErrNotFound)
	})
}

func TestSessionShowsDisabledAccount(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		createAccount(t, s, "owner@example.org", store.RoleOwner)
		a := createAccount(t, s, "ann@example.org", store.RoleEditor)
		se := store.Session{TokenHash: store.HashToken("t"), AccountID: a.ID, ExpiresAt: t0}
		if err := s.CreateSession(ctx, &se); err != nil {
			t.Fatal(err)
		}
		a.Disabled, a.Role = true, store.RoleContributor
		if err := s.UpdateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		_, acc, err := s.SessionByTokenHash(ctx, se.TokenHash)
		if err != nil {
			t.Fatal(err)
		}
		if !acc.Disabled || acc.Role != store.RoleContributor {
			t.Errorf("the session's account is %+v, want it disabled and demoted as stored now", acc)
		}
	})
}
