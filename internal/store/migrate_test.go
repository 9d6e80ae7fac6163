package store_test

import (
	"context"
	"strings"
	"testing"

	"masthead/internal/store"
)

func TestMigrate(t *testing.T) {
	t.Parallel()
	forEachEmpty(t, func(t *testing.T, opts store.Options) {
		ctx := context.Background()
		s := openEmpty(t, opts)

		current, known, err := s.SchemaVersion(ctx)
		if err != nil {
			t.Fatalf("SchemaVersion: %v", err)
		}
		if current != 0 || known < 1 {
			t.Fatalf("SchemaVersion before migrating = %d, %d; want 0 and at least 1", current, known)
		}
		err = s.CheckSchema(ctx)
		if err == nil || !strings.Contains(err.Error(), "run `masthead migrate`") {
			t.Errorf("CheckSchema before migrating = %v, want a hint to run masthead migrate", err)
		}

		n, err := s.Migrate(ctx)
		if err != nil {
			t.Fatalf("Migrate: %v", err)
		}
		if n != known {
			t.Errorf("Migrate applied %d migrations, want %d", n, known)
		}
		if err := s.CheckSchema(ctx); err != nil {
			t.Errorf("CheckSchema after migrating: %v", err)
		}
		if current, _, _ := s.SchemaVersion(ctx); current != known {
			t.Errorf("schema version after migrating = %d, want %d", current, known)
		}

		// Idempotent: nothing left to do, here or from another connection.
		if n, err := s.Migrate(ctx); err != nil || n != 0 {
			t.Errorf("second Migrate = %d, %v; want 0, nil", n, err)
		}
		other := openEmpty(t, opts)
		if n, err := other.Migrate(ctx); err != nil || n != 0 {
			t.Errorf("Migrate from a second store = %d, %v; want 0, nil", n, err)
		}

		var description string
		if err := s.QueryRowForTest(ctx, `SELECT description FROM schema_migrations WHERE version = 1`).Scan(&description); err != nil {
			t.Fatalf("reading schema_migrations: %v", err)
		}
		if description == "" {
			t.Error("migration 1 recorded without a description")
		}

		// The content version starts at a known value.
		if v := contentVersion(t, s); v != 1 {
			t.Errorf("ContentVersion on a new database = %d, want 1", v)
		}
	})
}

func TestNewerSchemaRefused(t *testing.T) {
	t.Parallel()
	forEachEmpty(t, func(t *testing.T, opts store.Options) {
		ctx := context.Background()
		s := openEmpty(t, opts)
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
		_, known, err := s.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// A newer binary has been here.
		if err := s.ExecForTest(ctx, `INSERT INTO schema_migrations (version, description, applied_at)
			SELECT MAX(version) + 1, 'from the future', MAX(applied_at) FROM schema_migrations`); err != nil {
			t.Fatal(err)
		}
		current, _, err := s.SchemaVersion(ctx)
		if err != nil || current != known+1 {
			t.Fatalf("SchemaVersion = %d, %v; want %d", current, err, known+1)
		}
		err = s.CheckSchema(ctx)
		if err == nil || !strings.Contains(err.Error(), "upgrade masthead") || !strings.Contains(err.Error(), "newer") {
			t.Errorf("CheckSchema on a newer schema = %v, want a hint to upgrade", err)
		}
		n, err := s.Migrate(ctx)
		if err == nil || !strings.Contains(err.Error(), "upgrade masthead") || n != 0 {
			t.Errorf("Migrate on a newer schema = %d, %v; want 0 and a hint to upgrade", n, err)
		}
	})
}

func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	forEachEmpty(t, func(t *testing.T, opts store.Options) {
		ctx := context.Background()
		// Two nodes start at once against the same empty database.
		stores := []*store.Store{openEmpty(t, opts), openEmpty(t, opts), openEmpty(t, opts)}
		type result struct {
			n   int
			err error
		}
		results := make(chan result, len(stores))
		for _, s := range stores {
			go func() {
				n, err := s.Migrate(ctx)
				results <- result{n, err}
			}()
		}
		total := 0
		for range stores {
			r := <-results
			if r.err != nil {
				t.Errorf("Migrate: %v", r.err)
			}
			total += r.n
		}
		_, known, _ := stores[0].SchemaVersion(ctx)
		if total != known {
			t.Errorf("migrations applied in all = %d, want %d (each exactly once)", total, known)
		}
		if err := stores[0].CheckSchema(ctx); err != nil {
			t.Error(err)
		}
	})
}
