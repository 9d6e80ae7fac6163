// Package jobs runs durable background work (scheduled publishing, image
// renditions) from the jobs table: a job survives restarts, is retried with
// backoff when it fails, and is claimed by one runner at a time even when
// several nodes run.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"masthead/internal/store"
)

// Handler does the work of one kind of job. An error makes the job try
// again later (see Backoff) until its attempts are used up; wrap it with
// Permanent when trying again cannot help. ctx ends when the lease does or
// the runner stops; Now(ctx) is the runner's clock.
type Handler func(ctx context.Context, payload []byte) error

// Defaults of a Runner.
const (
	DefaultPollInterval = time.Second
	DefaultLease        = 2 * time.Minute
)

// Runner claims due jobs and runs their handlers.
type Runner struct {
	Store *store.Store
	// Handlers by job kind. The runner claims only kinds it has a handler
	// for, so nodes with different handlers can share one database.
	Handlers map[string]Handler
	Logger   *slog.Logger     // nil means slog.Default()
	Now      func() time.Time // nil means time.Now
	// PollInterval is the longest the runner sleeps before looking for due
	// jobs again, which is how it sees jobs enqueued by other nodes. Wake
	// makes it look at once.
	PollInterval time.Duration
	// Lease is how long a claim holds and how long a handler may run. A
	// runner that dies loses its jobs to others when their lease ends.
	Lease time.Duration
	// Workers is how many jobs run at once; 0 means 1.
	Workers int

	wakeOnce sync.Once
	wake     chan struct{}
	running  atomic.Bool
}

// Wake makes the runner look for due jobs now, as after enqueueing one. It
// never blocks, and a wake-up that arrives while the runner is busy is kept
// for when it is done.
func (r *Runner) Wake() {
	select {
	case r.wakeChan() <- struct{}{}:
	default:
	}
}

func (r *Runner) wakeChan() chan struct{} {
	r.wakeOnce.Do(func() { r.wake = make(chan struct{}, 1) })
	return r.wake
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.Default()
}

func (r *Runner) lease() time.Duration {
	if r.Lease > 0 {
		return r.Lease
	}
	return DefaultLease
}

func (r *Runner) pollInterval() time.Duration {
	if r.PollInterval > 0 {
		return r.PollInterval
	}
	return DefaultPollInterval
}

// Run claims and runs due jobs until ctx ends, then waits for the jobs in
// hand: a handler that stops because ctx ended gives its job back to be run
// again at once, by this node after a restart or by another. Run returns nil
// when stopped by ctx.
func (r *Runner) Run(ctx context.Context) error {
	if r.Store == nil {
		return errors.New("jobs: runner has no store")
	}
	if len(r.Handlers) == 0 {
		// With no kinds to ask for, a claim would take jobs of every kind.
		return errors.New("jobs: runner has no handlers")
	}
	if !r.running.CompareAndSwap(false, true) {
		return errors.New("jobs: runner is already running")
	}
	defer r.running.Store(false)

	kinds := make([]string, 0, len(r.Handlers))
	for k := range r.Handlers {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	workers := max(r.Workers, 1)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.work(ctx, kinds, workers > 1)
		}()
	}
	wg.Wait()
	return nil
}

// minWait keeps a runner from spinning when a due job is held by another
// node's claim that has not committed yet.
const minWait = 10 * time.Millisecond

func (r *Runner) work(ctx context.Context, kinds []string, passWake bool) {
	log := r.logger()
	for ctx.Err() == nil {
		job, err := r.Store.ClaimJob(ctx, r.now(), r.lease(), kinds...)
		if err == nil {
			if passWake {
				// There may be more: let an idle worker look too.
				r.Wake()
			}
			r.runJob(ctx, job)
			continue
		}
		wait := r.pollInterval()
		if errors.Is(err, store.ErrNotFound) {
			next, err := r.Store.NextJobRunAt(ctx, kinds...)
			if err != nil && ctx.Err() == nil {
				log.ErrorContext(ctx, "jobs: next due job", "err", err)
			} else if !next.IsZero() {
				wait = min(wait, max(next.Sub(r.now()), minWait))
			}
		} else if ctx.Err() == nil {
			log.ErrorContext(ctx, "jobs: claim", "err", err)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-r.wakeChan():
		case <-timer.C:
		}
		timer.Stop()
	}
}

// runJob runs the handler of a claimed job and records the outcome.
func (r *Runner) runJob(ctx context.Context, job store.Job) {
	log := r.logger().With("job", job.ID, "kind", job.Kind, "attempt", job.Attempts)
	hctx, cancel := context.WithTimeout(WithClock(ctx, r.now), r.lease())
	err := call(hctx, r.Handlers[job.Kind], job.Payload)
	cancel()

	// The outcome is recorded even when the runner is stopping.
	bctx, bcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer bcancel()
	switch {
	case err == nil:
		if err := r.Store.CompleteJob(bctx, job); errors.Is(err, store.ErrConflict) {
			log.InfoContext(ctx, "jobs: done, but the job was rescheduled or taken over meanwhile")
		} else if err != nil {
			log.ErrorContext(ctx, "jobs: record success", "err", err)
		}
	case ctx.Err() != nil:
		if err := r.Store.ReleaseJob(bctx, job); err != nil && !errors.Is(err, store.ErrConflict) {
			log.ErrorContext(ctx, "jobs: give back on stop", "err", err)
		}
	default:
		retryAt := r.now().Add(Backoff(job.Attempts))
		if IsPermanent(err) {
			retryAt = time.Time{}
		}
		after, ferr := r.Store.FailJob(bctx, job, err.Error(), retryAt)
		switch {
		case errors.Is(ferr, store.ErrConflict):
			log.InfoContext(ctx, "jobs: failed, but the job was rescheduled or taken over meanwhile", "err", err)
		case ferr != nil:
			log.ErrorContext(ctx, "jobs: record failure", "err", ferr, "cause", err)
		case after.Status == store.JobFailed:
			log.ErrorContext(ctx, "jobs: failed for good", "err", err)
		default:
			log.WarnContext(ctx, "jobs: failed, will retry", "err", err, "retry_at", after.RunAt)
		}
	}
}

// call runs h, turning a panic into an error so that one bad job cannot
// bring the runner down.
func call(ctx context.Context, h Handler, payload []byte) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return h(ctx, payload)
}

// Backoff is how long a job waits after its attempts-th failed attempt:
// 10 s, 20 s, 40 s… doubling up to an hour.
func Backoff(attempts int) time.Duration {
	const base, most = 10 * time.Second, time.Hour
	if attempts < 1 {
		attempts = 1
	}
	if attempts > 10 { // 10 s · 2⁹ is already past an hour
		return most
	}
	return min(base<<(attempts-1), most)
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks a handler's error as one that trying again cannot fix,
// such as a payload that cannot be read: the job fails at once.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var perm *permanentError
	return errors.As(err, &perm)
}

type clockKey struct{}

// WithClock returns a context whose Now is now's, as a runner gives its
// handlers; tests calling a handler directly use it.
func WithClock(ctx context.Context, now func() time.Time) context.Context {
	return context.WithValue(ctx, clockKey{}, now)
}

// Now returns the time on the clock of the runner running the handler
// whose ctx this is, or time.Now outside a runner. Handlers use it so that
// tests can move time.
func Now(ctx context.Context) time.Time {
	if now, ok := ctx.Value(clockKey{}).(func() time.Time); ok {
		return now()
	}
	return time.Now()
}
