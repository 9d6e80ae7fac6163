package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Session is a signed-in browser. The browser holds a random token; the
// store keeps only its hash.
type Session struct {
	TokenHash  string // HashToken of the cookie's token
	AccountID  int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	UserAgent  string
	IP         string
}

// Expired reports whether the session has ended at now.
func (s Session) Expired(now time.Time) bool { return !now.Before(s.ExpiresAt) }

const sessionColumns = `se.token_hash, se.account_id, se.created_at, se.last_seen_at, se.expires_at, se.user_agent, se.ip`

func scanSession(sc rowScanner, suffix ...any) (Session, error) {
	var se Session
	err := sc.Scan(append([]any{&se.TokenHash, &se.AccountID, timeDest{&se.CreatedAt}, timeDest{&se.LastSeenAt},
		timeDest{&se.ExpiresAt}, &se.UserAgent, &se.IP}, suffix...)...)
	return se, err
}

// CreateSession stores se. CreatedAt and LastSeenAt default to now;
// ExpiresAt is required. A missing account is ErrInvalid.
func (s *Store) CreateSession(ctx context.Context, se *Session) error {
	sess := *se
	if err := checkTokenHash(sess.TokenHash); err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	now := time.Now()
	if sess.CreatedAt.IsZero() {
		sess.CreatedAt = now
	}
	if sess.LastSeenAt.IsZero() {
		sess.LastSeenAt = sess.CreatedAt
	}
	if sess.ExpiresAt.IsZero() {
		return fmt.Errorf("store: create session: no expiry time: %w", ErrInvalid)
	}
	if !validTime(sess.CreatedAt) || !validTime(sess.LastSeenAt) || !validTime(sess.ExpiresAt) {
		return fmt.Errorf("store: create session: time out of range: %w", ErrInvalid)
	}
	sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt = normTime(sess.CreatedAt), normTime(sess.LastSeenAt), normTime(sess.ExpiresAt)
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		if err := r.checkExist(ctx, "accounts", "account", []int64{sess.AccountID}); err != nil {
			return err
		}
		_, err := r.exec(ctx, `INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at, expires_at, user_agent, ip)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
			sess.TokenHash, sess.AccountID, r.timeArg(sess.CreatedAt), r.timeArg(sess.LastSeenAt), r.timeArg(sess.ExpiresAt),
			sess.UserAgent, sess.IP)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: create session: %w", conflict(err))
	}
	*se = sess
	return nil
}

// SessionByTokenHash returns the session with this hash and its account, or
// ErrNotFound. It does not judge: callers refuse expired sessions (see
// Session.Expired) and disabled accounts.
func (s *Store) SessionByTokenHash(ctx context.Context, hash string) (Session, Account, error) {
	var a Account
	var role string
	var author sql.NullInt64
	row := s.reader().queryRow(ctx, `SELECT `+sessionColumns+`, `+accountColumns+`
		FROM sessions se JOIN accounts ac ON ac.id = se.account_id WHERE se.token_hash = ?`, hash)
	se, err := scanSession(row, &a.ID, &a.Email, &a.PasswordHash, &role, &author, &a.Disabled, timeDest{&a.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Session{}, Account{}, fmt.Errorf("store: session: %w", err)
	}
	a.Role, a.AuthorID = Role(role), author.Int64
	return se, a, nil
}

// Sessions returns an account's sessions, most recently seen first.
func (s *Store) Sessions(ctx context.Context, accountID int64) ([]Session, error) {
	var out []Session
	err := s.reader().each(ctx, `SELECT `+sessionColumns+` FROM sessions se WHERE se.account_id = ?
		ORDER BY se.last_seen_at DESC, se.created_at DESC`, []any{accountID}, func(rows *sql.Rows) error {
		se, err := scanSession(rows)
		out = append(out, se)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: sessions of account %d: %w", accountID, err)
	}
	return out, nil
}

// TouchSession records activity on a session and moves its expiry (a
// sliding session).
func (s *Store) TouchSession(ctx context.Context, hash string, lastSeen, expires time.Time) error {
	if lastSeen.IsZero() || expires.IsZero() || !validTime(lastSeen) || !validTime(expires) {
		return fmt.Errorf("store: touch session: time missing or out of range: %w", ErrInvalid)
	}
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		res, err := r.exec(ctx, `UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE token_hash = ?`,
			r.timeArg(lastSeen), r.timeArg(expires), hash)
		if err != nil {
			return err
		}
		return mustAffect(res)
	})
	if err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

// DeleteSession signs one session out. Deleting a session that does not
// exist is not an error: signing out twice is fine.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	err := s.InTx(ctx, func(tx *Store) error {
		_, err := tx.txRunner().exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hash)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteAccountSessions signs an account out of every device except the
// session keepHash ("" keeps none), and returns how many it ended.
func (s *Store) DeleteAccountSessions(ctx context.Context, accountID int64, keepHash string) (int64, error) {
	var n int64
	err := s.InTx(ctx, func(tx *Store) error {
		res, err := tx.txRunner().exec(ctx, `DELETE FROM sessions WHERE account_id = ? AND token_hash <> ?`, accountID, keepHash)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: delete sessions of account %d: %w", accountID, err)
	}
	return n, nil
}

// DeleteExpiredSessions removes sessions that ended at or before now and
// returns how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		res, err := r.exec(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, r.timeArg(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	return n, nil
}
