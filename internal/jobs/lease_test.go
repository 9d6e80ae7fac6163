package jobs_test

import (
	"context"
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

// TestLongJobKeepsItsLease runs a job for three times a short lease while a
// second runner polls for due jobs: the first runner renews the lease, so
// the job runs once, in one attempt, and completes. On PostgreSQL the two
// runners use two connection pools, as two nodes would.
func TestLongJobKeepsItsLease(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, opts store.Options) {
		ctx := context.Background()
		const lease = 600 * time.Millisecond
		nodes := []*store.Store{openDB(t, opts)}
		if opts.DatabaseURL != "" {
			nodes = append(nodes, openDB(t, opts))
		} else {
			nodes = append(nodes, nodes[0])
		}
		var runs atomic.Int32
		problems := make(chan string, 10)
		var id atomic.Int64
		handler := func(ctx context.Context, _ []byte) error {
			runs.Add(1)
			start := time.Now()
			if dl, ok := ctx.Deadline(); !ok || dl.Sub(start) > lease {
				problems <- fmt.Sprintf("the handler's own context has deadline %v, %v; want one lease", dl, ok)
			}
			kept, cancel := jobs.KeepLease(ctx)
			defer cancel()
			if _, ok := kept.Deadline(); ok {
				problems <- "the context of KeepLease has a deadline"
			}
			first := jobState(t, nodes[0], id.Load()).LockedUntil
			// The work: three leases long.
			select {
			case <-kept.Done():
				problems <- fmt.Sprintf("the handler's context ended after %v: %v", time.Since(start), context.Cause(kept))
				return kept.Err()
			case <-time.After(3 * lease):
			}
			if got := jobState(t, nodes[0], id.Load()); !got.LockedUntil.After(first.Add(lease)) {
				problems <- fmt.Sprintf("after three leases the lease ends at %v; it was %v at the start", got.LockedUntil, first)
			}
			return nil
		}
		j := store.Job{Kind: "long", RunAt: time.Now().Add(-time.Second), MaxAttempts: 3}
		if err := nodes[0].EnqueueJob(ctx, &j); err != nil {
			t.Fatal(err)
		}
		id.Store(j.ID)
		for _, s := range nodes {
			start(t, &jobs.Runner{Store: s, Lease: lease, PollInterval: 20 * time.Millisecond,
				Handlers: map[string]jobs.Handler{"long": handler}})
		}
		waitFor(t, "the job to be done", func() bool { return jobState(t, nodes[0], j.ID).Status == store.JobDone })
		close(problems)
		for p := range problems {
			t.Error(p)
		}
		if n := runs.Load(); n != 1 {
			t.Errorf("the job ran %d times, want 1", n)
		}
		if got := jobState(t, nodes[0], j.ID); got.Attempts != 1 || got.LastError != "" {
			t.Errorf("job after the run: %+v", got)
		}
	})
}

// TestLostClaimStopsHandler: a runner whose renewal finds the job taken
// over by another runner ends its handler's context, with ErrClaimLost as
// the cause, and leaves the job to the runner that has it.
func TestLostClaimStopsHandler(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const lease = 300 * time.Millisecond
		started, causes := make(chan struct{}), make(chan error, 2)
		r := &jobs.Runner{Store: s, Lease: lease, PollInterval: time.Hour,
			Handlers: map[string]jobs.Handler{
				"kept": func(ctx context.Context, _ []byte) error {
					kept, cancel := jobs.KeepLease(ctx)
					defer cancel()
					close(started)
					<-kept.Done()
					causes <- context.Cause(kept)
					return kept.Err()
				},
			}}
		stop := start(t, r)
		j := store.Job{Kind: "kept", RunAt: time.Now(), MaxAttempts: 3}
		if err := s.EnqueueJob(ctx, &j); err != nil {
			t.Fatal(err)
		}
		r.Wake()
		<-started
		// Another node, whose clock says the lease has long passed, takes
		// the job over.
		thief, err := s.ClaimJob(ctx, time.Now().Add(time.Hour), time.Hour, "kept")
		if err != nil || thief.ID != j.ID {
			t.Fatalf("taking the job over: %+v, %v", thief, err)
		}
		select {
		case cause := <-causes:
			if !errors.Is(cause, jobs.ErrClaimLost) {
				t.Errorf("the handler's context ended with %v, want ErrClaimLost", cause)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("the handler's context did not end after its claim was taken")
		}
		stop()
		// The first runner recorded nothing: the job is the thief's.
		got := jobState(t, s, j.ID)
		if got.Status != store.JobRunning || !got.LockedUntil.Equal(thief.LockedUntil) || got.Attempts != 2 || got.LastError != "" {
			t.Errorf("job after the first runner stopped: %+v; the thief's claim: %+v", got, thief)
		}
		if err := s.CompleteJob(ctx, thief); err != nil {
			t.Errorf("the thief's CompleteJob: %v", err)
		}
	})
}

// TestReenqueuedJobStopsHandler: re-enqueueing a running job (as
// rescheduling a post does) takes the claim from its runner, whose handler
// stops at the next renewal; the job then runs again as enqueued.
func TestReenqueuedJobStopsHandler(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var calls atomic.Int32
		first, causes, again := make(chan struct{}), make(chan error, 1), make(chan struct{})
		r := &jobs.Runner{Store: s, Lease: 300 * time.Millisecond, PollInterval: time.Hour,
			Handlers: map[string]jobs.Handler{
				// Without KeepLease: renewals stop plain handlers too.
				"plain": func(ctx context.Context, _ []byte) error {
					if calls.Add(1) > 1 {
						close(again)
						return nil
					}
					close(first)
					<-ctx.Done()
					causes <- context.Cause(ctx)
					return ctx.Err()
				},
			}}
		start(t, r)
		j := store.Job{Kind: "plain", RunAt: time.Now(), UniqueKey: "plain:1"}
		if err := s.EnqueueJob(ctx, &j); err != nil {
			t.Fatal(err)
		}
		r.Wake()
		<-first
		again2 := store.Job{Kind: "plain", RunAt: time.Now(), UniqueKey: "plain:1"}
		if err := s.EnqueueJob(ctx, &again2); err != nil {
			t.Fatal(err)
		}
		if cause := <-causes; !errors.Is(cause, jobs.ErrClaimLost) {
			t.Errorf("the handler's context ended with %v, want ErrClaimLost", cause)
		}
		<-again
		waitFor(t, "the re-enqueued job to be done", func() bool {
			got := jobState(t, s, j.ID)
			return got.Status == store.JobDone && got.Attempts == 1 && got.LastError == ""
		})
	})
}

// TestOwnClaimIsAdopted: when a worker of the runner claims a job another
// of its workers is running (its lease ran out while the renewal could not
// be written), the running handler carries on under the new claim and the
// job does not run twice.
func TestOwnClaimIsAdopted(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clk := newClock(t0)
		var runs atomic.Int32
		started, release, ended := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		// With a lease of an hour no renewal comes during the test; the
		// fake clock makes the lease run out.
		r := &jobs.Runner{Store: s, Now: clk.Now, Lease: time.Hour, PollInterval: time.Hour, Workers: 2,
			Handlers: map[string]jobs.Handler{"long": func(ctx context.Context, _ []byte) error {
				runs.Add(1)
				kept, cancel := jobs.KeepLease(ctx)
				defer cancel()
				close(started)
				select {
				case <-kept.Done():
					ended <- context.Cause(kept)
					return kept.Err()
				case <-release:
					return nil
				}
			}}}
		start(t, r)
		j := store.Job{Kind: "long", RunAt: t0, MaxAttempts: 3}
		if err := s.EnqueueJob(ctx, &j); err != nil {
			t.Fatal(err)
		}
		r.Wake()
		<-started
		clk.Advance(2 * time.Hour)
		r.Wake()
		waitFor(t, "the second claim", func() bool { return jobState(t, s, j.ID).Attempts == 2 })
		close(release)
		waitFor(t, "the job to be done", func() bool { return jobState(t, s, j.ID).Status == store.JobDone })
		select {
		case cause := <-ended:
			t.Errorf("the handler's context ended: %v", cause)
		default:
		}
		if n := runs.Load(); n != 1 {
			t.Errorf("the job ran %d times, want 1", n)
		}
	})
}

// TestLapsedLeaseStopsHandler: when renewals fail until the lease has
// ended (the database is gone), the handler's context ends, as another
// node may have the job by then.
func TestLapsedLeaseStopsHandler(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, opts store.Options) {
		ctx := context.Background()
		s := openDB(t, opts)
		var mu sync.Mutex
		var cause error
		started, ended := make(chan struct{}), make(chan struct{})
		r := &jobs.Runner{Store: s, Lease: 300 * time.Millisecond, PollInterval: time.Hour,
			Handlers: map[string]jobs.Handler{"long": func(ctx context.Context, _ []byte) error {
				kept, cancel := jobs.KeepLease(ctx)
				defer cancel()
				close(started)
				<-kept.Done()
				mu.Lock()
				cause = context.Cause(kept)
				mu.Unlock()
				close(ended)
				return kept.Err()
			}}}
		start(t, r)
		j := store.Job{Kind: "long", RunAt: time.Now()}
		if err := s.EnqueueJob(ctx, &j); err != nil {
			t.Fatal(err)
		}
		r.Wake()
		<-started
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		select {
		case <-ended:
		case <-time.After(20 * time.Second):
			t.Fatal("the handler's context did not end when its lease could not be renewed")
		}
		mu.Lock()
		defer mu.Unlock()
		if cause == nil || !strings.Contains(cause.Error(), "could not be renewed") {
			t.Errorf("the handler's context ended with %v", cause)
		}
	})
}

// TestKeepLeaseOutsideRunner: a handler called directly, as tests do, gets
// a plain cancellable context.
func TestKeepLeaseOutsideRunner(t *testing.T) {
	parent, cancelParent := context.WithCancel(context.Background())
	kept, cancel := jobs.KeepLease(parent)
	defer cancel()
	cancelParent()
	select {
	case <-kept.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("outside a runner the context of KeepLease did not end with its parent")
	}
}
