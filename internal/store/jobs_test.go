package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"masthead/internal/store"
)

func enqueue(t *testing.T, s *store.Store, j store.Job) store.Job {
	t.Helper()
	if err := s.EnqueueJob(context.Background(), &j); err != nil {
		t.Fatalf("EnqueueJob(%s): %v", j.Kind, err)
	}
	return j
}

func claim(t *testing.T, s *store.Store, now time.Time, kinds ...string) store.Job {
	t.Helper()
	j, err := s.ClaimJob(context.Background(), now, time.Minute, kinds...)
	if err != nil {
		t.Fatalf("ClaimJob at %v: %v", now, err)
	}
	return j
}

func noClaim(t *testing.T, s *store.Store, now time.Time, kinds ...string) {
	t.Helper()
	j, err := s.ClaimJob(context.Background(), now, time.Minute, kinds...)
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ClaimJob at %v = %+v, %v; want ErrNotFound", now, j, err)
	}
}

func TestJobLifecycle(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		noClaim(t, s, t0)
		if next, err := s.NextJobRunAt(ctx); err != nil || !next.IsZero() {
			t.Errorf("NextJobRunAt with no jobs = %v, %v; want zero", next, err)
		}

		j := enqueue(t, s, store.Job{Kind: "post.publish", Payload: json.RawMessage(`{"post_id": 42}`), RunAt: t0.Add(time.Hour)})
		if j.ID == 0 || j.Status != store.JobPending || j.MaxAttempts != store.DefaultMaxAttempts || j.Attempts != 0 {
			t.Errorf("after EnqueueJob: %+v", j)
		}
		got, err := s.JobByID(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "JobByID", got, j)
		if next, _ := s.NextJobRunAt(ctx); !next.Equal(t0.Add(time.Hour)) {
			t.Errorf("NextJobRunAt = %v, want %v", next, t0.Add(time.Hour))
		}

		// Not before its time.
		noClaim(t, s, t0.Add(59*time.Minute))
		c := claim(t, s, t0.Add(time.Hour))
		if c.ID != j.ID || c.Status != store.JobRunning || c.Attempts != 1 || !c.LockedUntil.Equal(t0.Add(61*time.Minute)) ||
			string(c.Payload) != `{"post_id": 42}` {
			t.Errorf("claimed: %+v", c)
		}
		// A running job is not claimed again while its lease holds…
		noClaim(t, s, t0.Add(time.Hour+30*time.Second))
		// …and NextJobRunAt says when the lease ends.
		if next, _ := s.NextJobRunAt(ctx); !next.Equal(c.LockedUntil) {
			t.Errorf("NextJobRunAt while running = %v, want the lease end %v", next, c.LockedUntil)
		}
		if err := s.CompleteJob(ctx, c); err != nil {
			t.Fatalf("CompleteJob: %v", err)
		}
		got, _ = s.JobByID(ctx, j.ID)
		if got.Status != store.JobDone || !got.LockedUntil.IsZero() {
			t.Errorf("completed job: %+v", got)
		}
		wantErr(t, "completing twice", s.CompleteJob(ctx, c), store.ErrConflict)
		noClaim(t, s, t0.Add(10*time.Hour))
		if next, _ := s.NextJobRunAt(ctx); !next.IsZero() {
			t.Errorf("NextJobRunAt with only finished jobs = %v", next)
		}

		// Done jobs can be pruned; the cut-off is their last update.
		if n, err := s.PruneJobs(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
			t.Errorf("PruneJobs(an hour ago) = %d, %v; want 0", n, err)
		}
		if n, err := s.PruneJobs(ctx, time.Now().Add(time.Hour)); err != nil || n != 1 {
			t.Errorf("PruneJobs(in an hour) = %d, %v; want 1", n, err)
		}
		_, err = s.JobByID(ctx, j.ID)
		wantErr(t, "pruned job", err, store.ErrNotFound)
	})
}

func TestJobOrderAndKinds(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		late := enqueue(t, s, store.Job{Kind: "a", RunAt: t0.Add(2 * time.Minute)})
		early := enqueue(t, s, store.Job{Kind: "b", RunAt: t0})
		middle := enqueue(t, s, store.Job{Kind: "a", RunAt: t0.Add(time.Minute)})
		future := enqueue(t, s, store.Job{Kind: "a", RunAt: t0.Add(time.Hour)})

		if next, _ := s.NextJobRunAt(context.Background(), "a"); !next.Equal(middle.RunAt) {
			t.Errorf("NextJobRunAt(a) = %v, want %v", next, middle.RunAt)
		}
		now := t0.Add(10 * time.Minute)
		claimDone := func(want store.Job, kinds ...string) {
			t.Helper()
			c := claim(t, s, now, kinds...)
			if c.ID != want.ID {
				t.Errorf("claim of kinds %v = job %d, want %d", kinds, c.ID, want.ID)
			}
			if err := s.CompleteJob(context.Background(), c); err != nil {
				t.Fatal(err)
			}
		}
		claimDone(middle, "a")
		claimDone(early) // any kind: the longest due
		noClaim(t, s, now, "b", "c")
		claimDone(late, "a", "b")
		noClaim(t, s, now)
		now = t0.Add(time.Hour)
		claimDone(future)
	})
}

func TestJobFailAndRetry(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		j := enqueue(t, s, store.Job{Kind: "render", MaxAttempts: 2, RunAt: t0})
		c := claim(t, s, t0)
		f, err := s.FailJob(ctx, c, "disk full", t0.Add(10*time.Second))
		if err != nil {
			t.Fatalf("FailJob: %v", err)
		}
		if f.Status != store.JobPending || f.Attempts != 1 || f.LastError != "disk full" || !f.RunAt.Equal(t0.Add(10*time.Second)) || !f.LockedUntil.IsZero() {
			t.Errorf("after the first failure: %+v", f)
		}
		_, err = s.FailJob(ctx, c, "again", t0)
		wantErr(t, "failing a claim twice", err, store.ErrConflict)
		noClaim(t, s, t0.Add(9*time.Second))
		c = claim(t, s, t0.Add(10*time.Second))
		if c.Attempts != 2 {
			t.Errorf("second claim: %+v", c)
		}
		f, err = s.FailJob(ctx, c, "disk still full", t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if f.Status != store.JobFailed || f.LastError != "disk still full" || !f.RunAt.Equal(t0.Add(10*time.Second)) {
			t.Errorf("after the last attempt: %+v", f)
		}
		noClaim(t, s, t0.Add(2*time.Hour))

		page, err := s.Jobs(ctx, store.JobFilter{Statuses: []store.JobStatus{store.JobFailed}})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 1 || page.Jobs[0].ID != j.ID {
			t.Errorf("failed jobs: %+v", page)
		}

		// An editor asks to try again.
		if err := s.RetryJob(ctx, j.ID, t0.Add(3*time.Hour)); err != nil {
			t.Fatalf("RetryJob: %v", err)
		}
		c = claim(t, s, t0.Add(3*time.Hour))
		if c.Attempts != 1 {
			t.Errorf("claim after retry: %+v", c)
		}
		wantErr(t, "RetryJob of a running job", s.RetryJob(ctx, j.ID, t0), store.ErrConflict)
		wantErr(t, "RetryJob of a missing job", s.RetryJob(ctx, j.ID+100, t0), store.ErrNotFound)

		// A zero retry time gives up at once, attempts left or not.
		f, err = s.FailJob(ctx, c, "bad payload", time.Time{})
		if err != nil || f.Status != store.JobFailed {
			t.Errorf("FailJob without retry = %+v, %v", f, err)
		}
	})
}

func TestJobLeaseExpiry(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		j := enqueue(t, s, store.Job{Kind: "k", MaxAttempts: 2, RunAt: t0})
		dead := claim(t, s, t0) // this runner dies
		noClaim(t, s, dead.LockedUntil.Add(-time.Microsecond))
		// Once the lease has passed, another runner takes the job over.
		c := claim(t, s, dead.LockedUntil.Add(time.Second))
		if c.ID != j.ID || c.Attempts != 2 {
			t.Errorf("reclaimed: %+v", c)
		}
		// The dead runner, back to life, cannot touch it any more.
		wantErr(t, "CompleteJob of an expired claim", s.CompleteJob(ctx, dead), store.ErrConflict)
		_, err := s.FailJob(ctx, dead, "late", t0)
		wantErr(t, "FailJob of an expired claim", err, store.ErrConflict)
		wantErr(t, "ReleaseJob of an expired claim", s.ReleaseJob(ctx, dead), store.ErrConflict)

		// The second runner dies too, on the last attempt: the job fails.
		noClaim(t, s, c.LockedUntil.Add(time.Second))
		got, _ := s.JobByID(ctx, j.ID)
		if got.Status != store.JobFailed || got.LastError == "" {
			t.Errorf("job after its last attempt's lease expired: %+v", got)
		}
	})
}

// TestJobRenewLease: a runner that renews its claim keeps the job past the
// first lease; a claim that was taken over, finished, re-enqueued or
// superseded by a renewal cannot be renewed.
func TestJobRenewLease(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		j := enqueue(t, s, store.Job{Kind: "k", MaxAttempts: 3, RunAt: t0})
		c := claim(t, s, t0)
		until := c.LockedUntil.Add(time.Minute)
		r, err := s.RenewJobLease(ctx, c, until)
		if err != nil {
			t.Fatalf("RenewJobLease: %v", err)
		}
		if !r.LockedUntil.Equal(until) || r.Status != store.JobRunning || r.Attempts != 1 || r.ID != j.ID {
			t.Errorf("renewed: %+v", r)
		}
		if got, _ := s.JobByID(ctx, j.ID); !got.LockedUntil.Equal(until) {
			t.Errorf("stored lease end = %v, want %v", got.LockedUntil, until)
		}
		// The first lease has passed, the renewed one has not: nobody else
		// may claim the job.
		noClaim(t, s, c.LockedUntil.Add(time.Second))
		// The renewal stands for the claim now; the old lease end does not.
		_, err = s.RenewJobLease(ctx, c, until.Add(time.Minute))
		wantErr(t, "RenewJobLease with the superseded lease", err, store.ErrConflict)
		wantErr(t, "CompleteJob with the superseded lease", s.CompleteJob(ctx, c), store.ErrConflict)

		// Once the renewed lease has passed unrenewed, another runner takes
		// the job over and the first can no longer renew.
		taken := claim(t, s, until.Add(time.Second))
		if taken.ID != j.ID || taken.Attempts != 2 {
			t.Errorf("taken over: %+v", taken)
		}
		_, err = s.RenewJobLease(ctx, r, until.Add(time.Hour))
		wantErr(t, "RenewJobLease of a claim taken over", err, store.ErrConflict)
		if got, _ := s.JobByID(ctx, j.ID); !got.LockedUntil.Equal(taken.LockedUntil) || got.Attempts != 2 {
			t.Errorf("a lost renewal changed the job: %+v", got)
		}

		// A finished job cannot be renewed.
		if err := s.CompleteJob(ctx, taken); err != nil {
			t.Fatal(err)
		}
		_, err = s.RenewJobLease(ctx, taken, until.Add(time.Hour))
		wantErr(t, "RenewJobLease of a done job", err, store.ErrConflict)

		// Nor can a job re-enqueued while it ran.
		k := enqueue(t, s, store.Job{Kind: "k", RunAt: t0, UniqueKey: "renew:1"})
		kc := claim(t, s, t0)
		if kc.ID != k.ID {
			t.Fatalf("claimed %d, want %d", kc.ID, k.ID)
		}
		enqueue(t, s, store.Job{Kind: "k", RunAt: t0.Add(time.Hour), UniqueKey: "renew:1"})
		_, err = s.RenewJobLease(ctx, kc, kc.LockedUntil.Add(time.Minute))
		wantErr(t, "RenewJobLease of a re-enqueued job", err, store.ErrConflict)

		_, err = s.RenewJobLease(ctx, kc, time.Time{})
		wantErr(t, "RenewJobLease without a lease end", err, store.ErrInvalid)
		_, err = s.RenewJobLease(ctx, store.Job{ID: 1 << 40, LockedUntil: t0}, t0)
		wantErr(t, "RenewJobLease of a missing job", err, store.ErrConflict)
	})
}

func TestJobRelease(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		j := enqueue(t, s, store.Job{Kind: "k", RunAt: t0})
		c := claim(t, s, t0)
		if err := s.ReleaseJob(ctx, c); err != nil {
			t.Fatalf("ReleaseJob: %v", err)
		}
		// Due again at once, and the released attempt did not count.
		c = claim(t, s, t0)
		if c.ID != j.ID || c.Attempts != 1 {
			t.Errorf("claim after release: %+v", c)
		}
	})
}

func TestJobUniqueKey(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		first := enqueue(t, s, store.Job{Kind: "post.publish", Payload: json.RawMessage(`{"post_id":1}`), RunAt: t0.Add(time.Hour), UniqueKey: "post.publish:1"})
		other := enqueue(t, s, store.Job{Kind: "post.publish", Payload: json.RawMessage(`{"post_id":2}`), RunAt: t0.Add(100 * time.Hour), UniqueKey: "post.publish:2"})
		// Rescheduled earlier: the same job, at the new time.
		again := enqueue(t, s, store.Job{Kind: "post.publish", Payload: json.RawMessage(`{"post_id":1}`), RunAt: t0.Add(time.Minute), UniqueKey: "post.publish:1"})
		if again.ID != first.ID || !again.CreatedAt.Equal(first.CreatedAt) {
			t.Errorf("re-enqueued job %+v is not the first %+v", again, first)
		}
		page, err := s.Jobs(ctx, store.JobFilter{Kind: "post.publish"})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 2 {
			t.Errorf("jobs after re-enqueueing: %d, want 2", page.Total)
		}
		got, err := s.JobByUniqueKey(ctx, "post.publish:1")
		if err != nil {
			t.Fatal(err)
		}
		if !got.RunAt.Equal(t0.Add(time.Minute)) || got.Status != store.JobPending {
			t.Errorf("rescheduled job: %+v", got)
		}

		// Re-enqueued while running: the running claim is void, the job is
		// pending at its new time.
		c := claim(t, s, t0.Add(time.Minute))
		enqueue(t, s, store.Job{Kind: "post.publish", Payload: json.RawMessage(`{"post_id":1}`), RunAt: t0.Add(2 * time.Hour), UniqueKey: "post.publish:1"})
		wantErr(t, "completing a replaced claim", s.CompleteJob(ctx, c), store.ErrConflict)
		got, _ = s.JobByUniqueKey(ctx, "post.publish:1")
		if got.Status != store.JobPending || got.Attempts != 0 || !got.RunAt.Equal(t0.Add(2*time.Hour)) {
			t.Errorf("job re-enqueued while running: %+v", got)
		}

		// Done, then enqueued again (unpublished and rescheduled).
		c = claim(t, s, t0.Add(2*time.Hour))
		if err := s.CompleteJob(ctx, c); err != nil {
			t.Fatal(err)
		}
		enqueue(t, s, store.Job{Kind: "post.publish", Payload: json.RawMessage(`{"post_id":1}`), RunAt: t0.Add(5 * time.Hour), UniqueKey: "post.publish:1"})
		if c := claim(t, s, t0.Add(5*time.Hour)); c.ID != first.ID {
			t.Errorf("claimed %d, want the re-enqueued %d", c.ID, first.ID)
		}

		// Cancelling.
		ok, err := s.CancelJob(ctx, "post.publish:2")
		if err != nil || !ok {
			t.Errorf("CancelJob = %v, %v; want true", ok, err)
		}
		ok, err = s.CancelJob(ctx, "post.publish:2")
		if err != nil || ok {
			t.Errorf("CancelJob twice = %v, %v; want false", ok, err)
		}
		_, err = s.JobByID(ctx, other.ID)
		wantErr(t, "cancelled job", err, store.ErrNotFound)
		_, err = s.CancelJob(ctx, "")
		wantErr(t, "CancelJob without key", err, store.ErrInvalid)

		// Jobs without a key never collide.
		a := enqueue(t, s, store.Job{Kind: "x"})
		b := enqueue(t, s, store.Job{Kind: "x"})
		if a.ID == b.ID {
			t.Error("two jobs without keys share an ID")
		}
	})
}

func TestJobErrors(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for name, j := range map[string]store.Job{
			"no kind":          {Payload: json.RawMessage(`{}`)},
			"payload not JSON": {Kind: "k", Payload: json.RawMessage(`{post_id: 1}`)},
			"negative tries":   {Kind: "k", MaxAttempts: -1},
			"year 10000":       {Kind: "k", RunAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		} {
			wantErr(t, name, s.EnqueueJob(ctx, &j), store.ErrInvalid)
		}
		_, err := s.ClaimJob(ctx, t0, 0)
		wantErr(t, "ClaimJob without lease", err, store.ErrInvalid)
		_, err = s.ClaimJob(ctx, time.Time{}, time.Minute)
		wantErr(t, "ClaimJob without time", err, store.ErrInvalid)
		if page, _ := s.Jobs(ctx, store.JobFilter{}); page.Total != 0 {
			t.Errorf("refused jobs were stored: %+v", page)
		}
		// Defaults.
		j := enqueue(t, s, store.Job{Kind: "k"})
		if string(j.Payload) != "{}" || j.RunAt.IsZero() {
			t.Errorf("defaults: %+v", j)
		}
	})
}

// TestConcurrentClaims claims from several stores, as several nodes would,
// and checks that every job is claimed exactly once.
func TestConcurrentClaims(t *testing.T) {
	t.Parallel()
	forEachEmpty(t, func(t *testing.T, opts store.Options) {
		ctx := context.Background()
		nodes := []*store.Store{openEmpty(t, opts), openEmpty(t, opts)}
		if _, err := nodes[0].Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		const jobs = 120
		for i := range jobs {
			enqueue(t, nodes[i%2], store.Job{Kind: "k", RunAt: t0.Add(time.Duration(i%7) * time.Second),
				Payload: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))})
		}
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := nodes[w%2]
				for {
					j, err := s.ClaimJob(ctx, t0.Add(time.Minute), time.Hour)
					if errors.Is(err, store.ErrNotFound) {
						return
					}
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					seen[j.ID]++
					mu.Unlock()
					if err := s.CompleteJob(ctx, j); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if len(seen) != jobs {
			t.Errorf("%d distinct jobs claimed, want %d", len(seen), jobs)
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("job %d claimed %d times", id, n)
			}
		}
		page, err := nodes[0].Jobs(ctx, store.JobFilter{Statuses: []store.JobStatus{store.JobDone}})
		if err != nil || page.Total != jobs {
			t.Errorf("done jobs = %d, %v; want %d", page.Total, err, jobs)
		}
	})
}
