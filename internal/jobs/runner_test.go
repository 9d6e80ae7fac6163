package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"masthead/internal/jobs"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

func TestBackoff(t *testing.T) {
	for _, tt := range []struct {
		attempts int
		want     time.Duration
	}{
		{0, 10 * time.Second}, {1, 10 * time.Second}, {2, 20 * time.Second}, {3, 40 * time.Second},
		{8, 1280 * time.Second}, {9, 2560 * time.Second}, {10, time.Hour}, {64, time.Hour}, {1 << 20, time.Hour},
	} {
		if got := jobs.Backoff(tt.attempts); got != tt.want {
			t.Errorf("Backoff(%d) = %v, want %v", tt.attempts, got, tt.want)
		}
	}
}

func TestRunRefusesWithoutHandlers(t *testing.T) {
	s := storetest.OpenSQLite(t)
	err := (&jobs.Runner{Store: s}).Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no handlers") {
		t.Errorf("Run without handlers = %v", err)
	}
	if err := (&jobs.Runner{}).Run(context.Background()); err == nil {
		t.Error("Run without a store succeeded")
	}
}

// TestJobSurvivesRestart enqueues a job and closes the database before any
// runner ran it, as a process that exits would; a runner started later on a
// new connection runs it.
func TestJobSurvivesRestart(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, opts store.Options) {
		ctx := context.Background()
		first := openDB(t, opts)
		// A first runner is running, but for other kinds only.
		stopFirst := start(t, &jobs.Runner{Store: first, Now: newClock(t0).Now,
			Handlers: map[string]jobs.Handler{"other": func(context.Context, []byte) error { return nil }}})
		j := store.Job{Kind: "greet", Payload: json.RawMessage(`{"name":"Ann"}`), RunAt: t0.Add(-time.Hour)}
		if err := first.EnqueueJob(ctx, &j); err != nil {
			t.Fatal(err)
		}
		stopFirst()
		if err := first.Close(); err != nil {
			t.Fatal(err)
		}

		second := openDB(t, opts)
		got := make(chan string, 1)
		start(t, &jobs.Runner{Store: second, Now: newClock(t0).Now, PollInterval: time.Hour,
			Handlers: map[string]jobs.Handler{"greet": func(_ context.Context, payload []byte) error {
				got <- string(payload)
				return nil
			}}})
		// No Wake: a starting runner looks for due jobs at once.
		if p := <-got; p != `{"name":"Ann"}` {
			t.Errorf("payload = %s", p)
		}
		waitFor(t, "the job to be done", func() bool { return jobState(t, second, j.ID).Status == store.JobDone })
	})
}

func TestRetryWithBackoffThenFail(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clk := newClock(t0)
		var calls atomic.Int32
		r := &jobs.Runner{Store: s, Now: clk.Now, PollInterval: time.Hour,
			Handlers: map[string]jobs.Handler{"flaky": func(context.Context, []byte) error {
				return fmt.Errorf("upstream timeout %d", calls.Add(1))
			}}}
		start(t, r)
		j := store.Job{Kind: "flaky", RunAt: t0, MaxAttempts: 3}
		if err := s.EnqueueJob(ctx, &j); err != nil {
			t.Fatal(err)
		}
		r.Wake()

		for attempt, wait := range []time.Duration{10 * time.Second, 20 * time.Second} {
			attempt++
			var got store.Job
			waitFor(t, fmt.Sprintf("failed attempt %d", attempt), func() bool {
				got = jobState(t, s, j.ID)
				return got.Attempts == attempt && got.Status == store.JobPending
			})
			if want := clk.Now().Add(wait); !got.RunAt.Equal(want) {
				t.Errorf("after attempt %d the job runs at %v, want %v (backoff %v)", attempt, got.RunAt, want, wait)
			}
			if want := fmt.Sprintf("upstream timeout %d", attempt); got.LastError != want {
				t.Errorf("LastError after attempt %d = %q, want %q", attempt, got.LastError, want)
			}
			clk.Advance(wait)
			r.Wake()
		}
		var got store.Job
		waitFor(t, "the job to fail for good", func() bool {
			got = jobState(t, s, j.ID)
			return got.Status == store.JobFailed
		})
		if got.Attempts != 3 || got.LastError != "upstream timeout 3" {
			t.Errorf("failed job: %+v", got)
		}
		if n := calls.Load(); n != 3 {
			t.Errorf("handler called %d times, want 3", n)
		}
	})
}

func TestPermanentAndPanic(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := &jobs.Runner{Store: s, Now: newClock(t0).Now, PollInterval: time.Hour,
			Handlers: map[string]jobs.Handler{
				"bad":   func(context.Context, []byte) error { return jobs.Permanent(errors.New("unreadable payload")) },
				"panic": func(context.Context, []byte) error { panic("nil map") },
				"fine":  func(context.Context, []byte) error { return nil },
			}}
		start(t, r)
		bad := store.Job{Kind: "bad", RunAt: t0}
		panicky := store.Job{Kind: "panic", RunAt: t0, MaxAttempts: 1}
		fine := store.Job{Kind: "fine", RunAt: t0}
		for _, j := range []*store.Job{&bad, &panicky, &fine} {
			if err := s.EnqueueJob(ctx, j); err != nil {
				t.Fatal(err)
			}
		}
		r.Wake()
		waitFor(t, "all three jobs to finish", func() bool {
			return jobState(t, s, bad.ID).Status == store.JobFailed &&
				jobState(t, s, panicky.ID).Status == store.JobFailed &&
				jobState(t, s, fine.ID).Status == store.JobDone
		})
		if got := jobState(t, s, bad.ID); got.Attempts != 1 || got.LastError != "unreadable payload" {
			t.Errorf("permanent failure after one attempt: %+v", got)
		}
		if got := jobState(t, s, panicky.ID); !strings.HasPrefix(got.LastError, "panic: nil map") {
			t.Errorf("panic recorded as %q", got.LastError)
		}
	})
}

// TestExpiredLeaseRunsAgain: a runner died holding a job; once its lease
// has passed, another runner runs it.
func TestExpiredLeaseRunsAgain(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		j := store.Job{Kind: "k", RunAt: t0}
		if err := s.EnqueueJob(ctx, &j); err != nil {
			t.Fatal(err)
		}
		dead, err := s.ClaimJob(ctx, t0, 2*time.Minute, "k")
		if err != nil {
			t.Fatal(err)
		}
		ran := make(chan struct{}, 1)
		start(t, &jobs.Runner{Store: s, Now: newClock(t0.Add(2*time.Minute + time.Second)).Now, PollInterval: time.Hour,
			Handlers: map[string]jobs.Handler{"k": func(context.Context, []byte) error { ran <- struct{}{}; return nil }}})
		<-ran
		waitFor(t, "the job to be done", func() bool { return jobState(t, s, j.ID).Status == store.JobDone })
		if got := jobState(t, s, j.ID); got.Attempts != 2 {
			t.Errorf("attempts = %d, want 2 (the dead runner's and this one)", got.Attempts)
		}
		if err := s.CompleteJob(ctx, dead); !errors.Is(err, store.ErrConflict) {
			t.Errorf("the dead runner's late CompleteJob = %v, want ErrConflict", err)
		}
	})
}

// TestStopGivesJobBack: a runner stopped while a handler runs gives the job
// back without spending an attempt, and the next runner runs it.
func TestStopGivesJobBack(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		started := make(chan struct{})
		r := &jobs.Runner{Store: s, Now: newClock(t0).Now, PollInterval: time.Hour,
			Handlers: map[string]jobs.Handler{"slow": func(ctx context.Context, _ []byte) error {
				close(started)
				<-ctx.Done()
				return ctx.Err()
			}}}
		stop := start(t, r)
		j := store.Job{Kind: "slow", RunAt: t0, MaxAttempts: 1}
		if err := s.EnqueueJob(ctx, &j); err != nil {
			t.Fatal(err)
		}
		r.Wake()
		<-started
		stop()
		got := jobState(t, s, j.ID)
		if got.Status != store.JobPending || got.Attempts != 0 || got.LastError != "" {
			t.Fatalf("job after stopping: %+v", got)
		}
		done := make(chan struct{}, 1)
		start(t, &jobs.Runner{Store: s, Now: newClock(t0).Now, PollInterval: time.Hour,
			Handlers: map[string]jobs.Handler{"slow": func(context.Context, []byte) error { done <- struct{}{}; return nil }}})
		<-done
		waitFor(t, "the job to be done", func() bool { return jobState(t, s, j.ID).Status == store.JobDone })
	})
}

// TestTwoRunnersRunEachJobOnce runs two runners with several workers each
// and checks that every job ran exactly once. On PostgreSQL they use two
// connection pools, as two nodes would; on SQLite, which one process
// serves, they share the store.
func TestTwoRunnersRunEachJobOnce(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, opts store.Options) {
		ctx := context.Background()
		nodes := []*store.Store{openDB(t, opts)}
		if opts.DatabaseURL != "" {
			nodes = append(nodes, openDB(t, opts))
		} else {
			nodes = append(nodes, nodes[0])
		}
		const n = 60
		var mu sync.Mutex
		runs := map[int]int{}
		handler := func(_ context.Context, payload []byte) error {
			var p struct{ N int }
			if err := json.Unmarshal(payload, &p); err != nil {
				return jobs.Permanent(err)
			}
			mu.Lock()
			runs[p.N]++
			mu.Unlock()
			return nil
		}
		var runners []*jobs.Runner
		for _, s := range nodes {
			r := &jobs.Runner{Store: s, Workers: 3, PollInterval: time.Hour, Handlers: map[string]jobs.Handler{"count": handler}}
			start(t, r)
			runners = append(runners, r)
		}
		var ids []int64
		for i := range n {
			j := store.Job{Kind: "count", Payload: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))}
			if err := nodes[i%2].EnqueueJob(ctx, &j); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, j.ID)
			runners[i%2].Wake()
			runners[(i+1)%2].Wake()
		}
		waitFor(t, "every job to be done", func() bool {
			page, err := nodes[0].Jobs(ctx, store.JobFilter{Statuses: []store.JobStatus{store.JobDone}})
			if err != nil {
				t.Fatal(err)
			}
			return page.Total == n
		})
		mu.Lock()
		defer mu.Unlock()
		if len(runs) != n {
			t.Errorf("%d distinct jobs ran, want %d", len(runs), n)
		}
		for i, c := range runs {
			if c != 1 {
				t.Errorf("job %d ran %d times", i, c)
			}
		}
		for _, id := range ids {
			if got := jobState(t, nodes[1], id); got.Attempts != 1 {
				t.Errorf("job %d took %d attempts", id, got.Attempts)
			}
		}
	})
}
