package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// AccountTokenKind says what a single-use link sent by email is for.
type AccountTokenKind string

// The kinds of account token.
const (
	// TokenInvite creates an account with Email and Role.
	TokenInvite AccountTokenKind = "invite"
	// TokenReset sets a new password for AccountID.
	TokenReset AccountTokenKind = "reset"
)

// AccountToken is an invitation or a password reset. A token can be used
// while UsedAt is zero and ExpiresAt has not passed; callers check that
// (see Usable) and MarkAccountTokenUsed makes the use stick exactly once.
type AccountToken struct {
	ID        int64
	Kind      AccountTokenKind
	TokenHash string // HashToken of the token in the link
	Email     string // lower-cased; the invitee, or the account's address when the reset was asked for
	Role      Role   // for invitations
	AccountID int64  // for resets; 0 for invitations
	CreatedBy int64  // who invited; 0 when nobody signed in asked for it
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero until used
}

// Usable reports whether the token may still be used at now.
func (t AccountToken) Usable(now time.Time) bool {
	return t.UsedAt.IsZero() && now.Before(t.ExpiresAt)
}

const accountTokenColumns = `k.id, k.kind, k.token_hash, k.email, k.role, k.account_id, k.created_by,
	k.created_at, k.expires_at, k.used_at`

func scanAccountToken(sc rowScanner) (AccountToken, error) {
	var t AccountToken
	var kind, role string
	var account, by sql.NullInt64
	err := sc.Scan(&t.ID, &kind, &t.TokenHash, &t.Email, &role, &account, &by,
		timeDest{&t.CreatedAt}, timeDest{&t.ExpiresAt}, timeDest{&t.UsedAt})
	t.Kind, t.Role, t.AccountID, t.CreatedBy = AccountTokenKind(kind), Role(role), account.Int64, by.Int64
	return t, err
}

// CreateAccountToken stores an invitation or a reset and sets its ID (and
// CreatedAt when zero). An invitation needs an email and a valid role; a
// reset needs an existing account.
func (s *Store) CreateAccountToken(ctx context.Context, t *AccountToken) error {
	tok := *t
	tok.Email = NormalizeEmail(tok.Email)
	if err := checkAccountToken(&tok); err != nil {
		return fmt.Errorf("store: create %s token: %w", tok.Kind, err)
	}
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		var refs []int64
		if tok.AccountID != 0 {
			refs = append(refs, tok.AccountID)
		}
		if tok.CreatedBy != 0 {
			refs = append(refs, tok.CreatedBy)
		}
		if err := r.checkExist(ctx, "accounts", "account", refs); err != nil {
			return err
		}
		return r.queryRow(ctx, `INSERT INTO account_tokens (kind, token_hash, email, role, account_id, created_by,
			created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			string(tok.Kind), tok.TokenHash, tok.Email, string(tok.Role), nullID(tok.AccountID), nullID(tok.CreatedBy),
			r.timeArg(tok.CreatedAt), r.timeArg(tok.ExpiresAt), r.timeArg(tok.UsedAt)).Scan(&tok.ID)
	})
	if err != nil {
		return fmt.Errorf("store: create %s token: %w", tok.Kind, conflict(err))
	}
	*t = tok
	return nil
}

func checkAccountToken(t *AccountToken) error {
	if err := checkTokenHash(t.TokenHash); err != nil {
		return err
	}
	switch t.Kind {
	case TokenInvite:
		if err := checkEmail(t.Email); err != nil {
			return err
		}
		if !t.Role.Valid() {
			return fmt.Errorf("unknown role %q: %w", t.Role, ErrInvalid)
		}
	case TokenReset:
		if t.AccountID == 0 {
			return fmt.Errorf("a reset needs an account: %w", ErrInvalid)
		}
		if t.Role != "" && !t.Role.Valid() {
			return fmt.Errorf("unknown role %q: %w", t.Role, ErrInvalid)
		}
	default:
		return fmt.Errorf("unknown kind %q: %w", t.Kind, ErrInvalid)
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = time.Now()
	}
	if t.ExpiresAt.IsZero() {
		return fmt.Errorf("no expiry time: %w", ErrInvalid)
	}
	if !validTime(t.CreatedAt) || !validTime(t.ExpiresAt) || !validTime(t.UsedAt) {
		return fmt.Errorf("time out of range: %w", ErrInvalid)
	}
	t.CreatedAt, t.ExpiresAt, t.UsedAt = normTime(t.CreatedAt), normTime(t.ExpiresAt), normTime(t.UsedAt)
	return nil
}

// AccountTokenByHash returns the invitation or reset with this hash, used
// or not, expired or not, or ErrNotFound.
func (s *Store) AccountTokenByHash(ctx context.Context, hash string) (AccountToken, error) {
	t, err := scanAccountToken(s.reader().queryRow(ctx, `SELECT `+accountTokenColumns+` FROM account_tokens k WHERE k.token_hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return AccountToken{}, fmt.Errorf("store: account token: %w", err)
	}
	return t, nil
}

// MarkAccountTokenUsed records that the token was used at. Of two
// concurrent uses exactly one succeeds: the other, and any use of a token
// already used, is ErrConflict. Call it in the transaction that acts on the
// token, so that a failure there leaves the token usable.
func (s *Store) MarkAccountTokenUsed(ctx context.Context, id int64, at time.Time) error {
	if at.IsZero() || !validTime(at) {
		return fmt.Errorf("store: use account token %d: time missing or out of range: %w", id, ErrInvalid)
	}
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		res, err := r.exec(ctx, `UPDATE account_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL`, r.timeArg(at), id)
		if err != nil {
			return err
		}
		if err := mustAffect(res); !errors.Is(err, ErrNotFound) {
			return err
		}
		var n int
		if err := r.queryRow(ctx, `SELECT COUNT(*) FROM account_tokens WHERE id = ?`, id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		return fmt.Errorf("already used: %w", ErrConflict)
	})
	if err != nil {
		return fmt.Errorf("store: use account token %d: %w", id, err)
	}
	return nil
}

// PendingInvitations returns the invitations still usable at now, newest
// first.
func (s *Store) PendingInvitations(ctx context.Context, now time.Time) ([]AccountToken, error) {
	r := s.reader()
	var out []AccountToken
	err := r.each(ctx, `SELECT `+accountTokenColumns+` FROM account_tokens k
		WHERE k.kind = ? AND k.used_at IS NULL AND k.expires_at > ? ORDER BY k.id DESC`,
		[]any{string(TokenInvite), r.timeArg(now)}, func(rows *sql.Rows) error {
			t, err := scanAccountToken(rows)
			out = append(out, t)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("store: pending invitations: %w", err)
	}
	return out, nil
}

// DeleteAccountToken withdraws an invitation or a reset.
func (s *Store) DeleteAccountToken(ctx context.Context, id int64) error {
	err := s.InTx(ctx, func(tx *Store) error {
		res, err := tx.txRunner().exec(ctx, `DELETE FROM account_tokens WHERE id = ?`, id)
		if err != nil {
			return err
		}
		return mustAffect(res)
	})
	if err != nil {
		return fmt.Errorf("store: delete account token %d: %w", id, err)
	}
	return nil
}

// DeleteUnusedResets voids an account's unused password-reset links, as
// after its password changed, and returns how many.
func (s *Store) DeleteUnusedResets(ctx context.Context, accountID int64) (int64, error) {
	var n int64
	err := s.InTx(ctx, func(tx *Store) error {
		res, err := tx.txRunner().exec(ctx, `DELETE FROM account_tokens WHERE kind = ? AND account_id = ? AND used_at IS NULL`,
			string(TokenReset), accountID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: delete resets of account %d: %w", accountID, err)
	}
	return n, nil
}
