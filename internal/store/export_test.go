package store

import (
	"context"
	"database/sql"
)

// ExecForTest runs a statement on the writer, outside the API, so tests can
// set up states the API never makes (an old renderer's HTML, a newer schema).
func (s *Store) ExecForTest(ctx context.Context, query string, args ...any) error {
	r := runner{q: s.db.writer, dialect: s.db.dialect}
	_, err := r.exec(ctx, query, args...)
	return err
}

// QueryRowForTest reads one row through the writer, which always sees the
// latest committed state.
func (s *Store) QueryRowForTest(ctx context.Context, query string, args ...any) *sql.Row {
	r := runner{q: s.db.writer, dialect: s.db.dialect}
	return r.queryRow(ctx, query, args...)
}
