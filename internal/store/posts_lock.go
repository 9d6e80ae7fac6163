package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"masthead/internal/content"
)

// LockPost reads a post, complete, and keeps other transactions from
// changing it until this one ends, so that what the caller checks against
// the post still holds when it writes. It must be called on the Store of an
// InTx function; a missing post is ErrNotFound.
//
// On PostgreSQL, where READ COMMITTED lets two transactions read the same
// row and both write, it takes the row locks first and reads afterwards, so
// the read sees every change committed before the lock was granted. The
// content_version row is locked before the post because every writer of
// readers' content takes that row first (bumpContentVersion); taking the
// post first would let two writers wait for each other. On SQLite the
// transaction already holds the database's single write lock from BEGIN
// IMMEDIATE, so a plain read is enough.
func (s *Store) LockPost(ctx context.Context, id int64) (content.Post, error) {
	if s.tx == nil {
		return content.Post{}, fmt.Errorf("store: lock post %d: %w", id, errNotInTx)
	}
	if s.db.dialect == dialectPostgres {
		r := s.txRunner()
		if _, err := r.exec(ctx, `SELECT version FROM content_version WHERE id = 1 FOR UPDATE`); err != nil {
			return content.Post{}, fmt.Errorf("store: lock post %d: %w", id, err)
		}
		var locked int64
		err := r.queryRow(ctx, `SELECT id FROM posts WHERE id = ? FOR UPDATE`, id).Scan(&locked)
		if errors.Is(err, sql.ErrNoRows) {
			return content.Post{}, fmt.Errorf("store: lock post %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return content.Post{}, fmt.Errorf("store: lock post %d: %w", id, err)
		}
	}
	p, err := s.post(ctx, `p.id = ?`, id)
	if err != nil {
		return p, fmt.Errorf("store: lock post %d: %w", id, err)
	}
	return p, nil
}

// errNotInTx refuses a call that only makes sense inside a transaction.
var errNotInTx = errors.New("not in a transaction")
