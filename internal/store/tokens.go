package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// NewToken returns a secret for a session cookie, an API token or a link
// sent by email (32 random bytes, URL-safe), and the hash under which the
// store keeps it. Only the hash is ever stored.
func NewToken() (token, hash string, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", fmt.Errorf("store: new token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashToken(token), nil
}

// HashToken is the form in which a token is stored and looked up: the hex
// SHA-256 of the token. The tokens are random, so a fast hash suffices.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// checkTokenHash refuses anything but a HashToken result, so that a token
// itself is never stored by mistake.
func checkTokenHash(hash string) error {
	if len(hash) != 2*sha256.Size {
		return fmt.Errorf("token hash has %d characters, want %d (use HashToken): %w", len(hash), 2*sha256.Size, ErrInvalid)
	}
	for _, c := range []byte(hash) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return fmt.Errorf("token hash is not lower-case hex (use HashToken): %w", ErrInvalid)
		}
	}
	return nil
}

// APIToken is a personal token for the admin API. It acts with the role of
// its account.
type APIToken struct {
	ID         int64
	AccountID  int64
	Name       string // chosen by the owner, e.g. "import script"
	TokenHash  string // HashToken of the token
	CreatedAt  time.Time
	LastUsedAt time.Time // zero when never used
}

const apiTokenColumns = `t.id, t.account_id, t.name, t.token_hash, t.created_at, t.last_used_at`

func scanAPIToken(sc rowScanner, suffix ...any) (APIToken, error) {
	var t APIToken
	err := sc.Scan(append([]any{&t.ID, &t.AccountID, &t.Name, &t.TokenHash, timeDest{&t.CreatedAt}, timeDest{&t.LastUsedAt}}, suffix...)...)
	return t, err
}

// CreateAPIToken inserts t and sets its ID (and CreatedAt when zero). A
// missing account is ErrInvalid.
func (s *Store) CreateAPIToken(ctx context.Context, t *APIToken) error {
	tok := *t
	if err := checkTokenHash(tok.TokenHash); err != nil {
		return fmt.Errorf("store: create API token: %w", err)
	}
	if tok.CreatedAt.IsZero() {
		tok.CreatedAt = time.Now()
	}
	if !validTime(tok.CreatedAt) || !validTime(tok.LastUsedAt) {
		return fmt.Errorf("store: create API token: time out of range: %w", ErrInvalid)
	}
	tok.CreatedAt, tok.LastUsedAt = normTime(tok.CreatedAt), normTime(tok.LastUsedAt)
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		if err := r.checkExist(ctx, "accounts", "account", []int64{tok.AccountID}); err != nil {
			return err
		}
		return r.queryRow(ctx, `INSERT INTO api_tokens (account_id, name, token_hash, created_at, last_used_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`,
			tok.AccountID, tok.Name, tok.TokenHash, r.timeArg(tok.CreatedAt), r.timeArg(tok.LastUsedAt)).Scan(&tok.ID)
	})
	if err != nil {
		return fmt.Errorf("store: create API token %q: %w", tok.Name, conflict(err))
	}
	*t = tok
	return nil
}

// APITokenByHash returns the token with this hash and its account, or
// ErrNotFound. Callers refuse tokens of disabled accounts.
func (s *Store) APITokenByHash(ctx context.Context, hash string) (APIToken, Account, error) {
	var a Account
	row := s.reader().queryRow(ctx, `SELECT `+apiTokenColumns+`, `+accountColumns+`
		FROM api_tokens t JOIN accounts ac ON ac.id = t.account_id WHERE t.token_hash = ?`, hash)
	var role string
	var author sql.NullInt64
	t, err := scanAPIToken(row, &a.ID, &a.Email, &a.PasswordHash, &role, &author, &a.Disabled, timeDest{&a.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return APIToken{}, Account{}, fmt.Errorf("store: API token: %w", err)
	}
	a.Role, a.AuthorID = Role(role), author.Int64
	return t, a, nil
}

// APITokens returns an account's tokens, newest first.
func (s *Store) APITokens(ctx context.Context, accountID int64) ([]APIToken, error) {
	var tokens []APIToken
	err := s.reader().each(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens t WHERE t.account_id = ? ORDER BY t.id DESC`,
		[]any{accountID}, func(rows *sql.Rows) error {
			t, err := scanAPIToken(rows)
			tokens = append(tokens, t)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("store: API tokens of account %d: %w", accountID, err)
	}
	return tokens, nil
}

// TouchAPIToken records that a token was used at.
func (s *Store) TouchAPIToken(ctx context.Context, id int64, at time.Time) error {
	if !validTime(at) {
		return fmt.Errorf("store: touch API token %d: time out of range: %w", id, ErrInvalid)
	}
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		res, err := r.exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, r.timeArg(at), id)
		if err != nil {
			return err
		}
		return mustAffect(res)
	})
	if err != nil {
		return fmt.Errorf("store: touch API token %d: %w", id, err)
	}
	return nil
}

// DeleteAPIToken revokes the token id of the account accountID; a token
// that does not exist or belongs to another account is ErrNotFound.
func (s *Store) DeleteAPIToken(ctx context.Context, accountID, id int64) error {
	err := s.InTx(ctx, func(tx *Store) error {
		res, err := tx.txRunner().exec(ctx, `DELETE FROM api_tokens WHERE id = ? AND account_id = ?`, id, accountID)
		if err != nil {
			return err
		}
		return mustAffect(res)
	})
	if err != nil {
		return fmt.Errorf("store: delete API token %d: %w", id, err)
	}
	return nil
}
