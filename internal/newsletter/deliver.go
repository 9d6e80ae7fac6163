package newsletter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"masthead/internal/jobs"
	"masthead/internal/mail"
	"masthead/internal/store"
)

// Delivery, exactly once.
//
// Every (issue, subscriber) pair has one delivery row, created when
// sending starts. A sender claims a batch of due rows for the length of
// its job's lease (so a sender that dies loses them when its job does),
// hands each message to the mail server, and marks the row sent right
// after the server accepts it, whatever else happens meanwhile. A row
// marked sent is never claimed again, so nobody receives an issue twice
// through a restart, a retry or a second node; and a row is only ever
// left by being marked, so nobody is skipped.
//
// The one gap SMTP leaves cannot be closed by any sender: when the process
// dies (or the database is unreachable) between the server's acceptance
// and the row's update, the row is claimed again later and that one
// message is sent a second time. That is at most one message per message
// in flight: Options.Concurrency per sending node. Such a second copy
// carries the same Message-ID as the first, by which mail clients can
// recognise it. A stop that is not a crash (pause, cancel, shutdown) lets
// the messages in flight finish and be marked, and gives the rest of the
// batch back.

// errStopped marks a delivery not attempted because the sender is
// stopping; its row is given back.
var errStopped = errors.New("newsletter: stopping")

func (s *Service) sendHandler(ctx context.Context, payload []byte) error {
	var p sendPayload
	if err := json.Unmarshal(payload, &p); err != nil || p.IssueID <= 0 {
		return jobs.Permanent(fmt.Errorf("newsletter: send: bad payload %q", payload))
	}
	now := jobs.Now(ctx)
	is, err := s.store.IssueByID(ctx, p.IssueID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted
	}
	if err != nil {
		return err
	}
	switch is.Status {
	case store.IssueScheduled:
		if is.ScheduledAt.After(now) { // rescheduled later, or another node's clock
			return enqueueSend(ctx, s.store, is.ID, is.ScheduledAt)
		}
		started, err := s.startScheduled(ctx, is, now)
		if err != nil {
			var ue *UserError
			if errors.As(err, &ue) {
				// Nothing sendable (its articles were unpublished, say):
				// the issue stays scheduled for an editor to look at.
				s.log.ErrorContext(ctx, "newsletter: scheduled issue cannot be sent", "issue", is.ID, "err", err)
				return jobs.Permanent(err)
			}
			return err
		}
		is = started
	case store.IssueSending:
	default:
		return nil // paused, cancelled or done meanwhile
	}
	return s.deliver(ctx, is)
}

// startScheduled starts a scheduled issue from inside its own job, which
// stays claimed (start would enqueue it anew).
func (s *Service) startScheduled(ctx context.Context, is store.Issue, now time.Time) (store.Issue, error) {
	r, err := s.prepare(ctx, is)
	if err != nil {
		return store.Issue{}, err
	}
	started, n, err := s.store.StartIssue(ctx, is.ID, r.HTML, r.Text, now)
	if err != nil {
		return store.Issue{}, fmt.Errorf("newsletter: start issue %d: %w", is.ID, err)
	}
	s.log.InfoContext(ctx, "newsletter: scheduled sending started", "issue", is.ID, "deliveries", n)
	return started, nil
}

// run is one sender working through one issue.
type run struct {
	s       *Service
	issue   store.Issue
	key     []byte
	from    string
	headers map[string]string // the list fields but the unsubscribe link
	limiter *rate.Limiter
	window  *errorWindow
	until   time.Time // the claims' lease, on the jobs clock
	// sendBy is the wall-clock time after which no message is started: a
	// message in flight must be accepted and marked before the claims
	// end, or another sender could take its row and send it again.
	sendBy time.Time
	sent   *sentRecorder
	topics *topicSections // nil when no message gets a "Your topics" section
}

// sentRecorder writes the "sent" records of concurrent workers together
// (group commit). A worker hands its record over and waits until it is
// written before it starts another message, so the number of messages
// accepted but not yet recorded is never more than the workers, as with
// one write each; but while one write is under way the records of the
// others gather and go in the next, in one transaction, which saves a
// commit per message on a busy database.
type sentRecorder struct {
	write func(ctx context.Context, sent []store.SentDelivery) error

	mu      sync.Mutex
	pending []sentRequest
	busy    bool
}

type sentRequest struct {
	rec  store.SentDelivery
	done chan error
}

// record writes rec, with whatever other records wait, and returns the
// outcome of the write that held it. The first worker to find no write
// under way does the writing, until no record waits.
func (sr *sentRecorder) record(ctx context.Context, rec store.SentDelivery) error {
	req := sentRequest{rec: rec, done: make(chan error, 1)}
	sr.mu.Lock()
	sr.pending = append(sr.pending, req)
	if sr.busy {
		sr.mu.Unlock()
		return <-req.done
	}
	sr.busy = true
	for len(sr.pending) > 0 {
		batch := sr.pending
		sr.pending = nil
		sr.mu.Unlock()
		recs := make([]store.SentDelivery, len(batch))
		for i, b := range batch {
			recs[i] = b.rec
		}
		err := sr.write(ctx, recs)
		for _, b := range batch {
			b.done <- err
		}
		sr.mu.Lock()
	}
	sr.busy = false
	sr.mu.Unlock()
	return <-req.done
}

// deliver works through the due deliveries of a sending issue, in batches,
// until none is left (the issue is then sent), the issue stops being
// sent, too many attempts fail (it pauses itself), or half the job's lease
// has passed. When deliveries remain it puts its job back for when the
// next is due, and returns.
func (s *Service) deliver(ctx context.Context, is store.Issue) error {
	leaseEnd, ok := ctx.Deadline()
	if !ok {
		leaseEnd = time.Now().Add(jobs.DefaultLease)
	}
	// Batches start in the first half of the lease and messages in the
	// first two thirds; the last third is for the messages in flight to
	// finish within their timeout (30 s by default, the lease is two
	// minutes), and be marked, before the claims end.
	lease := time.Until(leaseEnd)
	softStop := time.Now().Add(lease / 2)
	r := &run{s: s, issue: is, until: jobs.Now(ctx).Add(lease), sendBy: time.Now().Add(lease * 2 / 3), window: s.window(is.ID),
		sent: &sentRecorder{write: s.store.MarkDeliveriesSent}}
	var err error
	if r.key, err = s.key(ctx); err != nil {
		return err
	}
	if r.from, err = s.sender(ctx); err != nil {
		return err
	}
	if r.topics, err = s.topicSections(ctx, is, jobs.Now(ctx)); err != nil {
		return err
	}
	r.headers = s.listHeaders(ctx, "")
	delete(r.headers, "List-Unsubscribe")
	r.headers["Precedence"] = "bulk"
	limit, burst := rate.Inf, 1
	if s.opts.Rate > 0 {
		limit, burst = rate.Limit(s.opts.Rate), max(1, min(s.opts.Concurrency, int(math.Ceil(s.opts.Rate))))
	}
	r.limiter = rate.NewLimiter(limit, burst)

	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		cur, err := s.store.IssueByID(ctx, is.ID)
		if err != nil {
			return err
		}
		if cur.Status != store.IssueSending {
			s.log.InfoContext(ctx, "newsletter: sending stopped", "issue", is.ID, "status", cur.Status)
			return nil
		}
		now := jobs.Now(ctx)
		if time.Now().After(softStop) {
			// The next slice runs as a fresh job with a fresh lease.
			return s.continueLater(ctx, is.ID, now)
		}
		targets, err := s.store.ClaimDeliveries(ctx, is.ID, now, r.until, s.opts.BatchSize)
		if err != nil {
			return err
		}
		if len(targets) == 0 {
			return s.idle(ctx, is.ID, now)
		}
		if err := r.batch(ctx, targets); err != nil {
			return err
		}
		if fails, n, last, tripped := r.window.state(); tripped {
			reason := fmt.Sprintf("Paused by itself: %d of the last %d attempts failed. Last error: %s", fails, n, last)
			if _, err := s.store.SetIssueStatus(context.WithoutCancel(ctx), is.ID, store.IssuePaused, jobs.Now(ctx), reason,
				store.IssueSending); err != nil && !errors.Is(err, store.ErrConflict) {
				return err
			}
			s.log.WarnContext(ctx, "newsletter: sending paused itself", "issue", is.ID, "failed", fails, "attempts", n, "last_error", last)
			return nil
		}
	}
}

// idle handles an issue with no delivery due: it is done when none is
// left, and otherwise waits for the next retry or claim to come due.
func (s *Service) idle(ctx context.Context, issueID int64, now time.Time) error {
	c, err := s.store.DeliveryCounts(ctx, issueID)
	if err != nil {
		return err
	}
	if c.Remaining() == 0 {
		// Topic alerts may add deliveries to a sending issue at any time:
		// the issue is only marked sent while none remains.
		done, err := s.store.FinishIssue(ctx, issueID, now)
		if err != nil && !errors.Is(err, store.ErrConflict) {
			return err
		}
		if err == nil && !done {
			return s.continueLater(ctx, issueID, now)
		}
		s.mu.Lock()
		delete(s.windows, issueID)
		s.mu.Unlock()
		s.log.InfoContext(ctx, "newsletter: issue sent", "issue", issueID, "sent", c.Sent, "failed", c.Failed, "skipped", c.Skipped)
		return nil
	}
	next, err := s.store.NextDeliveryDue(ctx, issueID, now)
	if err != nil {
		return err
	}
	if next.IsZero() {
		next = now.Add(time.Second)
	}
	return s.continueLater(ctx, issueID, next)
}

// continueLater puts the issue's job back for at, even when the lease is
// about to end: without it the remaining deliveries would wait for the
// job's backoff.
func (s *Service) continueLater(ctx context.Context, issueID int64, at time.Time) error {
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	return enqueueSend(bctx, s.store, issueID, at)
}

// batch sends the claimed deliveries with Options.Concurrency workers and
// gives back those it did not get to.
func (r *run) batch(ctx context.Context, targets []store.DeliveryTarget) error {
	work := make(chan store.DeliveryTarget)
	var stop atomic.Bool
	var mu sync.Mutex
	var left []int64
	var fatal error
	var wg sync.WaitGroup
	for range r.s.opts.Concurrency {
		wg.Go(func() {
			for t := range work {
				if stop.Load() || ctx.Err() != nil {
					mu.Lock()
					left = append(left, t.ID)
					mu.Unlock()
					continue
				}
				err := r.one(ctx, t)
				if err == nil {
					if r.window.tripped() {
						stop.Store(true)
					}
					continue
				}
				mu.Lock()
				left = append(left, t.ID)
				if !errors.Is(err, errStopped) && fatal == nil {
					fatal = err
				}
				mu.Unlock()
				stop.Store(true)
			}
		})
	}
	for _, t := range targets {
		work <- t
	}
	close(work)
	wg.Wait()
	if len(left) > 0 {
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := r.s.store.ReleaseDeliveries(bctx, left, r.until); err != nil {
			// The claims end with the lease anyway.
			r.s.log.ErrorContext(ctx, "newsletter: give back deliveries", "issue", r.issue.ID, "err", err)
		}
	}
	return fatal
}

// one makes one delivery and records its outcome. It returns errStopped
// when it did not try because the sender is stopping, and an error when
// the outcome could not be recorded.
func (r *run) one(ctx context.Context, t store.DeliveryTarget) error {
	s := r.s
	sub := t.Subscriber
	// Records are written even when the sender is stopping: what
	// happened must be kept.
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if why := ineligible(sub, r.issue.Kind, t.Reason); why != "" {
		return record(func() error { return s.store.MarkDeliverySkipped(bctx, t.ID, why) })
	}
	wctx, wcancel := context.WithDeadline(ctx, r.sendBy)
	err := r.limiter.Wait(wctx) // fails at once when the wait would pass sendBy
	wcancel()
	if err != nil || time.Now().After(r.sendBy) {
		return errStopped
	}
	tok := s.manageToken(r.key, sub.ID)
	issue, err := r.topics.apply(Rendered{Subject: r.issue.Subject, HTML: r.issue.HTML, Text: r.issue.Text}, sub.ID)
	if err != nil {
		return err // it would fail every message alike: the row goes back and the job retries later
	}
	m := s.issueMessage(issue.Personal(tok), r.from, r.issue.Subject, r.issue.ID, sub.ID)
	m.To = (&netAddress{Name: sub.Name, Address: sub.Email}).String()
	m.Headers = maps.Clone(r.headers)
	m.Headers["List-Unsubscribe"] = "<" + s.unsubscribeURL(tok) + ">"

	err = s.mail.Send(ctx, m)
	now := jobs.Now(ctx)
	switch {
	case err == nil:
		r.window.add(false, "")
		id := m.MessageID
		if sub.BounceCount == 0 && r.sent.record(bctx, store.SentDelivery{ID: t.ID, At: now, MessageID: id}) == nil {
			return nil
		}
		return record(func() error {
			return s.store.MarkDeliverySent(bctx, t.ID, sub.ID, now, id, sub.BounceCount > 0)
		})
	case ctx.Err() != nil && !mail.IsPermanent(err):
		// Interrupted before the server took it (the SMTP sender never
		// gives up on a message it has started to transmit).
		return errStopped
	case mail.IsPermanent(err):
		r.window.add(true, err.Error())
		f := store.DeliveryFailure{ID: t.ID, SubscriberID: sub.ID, At: now, Error: clipError(err),
			// The server refused the address; a message we could not even
			// write (ErrInvalid) says nothing about the mailbox.
			Bounce: !IsInvalid(err), BounceLimit: s.opts.BounceLimit}
		var bounced bool
		rerr := record(func() error {
			var err error
			bounced, err = s.store.MarkDeliveryFailed(bctx, f)
			return err
		})
		if bounced {
			s.log.InfoContext(ctx, "newsletter: address bounced", "subscriber", sub.ID)
		}
		return rerr
	default:
		r.window.add(true, err.Error())
		attempts := t.Attempts + 1
		f := store.DeliveryFailure{ID: t.ID, SubscriberID: sub.ID, At: now, Error: clipError(err)}
		if attempts >= s.opts.MaxAttempts {
			f.Error = fmt.Sprintf("gave up after %d attempts: %s", attempts, f.Error)
		} else {
			f.RetryAt = now.Add(s.retryDelay(attempts))
		}
		return record(func() error {
			_, err := s.store.MarkDeliveryFailed(bctx, f)
			return err
		})
	}
}

// record writes an outcome, trying a few times before giving up: a lost
// "sent" costs a subscriber a second copy.
func record(write func() error) error {
	var err error
	for i := range 4 {
		if err = write(); err == nil || errors.Is(err, store.ErrNotFound) {
			// Not found: the subscriber was erased meanwhile.
			return nil
		}
		time.Sleep(time.Duration(50*(i+1)) * time.Millisecond)
	}
	return fmt.Errorf("newsletter: record a delivery: %w", err)
}

// ineligible says why a subscriber no longer gets an issue of this kind,
// delivered for this reason, or "" when they do. A topic alert goes to
// followers whether or not they want every article.
func ineligible(sub store.Subscriber, kind store.IssueKind, reason store.DeliveryReason) string {
	switch {
	case sub.Status != store.SubscriberConfirmed:
		return "subscriber is " + string(sub.Status)
	case sub.Paused:
		return "subscriber paused"
	case reason == store.ReasonTopic:
		return ""
	case kind == store.IssueRoundup && !sub.WantsRoundup:
		return "subscriber no longer wants the round-up"
	case kind == store.IssueArticle && !sub.WantsEveryArticle:
		return "subscriber no longer wants every article"
	}
	return ""
}

// retryDelay is the wait after a delivery's attempts-th temporary failure:
// RetryBase, doubling, up to an hour.
func (s *Service) retryDelay(attempts int) time.Duration {
	d := s.opts.RetryBase
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, max(time.Hour, s.opts.RetryBase))
}

func clipError(err error) string {
	msg := err.Error()
	if len(msg) > 500 {
		msg = msg[:500] + "…"
	}
	return msg
}

// issueMessage is the email of an issue to one subscriber (0 for a test);
// the caller sets To and Headers.
func (s *Service) issueMessage(r Rendered, from, subject string, issueID, subscriberID int64) mail.Message {
	m := mail.Message{From: from, Subject: subject, Text: r.Text, HTML: r.HTML, Kind: "newsletter"}
	if subscriberID > 0 {
		// The same for every attempt at this delivery.
		m.MessageID = fmt.Sprintf("<issue-%d.subscriber-%d@%s>", issueID, subscriberID, listDomain(s.host))
	}
	return m
}

// window returns the error window of an issue this node sends.
func (s *Service) window(issueID int64) *errorWindow {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.windows[issueID]
	if w == nil {
		w = &errorWindow{outcomes: make([]bool, s.opts.ErrorWindow), min: s.opts.MinErrorSamples, threshold: s.opts.ErrorThreshold}
		s.windows[issueID] = w
	}
	return w
}

// errorWindow keeps the outcomes of the last attempts of one issue, to
// pause a send that is mostly failing (a server that is down or refuses
// us) before it burns through the list.
type errorWindow struct {
	mu        sync.Mutex
	outcomes  []bool // ring of "failed"
	next, n   int
	fails     int
	last      string
	min       int
	threshold float64
}

func (w *errorWindow) add(failed bool, msg string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.n == len(w.outcomes) && w.outcomes[w.next] {
		w.fails--
	}
	w.outcomes[w.next] = failed
	w.next = (w.next + 1) % len(w.outcomes)
	w.n = min(w.n+1, len(w.outcomes))
	if failed {
		w.fails++
		w.last = msg
	}
}

func (w *errorWindow) state() (fails, n int, last string, tripped bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.fails, w.n, w.last, w.n >= w.min && float64(w.fails) > w.threshold*float64(w.n)
}

func (w *errorWindow) tripped() bool {
	_, _, _, t := w.state()
	return t
}
