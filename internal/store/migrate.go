package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"
)

// Migrations are plain SQL files, one list per dialect, named
// NNNN_name.sql with versions counting up from 1 and a first line
// "-- description". Both lists hold the same versions.
//
//go:embed migrations
var migrationFiles embed.FS

// migrationSteps complete migrations with work SQL cannot do, in the
// migration's transaction, by version.
var migrationSteps = map[int]func(ctx context.Context, r runner) error{
	3: backfillSearch, // index the posts written before search existed
}

type migration struct {
	version     int
	description string
	sql         string
}

// migrations returns the dialect's migrations in order.
func migrations(dialect string) ([]migration, error) {
	return loadMigrations(migrationFiles, path.Join("migrations", dialect))
}

func loadMigrations(fsys fs.FS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("store: read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("store: migration %s: name must be NNNN_name.sql", name)
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("store: migration %s: %w", name, err)
		}
		text := string(b)
		first, _, _ := strings.Cut(text, "\n")
		desc, ok := strings.CutPrefix(strings.TrimSpace(first), "--")
		desc = strings.TrimSpace(desc)
		if !ok || desc == "" {
			return nil, fmt.Errorf("store: migration %s: first line must be \"-- description\"", name)
		}
		ms = append(ms, migration{version: v, description: desc, sql: text})
	}
	// ReadDir sorts by name, and the names are zero-padded.
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("store: migrations in %s: expected version %d, found %d", dir, i+1, m.version)
		}
	}
	return ms, nil
}

// Migrate applies every pending migration, each in its own transaction, and
// returns how many it applied.
func (s *Store) Migrate(ctx context.Context) (int, error) {
	if s.tx != nil {
		return 0, errors.New("store: migrate cannot run inside a transaction")
	}
	ms, err := migrations(s.db.dialect)
	if err != nil {
		return 0, err
	}
	var current int
	if err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		if err := r.lockMigrations(ctx); err != nil {
			return err
		}
		if _, err := r.exec(ctx, r.schemaMigrationsDDL()); err != nil {
			return err
		}
		return r.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current)
	}); err != nil {
		return 0, fmt.Errorf("store: migrate: read schema version: %w", err)
	}
	if current > len(ms) {
		return 0, newerSchemaError(current, len(ms))
	}

	applied := 0
	for _, m := range ms[current:] {
		did := false
		err := s.InTx(ctx, func(tx *Store) error {
			r := tx.txRunner()
			// Other nodes may be migrating too: the lock queues them and the
			// check below skips what one of them has already done.
			if err := r.lockMigrations(ctx); err != nil {
				return err
			}
			var n int
			if err := r.queryRow(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			// Run as written: the file is not a query with placeholders.
			if _, err := r.q.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			if step := migrationSteps[m.version]; step != nil {
				if err := step(ctx, r); err != nil {
					return err
				}
			}
			if _, err := r.exec(ctx, `INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)`,
				m.version, m.description, r.timeArg(time.Now())); err != nil {
				return err
			}
			did = true
			return nil
		})
		if err != nil {
			return applied, fmt.Errorf("store: migration %d (%s): %w", m.version, m.description, err)
		}
		if did {
			applied++
		}
	}
	return applied, nil
}

// lockMigrations serializes migrations across PostgreSQL sessions, per
// schema; on SQLite the IMMEDIATE transaction already does.
func (r runner) lockMigrations(ctx context.Context) error {
	if r.dialect != dialectPostgres {
		return nil
	}
	_, err := r.exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('masthead migrate ' || current_schema()))`)
	return err
}

func (r runner) schemaMigrationsDDL() string {
	if r.dialect == dialectPostgres {
		return `CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER     PRIMARY KEY,
    description TEXT        NOT NULL,
    applied_at  TIMESTAMPTZ NOT NULL
)`
	}
	return `CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    description TEXT    NOT NULL,
    applied_at  TEXT    NOT NULL
)`
}

// SchemaVersion returns the database's schema version and the newest this
// binary knows.
func (s *Store) SchemaVersion(ctx context.Context) (current, known int, err error) {
	ms, err := migrations(s.db.dialect)
	if err != nil {
		return 0, 0, err
	}
	known = len(ms)
	r := s.reader()
	var exists bool
	if r.dialect == dialectPostgres {
		err = r.queryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists)
	} else {
		var n int
		err = r.queryRow(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n)
		exists = n > 0
	}
	if err != nil {
		return 0, known, fmt.Errorf("store: schema version: %w", err)
	}
	if !exists {
		return 0, known, nil
	}
	if err := r.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return 0, known, fmt.Errorf("store: schema version: %w", err)
	}
	return current, known, nil
}

// CheckSchema returns an error when the schema is older than this binary
// knows (run migrate) or newer (upgrade the binary).
func (s *Store) CheckSchema(ctx context.Context) error {
	current, known, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	switch {
	case current < known:
		return fmt.Errorf("store: database schema is at version %d, this binary needs %d: run `masthead migrate`", current, known)
	case current > known:
		return newerSchemaError(current, known)
	}
	return nil
}

func newerSchemaError(current, known int) error {
	return fmt.Errorf("store: database schema version %d is newer than this binary knows (%d): upgrade masthead", current, known)
}
