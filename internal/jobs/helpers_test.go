package jobs_test

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"masthead/internal/jobs"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// t0 is the tests' starting time on the fake clock.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is a time that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// forEachDB runs fn with the options of a new, empty database of each
// configured dialect, for tests that open it more than once.
func forEachDB(t *testing.T, fn func(t *testing.T, opts store.Options)) {
	t.Helper()
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

// openDB opens and migrates the database of opts; the store is closed when
// the test ends unless the test closes it first.
func openDB(t *testing.T, opts store.Options) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// testLogger writes the runner's log into the test's output.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(p))
	return len(p), nil
}

// start runs r until the returned stop is called or the test ends; stop
// waits for Run to return and fails the test if it returned an error.
func start(t *testing.T, r *jobs.Runner) (stop func()) {
	t.Helper()
	if r.Logger == nil {
		r.Logger = testLogger(t)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// waitFor polls cond until it holds, failing the test after 20 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// jobState reads a job, failing the test on error.
func jobState(t *testing.T, s *store.Store, id int64) store.Job {
	t.Helper()
	j, err := s.JobByID(context.Background(), id)
	if err != nil {
		t.Fatalf("JobByID(%d): %v", id, err)
	}
	return j
}
