package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"masthead/internal/store"
)

func createAccount(t *testing.T, s *store.Store, email string, role store.Role) store.Account {
	t.Helper()
	a := store.Account{Email: email, PasswordHash: "hash-of-" + email, Role: role}
	if err := s.CreateAccount(context.Background(), &a); err != nil {
		t.Fatalf("CreateAccount(%q): %v", email, err)
	}
	return a
}

func TestAccountRoundTrip(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if n, err := s.CountAccounts(ctx); err != nil || n != 0 {
			t.Fatalf("CountAccounts on a new database = %d, %v; want 0", n, err)
		}
		ann := saveAuthor(t, s, "ann", "Ann Arbor")
		v := contentVersion(t, s)

		a := store.Account{Email: "  Ann.Arbor@Example.ORG ", PasswordHash: "$argon2id$x", Role: store.RoleAuthor, AuthorID: ann.ID}
		before := time.Now().Add(-time.Second)
		if err := s.CreateAccount(ctx, &a); err != nil {
			t.Fatalf("CreateAccount: %v", err)
		}
		if a.ID == 0 || a.Email != "ann.arbor@example.org" || a.CreatedAt.Before(before) || a.CreatedAt.Location() != time.UTC {
			t.Errorf("after CreateAccount: %+v", a)
		}
		for _, email := range []string{"ann.arbor@example.org", "ANN.ARBOR@EXAMPLE.ORG", " Ann.Arbor@example.org"} {
			got, err := s.AccountByEmail(ctx, email)
			if err != nil {
				t.Fatalf("AccountByEmail(%q): %v", email, err)
			}
			equal(t, "AccountByEmail", got, a)
		}
		got, err := s.AccountByID(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "AccountByID", got, a)
		got, err = s.AccountByAuthor(ctx, ann.ID)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "AccountByAuthor", got, a)

		// Accounts are not content: readers' caches stay.
		if got := contentVersion(t, s); got != v {
			t.Errorf("content version moved from %d to %d on an account write", v, got)
		}

		_, err = s.AccountByEmail(ctx, "nobody@example.org")
		wantErr(t, "AccountByEmail(missing)", err, store.ErrNotFound)
		_, err = s.AccountByID(ctx, a.ID+100)
		wantErr(t, "AccountByID(missing)", err, store.ErrNotFound)
		_, err = s.AccountByAuthor(ctx, ann.ID+100)
		wantErr(t, "AccountByAuthor(guest)", err, store.ErrNotFound)

		// Update role, link, disabled and email; the password stays.
		bob := saveAuthor(t, s, "bob", "Bob")
		a.Role, a.AuthorID, a.Disabled, a.Email = store.RoleEditor, bob.ID, true, "Ann@Example.org"
		if err := s.UpdateAccount(ctx, a); err != nil {
			t.Fatalf("UpdateAccount: %v", err)
		}
		got, err = s.AccountByID(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		a.Email = "ann@example.org"
		equal(t, "account after update", got, a)

		if err := s.SetPasswordHash(ctx, a.ID, "$argon2id$new"); err != nil {
			t.Fatalf("SetPasswordHash: %v", err)
		}
		got, _ = s.AccountByID(ctx, a.ID)
		if got.PasswordHash != "$argon2id$new" || got.Role != store.RoleEditor {
			t.Errorf("after SetPasswordHash: %+v", got)
		}
		wantErr(t, "SetPasswordHash(missing)", s.SetPasswordHash(ctx, a.ID+100, "x"), store.ErrNotFound)

		// Unlinking the profile.
		a.AuthorID = 0
		if err := s.UpdateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.AccountByID(ctx, a.ID); got.AuthorID != 0 {
			t.Errorf("AuthorID after unlinking = %d", got.AuthorID)
		}
		missing := a
		missing.ID += 100
		wantErr(t, "UpdateAccount(missing)", s.UpdateAccount(ctx, missing), store.ErrNotFound)
	})
}

func TestAccountErrors(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ann := saveAuthor(t, s, "ann", "Ann")
		first := store.Account{Email: "ann@example.org", Role: store.RoleAuthor, AuthorID: ann.ID}
		if err := s.CreateAccount(ctx, &first); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			a    store.Account
			want error
		}{
			{"same email in other case", store.Account{Email: "ANN@example.org", Role: store.RoleEditor}, store.ErrConflict},
			{"author already linked", store.Account{Email: "other@example.org", Role: store.RoleAuthor, AuthorID: ann.ID}, store.ErrConflict},
			{"missing author", store.Account{Email: "x@example.org", Role: store.RoleAuthor, AuthorID: ann.ID + 100}, store.ErrInvalid},
			{"unknown role", store.Account{Email: "x@example.org", Role: "superuser"}, store.ErrInvalid},
			{"empty role", store.Account{Email: "x@example.org"}, store.ErrInvalid},
			{"empty email", store.Account{Email: " ", Role: store.RoleEditor}, store.ErrInvalid},
			{"no domain", store.Account{Email: "x@", Role: store.RoleEditor}, store.ErrInvalid},
			{"no at", store.Account{Email: "example.org", Role: store.RoleEditor}, store.ErrInvalid},
			{"space inside", store.Account{Email: "a b@example.org", Role: store.RoleEditor}, store.ErrInvalid},
			{"header injection", store.Account{Email: "a@example.org\r\nBcc: c@example.org", Role: store.RoleEditor}, store.ErrInvalid},
		}
		for _, tt := range tests {
			a := tt.a
			err := s.CreateAccount(ctx, &a)
			if !errors.Is(err, tt.want) {
				t.Errorf("%s: CreateAccount = %v, want %v", tt.name, err, tt.want)
			}
			if a.ID != 0 {
				t.Errorf("%s: a failed CreateAccount set the ID", tt.name)
			}
		}
		if n, _ := s.CountAccounts(ctx); n != 1 {
			t.Errorf("accounts after refused creations = %d, want 1", n)
		}

		second := createAccount(t, s, "bob@example.org", store.RoleEditor)
		second.Email = "ann@example.org"
		wantErr(t, "UpdateAccount to a taken email", s.UpdateAccount(ctx, second), store.ErrConflict)
		second.Email, second.AuthorID = "bob@example.org", ann.ID
		wantErr(t, "UpdateAccount to a taken author", s.UpdateAccount(ctx, second), store.ErrConflict)
		second.AuthorID, second.Role = 0, "root"
		wantErr(t, "UpdateAccount to an unknown role", s.UpdateAccount(ctx, second), store.ErrInvalid)
		got, _ := s.AccountByID(ctx, second.ID)
		if got.Email != "bob@example.org" || got.Role != store.RoleEditor || got.AuthorID != 0 {
			t.Errorf("refused updates changed the account: %+v", got)
		}
	})
}

func TestAccountsListAndCounts(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		createAccount(t, s, "carol@example.org", store.RoleOwner)
		createAccount(t, s, "alice@example.org", store.RoleContributor)
		createAccount(t, s, "bob@example.org", store.RoleOwner)
		list, err := s.Accounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var emails []string
		for _, a := range list {
			emails = append(emails, a.Email)
		}
		equal(t, "Accounts order", emails, []string{"alice@example.org", "bob@example.org", "carol@example.org"})
		if n, err := s.CountAccounts(ctx); err != nil || n != 3 {
			t.Errorf("CountAccounts = %d, %v; want 3", n, err)
		}
		if n, err := s.CountOwners(ctx); err != nil || n != 2 {
			t.Errorf("CountOwners = %d, %v; want 2", n, err)
		}
		bob := list[1]
		bob.Disabled = true
		if err := s.UpdateAccount(ctx, bob); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.CountOwners(ctx); n != 1 {
			t.Errorf("CountOwners with one owner disabled = %d, want 1", n)
		}
	})
}

func TestLastOwnerProtected(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		owner := createAccount(t, s, "owner@example.org", store.RoleOwner)
		admin := createAccount(t, s, "admin@example.org", store.RoleAdmin)

		for name, change := range map[string]func(a *store.Account){
			"demote":  func(a *store.Account) { a.Role = store.RoleAdmin },
			"disable": func(a *store.Account) { a.Disabled = true },
		} {
			a := owner
			change(&a)
			err := s.UpdateAccount(ctx, a)
			wantErr(t, name+" the last owner", err, store.ErrLastOwner)
			wantErr(t, name+" the last owner", err, store.ErrConflict)
		}
		// Other changes to the last owner are fine.
		owner.Email = "boss@example.org"
		if err := s.UpdateAccount(ctx, owner); err != nil {
			t.Fatalf("renaming the last owner: %v", err)
		}

		// With a second owner, one of them may step down, but of two
		// overlapping step-downs only one succeeds.
		admin.Role = store.RoleOwner
		if err := s.UpdateAccount(ctx, admin); err != nil {
			t.Fatal(err)
		}
		demoted, started, release := make(chan error, 1), make(chan struct{}), make(chan struct{})
		go func() {
			demoted <- s.InTx(ctx, func(tx *store.Store) error {
				a := owner
				a.Role = store.RoleEditor
				err := tx.UpdateAccount(ctx, a)
				close(started)
				<-release
				return err
			})
		}()
		<-started
		// While the first demotion is not committed, the second must wait
		// for it rather than count it as an owner.
		second := make(chan error, 1)
		go func() {
			a := admin
			a.Role = store.RoleEditor
			second <- s.UpdateAccount(ctx, a)
		}()
		var secondErr error
		finished := false
		// On SQLite the single writer connection makes it wait in Go, out of
		// sight; on PostgreSQL it must be seen waiting for the lock, or have
		// finished without waiting (the bug this guards against).
		if s.Dialect() == "postgres" {
			waitFor(t, "the second demotion to finish or wait for the first", func() bool {
				select {
				case secondErr = <-second:
					finished = true
					return true
				default:
				}
				return waitingOnLock(t, s, "LOCK TABLE accounts")
			})
		}
		close(release)
		if err := <-demoted; err != nil {
			t.Fatalf("first demotion: %v", err)
		}
		if !finished {
			secondErr = <-second
		}
		wantErr(t, "second demotion", secondErr, store.ErrLastOwner)
		if n, _ := s.CountOwners(ctx); n != 1 {
			t.Errorf("owners after the demotions = %d, want 1", n)
		}
	})
}

func TestCreateFirstAccount(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		// Five people submit the first-run form at once: one becomes owner.
		const n = 5
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a := store.Account{Email: string(rune('a'+i)) + "@example.org", Role: store.RoleOwner}
				errs[i] = s.CreateFirstAccount(ctx, &a)
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, store.ErrConflict):
				t.Errorf("CreateFirstAccount: %v", err)
			}
		}
		if ok != 1 {
			t.Errorf("%d concurrent first accounts created, want 1", ok)
		}
		if c, _ := s.CountAccounts(ctx); c != 1 {
			t.Errorf("accounts = %d, want 1", c)
		}
		// CreateAccount is not limited.
		createAccount(t, s, "z@example.org", store.RoleEditor)
	})
}
