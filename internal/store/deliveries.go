package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// DeliveryStatus is where the delivery of an issue to one subscriber
// stands.
type DeliveryStatus string

// The states of a delivery.
const (
	DeliveryPending    DeliveryStatus = "pending"     // not tried yet
	DeliverySent       DeliveryStatus = "sent"        // accepted by the mail server
	DeliveryFailedTemp DeliveryStatus = "failed_temp" // failed for now; tried again at NextAttemptAt
	DeliveryFailedPerm DeliveryStatus = "failed_perm" // refused for good, or given up on
	DeliverySkipped    DeliveryStatus = "skipped"     // the subscriber left or paused before their turn
)

// Valid reports whether s is a known state.
func (s DeliveryStatus) Valid() bool {
	switch s {
	case DeliveryPending, DeliverySent, DeliveryFailedTemp, DeliveryFailedPerm, DeliverySkipped:
		return true
	}
	return false
}

// Delivery is the record of one issue going to one subscriber.
type Delivery struct {
	ID            int64
	IssueID       int64
	SubscriberID  int64
	Status        DeliveryStatus
	Attempts      int
	NextAttemptAt time.Time // when a failed_temp delivery is due again
	ClaimedUntil  time.Time // the lease of the sender working on it; zero when free
	SentAt        time.Time
	MessageID     string // the Message-ID header of what was sent
	LastError     string
	Reason        DeliveryReason
}

// DeliveryReason says why a subscriber gets an issue.
type DeliveryReason string

const (
	// ReasonAudience: the subscriber is in the issue's own audience
	// (round-up readers, or those who want every article).
	ReasonAudience DeliveryReason = ""
	// ReasonTopic: an instant alert for a topic the subscriber follows.
	ReasonTopic DeliveryReason = "topic"
)

const deliveryColumns = `d.id, d.issue_id, d.subscriber_id, d.status, d.attempts, d.next_attempt_at, d.claimed_until,
	d.sent_at, d.message_id, d.last_error, d.reason`

func scanDelivery(sc rowScanner, suffix ...any) (Delivery, error) {
	var d Delivery
	var status string
	err := sc.Scan(append([]any{&d.ID, &d.IssueID, &d.SubscriberID, &status, &d.Attempts, timeDest{&d.NextAttemptAt},
		timeDest{&d.ClaimedUntil}, timeDest{&d.SentAt}, &d.MessageID, &d.LastError, (*string)(&d.Reason)}, suffix...)...)
	d.Status = DeliveryStatus(status)
	return d, err
}

// DeliveryTarget is a claimed delivery with its subscriber as they stand
// now, so the sender can skip those who left meanwhile.
type DeliveryTarget struct {
	Delivery
	Subscriber Subscriber
}

// dueDeliveries is the condition of rows a sender may take at now (the
// first argument, given twice). The statuses are written out so that the
// planner can use the partial index deliveries_due.
const dueDeliveries = ` d.status IN ('pending', 'failed_temp')
	AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= ?)
	AND (d.claimed_until IS NULL OR d.claimed_until < ?)`

// ClaimDeliveries claims up to limit deliveries of an issue that are due at
// now (pending, or failed for now and due again, and not claimed by a
// sender whose lease still runs), oldest first, until the lease until. On
// PostgreSQL concurrent claims skip each other's rows, so two senders
// never hold one delivery.
func (s *Store) ClaimDeliveries(ctx context.Context, issueID int64, now, until time.Time, limit int) ([]DeliveryTarget, error) {
	if now.IsZero() || !validTime(now) || !until.After(now) || !validTime(until) || limit <= 0 {
		return nil, fmt.Errorf("store: claim deliveries of issue %d: needs a time, a later lease and a limit: %w", issueID, ErrInvalid)
	}
	var targets []DeliveryTarget
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		lock := ""
		if r.dialect == dialectPostgres {
			lock = ` FOR UPDATE SKIP LOCKED`
		}
		var ids []int64
		err := r.each(ctx, `UPDATE deliveries SET claimed_until = ? WHERE id IN (
				SELECT d.id FROM deliveries d WHERE d.issue_id = ? AND`+dueDeliveries+`
				ORDER BY d.id LIMIT ?`+lock+`)
			RETURNING id`,
			[]any{r.timeArg(until), issueID, r.timeArg(now), r.timeArg(now), limit}, func(rows *sql.Rows) error {
				var id int64
				err := rows.Scan(&id)
				ids = append(ids, id)
				return err
			})
		if err != nil || len(ids) == 0 {
			return err
		}
		return r.each(ctx, `SELECT `+deliveryColumns+`, `+subscriberColumns+`
			FROM deliveries d JOIN subscribers sb ON sb.id = d.subscriber_id
			WHERE d.id IN (`+placeholders(len(ids))+`) ORDER BY d.id`, anys(ids), func(rows *sql.Rows) error {
			var t DeliveryTarget
			var status string
			sub := &t.Subscriber
			err := rows.Scan(&t.ID, &t.IssueID, &t.SubscriberID, &status, &t.Attempts, timeDest{&t.NextAttemptAt},
				timeDest{&t.ClaimedUntil}, timeDest{&t.SentAt}, &t.MessageID, &t.LastError, (*string)(&t.Reason),
				&sub.ID, &sub.Email, &sub.Name, (*string)(&sub.Status), &sub.WantsRoundup, &sub.WantsEveryArticle, &sub.Paused,
				&sub.ConsentSource, &sub.ConsentIP, timeDest{&sub.ConsentAt}, timeDest{&sub.ConfirmedAt},
				timeDest{&sub.UnsubscribedAt}, timeDest{&sub.ConfirmSentAt}, &sub.BounceCount, timeDest{&sub.CreatedAt},
				timeDest{&sub.UpdatedAt})
			t.Status = DeliveryStatus(status)
			targets = append(targets, t)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim deliveries of issue %d: %w", issueID, err)
	}
	return targets, nil
}

// ReleaseDeliveries gives back the claims, made with lease until, on
// deliveries a sender did not get to, so that they are due at once.
func (s *Store) ReleaseDeliveries(ctx context.Context, ids []int64, until time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		_, err := r.exec(ctx, `UPDATE deliveries SET claimed_until = NULL
			WHERE claimed_until = ? AND id IN (`+placeholders(len(ids))+`)`, append([]any{r.timeArg(until)}, anys(ids)...)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: release deliveries: %w", err)
	}
	return nil
}

// MarkDeliverySent records that the mail server accepted the delivery id
// at at, whoever holds its claim now: what was sent must never be sent
// again. When clearBounces is set the subscriber's count of permanent
// failures starts again from zero (pass it only when they had some: it
// costs a write).
func (s *Store) MarkDeliverySent(ctx context.Context, id, subscriberID int64, at time.Time, messageID string, clearBounces bool) error {
	if at.IsZero() || !validTime(at) {
		return fmt.Errorf("store: mark delivery %d sent: time missing or out of range: %w", id, ErrInvalid)
	}
	mark := func(r runner) error {
		res, err := r.exec(ctx, `UPDATE deliveries SET status = ?, attempts = attempts + 1, sent_at = ?, message_id = ?,
				claimed_until = NULL, next_attempt_at = NULL, last_error = '' WHERE id = ?`,
			string(DeliverySent), r.timeArg(at), messageID, id)
		if err != nil {
			return err
		}
		return mustAffect(res)
	}
	var err error
	if !clearBounces && s.tx == nil {
		// One statement needs no transaction around it, and this runs once
		// per message sent.
		err = mark(runner{q: s.db.writer, dialect: s.db.dialect})
	} else {
		err = s.InTx(ctx, func(tx *Store) error {
			r := tx.txRunner()
			if err := mark(r); err != nil || !clearBounces {
				return err
			}
			_, err := r.exec(ctx, `UPDATE subscribers SET bounce_count = 0 WHERE id = ? AND bounce_count > 0`, subscriberID)
			return err
		})
	}
	if err != nil {
		return fmt.Errorf("store: mark delivery %d sent: %w", id, err)
	}
	return nil
}

// DeliveryFailure is the outcome of a failed attempt.
type DeliveryFailure struct {
	ID           int64
	SubscriberID int64
	At           time.Time
	Error        string
	// RetryAt is when to try again; zero fails the delivery for good.
	RetryAt time.Time
	// Bounce counts the failure against the address (a permanent refusal
	// by its server); a confirmed subscriber whose count reaches
	// BounceLimit becomes bounced.
	Bounce      bool
	BounceLimit int
}

// MarkDeliveryFailed records a failed attempt and reports whether it made
// the subscriber bounced.
func (s *Store) MarkDeliveryFailed(ctx context.Context, f DeliveryFailure) (bounced bool, err error) {
	if f.At.IsZero() || !validTime(f.At) || !validTime(f.RetryAt) {
		return false, fmt.Errorf("store: mark delivery %d failed: time missing or out of range: %w", f.ID, ErrInvalid)
	}
	if f.Bounce && f.BounceLimit < 1 {
		return false, fmt.Errorf("store: mark delivery %d failed: bounce limit below 1: %w", f.ID, ErrInvalid)
	}
	err = s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		status, next := DeliveryFailedTemp, r.timeArg(f.RetryAt)
		if f.RetryAt.IsZero() {
			status, next = DeliveryFailedPerm, nil
		}
		res, err := r.exec(ctx, `UPDATE deliveries SET status = ?, attempts = attempts + 1, next_attempt_at = ?,
				claimed_until = NULL, last_error = ? WHERE id = ? AND status <> ?`,
			string(status), next, f.Error, f.ID, string(DeliverySent))
		if err != nil {
			return err
		}
		if err := mustAffect(res); err != nil {
			return err
		}
		if !f.Bounce {
			return nil
		}
		var before string
		err = r.queryRow(ctx, `SELECT status FROM subscribers WHERE id = ?`, f.SubscriberID).Scan(&before)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // erased meanwhile
		}
		if err != nil {
			return err
		}
		var after string
		if err := r.queryRow(ctx, `UPDATE subscribers SET bounce_count = bounce_count + 1,
				status = CASE WHEN status = ? AND bounce_count + 1 >= ? THEN ? ELSE status END, updated_at = ?
			WHERE id = ? RETURNING status`,
			string(SubscriberConfirmed), f.BounceLimit, string(SubscriberBounced), r.timeArg(f.At), f.SubscriberID).Scan(&after); err != nil {
			return err
		}
		bounced = before != after && SubscriberStatus(after) == SubscriberBounced
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: mark delivery %d failed: %w", f.ID, err)
	}
	return bounced, nil
}

// MarkDeliverySkipped records that a delivery will not be sent because
// its subscriber no longer wants it.
func (s *Store) MarkDeliverySkipped(ctx context.Context, id int64, reason string) error {
	err := s.InTx(ctx, func(tx *Store) error {
		res, err := tx.txRunner().exec(ctx, `UPDATE deliveries SET status = ?, claimed_until = NULL, next_attempt_at = NULL,
			last_error = ? WHERE id = ? AND status <> ?`, string(DeliverySkipped), reason, id, string(DeliverySent))
		if err != nil {
			return err
		}
		return mustAffect(res)
	})
	if err != nil {
		return fmt.Errorf("store: mark delivery %d skipped: %w", id, err)
	}
	return nil
}

// DeliveryCounts says how far the deliveries of an issue have come.
type DeliveryCounts struct {
	Pending  int // not tried yet
	Retrying int // failed for now, to be tried again
	Sent     int
	Failed   int // failed for good
	Skipped  int
	Total    int
}

// Remaining is how many deliveries are still to be made.
func (c DeliveryCounts) Remaining() int { return c.Pending + c.Retrying }

// DeliveryCounts counts the deliveries of an issue by state.
func (s *Store) DeliveryCounts(ctx context.Context, issueID int64) (DeliveryCounts, error) {
	var c DeliveryCounts
	err := s.reader().each(ctx, `SELECT status, COUNT(*) FROM deliveries WHERE issue_id = ? GROUP BY status`,
		[]any{issueID}, func(rows *sql.Rows) error {
			var st string
			var n int
			if err := rows.Scan(&st, &n); err != nil {
				return err
			}
			switch DeliveryStatus(st) {
			case DeliveryPending:
				c.Pending = n
			case DeliveryFailedTemp:
				c.Retrying = n
			case DeliverySent:
				c.Sent = n
			case DeliveryFailedPerm:
				c.Failed = n
			case DeliverySkipped:
				c.Skipped = n
			}
			c.Total += n
			return nil
		})
	if err != nil {
		return DeliveryCounts{}, fmt.Errorf("store: delivery counts of issue %d: %w", issueID, err)
	}
	return c, nil
}

// DeliveriesSentSince counts the deliveries of an issue sent at or after
// since, from which the sending rate is reckoned.
func (s *Store) DeliveriesSentSince(ctx context.Context, issueID int64, since time.Time) (int, error) {
	r := s.reader()
	var n int
	if err := r.queryRow(ctx, `SELECT COUNT(*) FROM deliveries WHERE issue_id = ? AND sent_at >= ?`,
		issueID, r.timeArg(since)).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: deliveries of issue %d sent since %v: %w", issueID, since, err)
	}
	return n, nil
}

// NextDeliveryDue returns when a delivery of the issue that is still to be
// made but not due at now becomes due: the earliest retry time, or the end
// of a claim held by a sender. It is the zero time when there is none.
func (s *Store) NextDeliveryDue(ctx context.Context, issueID int64, now time.Time) (time.Time, error) {
	r := s.reader()
	var retry, claim time.Time
	err := r.queryRow(ctx, `SELECT
			(SELECT MIN(d.next_attempt_at) FROM deliveries d WHERE d.issue_id = ? AND d.status IN ('pending', 'failed_temp')
				AND d.next_attempt_at > ?),
			(SELECT MIN(d.claimed_until) FROM deliveries d WHERE d.issue_id = ? AND d.status IN ('pending', 'failed_temp')
				AND d.claimed_until >= ?)`,
		issueID, r.timeArg(now), issueID, r.timeArg(now)).Scan(timeDest{&retry}, timeDest{&claim})
	if err != nil {
		return time.Time{}, fmt.Errorf("store: next delivery of issue %d: %w", issueID, err)
	}
	// A row may be both: it is due at the later of the two, but the
	// earlier is a safe time to look again.
	switch {
	case retry.IsZero():
		return claim, nil
	case claim.IsZero() || retry.Before(claim):
		return retry, nil
	}
	return claim, nil
}

// DeliveryFilter selects deliveries for the desk. Zero fields do not
// filter.
type DeliveryFilter struct {
	IssueID  int64
	Statuses []DeliveryStatus
	Limit    int // 0 means 50; at most 1000
	Offset   int
}

// DeliveryPage is one page of deliveries with their subscribers' addresses.
type DeliveryPage struct {
	Deliveries []DeliveryRow
	Total      int
}

// DeliveryRow is a delivery with the address it went to.
type DeliveryRow struct {
	Delivery
	Email string
}

// Deliveries returns one page of deliveries in the order they were
// created.
func (s *Store) Deliveries(ctx context.Context, f DeliveryFilter) (DeliveryPage, error) {
	r := s.reader()
	var conds []string
	var args []any
	if f.IssueID != 0 {
		conds = append(conds, `d.issue_id = ?`)
		args = append(args, f.IssueID)
	}
	if len(f.Statuses) > 0 {
		conds = append(conds, `d.status IN (`+placeholders(len(f.Statuses))+`)`)
		for _, st := range f.Statuses {
			args = append(args, string(st))
		}
	}
	where := ""
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, ` AND `)
	}
	limit, offset := pageBounds(f.Limit, f.Offset, 50, 1000)
	var page DeliveryPage
	if err := r.queryRow(ctx, `SELECT COUNT(*) FROM deliveries d`+where, args...).Scan(&page.Total); err != nil {
		return DeliveryPage{}, fmt.Errorf("store: deliveries: %w", err)
	}
	if offset >= page.Total {
		return page, nil
	}
	err := r.each(ctx, `SELECT `+deliveryColumns+`, sb.email FROM deliveries d JOIN subscribers sb ON sb.id = d.subscriber_id`+
		where+` ORDER BY d.id LIMIT ? OFFSET ?`, append(args, limit, offset), func(rows *sql.Rows) error {
		var row DeliveryRow
		var err error
		row.Delivery, err = scanDelivery(rows, &row.Email)
		page.Deliveries = append(page.Deliveries, row)
		return err
	})
	if err != nil {
		return DeliveryPage{}, fmt.Errorf("store: deliveries: %w", err)
	}
	return page, nil
}

// DeliveryOf returns the delivery of an issue to a subscriber or
// ErrNotFound.
func (s *Store) DeliveryOf(ctx context.Context, issueID, subscriberID int64) (Delivery, error) {
	d, err := scanDelivery(s.reader().queryRow(ctx, `SELECT `+deliveryColumns+` FROM deliveries d
		WHERE d.issue_id = ? AND d.subscriber_id = ?`, issueID, subscriberID))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Delivery{}, fmt.Errorf("store: delivery of issue %d to subscriber %d: %w", issueID, subscriberID, err)
	}
	return d, nil
}
