package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"masthead/internal/store"
)

// waitFor polls cond until it holds, failing the test after ten seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitingOnLock reports whether, on PostgreSQL, a session waits for a lock
// in a statement starting with prefix. SQLite writers queue in Go, where the
// database cannot see them; there it reports false.
func waitingOnLock(t *testing.T, s *store.Store, prefix string) bool {
	t.Helper()
	if s.Dialect() != "postgres" {
		return false
	}
	var n int
	err := s.QueryRowForTest(context.Background(), `SELECT COUNT(*) FROM pg_stat_activity
		WHERE wait_event_type = 'Lock' AND query LIKE $1`, strings.ReplaceAll(prefix, "%", `\%`)+"%").Scan(&n)
	if err != nil {
		t.Fatalf("reading pg_stat_activity: %v", err)
	}
	return n > 0
}
