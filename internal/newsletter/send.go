package newsletter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"masthead/internal/content"
	"masthead/internal/jobs"
	"masthead/internal/mail"
	"masthead/internal/store"
)

// Job kinds of the newsletter; Handlers returns their handlers.
const (
	// KindSend delivers an issue: {"issue_id": N}. One job per issue
	// works through its deliveries and puts itself back until all are
	// done.
	KindSend = "newsletter.send"
	// KindCompose composes the weekly round-up at the configured time.
	KindCompose = "newsletter.compose"
)

// sendMaxAttempts is how often a delivery job may fail (say, while the
// database is away) before it gives up; each run is one attempt.
const sendMaxAttempts = 20

type sendPayload struct {
	IssueID int64 `json:"issue_id"`
}

// SendKey is the unique key of an issue's delivery job.
func SendKey(issueID int64) string { return fmt.Sprintf("%s:%d", KindSend, issueID) }

// enqueueSend (re)schedules the delivery job of an issue at at. Call it
// with the Store of the transaction that changes the issue, so that the
// two happen together.
func enqueueSend(ctx context.Context, st *store.Store, issueID int64, at time.Time) error {
	payload, err := json.Marshal(sendPayload{IssueID: issueID})
	if err != nil {
		return err
	}
	j := store.Job{Kind: KindSend, Payload: payload, RunAt: at, UniqueKey: SendKey(issueID), MaxAttempts: sendMaxAttempts}
	return st.EnqueueJob(ctx, &j)
}

// IsInvalid reports whether a send failed because the message itself is
// at fault.
func IsInvalid(err error) bool { return errors.Is(err, mail.ErrInvalid) }

// conflictError turns a refused state change into a message for editors.
func conflictError(err error, what string) error {
	if errors.Is(err, store.ErrConflict) {
		return userError(what, err)
	}
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("newsletter: %w", err)
	}
	return fmt.Errorf("newsletter: %w", err)
}

// SendNow starts sending a draft or scheduled issue: it fixes what is
// sent, creates one delivery per subscriber the issue is for, and hands
// the work to the jobs runner. It returns the issue, now sending.
func (s *Service) SendNow(ctx context.Context, id int64) (store.Issue, error) {
	is, err := s.store.IssueByID(ctx, id)
	if err != nil {
		return store.Issue{}, fmt.Errorf("newsletter: %w", err)
	}
	if !is.Status.Editable() {
		return store.Issue{}, userError("This issue is already "+string(is.Status), store.ErrConflict)
	}
	is, err = s.start(ctx, is, s.now())
	if err != nil {
		return store.Issue{}, err
	}
	s.wakeJobs()
	return is, nil
}

// prepare renders an issue for sending and checks that the result can be
// sent.
func (s *Service) prepare(ctx context.Context, is store.Issue) (Rendered, error) {
	r, err := s.render(ctx, is)
	if err != nil {
		return Rendered{}, err
	}
	from, err := s.sender(ctx)
	if err != nil {
		return Rendered{}, err
	}
	// One message checked now saves failing every delivery later.
	key, err := s.key(ctx)
	if err != nil {
		return Rendered{}, err
	}
	tok := s.manageToken(key, 1)
	sample := s.issueMessage(r.Personal(tok), from, r.Subject, is.ID, 1)
	sample.To = "reader@example.org"
	sample.Headers = s.listHeaders(ctx, s.unsubscribeURL(tok))
	if err := sample.Validate(); err != nil {
		return Rendered{}, userError("The issue cannot be sent as it is", err)
	}
	return r, nil
}

// start prepares an issue and starts it with its delivery job, in one
// transaction.
func (s *Service) start(ctx context.Context, is store.Issue, now time.Time) (store.Issue, error) {
	r, err := s.prepare(ctx, is)
	if err != nil {
		return store.Issue{}, err
	}
	var started store.Issue
	var n int
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		if started, n, err = tx.StartIssue(ctx, is.ID, r.HTML, r.Text, now); err != nil {
			return err
		}
		return enqueueSend(ctx, tx, is.ID, now)
	})
	if err != nil {
		return store.Issue{}, conflictError(err, "This issue was started or changed meanwhile")
	}
	s.log.InfoContext(ctx, "newsletter: sending started", "issue", is.ID, "kind", is.Kind, "deliveries", n)
	return started, nil
}

// Schedule sets a draft or scheduled issue to go out at at. Until then it
// can still be edited; what is sent is the content at that time.
func (s *Service) Schedule(ctx context.Context, id int64, at time.Time) (store.Issue, error) {
	if !at.After(s.now()) {
		return store.Issue{}, userError("Choose a time in the future", nil)
	}
	is, err := s.store.IssueByID(ctx, id)
	if err != nil {
		return store.Issue{}, fmt.Errorf("newsletter: %w", err)
	}
	// Refuse now what would fail then.
	if _, err := s.render(ctx, is); err != nil {
		return store.Issue{}, err
	}
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		if is, err = tx.SetIssueStatus(ctx, id, store.IssueScheduled, at, "", store.IssueDraft, store.IssueScheduled); err != nil {
			return err
		}
		return enqueueSend(ctx, tx, id, at)
	})
	if err != nil {
		return store.Issue{}, conflictError(err, "Only drafts can be scheduled")
	}
	s.wakeJobs()
	return is, nil
}

// Unschedule turns a scheduled issue back into a draft.
func (s *Service) Unschedule(ctx context.Context, id int64) (store.Issue, error) {
	var is store.Issue
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		if is, err = tx.SetIssueStatus(ctx, id, store.IssueDraft, s.now(), "", store.IssueScheduled); err != nil {
			return err
		}
		_, err = tx.CancelJob(ctx, SendKey(id))
		return err
	})
	if err != nil {
		return store.Issue{}, conflictError(err, "Only scheduled issues can be unscheduled")
	}
	return is, nil
}

// Pause stops an issue that is sending; the deliveries in flight finish.
// Resume continues where it stopped.
func (s *Service) Pause(ctx context.Context, id int64) (store.Issue, error) {
	is, err := s.store.SetIssueStatus(ctx, id, store.IssuePaused, s.now(), "Paused by an editor", store.IssueSending)
	if err != nil {
		return store.Issue{}, conflictError(err, "Only an issue that is sending can be paused")
	}
	return is, nil
}

// Resume continues a paused issue (or restarts the delivery job of one
// still marked sending, should it have given up).
func (s *Service) Resume(ctx context.Context, id int64) (store.Issue, error) {
	now := s.now()
	var is store.Issue
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		if is, err = tx.SetIssueStatus(ctx, id, store.IssueSending, now, "", store.IssuePaused, store.IssueSending); err != nil {
			return err
		}
		return enqueueSend(ctx, tx, id, now)
	})
	if err != nil {
		return store.Issue{}, conflictError(err, "Only a paused issue can be resumed")
	}
	// The failures that paused it are history now.
	s.mu.Lock()
	delete(s.windows, id)
	s.mu.Unlock()
	s.wakeJobs()
	return is, nil
}

// Cancel withdraws an issue for good: a draft or scheduled one is never
// sent; one that is sending or paused stops, and what was sent stays sent.
func (s *Service) Cancel(ctx context.Context, id int64) (store.Issue, error) {
	var is store.Issue
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		if is, err = tx.SetIssueStatus(ctx, id, store.IssueCancelled, s.now(), "",
			store.IssueDraft, store.IssueScheduled, store.IssueSending, store.IssuePaused); err != nil {
			return err
		}
		_, err = tx.CancelJob(ctx, SendKey(id))
		return err
	})
	if err != nil {
		return store.Issue{}, conflictError(err, "This issue is already finished")
	}
	return is, nil
}

// ErrAlreadySent is returned by SendArticle for an article that was
// already sent (or is being sent) to subscribers.
var ErrAlreadySent error = &UserError{msg: "This article was already sent to subscribers"}

// SendArticle emails a published article to the subscribers who want
// every new article. An article is sent once: asking again returns its
// issue with ErrAlreadySent. An article already emailed only to the
// followers of its topics goes to the others then; nobody alerted gets it
// twice.
func (s *Service) SendArticle(ctx context.Context, postID int64) (store.Issue, error) {
	p, err := s.store.PostByID(ctx, postID)
	if err != nil {
		return store.Issue{}, fmt.Errorf("newsletter: %w", err)
	}
	now := s.now()
	if p.Status != content.StatusPublished || p.PublishedAt.After(now) {
		return store.Issue{}, userError("Only a published article can be sent", nil)
	}
	is, err := s.store.IssueByPost(ctx, postID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		is = store.Issue{Kind: store.IssueArticle, PostID: postID, Subject: strings.TrimSpace(p.Title), Items: []int64{postID},
			CreatedAt: now}
		if err := s.store.CreateIssue(ctx, &is); err != nil {
			if errors.Is(err, store.ErrConflict) { // made meanwhile
				return s.store.IssueByPost(ctx, postID)
			}
			return store.Issue{}, fmt.Errorf("newsletter: %w", err)
		}
	case err != nil:
		return store.Issue{}, fmt.Errorf("newsletter: %w", err)
	case !is.Status.Editable() && is.Status != store.IssueCancelled && !is.AudienceAdded:
		return s.addAudience(ctx, is)
	case !is.Status.Editable():
		return is, ErrAlreadySent
	}
	is, err = s.start(ctx, is, now)
	if err != nil {
		return store.Issue{}, err
	}
	s.wakeJobs()
	return is, nil
}

// Progress is how far the sending of an issue has come.
type Progress struct {
	IssueID     int64
	Status      store.IssueStatus
	PauseReason string
	Total       int // deliveries
	Sent        int
	Failed      int // failed for good
	Skipped     int // subscribers who left before their turn
	Pending     int // not tried yet
	Retrying    int // failed for now, to be tried again
	Remaining   int // Pending + Retrying
	// Rate is the messages sent per second over the last half minute;
	// ETA the time left at that rate (0 when unknown or done).
	Rate       float64
	ETA        time.Duration
	StartedAt  time.Time
	FinishedAt time.Time
}

// rateWindow is how far back the sending rate is measured.
const rateWindow = 30 * time.Second

// Progress reports how far an issue's sending has come.
func (s *Service) Progress(ctx context.Context, id int64) (Progress, error) {
	is, err := s.store.IssueByID(ctx, id)
	if err != nil {
		return Progress{}, fmt.Errorf("newsletter: %w", err)
	}
	c, err := s.store.DeliveryCounts(ctx, id)
	if err != nil {
		return Progress{}, fmt.Errorf("newsletter: %w", err)
	}
	p := Progress{IssueID: id, Status: is.Status, PauseReason: is.PauseReason, Total: c.Total, Sent: c.Sent,
		Failed: c.Failed, Skipped: c.Skipped, Pending: c.Pending, Retrying: c.Retrying, Remaining: c.Remaining(),
		StartedAt: is.StartedAt, FinishedAt: is.FinishedAt}
	if is.Status != store.IssueSending || is.StartedAt.IsZero() {
		return p, nil
	}
	now := s.now()
	window := min(rateWindow, now.Sub(is.StartedAt))
	if window < time.Second {
		return p, nil
	}
	n, err := s.store.DeliveriesSentSince(ctx, id, now.Add(-window))
	if err != nil {
		return Progress{}, fmt.Errorf("newsletter: %w", err)
	}
	p.Rate = float64(n) / window.Seconds()
	if p.Rate > 0 && p.Remaining > 0 {
		p.ETA = time.Duration(float64(p.Remaining) / p.Rate * float64(time.Second)).Round(time.Second)
	}
	return p, nil
}

// Handlers are the newsletter's job handlers, to give the jobs runner.
func (s *Service) Handlers() map[string]jobs.Handler {
	return map[string]jobs.Handler{
		KindSend:    s.sendHandler,
		KindCompose: s.composeHandler,
		// The kind is the jobs package's, so that editorial can enqueue
		// it when a post is published.
		jobs.KindTopicAlerts: s.topicAlertsHandler,
	}
}
