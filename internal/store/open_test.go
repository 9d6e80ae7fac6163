package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// forEachEmpty runs fn with options for an empty database of each
// configured dialect.
func forEachEmpty(t *testing.T, fn func(t *testing.T, opts store.Options)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, storetest.SQLiteOptions(t))
	})
	if os.Getenv(storetest.EnvPostgres) != "" {
		t.Run("postgres", func(t *testing.T) {
			t.Parallel()
			fn(t, store.Options{DatabaseURL: storetest.PostgresURL(t)})
		})
	}
}

func openEmpty(t *testing.T, opts store.Options) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestOpenDialect(t *testing.T) {
	t.Parallel()
	forEachEmpty(t, func(t *testing.T, opts store.Options) {
		s := openEmpty(t, opts)
		want := "sqlite"
		if opts.DatabaseURL != "" {
			want = "postgres"
		}
		if got := s.Dialect(); got != want {
			t.Errorf("Dialect() = %q, want %q", got, want)
		}
		if err := s.Ping(context.Background()); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, []byte(strings.Repeat("not a database\n", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		opts      store.Options
		want      string // in the error message
		forbidden string // never in the error message
	}{
		{
			name: "postgres unreachable",
			// Port 1 refuses connections at once.
			opts:      store.Options{DatabaseURL: "postgres://masthead:s3cret-pw@127.0.0.1:1/masthead?sslmode=disable&connect_timeout=5"},
			want:      "store: connect to postgres: ",
			forbidden: "s3cret-pw",
		},
		{
			name:      "postgresql scheme, bad URL",
			opts:      store.Options{DatabaseURL: "postgresql://masthead:s3cret-pw@127.0.0.1:notaport/masthead"},
			want:      "store: connect to postgres: ",
			forbidden: "s3cret-pw",
		},
		{
			name:      "unknown scheme",
			opts:      store.Options{DatabaseURL: "mysql://root:s3cret-pw@localhost/masthead"},
			want:      "must start with postgres://",
			forbidden: "s3cret-pw",
		},
		{
			name: "sqlite directory missing",
			opts: store.Options{SQLitePath: filepath.Join(dir, "missing", "masthead.db")},
			want: "directory " + filepath.Join(dir, "missing") + " does not exist",
		},
		{
			name: "sqlite no path",
			opts: store.Options{},
			want: "no database file",
		},
		{
			name: "sqlite in memory",
			opts: store.Options{SQLitePath: ":memory:"},
			want: "not a file path",
		},
		{
			name: "sqlite not a database",
			opts: store.Options{SQLitePath: notDB},
			want: "store: open sqlite " + notDB,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			s, err := store.Open(ctx, tt.opts)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if tt.forbidden != "" && strings.Contains(err.Error(), tt.forbidden) {
				t.Errorf("error %q shows %q", err, tt.forbidden)
			}
		})
	}
}

func TestSQLiteFileWithSpecialCharacters(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "odd dir?#%")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "site.db")
	s := openEmpty(t, store.Options{SQLitePath: path})
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database file not where asked: %v", err)
	}
}

func TestSQLitePragmas(t *testing.T) {
	t.Parallel()
	s := storetest.OpenSQLite(t)
	ctx := context.Background()
	for _, tt := range []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
		{"synchronous", "1"}, // NORMAL
	} {
		var got string
		if err := s.QueryRowForTest(ctx, "PRAGMA "+tt.pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", tt.pragma, err)
		}
		if got != tt.want {
			t.Errorf("PRAGMA %s = %q, want %q", tt.pragma, got, tt.want)
		}
	}
}
