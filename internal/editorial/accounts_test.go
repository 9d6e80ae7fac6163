package editorial_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"masthead/internal/editorial"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

const goodPassword = "correct horse battery"

var client = editorial.Client{IP: "198.51.100.7", UserAgent: "test"}

func TestPasswordHashing(t *testing.T) {
	h, err := editorial.HashPassword(goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`).MatchString(h) {
		t.Errorf("hash %q is not a PHC argon2id string with the chosen parameters", h)
	}
	h2, _ := editorial.HashPassword(goodPassword)
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, tc := range []struct {
		hash, pw string
		ok       bool
		err      bool
	}{
		{h, goodPassword, true, false},
		{h, goodPassword + " ", false, false},
		{h, "", false, false},
		{"", goodPassword, false, true},
		{"$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", goodPassword, false, true},
		{strings.Replace(h, "argon2id", "argon2i", 1), goodPassword, false, true},
	} {
		ok, err := editorial.VerifyPassword(tc.hash, tc.pw)
		if ok != tc.ok || (err != nil) != tc.err {
			t.Errorf("VerifyPassword(%.30q, %q) = %v, %v", tc.hash, tc.pw, ok, err)
		}
	}
}

func TestPasswordPolicy(t *testing.T) {
	for _, tc := range []struct {
		pw, email string
		ok        bool
	}{
		{"short", "a@example.org", false},
		{"123456789", "a@example.org", false},
		{"1234567890", "a@example.org", true},
		{"          ", "a@example.org", false},
		{"ann.lee@example.org", "Ann.Lee@example.org", false},
		{"ünïcödé-pässwörd", "a@example.org", true},
	} {
		if msg := editorial.CheckPassword(tc.pw, tc.email); (msg == "") != tc.ok {
			t.Errorf("CheckPassword(%q) = %q", tc.pw, msg)
		}
	}
}

func TestSetupOnlyOnce(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		r := newRig(t, st)
		if need, err := r.svc.NeedsSetup(r.ctx); err != nil || !need {
			t.Fatalf("NeedsSetup on an empty database = %v, %v", need, err)
		}
		// Bad input is refused field by field and creates nothing.
		_, err := r.svc.SetupOwner(r.ctx, editorial.NewAccount{Email: "not an email", Password: "short"}, client)
		var fe editorial.FieldErrors
		if !errors.As(err, &fe) || fe["email"] == "" || fe["password"] == "" {
			t.Fatalf("bad setup: %v", err)
		}
		if n, _ := st.CountAccounts(r.ctx); n != 0 {
			t.Fatalf("bad setup created %d accounts", n)
		}

		in := editorial.NewAccount{Email: "Owner@Example.org", Name: "Olga Owner", Password: goodPassword}
		signed, err := r.svc.SetupOwner(r.ctx, in, client)
		if err != nil {
			t.Fatal(err)
		}
		if signed.Account.Role != store.RoleOwner || signed.Account.Email != "owner@example.org" || signed.Token == "" {
			t.Errorf("owner: %+v", signed)
		}
		a, err := st.AuthorByID(r.ctx, signed.Account.AuthorID)
		if err != nil || a.Name != "Olga Owner" || a.Slug != "olga-owner" {
			t.Errorf("owner's author profile: %+v, %v", a, err)
		}
		if _, acc, err := r.svc.Authenticate(r.ctx, signed.Token); err != nil || acc.ID != signed.Account.ID {
			t.Errorf("Authenticate after setup: %v", err)
		}
		// A second setup is refused and changes nothing.
		_, err = r.svc.SetupOwner(r.ctx, editorial.NewAccount{Email: "intruder@example.org", Password: goodPassword}, client)
		if !errors.Is(err, editorial.ErrForbidden) {
			t.Errorf("second setup: %v", err)
		}
		if n, _ := st.CountAccounts(r.ctx); n != 1 {
			t.Errorf("accounts after a second setup: %d", n)
		}
		if need, _ := r.svc.NeedsSetup(r.ctx); need {
			t.Error("NeedsSetup with an owner")
		}
	})
}

func setupOwner(t *testing.T, r *rig) editorial.SignedIn {
	t.Helper()
	signed, err := r.svc.SetupOwner(r.ctx, editorial.NewAccount{Email: "owner@example.org", Name: "Olga Owner", Password: goodPassword}, client)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		r := newRig(t, st)
		setupOwner(t, r)
		if _, err := r.svc.SignIn(r.ctx, "owner@example.org", "wrong password", client); !errors.Is(err, editorial.ErrInvalid) || err.Error() != "Wrong email or password." {
			t.Errorf("wrong password: %v", err)
		}
		if _, err := r.svc.SignIn(r.ctx, "nobody@example.org", goodPassword, client); err == nil || err.Error() != "Wrong email or password." {
			t.Errorf("unknown account: %v", err)
		}
		signed, err := r.svc.SignIn(r.ctx, "  OWNER@example.org ", goodPassword, client)
		if err != nil {
			t.Fatalf("right password: %v", err)
		}
		if got := signed.Expires.Sub(r.clock.Now()); got != editorial.SessionLifetime {
			t.Errorf("session lasts %v", got)
		}
		// The session token is not stored, only its hash.
		if _, _, err := st.SessionByTokenHash(r.ctx, signed.Token); err == nil {
			t.Error("the raw token finds a session")
		}
		log, _ := st.AuditLog(r.ctx, store.AuditFilter{Actions: []string{"signin", "signin.failed"}})
		var actions []string
		for _, e := range log.Entries {
			actions = append(actions, e.Action+" "+e.Target+" "+e.IP)
		}
		want := []string{"signin owner@example.org 198.51.100.7", "signin.failed nobody@example.org 198.51.100.7", "signin.failed owner@example.org 198.51.100.7"}
		if strings.Join(actions, "|") != strings.Join(want, "|") {
			t.Errorf("audit:\n%s\nwant\n%s", strings.Join(actions, "\n"), strings.Join(want, "\n"))
		}

		// The expiry slides on use and a session past it is refused.
		r.clock.Advance(editorial.SessionLifetime - time.Hour)
		se, _, err := r.svc.Authenticate(r.ctx, signed.Token)
		if err != nil || !se.ExpiresAt.Equal(r.clock.Now().Add(editorial.SessionLifetime)) {
			t.Errorf("sliding expiry: %v, %v", se.ExpiresAt, err)
		}
		r.clock.Advance(editorial.SessionLifetime + time.Second)
		if _, _, err := r.svc.Authenticate(r.ctx, signed.Token); !errors.Is(err, editorial.ErrUnauthenticated) {
			t.Errorf("expired session: %v", err)
		}
		if _, _, err := r.svc.Authenticate(r.ctx, "made-up"); !errors.Is(err, editorial.ErrUnauthenticated) {
			t.Errorf("made-up token: %v", err)
		}
	})
}

func TestSignInRateLimitGrows(t *testing.T) {
	t.Parallel()
	st := storetest.OpenSQLite(t)
	r := newRig(t, st)
	setupOwner(t, r)
	attempt := func(pw string, c editorial.Client) error {
		_, err := r.svc.SignIn(r.ctx, "owner@example.org", pw, c)
		return err
	}
	for i := range 5 {
		if err := attempt("wrong password", client); !errors.Is(err, editorial.ErrInvalid) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	// From the sixth failure on, each locks the account out twice as long.
	for _, wait := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second} {
		if err := attempt("wrong password", client); !errors.Is(err, editorial.ErrInvalid) {
			t.Fatalf("failure before a %v lock-out: %v", wait, err)
		}
		// Even the right password is refused while locked out, from any
		// address.
		err := attempt(goodPassword, editorial.Client{IP: "203.0.113.9"})
		var ref *editorial.Refusal
		if !errors.As(err, &ref) || !errors.Is(err, editorial.ErrTooManyAttempts) || ref.RetryAfter != wait {
			t.Fatalf("during the lock-out: %v (retry after %v), want %v", err, ref.RetryAfter, wait)
		}
		if !strings.HasPrefix(err.Error(), "Too many attempts; try again in ") {
			t.Errorf("message: %q", err.Error())
		}
		r.clock.Advance(wait)
	}
	// After the wait the right password works and clears the account.
	if err := attempt(goodPassword, editorial.Client{IP: "203.0.113.9"}); err != nil {
		t.Fatalf("after the lock-out: %v", err)
	}
	if err := attempt("wrong password", editorial.Client{IP: "203.0.113.10"}); !errors.Is(err, editorial.ErrInvalid) {
		t.Fatalf("after success the count starts again: %v", err)
	}

	// One address guessing at many accounts is locked out too.
	for i := range 6 {
		_, err := r.svc.SignIn(r.ctx, "someone"+string(rune('a'+i))+"@example.org", "guess guess", editorial.Client{IP: "192.0.2.66"})
		if !errors.Is(err, editorial.ErrInvalid) {
			t.Fatalf("spray %d: %v", i, err)
		}
	}
	if _, err := r.svc.SignIn(r.ctx, "owner@example.org", goodPassword, editorial.Client{IP: "192.0.2.66"}); !errors.Is(err, editorial.ErrTooManyAttempts) {
		t.Errorf("the spraying address: %v", err)
	}
}

// outboxLink finds the desk link of the newest message to addr.
func outboxLink(t *testing.T, r *rig, addr, kind string) string {
	t.Helper()
	page, err := r.st.OutboxMessages(r.ctx, store.OutboxFilter{To: addr, Kind: kind, Limit: 1})
	if err != nil || page.Total == 0 {
		t.Fatalf("no %s message to %s: %v", kind, addr, err)
	}
	m := regexp.MustCompile(`https://mag\.example\.org(/desk/(?:invite|reset)/([A-Za-z0-9_-]+))`).FindStringSubmatch(page.Messages[0].Text)
	if m == nil {
		t.Fatalf("no link in:\n%s", page.Messages[0].Text)
	}
	if !strings.Contains(page.Messages[0].HTML, m[0]) {
		t.Errorf("the HTML body lacks the link")
	}
	return m[2]
}

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		r := newRig(t, st)
		first := setupOwner(t, r)
		// Unknown addresses get the same answer and no mail.
		if err := r.svc.RequestPasswordReset(r.ctx, "nobody@example.org", client); err != nil {
			t.Fatal(err)
		}
		if page, _ := st.OutboxMessages(r.ctx, store.OutboxFilter{}); page.Total != 0 {
			t.Fatalf("mail sent for an unknown address")
		}
		if err := r.svc.RequestPasswordReset(r.ctx, "Owner@example.org", client); err != nil {
			t.Fatal(err)
		}
		token := outboxLink(t, r, "owner@example.org", "reset")

		if _, err := r.svc.ResetPassword(r.ctx, token, "short", client); !errors.Is(err, editorial.ErrInvalid) {
			t.Errorf("short password: %v", err)
		}
		if _, err := r.svc.ResetPassword(r.ctx, token+"x", "a new password!", client); !errors.Is(err, editorial.ErrNotFound) {
			t.Errorf("altered token: %v", err)
		}
		signed, err := r.svc.ResetPassword(r.ctx, token, "a new password!", client)
		if err != nil {
			t.Fatal(err)
		}
		// Used once: the link is spent, old sessions are gone, the new
		// password works and the old one does not.
		if _, err := r.svc.ResetPassword(r.ctx, token, "another password", client); !errors.Is(err, editorial.ErrInvalid) || !strings.Contains(err.Error(), "already been used") {
			t.Errorf("second use: %v", err)
		}
		if _, _, err := r.svc.Authenticate(r.ctx, first.Token); !errors.Is(err, editorial.ErrUnauthenticated) {
			t.Errorf("old session after reset: %v", err)
		}
		if _, _, err := r.svc.Authenticate(r.ctx, signed.Token); err != nil {
			t.Errorf("new session: %v", err)
		}
		if _, err := r.svc.SignIn(r.ctx, "owner@example.org", goodPassword, client); err == nil {
			t.Error("old password still works")
		}
		if _, err := r.svc.SignIn(r.ctx, "owner@example.org", "a new password!", client); err != nil {
			t.Errorf("new password: %v", err)
		}

		// A link older than an hour is refused.
		if err := r.svc.RequestPasswordReset(r.ctx, "owner@example.org", client); err != nil {
			t.Fatal(err)
		}
		late := outboxLink(t, r, "owner@example.org", "reset")
		r.clock.Advance(editorial.ResetLifetime + time.Second)
		if _, err := r.svc.CheckReset(r.ctx, late); !errors.Is(err, editorial.ErrInvalid) || !strings.Contains(err.Error(), "expired") {
			t.Errorf("expired link: %v", err)
		}
		if _, err := r.svc.ResetPassword(r.ctx, late, "yet another password", client); err == nil {
			t.Error("expired link reset the password")
		}
	})
}

func TestInvitation(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		r := newRig(t, st)
		owner := editorial.Actor{Account: setupOwner(t, r).Account, IP: client.IP}
		if _, err := r.svc.Invite(r.ctx, owner, "owner@example.org", store.RoleEditor); !errors.Is(err, editorial.ErrInvalid) {
			t.Errorf("inviting an existing account: %v", err)
		}
		if _, err := r.svc.Invite(r.ctx, owner, "Carla <carla@example.org>", store.RoleContributor); !errors.Is(err, editorial.ErrInvalid) {
			t.Errorf("inviting a named address: %v", err)
		}
		if _, err := r.svc.Invite(r.ctx, owner, "carla@example.org", store.RoleContributor); err != nil {
			t.Fatal(err)
		}
		token := outboxLink(t, r, "carla@example.org", "invite")
		inv, err := r.svc.CheckInvite(r.ctx, token)
		if err != nil || inv.Email != "carla@example.org" || inv.Role != store.RoleContributor {
			t.Fatalf("CheckInvite: %+v, %v", inv, err)
		}
		// A refused acceptance leaves the invitation usable.
		if _, err := r.svc.AcceptInvite(r.ctx, token, editorial.NewAccount{Name: "Carla", Password: "carla@example.org"}, client); !errors.Is(err, editorial.ErrInvalid) {
			t.Errorf("password equal to the email: %v", err)
		}
		signed, err := r.svc.AcceptInvite(r.ctx, token, editorial.NewAccount{Name: "Carla Contributor", Password: goodPassword,
			Email: "ignored@example.org", Role: store.RoleOwner}, client)
		if err != nil {
			t.Fatal(err)
		}
		// The invitation decides the email and the role, not the form.
		if signed.Account.Email != "carla@example.org" || signed.Account.Role != store.RoleContributor || signed.Account.AuthorID == 0 {
			t.Errorf("accepted account: %+v", signed.Account)
		}
		if _, err := r.svc.AcceptInvite(r.ctx, token, editorial.NewAccount{Name: "Again", Password: goodPassword}, client); !errors.Is(err, editorial.ErrInvalid) || !strings.Contains(err.Error(), "already been used") {
			t.Errorf("second acceptance: %v", err)
		}
		// An invitation older than seven days is refused.
		if _, err := r.svc.Invite(r.ctx, owner, "dan@example.org", store.RoleAuthor); err != nil {
			t.Fatal(err)
		}
		late := outboxLink(t, r, "dan@example.org", "invite")
		r.clock.Advance(editorial.InviteLifetime + time.Minute)
		if _, err := r.svc.AcceptInvite(r.ctx, late, editorial.NewAccount{Name: "Dan", Password: goodPassword}, client); !errors.Is(err, editorial.ErrInvalid) || !strings.Contains(err.Error(), "expired") {
			t.Errorf("expired invitation: %v", err)
		}
		if _, err := st.AccountByEmail(r.ctx, "dan@example.org"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an expired invitation created an account")
		}
		log, _ := st.AuditLog(r.ctx, store.AuditFilter{Actions: []string{"account.invite", "account.join"}})
		if log.Total != 3 {
			t.Errorf("audit entries for invitations: %d, want 3", log.Total)
		}
	})
}

func TestSignOutEverywhere(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		r := newRig(t, st)
		first := setupOwner(t, r)
		second, err := r.svc.SignIn(r.ctx, "owner@example.org", goodPassword, client)
		if err != nil {
			t.Fatal(err)
		}
		other := r.member(store.RoleEditor)
		otherSession, hash, _ := store.NewToken()
		if err := st.CreateSession(r.ctx, &store.Session{TokenHash: hash, AccountID: other.ID, ExpiresAt: r.clock.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		// Signing out one session leaves the others.
		if err := r.svc.SignOut(r.ctx, editorial.Actor{Account: first.Account}, first.Token); err != nil {
			t.Fatal(err)
		}
		if _, _, err := r.svc.Authenticate(r.ctx, first.Token); !errors.Is(err, editorial.ErrUnauthenticated) {
			t.Errorf("signed-out session: %v", err)
		}
		third, _ := r.svc.SignIn(r.ctx, "owner@example.org", goodPassword, client)
		n, err := r.svc.SignOutEverywhere(r.ctx, editorial.Actor{Account: second.Account})
		if err != nil || n != 2 {
			t.Errorf("SignOutEverywhere = %d, %v; want 2", n, err)
		}
		for _, tok := range []string{second.Token, third.Token} {
			if _, _, err := r.svc.Authenticate(r.ctx, tok); !errors.Is(err, editorial.ErrUnauthenticated) {
				t.Errorf("session after signing out everywhere: %v", err)
			}
		}
		if _, _, err := r.svc.Authenticate(r.ctx, otherSession); err != nil {
			t.Errorf("another account's session ended: %v", err)
		}
		// A disabled account's sessions end at once.
		owner := editorial.Actor{Account: third.Account}
		if err := r.svc.SetDisabled(r.ctx, owner, other.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, _, err := r.svc.Authenticate(r.ctx, otherSession); !errors.Is(err, editorial.ErrUnauthenticated) {
			t.Errorf("disabled account's session: %v", err)
		}
	})
}

func TestCreateAccountFromCommandLine(t *testing.T) {
	t.Parallel()
	r := newRig(t, storetest.OpenSQLite(t))
	acc, err := r.svc.CreateAccount(r.ctx, editorial.NewAccount{Email: "ops@example.org", Role: store.RoleOwner, Password: goodPassword})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := r.st.AuthorByID(r.ctx, acc.AuthorID)
	if a.Name != "Ops" {
		t.Errorf("profile name from the email: %q", a.Name)
	}
	_, err = r.svc.CreateAccount(r.ctx, editorial.NewAccount{Email: "ops@example.org", Role: store.RoleOwner, Password: goodPassword})
	var fe editorial.FieldErrors
	if !errors.As(err, &fe) || fe["email"] == "" {
		t.Errorf("duplicate: %v", err)
	}
	_, err = r.svc.CreateAccount(r.ctx, editorial.NewAccount{Email: "x@example.org", Role: "boss", Password: "x"})
	if !errors.As(err, &fe) || fe["role"] == "" || fe["password"] == "" {
		t.Errorf("bad role and password: %v", err)
	}
}
