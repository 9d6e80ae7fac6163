package store_test

import (
	"context"
	"testing"
	"time"

	"masthead/internal/store"
)

func TestAuditLog(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ann := createAccount(t, s, "ann@example.org", store.RoleEditor)
		bob := createAccount(t, s, "bob@example.org", store.RoleAdmin)

		entries := []store.AuditEntry{
			{At: t0, AccountID: ann.ID, Action: "signin", IP: "192.0.2.1"},
			{At: t0.Add(time.Minute), Action: "signin.failed", Target: "mallory@example.org", Detail: "wrong password", IP: "198.51.100.7"},
			{At: t0.Add(2 * time.Minute), AccountID: ann.ID, Action: "post.publish", Target: "post 42", Detail: "The Strait"},
			{At: t0.Add(3 * time.Minute), AccountID: bob.ID, Action: "account.role", Target: ann.Email, Detail: "editor → admin"},
		}
		for i := range entries {
			if err := s.AppendAudit(ctx, &entries[i]); err != nil {
				t.Fatalf("AppendAudit(%s): %v", entries[i].Action, err)
			}
			if entries[i].ID == 0 {
				t.Fatalf("AppendAudit(%s) set no ID", entries[i].Action)
			}
		}
		withEmail := func(e store.AuditEntry, email string) store.AuditEntry { e.AccountEmail = email; return e }

		page, err := s.AuditLog(ctx, store.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		want := []store.AuditEntry{withEmail(entries[3], bob.Email), withEmail(entries[2], ann.Email), entries[1], withEmail(entries[0], ann.Email)}
		equal(t, "audit log, newest first", page, store.AuditPage{Entries: want, Total: 4})

		page, err = s.AuditLog(ctx, store.AuditFilter{AccountID: ann.ID})
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "Ann's entries", page, store.AuditPage{Entries: []store.AuditEntry{want[1], want[3]}, Total: 2})

		page, err = s.AuditLog(ctx, store.AuditFilter{Actions: []string{"signin", "signin.failed"}, Limit: 1, Offset: 1})
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "second sign-in entry", page, store.AuditPage{Entries: []store.AuditEntry{want[3]}, Total: 2})

		page, err = s.AuditLog(ctx, store.AuditFilter{Offset: 10})
		if err != nil || page.Total != 4 || len(page.Entries) != 0 {
			t.Errorf("page past the end = %+v, %v", page, err)
		}

		empty := store.AuditEntry{Action: " "}
		wantErr(t, "AppendAudit without action", s.AppendAudit(ctx, &empty), store.ErrInvalid)
		orphan := store.AuditEntry{Action: "signin", AccountID: bob.ID + 100}
		wantErr(t, "AppendAudit for a missing account", s.AppendAudit(ctx, &orphan), store.ErrInvalid)

		// At defaults to now.
		now := store.AuditEntry{Action: "signout", AccountID: bob.ID}
		before := time.Now().Add(-time.Second)
		if err := s.AppendAudit(ctx, &now); err != nil {
			t.Fatal(err)
		}
		if now.At.Before(before) || now.At.Location() != time.UTC {
			t.Errorf("default At = %v", now.At)
		}
	})
}
