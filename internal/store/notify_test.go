package store_test

import (
	"context"
	"database/sql"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

func TestWatchContentUnsupportedOnSQLite(t *testing.T) {
	t.Parallel()
	s := storetest.OpenSQLite(t)
	err := s.WatchContent(context.Background(), store.ContentWatch{Changed: func() {}})
	if !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("WatchContent on SQLite = %v, want ErrUnsupported", err)
	}
}

// TestWatchContent checks that a committed change reaches the listener,
// and that the listener comes back by itself after its backend is
// terminated, as after a database restart.
func TestWatchContent(t *testing.T) {
	t.Parallel()
	dsn := storetest.PostgresURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := store.Open(ctx, store.Options{DatabaseURL: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()

	changed := make(chan int64, 100)
	var lost atomic.Int32
	wctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- s.WatchContent(wctx, store.ContentWatch{
			Changed: func() {
				v, err := s.ContentVersion(ctx)
				if err != nil {
					t.Errorf("ContentVersion: %v", err)
				}
				changed <- v
			},
			Lost: func(error) { lost.Add(1) },
		})
	}()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("WatchContent returned %v", err)
		}
	}()

	// waitVersion waits for a change that shows at least version v.
	waitVersion := func(what string, v int64) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case got := <-changed:
				if got >= v {
					return
				}
			case <-deadline:
				t.Fatalf("%s: no change notified showing version %d", what, v)
			}
		}
	}
	before, err := s.ContentVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	waitVersion("first listen", before)

	// A rolled-back change announces nothing; the committed one after it does.
	rollback := errors.New("roll back")
	if err := s.InTx(ctx, func(tx *store.Store) error {
		tag := content.Tag{Slug: "gone", Name: "Gone"}
		if err := tx.SaveTag(ctx, &tag); err != nil {
			return err
		}
		return rollback
	}); !errors.Is(err, rollback) {
		t.Fatalf("InTx = %v", err)
	}
	tag := content.Tag{Slug: "economy", Name: "Economy"}
	if err := s.SaveTag(ctx, &tag); err != nil {
		t.Fatal(err)
	}
	after, err := s.ContentVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after <= before {
		t.Fatalf("content version %d did not move past %d", after, before)
	}
	select {
	case got := <-changed:
		if got != after {
			t.Fatalf("first change after the rollback shows version %d, want %d", got, after)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("committed change: not notified")
	}

	// Terminate the listening backend, as a restart would.
	var channel string
	if err := admin.QueryRowContext(ctx, `SELECT 'masthead_content_' || left(md5(current_schema()), 16)`).Scan(&channel); err != nil {
		t.Fatal(err)
	}
	var killed int
	if err := admin.QueryRowContext(ctx, `SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE query = $1 AND pid <> pg_backend_pid()`, `LISTEN "`+channel+`"`).Scan(&killed); err != nil {
		t.Fatal(err)
	}
	if killed != 1 {
		t.Fatalf("terminated %d listening backends, want 1", killed)
	}
	// Listening again announces a change (some may have been missed).
	waitVersion("listen again", after)
	if lost.Load() == 0 {
		t.Error("Lost was not called when the backend was terminated")
	}
	tag2 := content.Tag{Slug: "climate", Name: "Climate"}
	if err := s.SaveTag(ctx, &tag2); err != nil {
		t.Fatal(err)
	}
	again, err := s.ContentVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	waitVersion("change after reconnecting", again)
}
