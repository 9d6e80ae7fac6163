// Package storetest opens migrated stores for tests: a SQLite file in the
// test's temporary directory, or a fresh schema on the PostgreSQL server
// named by MASTHEAD_TEST_POSTGRES.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"masthead/internal/store"
)

// EnvPostgres names the environment variable holding a PostgreSQL URL, such
// as postgres://postgres@127.0.0.1:5432/test?sslmode=disable. When it is
// set, tests also run against PostgreSQL.
const EnvPostgres = "MASTHEAD_TEST_POSTGRES"

// Open returns a migrated store that is closed when the test ends: on
// PostgreSQL in a schema of its own when MASTHEAD_TEST_POSTGRES is set, on
// a new SQLite file otherwise.
func Open(t testing.TB) *store.Store {
	t.Helper()
	if os.Getenv(EnvPostgres) != "" {
		return OpenPostgres(t)
	}
	return OpenSQLite(t)
}

// OpenSQLite returns a migrated store on a new SQLite file in t.TempDir().
func OpenSQLite(t testing.TB) *store.Store {
	t.Helper()
	return open(t, SQLiteOptions(t))
}

// SQLiteOptions returns options for a new SQLite file in t.TempDir(), not
// yet created, for tests that open the store themselves.
func SQLiteOptions(t testing.TB) store.Options {
	t.Helper()
	return store.Options{SQLitePath: filepath.Join(t.TempDir(), "masthead.db")}
}

// OpenPostgres returns a migrated store in a fresh PostgreSQL schema that is
// dropped when the test ends. It skips the test when MASTHEAD_TEST_POSTGRES
// is not set.
func OpenPostgres(t testing.TB) *store.Store {
	t.Helper()
	return open(t, store.Options{DatabaseURL: PostgresURL(t)})
}

// PostgresURL creates a fresh, empty schema, drops it when the test ends,
// and returns a database URL whose search_path is that schema. It skips the
// test when MASTHEAD_TEST_POSTGRES is not set.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skipf("%s is not set; skipping the PostgreSQL test", EnvPostgres)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: %s is not a URL: %v", EnvPostgres, err)
	}
	var b [8]byte
	rand.Read(b[:])
	schema := "test_" + hex.EncodeToString(b[:])

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("storetest: open PostgreSQL: %v", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("storetest: create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		db, err := sql.Open("pgx", base)
		if err != nil {
			t.Errorf("storetest: open PostgreSQL: %v", err)
			return
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, `DROP SCHEMA IF EXISTS `+schema+` CASCADE`); err != nil {
			t.Errorf("storetest: drop schema %s: %v", schema, err)
		}
	})

	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// ForEachDialect runs fn as a subtest named "sqlite" on a new SQLite store,
// then as "postgres" on a fresh PostgreSQL schema when MASTHEAD_TEST_POSTGRES
// is set. Each store is migrated and closed when its subtest ends. fn may
// call t.Parallel.
func ForEachDialect(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		fn(t, OpenSQLite(t))
	})
	if os.Getenv(EnvPostgres) != "" {
		t.Run("postgres", func(t *testing.T) {
			fn(t, OpenPostgres(t))
		})
	}
}

func open(t testing.TB, opts store.Options) *store.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("storetest: %v", err)
		}
	})
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return s
}
