package editorial

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"masthead/internal/content"
	"masthead/internal/mail"
	"masthead/internal/store"
)

// ErrUnauthenticated is returned for a session that does not exist, has
// expired or belongs to a disabled account.
var ErrUnauthenticated = errors.New("editorial: not signed in")

// Client describes where a request without a signed-in account came from.
type Client struct {
	IP        string
	UserAgent string
}

// SignedIn is a new session: the token goes into the browser's cookie and
// is never stored.
type SignedIn struct {
	Token   string
	Account store.Account
	Expires time.Time
}

// sessionTouchEvery bounds how often a session's expiry slides forward:
// not on every request, which would make every page view a write.
const sessionTouchEvery = time.Minute

// NewAccount is a person to give a login: by the owner setup, an accepted
// invitation or the command line.
type NewAccount struct {
	Email    string
	Name     string // for the author profile created with the account
	Password string
	Role     store.Role
}

// checkEmailAddress returns the normalized bare address or a message.
func checkEmailAddress(email string) (string, string) {
	email = strings.TrimSpace(email)
	if email == "" {
		return "", "Enter an email address."
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Name != "" || a.Address != email || strings.Contains(email, ",") {
		return "", "Enter one email address, such as ann@example.org."
	}
	return store.NormalizeEmail(email), ""
}

// checkNewAccount validates a new account's fields.
func checkNewAccount(in *NewAccount) FieldErrors {
	fe := FieldErrors{}
	email, msg := checkEmailAddress(in.Email)
	if msg != "" {
		fe["email"] = msg
	}
	in.Email = email
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		in.Name = nameFromEmail(in.Email)
	}
	if len(in.Name) > 120 {
		fe["name"] = "Keep the name under 120 characters."
	}
	if msg := CheckPassword(in.Password, in.Email); msg != "" {
		fe["password"] = msg
	}
	if !in.Role.Valid() {
		fe["role"] = "Choose a role: contributor, author, editor, admin or owner."
	}
	return fe
}

// nameFromEmail is a byline for someone who gave none: "ann.lee@…" → "Ann Lee".
func nameFromEmail(email string) string {
	local, _, _ := strings.Cut(email, "@")
	words := strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' || r == '+' })
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	if len(words) == 0 {
		return "Writer"
	}
	return strings.Join(words, " ")
}

// uniqueAuthorSlug finds a free author slug for name: "ann-lee", then
// "ann-lee-2" and so on.
func uniqueAuthorSlug(ctx context.Context, st *store.Store, name string) (string, error) {
	base := content.Slugify(name)
	if base == "" {
		base = "author"
	}
	for n := 1; n < 1000; n++ {
		slug := base
		if n > 1 {
			slug = base + "-" + strconv.Itoa(n)
		}
		_, err := st.AuthorBySlug(ctx, slug)
		if errors.Is(err, store.ErrNotFound) {
			return slug, nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("no free slug for author %q", name)
}

// createAccount creates an author profile and an account linked to it in
// tx; first makes it succeed only while no account exists.
func createAccount(ctx context.Context, tx *store.Store, in NewAccount, first bool) (store.Account, error) {
	hash, err := HashPassword(in.Password)
	if err != nil {
		return store.Account{}, err
	}
	slug, err := uniqueAuthorSlug(ctx, tx, in.Name)
	if err != nil {
		return store.Account{}, err
	}
	author := content.Author{Slug: slug, Name: in.Name}
	if err := tx.SaveAuthor(ctx, &author); err != nil {
		return store.Account{}, err
	}
	acc := store.Account{Email: in.Email, PasswordHash: hash, Role: in.Role, AuthorID: author.ID}
	if first {
		err = tx.CreateFirstAccount(ctx, &acc)
	} else {
		err = tx.CreateAccount(ctx, &acc)
	}
	return acc, err
}

// NeedsSetup reports whether no account exists yet: the desk then asks for
// the owner's.
func (s *Service) NeedsSetup(ctx context.Context) (bool, error) {
	n, err := s.store.CountAccounts(ctx)
	if err != nil {
		return false, fmt.Errorf("editorial: %w", err)
	}
	return n == 0, nil
}

// SetupOwner creates the first account, an owner, and signs it in. It
// works only while there are no accounts at all.
func (s *Service) SetupOwner(ctx context.Context, in NewAccount, c Client) (SignedIn, error) {
	in.Role = store.RoleOwner
	if fe := checkNewAccount(&in); len(fe) > 0 {
		return SignedIn{}, fe
	}
	var acc store.Account
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		acc, err = createAccount(ctx, tx, in, true)
		return err
	})
	if errors.Is(err, store.ErrConflict) {
		return SignedIn{}, forbidden("The owner account already exists; sign in instead.")
	}
	if err != nil {
		return SignedIn{}, fmt.Errorf("editorial: set up owner: %w", err)
	}
	s.changed() // a new author profile
	actor := Actor{Account: acc, IP: c.IP}
	s.audit(ctx, actor, "account.setup", acc.Email, "owner")
	return s.startSession(ctx, acc, c)
}

// CreateAccount creates an account from the command line, where the
// operator needs no account of their own: it is how an owner who lost
// access gets back in.
func (s *Service) CreateAccount(ctx context.Context, in NewAccount) (store.Account, error) {
	if fe := checkNewAccount(&in); len(fe) > 0 {
		return store.Account{}, fe
	}
	var acc store.Account
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		acc, err = createAccount(ctx, tx, in, false)
		return err
	})
	if errors.Is(err, store.ErrConflict) {
		return store.Account{}, FieldErrors{"email": "An account with this email already exists."}
	}
	if err != nil {
		return store.Account{}, fmt.Errorf("editorial: create account: %w", err)
	}
	s.changed()
	s.audit(ctx, Actor{}, "account.create", acc.Email, string(acc.Role)+", from the command line")
	return acc, nil
}

func (s *Service) startSession(ctx context.Context, acc store.Account, c Client) (SignedIn, error) {
	token, hash, err := store.NewToken()
	if err != nil {
		return SignedIn{}, err
	}
	now := s.now()
	se := store.Session{TokenHash: hash, AccountID: acc.ID, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(SessionLifetime), UserAgent: truncate(c.UserAgent, 300), IP: c.IP}
	if err := s.store.CreateSession(ctx, &se); err != nil {
		return SignedIn{}, fmt.Errorf("editorial: start session: %w", err)
	}
	return SignedIn{Token: token, Account: acc, Expires: se.ExpiresAt}, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// throttled is the refusal of a locked-out sign-in.
func throttled(wait time.Duration) error {
	secs := int(math.Ceil(wait.Seconds()))
	unit := "seconds"
	if secs == 1 {
		unit = "second"
	}
	return &Refusal{Reason: ErrTooManyAttempts, RetryAfter: wait,
		Message: fmt.Sprintf("Too many attempts; try again in %d %s.", secs, unit)}
}

// errWrongPassword is the one answer to every failed sign-in, so that it
// does not tell whether an address has an account.
var errWrongPassword = &Refusal{Reason: ErrInvalid, Message: "Wrong email or password."}

// SignIn checks an email and password and starts a session. Repeated
// failures for one account or from one address lock them out for growing
// times (see ErrTooManyAttempts).
func (s *Service) SignIn(ctx context.Context, email, password string, c Client) (SignedIn, error) {
	email = store.NormalizeEmail(email)
	accountKey, ipKey := "account:"+email, "ip:"+c.IP
	now := s.now()
	if wait := s.limiter.wait(now, accountKey, ipKey); wait > 0 {
		return SignedIn{}, throttled(wait)
	}
	acc, err := s.store.AccountByEmail(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return SignedIn{}, fmt.Errorf("editorial: sign in: %w", err)
	}
	hash := s.dummyHash
	usable := err == nil && !acc.Disabled && acc.PasswordHash != ""
	if usable {
		hash = acc.PasswordHash
	}
	ok, verr := VerifyPassword(hash, truncate(password, maxPasswordLength))
	if verr != nil {
		s.log.ErrorContext(ctx, "editorial: sign in: stored password hash unreadable", "account", acc.ID)
	}
	if !usable || !ok {
		s.limiter.fail(now, accountKey, ipKey)
		detail := "wrong password"
		switch {
		case errors.Is(err, store.ErrNotFound):
			detail = "no such account"
		case acc.Disabled:
			detail = "account disabled"
		}
		s.audit(ctx, Actor{IP: c.IP}, "signin.failed", email, detail)
		return SignedIn{}, errWrongPassword
	}
	s.limiter.succeed(accountKey)
	signed, err := s.startSession(ctx, acc, c)
	if err != nil {
		return SignedIn{}, err
	}
	s.audit(ctx, Actor{Account: acc, IP: c.IP}, "signin", acc.Email, "")
	return signed, nil
}

// Authenticate returns the signed-in account of a session token and slides
// the session's expiry forward. A missing, expired or disabled session is
// ErrUnauthenticated.
func (s *Service) Authenticate(ctx context.Context, token string) (store.Session, store.Account, error) {
	if token == "" || len(token) > 100 {
		return store.Session{}, store.Account{}, ErrUnauthenticated
	}
	hash := store.HashToken(token)
	se, acc, err := s.store.SessionByTokenHash(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return store.Session{}, store.Account{}, ErrUnauthenticated
	}
	if err != nil {
		return store.Session{}, store.Account{}, fmt.Errorf("editorial: session: %w", err)
	}
	now := s.now()
	if se.Expired(now) || acc.Disabled {
		if err := s.store.DeleteSession(ctx, hash); err != nil {
			s.log.WarnContext(ctx, "editorial: remove ended session", "err", err)
		}
		return store.Session{}, store.Account{}, ErrUnauthenticated
	}
	if now.Sub(se.LastSeenAt) >= sessionTouchEvery {
		expires := now.Add(SessionLifetime)
		if err := s.store.TouchSession(ctx, hash, now, expires); err != nil && !errors.Is(err, store.ErrNotFound) {
			s.log.WarnContext(ctx, "editorial: touch session", "err", err)
		} else {
			se.LastSeenAt, se.ExpiresAt = now, expires
		}
	}
	return se, acc, nil
}

// SignOut ends the session of token.
func (s *Service) SignOut(ctx context.Context, actor Actor, token string) error {
	if err := s.store.DeleteSession(ctx, store.HashToken(token)); err != nil {
		return fmt.Errorf("editorial: sign out: %w", err)
	}
	if actor.ID != 0 {
		s.audit(ctx, actor, "signout", actor.Email, "")
	}
	return nil
}

// SignOutEverywhere ends every session of the actor's account, this one
// included, and returns how many it ended.
func (s *Service) SignOutEverywhere(ctx context.Context, actor Actor) (int64, error) {
	n, err := s.store.DeleteAccountSessions(ctx, actor.ID, "")
	if err != nil {
		return 0, fmt.Errorf("editorial: sign out everywhere: %w", err)
	}
	s.audit(ctx, actor, "signout.all", actor.Email, fmt.Sprintf("%d sessions", n))
	return n, nil
}

// ChangePassword sets a new password for the actor, who proves to know the
// current one, and ends their other sessions.
func (s *Service) ChangePassword(ctx context.Context, actor Actor, current, next, keepToken string) error {
	acc, err := s.store.AccountByID(ctx, actor.ID)
	if err != nil {
		return fmt.Errorf("editorial: change password: %w", err)
	}
	if ok, _ := VerifyPassword(acc.PasswordHash, truncate(current, maxPasswordLength)); !ok {
		return FieldErrors{"current": "This is not your current password."}
	}
	if msg := CheckPassword(next, acc.Email); msg != "" {
		return FieldErrors{"password": msg}
	}
	hash, err := HashPassword(next)
	if err != nil {
		return err
	}
	keep := ""
	if keepToken != "" {
		keep = store.HashToken(keepToken)
	}
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.SetPasswordHash(ctx, acc.ID, hash); err != nil {
			return err
		}
		if _, err := tx.DeleteUnusedResets(ctx, acc.ID); err != nil {
			return err
		}
		_, err := tx.DeleteAccountSessions(ctx, acc.ID, keep)
		return err
	})
	if err != nil {
		return fmt.Errorf("editorial: change password: %w", err)
	}
	s.audit(ctx, actor, "password.change", acc.Email, "")
	return nil
}

// link is an absolute URL on the site.
func (s *Service) link(path string) string { return s.baseURL + path }

// expiryText writes when a link stops working, in the site's timezone.
func (s *Service) expiryText(ctx context.Context, t time.Time) string {
	loc, err := s.Location(ctx)
	if err != nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2 January 2006, 15:04 MST")
}

// sender is the From of desk messages: the site's name at the newsletter
// address when one is set, otherwise the mail sender's default.
func (s *Service) sender(ss SiteSettings) string {
	if ss.Sender == "" {
		return ""
	}
	a, err := mail.ParseAddress(ss.Sender)
	if err != nil {
		return ""
	}
	a.Name = ss.Name
	return a.String()
}

func (s *Service) send(ctx context.Context, m mail.Message) error {
	if s.mail == nil {
		return errors.New("editorial: no mail sender configured")
	}
	return s.mail.Send(ctx, m)
}

// RequestPasswordReset mails a single-use link, valid for an hour, to the
// account with this email. It says nothing about whether the account
// exists: an unknown address returns nil like a known one.
func (s *Service) RequestPasswordReset(ctx context.Context, email string, c Client) error {
	email = store.NormalizeEmail(email)
	acc, err := s.store.AccountByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		s.audit(ctx, Actor{IP: c.IP}, "password.reset.request", email, "no such account")
		return nil
	}
	if err != nil {
		return fmt.Errorf("editorial: reset: %w", err)
	}
	if acc.Disabled {
		s.audit(ctx, Actor{IP: c.IP}, "password.reset.request", email, "account disabled")
		return nil
	}
	ss, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	token, hash, err := store.NewToken()
	if err != nil {
		return err
	}
	now := s.now()
	// Only the newest link works.
	if _, err := s.store.DeleteUnusedResets(ctx, acc.ID); err != nil {
		return fmt.Errorf("editorial: reset: %w", err)
	}
	t := store.AccountToken{Kind: store.TokenReset, TokenHash: hash, Email: acc.Email, AccountID: acc.ID,
		CreatedAt: now, ExpiresAt: now.Add(ResetLifetime)}
	if err := s.store.CreateAccountToken(ctx, &t); err != nil {
		return fmt.Errorf("editorial: reset: %w", err)
	}
	m, err := s.mailTmpl.reset.Execute(mailData{Site: ss.Name, Link: s.link("/desk/reset/" + token),
		Expires: s.expiryText(ctx, t.ExpiresAt)})
	if err != nil {
		return err
	}
	m.To, m.From = acc.Email, s.sender(ss)
	if err := s.send(ctx, m); err != nil {
		if derr := s.store.DeleteAccountToken(context.WithoutCancel(ctx), t.ID); derr != nil {
			s.log.ErrorContext(ctx, "editorial: withdraw unsent reset", "err", derr)
		}
		return fmt.Errorf("editorial: send reset: %w", err)
	}
	s.audit(ctx, Actor{IP: c.IP}, "password.reset.request", acc.Email, "link sent")
	return nil
}

// usableToken looks up an invitation or reset link and refuses one that
// is unknown, used or expired, with a message that says which.
func (s *Service) usableToken(ctx context.Context, kind store.AccountTokenKind, token string) (store.AccountToken, error) {
	what := "invitation"
	if kind == store.TokenReset {
		what = "password reset link"
	}
	if token == "" || len(token) > 100 {
		return store.AccountToken{}, &Refusal{Reason: ErrNotFound, Message: "This " + what + " is not valid. Check that you copied the whole link."}
	}
	t, err := s.store.AccountTokenByHash(ctx, store.HashToken(token))
	if errors.Is(err, store.ErrNotFound) || (err == nil && t.Kind != kind) {
		return store.AccountToken{}, &Refusal{Reason: ErrNotFound, Message: "This " + what + " is not valid. Check that you copied the whole link."}
	}
	if err != nil {
		return store.AccountToken{}, fmt.Errorf("editorial: %s: %w", what, err)
	}
	if !t.UsedAt.IsZero() {
		return t, &Refusal{Reason: ErrInvalid, Message: "This " + what + " has already been used. " + askAgain(kind)}
	}
	if !s.now().Before(t.ExpiresAt) {
		return t, &Refusal{Reason: ErrInvalid, Message: "This " + what + " has expired. " + askAgain(kind)}
	}
	return t, nil
}

func askAgain(kind store.AccountTokenKind) string {
	if kind == store.TokenReset {
		return "Ask for a new one from the sign-in page."
	}
	return "Ask whoever invited you to send a new invitation."
}

// CheckReset tells whether a reset link can still be used, before the
// form asking for the new password is shown.
func (s *Service) CheckReset(ctx context.Context, token string) (store.AccountToken, error) {
	return s.usableToken(ctx, store.TokenReset, token)
}

// ResetPassword sets a new password through a reset link, ends every
// session of the account and signs it in afresh.
func (s *Service) ResetPassword(ctx context.Context, token, password string, c Client) (SignedIn, error) {
	t, err := s.usableToken(ctx, store.TokenReset, token)
	if err != nil {
		return SignedIn{}, err
	}
	acc, err := s.store.AccountByID(ctx, t.AccountID)
	if errors.Is(err, store.ErrNotFound) {
		return SignedIn{}, notFound("The account of this link")
	}
	if err != nil {
		return SignedIn{}, fmt.Errorf("editorial: reset: %w", err)
	}
	if acc.Disabled {
		return SignedIn{}, forbidden("This account is disabled.")
	}
	if msg := CheckPassword(password, acc.Email); msg != "" {
		return SignedIn{}, FieldErrors{"password": msg}
	}
	hash, err := HashPassword(password)
	if err != nil {
		return SignedIn{}, err
	}
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.MarkAccountTokenUsed(ctx, t.ID, s.now()); err != nil {
			return err
		}
		if err := tx.SetPasswordHash(ctx, acc.ID, hash); err != nil {
			return err
		}
		if _, err := tx.DeleteUnusedResets(ctx, acc.ID); err != nil {
			return err
		}
		_, err := tx.DeleteAccountSessions(ctx, acc.ID, "")
		return err
	})
	if errors.Is(err, store.ErrConflict) {
		return SignedIn{}, &Refusal{Reason: ErrInvalid, Message: "This password reset link has already been used. " + askAgain(store.TokenReset)}
	}
	if err != nil {
		return SignedIn{}, fmt.Errorf("editorial: reset: %w", err)
	}
	s.limiter.succeed("account:" + acc.Email)
	s.audit(ctx, Actor{Account: acc, IP: c.IP}, "password.reset", acc.Email, "")
	return s.startSession(ctx, acc, c)
}

// Invite mails a single-use invitation, valid for seven days, to join with
// role.
func (s *Service) Invite(ctx context.Context, actor Actor, email string, role store.Role) (store.AccountToken, error) {
	if err := Can(actor.Account, AccountInvite, Target{Role: role}); err != nil {
		return store.AccountToken{}, err
	}
	email, msg := checkEmailAddress(email)
	if msg != "" {
		return store.AccountToken{}, FieldErrors{"email": msg}
	}
	if _, err := s.store.AccountByEmail(ctx, email); err == nil {
		return store.AccountToken{}, FieldErrors{"email": "This person already has an account."}
	} else if !errors.Is(err, store.ErrNotFound) {
		return store.AccountToken{}, fmt.Errorf("editorial: invite: %w", err)
	}
	ss, err := s.Settings(ctx)
	if err != nil {
		return store.AccountToken{}, err
	}
	token, hash, err := store.NewToken()
	if err != nil {
		return store.AccountToken{}, err
	}
	now := s.now()
	t := store.AccountToken{Kind: store.TokenInvite, TokenHash: hash, Email: email, Role: role, CreatedBy: actor.ID,
		CreatedAt: now, ExpiresAt: now.Add(InviteLifetime)}
	if err := s.store.CreateAccountToken(ctx, &t); err != nil {
		return store.AccountToken{}, fmt.Errorf("editorial: invite: %w", err)
	}
	inviter := actor.Email
	if actor.AuthorID != 0 {
		if a, err := s.store.AuthorByID(ctx, actor.AuthorID); err == nil && a.Name != "" {
			inviter = a.Name
		}
	}
	m, err := s.mailTmpl.invite.Execute(mailData{Inviter: inviter, Site: ss.Name, Role: roleWithArticle(role),
		Link: s.link("/desk/invite/" + token), Expires: s.expiryText(ctx, t.ExpiresAt)})
	if err == nil {
		m.To, m.From = email, s.sender(ss)
		err = s.send(ctx, m)
	}
	if err != nil {
		if derr := s.store.DeleteAccountToken(context.WithoutCancel(ctx), t.ID); derr != nil {
			s.log.ErrorContext(ctx, "editorial: withdraw unsent invitation", "err", derr)
		}
		if errors.Is(err, mail.ErrInvalid) {
			return store.AccountToken{}, FieldErrors{"email": "The invitation could not be addressed to this email."}
		}
		return store.AccountToken{}, fmt.Errorf("editorial: send invitation: %w", err)
	}
	s.audit(ctx, actor, "account.invite", email, string(role))
	return t, nil
}

func roleWithArticle(r store.Role) string {
	switch r {
	case store.RoleAuthor:
		return "an author"
	case store.RoleEditor:
		return "an editor"
	case store.RoleAdmin:
		return "an administrator"
	case store.RoleOwner:
		return "an owner"
	}
	return "a " + string(r)
}

// CheckInvite tells whether an invitation can still be accepted.
func (s *Service) CheckInvite(ctx context.Context, token string) (store.AccountToken, error) {
	return s.usableToken(ctx, store.TokenInvite, token)
}

// AcceptInvite creates the invited account with its author profile and
// signs it in.
func (s *Service) AcceptInvite(ctx context.Context, token string, in NewAccount, c Client) (SignedIn, error) {
	t, err := s.usableToken(ctx, store.TokenInvite, token)
	if err != nil {
		return SignedIn{}, err
	}
	in.Email, in.Role = t.Email, t.Role
	if fe := checkNewAccount(&in); len(fe) > 0 {
		return SignedIn{}, fe
	}
	var acc store.Account
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.MarkAccountTokenUsed(ctx, t.ID, s.now()); err != nil {
			return err
		}
		var err error
		acc, err = createAccount(ctx, tx, in, false)
		return err
	})
	switch {
	case errors.Is(err, store.ErrConflict):
		if _, aerr := s.store.AccountByEmail(ctx, t.Email); aerr == nil {
			return SignedIn{}, conflicting("An account for %s already exists; sign in instead.", t.Email)
		}
		return SignedIn{}, &Refusal{Reason: ErrInvalid, Message: "This invitation has already been used. " + askAgain(store.TokenInvite)}
	case err != nil:
		return SignedIn{}, fmt.Errorf("editorial: accept invitation: %w", err)
	}
	s.changed()
	s.audit(ctx, Actor{Account: acc, IP: c.IP}, "account.join", acc.Email, string(acc.Role))
	return s.startSession(ctx, acc, c)
}

// Accounts lists every account; admins only.
func (s *Service) Accounts(ctx context.Context, actor Actor) ([]store.Account, error) {
	if err := Can(actor.Account, AccountsView, Target{}); err != nil {
		return nil, err
	}
	accs, err := s.store.Accounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("editorial: accounts: %w", err)
	}
	return accs, nil
}

// PendingInvitations lists invitations not yet accepted; admins only.
func (s *Service) PendingInvitations(ctx context.Context, actor Actor) ([]store.AccountToken, error) {
	if err := Can(actor.Account, AccountsView, Target{}); err != nil {
		return nil, err
	}
	ts, err := s.store.PendingInvitations(ctx, s.now())
	if err != nil {
		return nil, fmt.Errorf("editorial: invitations: %w", err)
	}
	return ts, nil
}

// WithdrawInvitation deletes a pending invitation so its link stops
// working.
func (s *Service) WithdrawInvitation(ctx context.Context, actor Actor, id int64) error {
	if err := Can(actor.Account, AccountInvite, Target{Role: store.RoleContributor}); err != nil {
		return err
	}
	err := s.store.DeleteAccountToken(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("The invitation")
	}
	if err != nil {
		return fmt.Errorf("editorial: withdraw invitation: %w", err)
	}
	s.audit(ctx, actor, "account.invite.withdraw", strconv.FormatInt(id, 10), "")
	return nil
}

func (s *Service) targetAccount(ctx context.Context, id int64) (store.Account, error) {
	acc, err := s.store.AccountByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return acc, notFound("The account")
	}
	if err != nil {
		return acc, fmt.Errorf("editorial: account: %w", err)
	}
	return acc, nil
}

// lastOwner explains store.ErrLastOwner.
var lastOwner = &Refusal{Reason: ErrForbidden, Message: "The publication needs at least one enabled owner; make someone else owner first."}

// ChangeRole gives an account another role. Nobody changes their own role,
// only owners touch owners, and the last owner stays.
func (s *Service) ChangeRole(ctx context.Context, actor Actor, accountID int64, role store.Role) error {
	acc, err := s.targetAccount(ctx, accountID)
	if err != nil {
		return err
	}
	if err := Can(actor.Account, AccountRole, Target{Account: &acc, Role: role}); err != nil {
		return err
	}
	if acc.Role == role {
		return nil
	}
	old := acc.Role
	acc.Role = role
	if err := s.store.UpdateAccount(ctx, acc); errors.Is(err, store.ErrLastOwner) {
		return lastOwner
	} else if err != nil {
		return fmt.Errorf("editorial: change role: %w", err)
	}
	s.audit(ctx, actor, "account.role", acc.Email, fmt.Sprintf("%s → %s", old, role))
	return nil
}

// SetDisabled disables an account, ending its sessions, or enables it
// again.
func (s *Service) SetDisabled(ctx context.Context, actor Actor, accountID int64, disabled bool) error {
	acc, err := s.targetAccount(ctx, accountID)
	if err != nil {
		return err
	}
	if err := Can(actor.Account, AccountDisable, Target{Account: &acc}); err != nil {
		return err
	}
	if acc.Disabled == disabled {
		return nil
	}
	acc.Disabled = disabled
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.UpdateAccount(ctx, acc); err != nil {
			return err
		}
		if disabled {
			_, err := tx.DeleteAccountSessions(ctx, acc.ID, "")
			return err
		}
		return nil
	})
	if errors.Is(err, store.ErrLastOwner) {
		return lastOwner
	}
	if err != nil {
		return fmt.Errorf("editorial: disable account: %w", err)
	}
	action := "account.enable"
	if disabled {
		action = "account.disable"
	}
	s.audit(ctx, actor, action, acc.Email, "")
	return nil
}

// AuditLog returns a page of the audit log; admins only.
func (s *Service) AuditLog(ctx context.Context, actor Actor, f store.AuditFilter) (store.AuditPage, error) {
	if err := Can(actor.Account, AuditView, Target{}); err != nil {
		return store.AuditPage{}, err
	}
	p, err := s.store.AuditLog(ctx, f)
	if err != nil {
		return p, fmt.Errorf("editorial: audit log: %w", err)
	}
	return p, nil
}

// Outbox returns a page of the stored emails; admins only.
func (s *Service) Outbox(ctx context.Context, actor Actor, f store.OutboxFilter) (store.OutboxPage, error) {
	if err := Can(actor.Account, OutboxView, Target{}); err != nil {
		return store.OutboxPage{}, err
	}
	p, err := s.store.OutboxMessages(ctx, f)
	if err != nil {
		return p, fmt.Errorf("editorial: outbox: %w", err)
	}
	return p, nil
}

// OutboxMessage returns one stored email; admins only.
func (s *Service) OutboxMessage(ctx context.Context, actor Actor, id int64) (store.OutboxMessage, error) {
	if err := Can(actor.Account, OutboxView, Target{}); err != nil {
		return store.OutboxMessage{}, err
	}
	m, err := s.store.OutboxMessageByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return m, notFound("The message")
	}
	if err != nil {
		return m, fmt.Errorf("editorial: outbox: %w", err)
	}
	return m, nil
}
