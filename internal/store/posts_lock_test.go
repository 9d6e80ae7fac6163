package store_test

import (
	"context"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
)

func TestLockPost(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ann := saveAuthor(t, s, "ann", "Ann")
		p := savePost(t, s, content.Post{Slug: "locked", Authors: []content.Author{ann}, PublishedAt: days(-1)})

		if _, err := s.LockPost(ctx, p.ID); err == nil {
			t.Fatal("LockPost outside a transaction: no error")
		}
		err := s.InTx(ctx, func(tx *store.Store) error {
			_, err := tx.LockPost(ctx, p.ID+1000)
			return err
		})
		wantErr(t, "LockPost of a missing post", err, store.ErrNotFound)

		var got content.Post
		if err := s.InTx(ctx, func(tx *store.Store) error {
			var err error
			got, err = tx.LockPost(ctx, p.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		want, err := s.PostByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "locked post", got, want)
	})
}

// TestLockPostWaits shows that a second transaction's LockPost waits for
// the first to end and then reads what it committed, not the state before.
func TestLockPostWaits(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		ann := saveAuthor(t, s, "ann", "Ann")
		p := savePost(t, s, content.Post{Slug: "contested", Authors: []content.Author{ann}, PublishedAt: days(-1)})

		second := make(chan content.Post, 1)
		errs := make(chan error, 2)
		err := s.InTx(ctx, func(tx *store.Store) error {
			first, err := tx.LockPost(ctx, p.ID)
			if err != nil {
				return err
			}
			go func() {
				errs <- s.InTx(ctx, func(tx2 *store.Store) error {
					q, err := tx2.LockPost(ctx, p.ID)
					second <- q
					return err
				})
			}()
			if err := waitBlocked(ctx, s); err != nil {
				return err
			}
			first.Title = "Changed under lock"
			return tx.SavePost(ctx, &first)
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		if got := (<-second).Title; got != "Changed under lock" {
			t.Fatalf("second LockPost read title %q, want the first transaction's", got)
		}
	})
}

// waitBlocked returns once another session waits for a lock held by the
// session that holds a lock on this schema's posts table. On SQLite the
// second transaction queues for the single writer connection in Go, before
// it can read anything, so there is nothing to wait for.
func waitBlocked(ctx context.Context, s *store.Store) error {
	if s.Dialect() != "postgres" {
		return nil
	}
	for {
		var n int
		err := s.QueryRowForTest(ctx, `SELECT count(*) FROM pg_stat_activity a WHERE EXISTS (
			SELECT 1 FROM pg_locks l WHERE l.relation = 'posts'::regclass AND l.granted
			AND l.pid = ANY(pg_blocking_pids(a.pid)))`).Scan(&n)
		if err != nil || n > 0 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}
