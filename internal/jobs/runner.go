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
// Permanent when trying again cannot help. ctx ends when the runner stops,
// when the runner loses its claim on the job (see ErrClaimLost), and after
// one lease, which is how the newsletter's sender cuts its work into
// slices; a handler that needs longer runs under KeepLease(ctx) instead.
// Now(ctx) is the runner's clock.
type Handler func(ctx context.Context, payload []byte) error

// ErrClaimLost is the cause (context.Cause) of a handler's context ending
// because its job is no longer this runner's: renewing the lease found it
// taken over by another runner, re-enqueued or cancelled.
var ErrClaimLost = errors.New("jobs: the claim on the job was lost")

// errLeaseLapsed is the cause of a handler's context ending because the
// lease could not be renewed before it ended: another runner may have the
// job by now.
var errLeaseLapsed = errors.New("jobs: the job's lease could not be renewed before it ended")

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
	// Lease is how long a claim holds unless renewed. While a handler runs
	// the runner renews its claim every third of a lease, so a handler under
	// KeepLease may run for longer; a runner that dies stops renewing and
	// loses its jobs to others when their lease ends.
	Lease time.Duration
	// Workers is how many jobs run at once; 0 means 1.
	Workers int

	wakeOnce sync.Once
	wake     chan struct{}
	running  atomic.Bool

	mu   sync.Mutex
	held map[int64]*claim // the jobs this runner's workers are running
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
			c, adopted := r.track(job)
			if adopted {
				log.InfoContext(ctx, "jobs: claimed a job this runner is running; it carries on under the new claim",
					"job", job.ID, "kind", job.Kind, "attempt", job.Attempts)
				continue
			}
			r.runJob(ctx, c)
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

// claim is a job one of the runner's workers is running. Its job's
// LockedUntil stands for the claim in the store and changes with every
// renewal.
type claim struct {
	id  int64
	mu  sync.Mutex
	job store.Job
	// unsure are lease ends written by renewals whose outcome is unknown
	// (the database answered with an error, perhaps after committing): the
	// claim may stand under any of them.
	unsure []time.Time
	// gen counts adoptions (see track): a renewal or outcome that raced
	// with one starts again with the new claim.
	gen int
	// done is set once the outcome is recorded or the claim is lost; the
	// claim is then never adopted.
	done bool
}

// track registers a job the runner just claimed. When a worker of this
// runner is running it already, its lease ran out while its renewal could
// not be written (on SQLite a long transaction of the job itself keeps the
// one writer busy) and another worker claimed it again: the running
// handler then carries on under the new claim, which is adopted, and the
// job is not run twice.
func (r *Runner) track(job store.Job) (c *claim, adopted bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c := r.held[job.ID]; c != nil {
		c.mu.Lock()
		defer c.mu.Unlock()
		if !c.done {
			c.job, c.unsure = job, nil
			c.gen++
			return c, true
		}
	}
	if r.held == nil {
		r.held = map[int64]*claim{}
	}
	c = &claim{id: job.ID, job: job}
	r.held[job.ID] = c
	return c, false
}

func (r *Runner) untrack(c *claim) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.held[c.id] == c {
		delete(r.held, c.id)
	}
}

// use runs op with the claim as it stands, then with each unsure lease
// end while op finds the claim gone, and starts again when the claim was
// adopted meanwhile. It returns op's last error with c.mu held, so that
// the caller records what it learnt before anything else uses the claim.
func (c *claim) use(op func(store.Job) error) error {
	for {
		c.mu.Lock()
		gen, job, unsure := c.gen, c.job, slices.Clone(c.unsure)
		c.mu.Unlock()
		err := op(job)
		for _, end := range unsure {
			if !errors.Is(err, store.ErrConflict) {
				break
			}
			j := job
			j.LockedUntil = end
			err = op(j)
		}
		c.mu.Lock()
		if c.gen == gen {
			return err
		}
		c.mu.Unlock()
	}
}

// renew extends c's lease to until. It returns ErrClaimLost when the job
// is no longer this runner's.
func (r *Runner) renew(ctx context.Context, c *claim, until time.Time) error {
	var renewed store.Job
	err := c.use(func(j store.Job) (err error) {
		renewed, err = r.Store.RenewJobLease(ctx, j, until)
		return err
	})
	defer c.mu.Unlock()
	switch {
	case err == nil:
		c.job, c.unsure = renewed, nil
	case errors.Is(err, store.ErrConflict):
		c.done = true
		return ErrClaimLost
	default:
		c.unsure = append(c.unsure, until)
	}
	return err
}

// settle records the outcome of c with op (complete, fail or release) and
// closes the claim.
func (c *claim) settle(op func(store.Job) error) error {
	err := c.use(op)
	c.done = true
	c.mu.Unlock()
	return err
}

// keepLease renews c's lease every third of a lease until stop is closed.
// When a renewal finds the claim lost, or renewals fail until the lease
// has ended, it ends the handler's context with the reason.
func (r *Runner) keepLease(ctx context.Context, c *claim, log *slog.Logger, end context.CancelCauseFunc, stop <-chan struct{}) {
	lease := r.lease()
	every := lease / 3
	// On SQLite a renewal that waits waits for this process's own writer:
	// nobody can take the job meanwhile (and a worker of this runner that
	// does afterwards hands it back, see track), so it may wait past the
	// lease rather than stop a job whose long transaction is about to
	// commit.
	bounded := r.Store.Dialect() != "sqlite"
	lapse := time.Now().Add(lease) // the claim was made just before
	wait, failing := every, false
	for {
		timer := time.NewTimer(max(0, wait))
		select {
		case <-stop:
			timer.Stop()
			return
		case <-timer.C:
		}
		if failing && !time.Now().Before(lapse) {
			log.ErrorContext(ctx, "jobs: stopping the handler: its lease could not be renewed in time")
			end(errLeaseLapsed)
			return
		}
		sent := time.Now()
		rctx, cancel := context.WithoutCancel(ctx), context.CancelFunc(func() {})
		if bounded {
			rctx, cancel = context.WithDeadline(rctx, lapse)
		}
		err := r.renew(rctx, c, r.now().Add(lease))
		cancel()
		switch {
		case err == nil:
			// A renewal that waited long wrote a lease end that is close
			// already: the next one follows at once.
			lapse, wait, failing = sent.Add(lease), every-time.Since(sent), false
		case errors.Is(err, ErrClaimLost):
			log.WarnContext(ctx, "jobs: stopping the handler: another runner has the job now, or it was re-enqueued or cancelled")
			end(ErrClaimLost)
			return
		default:
			log.WarnContext(ctx, "jobs: renew the lease", "err", err)
			wait, failing = min(every, time.Until(lapse)), true
		}
	}
}

// runJob runs the handler of a claimed job, renewing its lease meanwhile,
// and records the outcome.
func (r *Runner) runJob(ctx context.Context, c *claim) {
	defer r.untrack(c)
	c.mu.Lock()
	job := c.job
	c.mu.Unlock()
	log := r.logger().With("job", job.ID, "kind", job.Kind, "attempt", job.Attempts)
	held, end := context.WithCancelCause(WithClock(ctx, r.now))
	held = context.WithValue(held, claimCtxKey{}, held)
	hctx, cancel := context.WithTimeout(held, r.lease())
	stop, renewed := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(renewed)
		r.keepLease(ctx, c, log, end, stop)
	}()
	err := call(hctx, r.Handlers[job.Kind], job.Payload)
	close(stop)
	<-renewed
	cancel()
	cause := context.Cause(held)
	end(nil)

	// The outcome is recorded even when the runner is stopping.
	bctx, bcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer bcancel()
	switch {
	case err == nil:
		err := c.settle(func(j store.Job) error { return r.Store.CompleteJob(bctx, j) })
		if errors.Is(err, store.ErrConflict) {
			log.InfoContext(ctx, "jobs: done, but the job was rescheduled or taken over meanwhile")
		} else if err != nil {
			log.ErrorContext(ctx, "jobs: record success", "err", err)
		}
	case ctx.Err() != nil:
		err := c.settle(func(j store.Job) error { return r.Store.ReleaseJob(bctx, j) })
		if err != nil && !errors.Is(err, store.ErrConflict) {
			log.ErrorContext(ctx, "jobs: give back on stop", "err", err)
		}
	case errors.Is(cause, ErrClaimLost):
		// The job is someone else's now: its outcome is theirs to record.
		c.settle(func(store.Job) error { return nil })
		log.InfoContext(ctx, "jobs: stopped, the job is no longer this runner's", "err", err)
	default:
		if errors.Is(cause, errLeaseLapsed) {
			err = fmt.Errorf("%w (%v)", err, cause)
		}
		retryAt := r.now().Add(Backoff(job.Attempts))
		if IsPermanent(err) {
			retryAt = time.Time{}
		}
		var after store.Job
		ferr := c.settle(func(j store.Job) (err2 error) {
			after, err2 = r.Store.FailJob(bctx, j, err.Error(), retryAt)
			return err2
		})
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

// KeepLease returns a context for work that may take longer than one
// lease, such as a large import: it carries ctx's values but not the
// deadline of the lease, and ends only when the runner stops or loses its
// claim on the job (see ErrClaimLost) or when cancel is called. The runner
// renews the lease while the handler runs. Call it at the start of the
// handler, before deriving other contexts from ctx. Outside a runner it is
// context.WithCancel(ctx).
func KeepLease(ctx context.Context) (context.Context, context.CancelFunc) {
	held, ok := ctx.Value(claimCtxKey{}).(context.Context)
	if !ok {
		return context.WithCancel(ctx)
	}
	kept, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	stop := context.AfterFunc(held, func() { cancel(context.Cause(held)) })
	return kept, func() {
		stop()
		cancel(context.Canceled)
	}
}

// claimCtxKey holds, in a handler's context, the context that ends with
// the claim, without the lease's deadline.
type claimCtxKey struct{}

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
