package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Role is what an account may do in the desk. The store only keeps it; what
// each role may do is decided by the desk.
type Role string

// The roles, from least to most powerful.
const (
	RoleContributor Role = "contributor"
	RoleAuthor      Role = "author"
	RoleEditor      Role = "editor"
	RoleAdmin       Role = "admin"
	RoleOwner       Role = "owner"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	switch r {
	case RoleContributor, RoleAuthor, RoleEditor, RoleAdmin, RoleOwner:
		return true
	}
	return false
}

// ErrLastOwner is returned when a change would leave accounts but no
// enabled owner: the publication could no longer be administered. It is
// also an ErrConflict.
var ErrLastOwner = fmt.Errorf("%w: no enabled owner would remain", ErrConflict)

// Account is a login to the desk.
type Account struct {
	ID           int64
	Email        string // lower-cased
	PasswordHash string // as the desk encodes it; empty means no password yet
	Role         Role
	AuthorID     int64 // the author profile this login writes as; 0 for none
	Disabled     bool
	CreatedAt    time.Time
}

const accountColumns = `ac.id, ac.email, ac.password_hash, ac.role, ac.author_id, ac.disabled, ac.created_at`

func scanAccount(sc rowScanner, prefix ...any) (Account, error) {
	var a Account
	var role string
	var author sql.NullInt64
	err := sc.Scan(append(prefix, &a.ID, &a.Email, &a.PasswordHash, &role, &author, &a.Disabled, timeDest{&a.CreatedAt})...)
	a.Role = Role(role)
	a.AuthorID = author.Int64
	return a, err
}

// NormalizeEmail is the form in which emails are stored and looked up:
// trimmed and lower-cased.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// checkEmail accepts what looks like an address. The desk checks addresses
// properly; this keeps obviously broken values out of the table.
func checkEmail(email string) error {
	if email == "" {
		return fmt.Errorf("email is empty: %w", ErrInvalid)
	}
	if len(email) > 254 {
		return fmt.Errorf("email %.20q… is longer than 254 characters: %w", email, ErrInvalid)
	}
	at := strings.LastIndexByte(email, '@')
	if at <= 0 || at == len(email)-1 {
		return fmt.Errorf("email %q has no local part and domain: %w", email, ErrInvalid)
	}
	for _, c := range email {
		if unicode.IsSpace(c) || unicode.IsControl(c) {
			return fmt.Errorf("email %q holds spaces or control characters: %w", email, ErrInvalid)
		}
	}
	return nil
}

func checkAccount(a *Account) error {
	if err := checkEmail(a.Email); err != nil {
		return err
	}
	if !a.Role.Valid() {
		return fmt.Errorf("unknown role %q: %w", a.Role, ErrInvalid)
	}
	if a.AuthorID < 0 {
		return fmt.Errorf("author %d: %w", a.AuthorID, ErrInvalid)
	}
	return nil
}

// nullID is an optional reference as a query argument: NULL for 0.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// CreateAccount inserts a (its ID is ignored) with its email lower-cased,
// and sets ID and CreatedAt. An email or author profile already used by
// another account is ErrConflict; an author that does not exist is
// ErrInvalid.
func (s *Store) CreateAccount(ctx context.Context, a *Account) error {
	return s.createAccount(ctx, a, false)
}

// CreateFirstAccount is CreateAccount that succeeds only while there are no
// accounts at all, so that two people completing the first-run form at once
// cannot both become owner. When accounts exist it returns ErrConflict.
func (s *Store) CreateFirstAccount(ctx context.Context, a *Account) error {
	return s.createAccount(ctx, a, true)
}

func (s *Store) createAccount(ctx context.Context, a *Account, first bool) error {
	acc := *a
	acc.Email = NormalizeEmail(acc.Email)
	if err := checkAccount(&acc); err != nil {
		return fmt.Errorf("store: create account: %w", err)
	}
	if acc.CreatedAt.IsZero() {
		acc.CreatedAt = time.Now()
	}
	if !validTime(acc.CreatedAt) {
		return fmt.Errorf("store: create account: creation time out of range: %w", ErrInvalid)
	}
	acc.CreatedAt = normTime(acc.CreatedAt)
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		if first {
			if err := r.lockAccounts(ctx); err != nil {
				return err
			}
			var n int
			if err := r.queryRow(ctx, `SELECT COUNT(*) FROM accounts`).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return fmt.Errorf("accounts already exist: %w", ErrConflict)
			}
		}
		if err := r.checkAccountRefs(ctx, acc, 0); err != nil {
			return err
		}
		return r.queryRow(ctx, `INSERT INTO accounts (email, password_hash, role, author_id, disabled, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			acc.Email, acc.PasswordHash, string(acc.Role), nullID(acc.AuthorID), acc.Disabled, r.timeArg(acc.CreatedAt)).Scan(&acc.ID)
	})
	if err != nil {
		return fmt.Errorf("store: create account %q: %w", acc.Email, conflict(err))
	}
	*a = acc
	return nil
}

// lockAccounts makes PostgreSQL transactions that check a rule over all
// accounts take turns; on SQLite the IMMEDIATE transaction already does.
func (r runner) lockAccounts(ctx context.Context) error {
	if r.dialect != dialectPostgres {
		return nil
	}
	_, err := r.exec(ctx, `LOCK TABLE accounts IN SHARE ROW EXCLUSIVE MODE`)
	return err
}

// checkAccountRefs gives clear errors for a taken email, a taken author
// profile or a missing author before the constraints would.
func (r runner) checkAccountRefs(ctx context.Context, a Account, self int64) error {
	var other int64
	err := r.queryRow(ctx, `SELECT id FROM accounts WHERE email = ? AND id <> ?`, a.Email, self).Scan(&other)
	if err == nil {
		return fmt.Errorf("email %q belongs to another account: %w", a.Email, ErrConflict)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if a.AuthorID == 0 {
		return nil
	}
	if err := r.checkExist(ctx, "authors", "author", []int64{a.AuthorID}); err != nil {
		return err
	}
	err = r.queryRow(ctx, `SELECT id FROM accounts WHERE author_id = ? AND id <> ?`, a.AuthorID, self).Scan(&other)
	if err == nil {
		return fmt.Errorf("author %d is linked to another account: %w", a.AuthorID, ErrConflict)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return nil
}

// AccountByID returns one account or ErrNotFound.
func (s *Store) AccountByID(ctx context.Context, id int64) (Account, error) {
	a, err := scanAccount(s.reader().queryRow(ctx, `SELECT `+accountColumns+` FROM accounts ac WHERE ac.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Account{}, fmt.Errorf("store: account %d: %w", id, err)
	}
	return a, nil
}

// AccountByEmail returns the account with this email, in any letter case,
// or ErrNotFound.
func (s *Store) AccountByEmail(ctx context.Context, email string) (Account, error) {
	email = NormalizeEmail(email)
	a, err := scanAccount(s.reader().queryRow(ctx, `SELECT `+accountColumns+` FROM accounts ac WHERE ac.email = ?`, email))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Account{}, fmt.Errorf("store: account %q: %w", email, err)
	}
	return a, nil
}

// AccountByAuthor returns the account linked to an author profile, or
// ErrNotFound for a guest author.
func (s *Store) AccountByAuthor(ctx context.Context, authorID int64) (Account, error) {
	a, err := scanAccount(s.reader().queryRow(ctx, `SELECT `+accountColumns+` FROM accounts ac WHERE ac.author_id = ?`, authorID))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Account{}, fmt.Errorf("store: account of author %d: %w", authorID, err)
	}
	return a, nil
}

// Accounts returns every account ordered by email.
func (s *Store) Accounts(ctx context.Context) ([]Account, error) {
	var accounts []Account
	err := s.reader().each(ctx, `SELECT `+accountColumns+` FROM accounts ac ORDER BY ac.email`, nil, func(rows *sql.Rows) error {
		a, err := scanAccount(rows)
		accounts = append(accounts, a)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: accounts: %w", err)
	}
	return accounts, nil
}

// CountAccounts returns how many accounts exist; none means first run.
func (s *Store) CountAccounts(ctx context.Context) (int, error) {
	var n int
	if err := s.reader().queryRow(ctx, `SELECT COUNT(*) FROM accounts`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count accounts: %w", err)
	}
	return n, nil
}

// CountOwners returns how many enabled owner accounts exist.
func (s *Store) CountOwners(ctx context.Context) (int, error) {
	var n int
	if err := s.reader().queryRow(ctx, `SELECT COUNT(*) FROM accounts WHERE role = ? AND disabled = ?`,
		string(RoleOwner), false).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count owners: %w", err)
	}
	return n, nil
}

// UpdateAccount stores a's email (lower-cased), role, author link and
// disabled flag; the password and creation time are left alone (see
// SetPasswordHash). A change that would leave no enabled owner is
// ErrLastOwner; a taken email or author profile is ErrConflict.
func (s *Store) UpdateAccount(ctx context.Context, a Account) error {
	a.Email = NormalizeEmail(a.Email)
	if err := checkAccount(&a); err != nil {
		return fmt.Errorf("store: update account %d: %w", a.ID, err)
	}
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		// Concurrent demotions of two owners take turns, so the second sees
		// the first and is refused.
		if err := r.lockAccounts(ctx); err != nil {
			return err
		}
		var oldRole string
		var oldDisabled bool
		err := r.queryRow(ctx, `SELECT role, disabled FROM accounts WHERE id = ?`, a.ID).Scan(&oldRole, &oldDisabled)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if Role(oldRole) == RoleOwner && !oldDisabled && (a.Role != RoleOwner || a.Disabled) {
			if err := r.checkOtherOwner(ctx, a.ID); err != nil {
				return err
			}
		}
		if err := r.checkAccountRefs(ctx, a, a.ID); err != nil {
			return err
		}
		_, err = r.exec(ctx, `UPDATE accounts SET email = ?, role = ?, author_id = ?, disabled = ? WHERE id = ?`,
			a.Email, string(a.Role), nullID(a.AuthorID), a.Disabled, a.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: update account %d: %w", a.ID, conflict(err))
	}
	return nil
}

// checkOtherOwner returns ErrLastOwner unless an enabled owner other than
// id exists.
func (r runner) checkOtherOwner(ctx context.Context, id int64) error {
	var n int
	if err := r.queryRow(ctx, `SELECT COUNT(*) FROM accounts WHERE role = ? AND disabled = ? AND id <> ?`,
		string(RoleOwner), false, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return ErrLastOwner
	}
	return nil
}

// SetPasswordHash replaces an account's password hash.
func (s *Store) SetPasswordHash(ctx context.Context, id int64, hash string) error {
	err := s.InTx(ctx, func(tx *Store) error {
		res, err := tx.txRunner().exec(ctx, `UPDATE accounts SET password_hash = ? WHERE id = ?`, hash, id)
		if err != nil {
			return err
		}
		return mustAffect(res)
	})
	if err != nil {
		return fmt.Errorf("store: set password of account %d: %w", id, err)
	}
	return nil
}

// mustAffect turns an update or delete that found no row into ErrNotFound.
func mustAffect(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}
