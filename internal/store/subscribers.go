package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// SubscriberStatus is where a newsletter subscriber stands.
type SubscriberStatus string

// The states of a subscriber. Only confirmed subscribers receive issues.
const (
	SubscriberPending      SubscriberStatus = "pending"   // asked, not yet confirmed by the emailed link
	SubscriberConfirmed    SubscriberStatus = "confirmed" // double opt-in done
	SubscriberUnsubscribed SubscriberStatus = "unsubscribed"
	SubscriberBounced      SubscriberStatus = "bounced" // the address failed permanently too often
)

// Valid reports whether s is a known state.
func (s SubscriberStatus) Valid() bool {
	switch s {
	case SubscriberPending, SubscriberConfirmed, SubscriberUnsubscribed, SubscriberBounced:
		return true
	}
	return false
}

// Subscriber is a reader on the newsletter's list.
type Subscriber struct {
	ID     int64
	Email  string // normalised: trimmed, lower-cased
	Name   string // optional; never holds a line break
	Status SubscriberStatus

	WantsRoundup      bool // the weekly round-up
	WantsEveryArticle bool // an email for every new article
	Paused            bool // receives nothing until unpaused, but stays subscribed

	// Consent: how ("subscribe form", "import"…), from where and when the
	// person last asked to be subscribed.
	ConsentSource string
	ConsentIP     string
	ConsentAt     time.Time

	ConfirmedAt    time.Time // zero until confirmed
	UnsubscribedAt time.Time // zero unless unsubscribed
	ConfirmSentAt  time.Time // when the last confirmation email went out

	BounceCount int // permanent delivery failures in a row
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

const subscriberColumns = `sb.id, sb.email, sb.name, sb.status, sb.wants_roundup, sb.wants_every_article, sb.paused,
	sb.consent_source, sb.consent_ip, sb.consent_at, sb.confirmed_at, sb.unsubscribed_at, sb.confirm_sent_at,
	sb.bounce_count, sb.created_at, sb.updated_at`

func scanSubscriber(sc rowScanner, prefix ...any) (Subscriber, error) {
	var s Subscriber
	var status string
	err := sc.Scan(append(prefix, &s.ID, &s.Email, &s.Name, &status, &s.WantsRoundup, &s.WantsEveryArticle, &s.Paused,
		&s.ConsentSource, &s.ConsentIP, timeDest{&s.ConsentAt}, timeDest{&s.ConfirmedAt}, timeDest{&s.UnsubscribedAt},
		timeDest{&s.ConfirmSentAt}, &s.BounceCount, timeDest{&s.CreatedAt}, timeDest{&s.UpdatedAt})...)
	s.Status = SubscriberStatus(status)
	return s, err
}

// checkSubscriber normalises the email and refuses what the table cannot
// keep. Checking that an address can receive mail is the newsletter's work.
func checkSubscriber(s *Subscriber) error {
	s.Email = NormalizeEmail(s.Email)
	if err := checkEmail(s.Email); err != nil {
		return err
	}
	if strings.ContainsAny(s.Name, "\r\n\x00") {
		return fmt.Errorf("name holds a line break: %w", ErrInvalid)
	}
	if len(s.Name) > 200 {
		return fmt.Errorf("name is longer than 200 bytes: %w", ErrInvalid)
	}
	if !s.Status.Valid() {
		return fmt.Errorf("unknown subscriber status %q: %w", s.Status, ErrInvalid)
	}
	if s.BounceCount < 0 {
		return fmt.Errorf("negative bounce count: %w", ErrInvalid)
	}
	for _, t := range []*time.Time{&s.ConsentAt, &s.ConfirmedAt, &s.UnsubscribedAt, &s.ConfirmSentAt, &s.CreatedAt, &s.UpdatedAt} {
		if !validTime(*t) {
			return fmt.Errorf("time out of range: %w", ErrInvalid)
		}
		*t = normTime(*t)
	}
	return nil
}

// CreateSubscriber inserts s and sets its ID (CreatedAt and UpdatedAt
// default to now). An address already on the list is ErrConflict.
func (s *Store) CreateSubscriber(ctx context.Context, sub *Subscriber) error {
	n := *sub
	now := time.Now()
	if n.CreatedAt.IsZero() {
		n.CreatedAt = now
	}
	if n.UpdatedAt.IsZero() {
		n.UpdatedAt = n.CreatedAt
	}
	if err := checkSubscriber(&n); err != nil {
		return fmt.Errorf("store: create subscriber: %w", err)
	}
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		return r.queryRow(ctx, `INSERT INTO subscribers (email, name, status, wants_roundup, wants_every_article, paused,
				consent_source, consent_ip, consent_at, confirmed_at, unsubscribed_at, confirm_sent_at, bounce_count,
				created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			n.Email, n.Name, string(n.Status), n.WantsRoundup, n.WantsEveryArticle, n.Paused,
			n.ConsentSource, n.ConsentIP, r.timeArg(n.ConsentAt), r.timeArg(n.ConfirmedAt), r.timeArg(n.UnsubscribedAt),
			r.timeArg(n.ConfirmSentAt), n.BounceCount, r.timeArg(n.CreatedAt), r.timeArg(n.UpdatedAt)).Scan(&n.ID)
	})
	if err != nil {
		return fmt.Errorf("store: create subscriber %s: %w", n.Email, conflict(err))
	}
	*sub = n
	return nil
}

// UpdateSubscriber stores every field of sub but its ID and CreatedAt;
// UpdatedAt becomes now when zero. A missing subscriber is ErrNotFound, an
// email another subscriber has is ErrConflict.
func (s *Store) UpdateSubscriber(ctx context.Context, sub Subscriber) error {
	if sub.UpdatedAt.IsZero() {
		sub.UpdatedAt = time.Now()
	}
	if err := checkSubscriber(&sub); err != nil {
		return fmt.Errorf("store: update subscriber %d: %w", sub.ID, err)
	}
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		res, err := r.exec(ctx, `UPDATE subscribers SET email = ?, name = ?, status = ?, wants_roundup = ?,
				wants_every_article = ?, paused = ?, consent_source = ?, consent_ip = ?, consent_at = ?, confirmed_at = ?,
				unsubscribed_at = ?, confirm_sent_at = ?, bounce_count = ?, updated_at = ?
			WHERE id = ?`,
			sub.Email, sub.Name, string(sub.Status), sub.WantsRoundup, sub.WantsEveryArticle, sub.Paused,
			sub.ConsentSource, sub.ConsentIP, r.timeArg(sub.ConsentAt), r.timeArg(sub.ConfirmedAt),
			r.timeArg(sub.UnsubscribedAt), r.timeArg(sub.ConfirmSentAt), sub.BounceCount, r.timeArg(sub.UpdatedAt), sub.ID)
		if err != nil {
			return err
		}
		return mustAffect(res)
	})
	if err != nil {
		return fmt.Errorf("store: update subscriber %d: %w", sub.ID, conflict(err))
	}
	return nil
}

// SubscriberByID returns one subscriber or ErrNotFound.
func (s *Store) SubscriberByID(ctx context.Context, id int64) (Subscriber, error) {
	sub, err := scanSubscriber(s.reader().queryRow(ctx, `SELECT `+subscriberColumns+` FROM subscribers sb WHERE sb.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Subscriber{}, fmt.Errorf("store: subscriber %d: %w", id, err)
	}
	return sub, nil
}

// SubscriberByEmail returns the subscriber with this address, in any case
// and with surrounding spaces, or ErrNotFound.
func (s *Store) SubscriberByEmail(ctx context.Context, email string) (Subscriber, error) {
	sub, err := scanSubscriber(s.reader().queryRow(ctx, `SELECT `+subscriberColumns+` FROM subscribers sb WHERE sb.email = ?`,
		NormalizeEmail(email)))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Subscriber{}, fmt.Errorf("store: subscriber %q: %w", email, err)
	}
	return sub, nil
}

// SubscriberFilter selects subscribers for the desk. Zero fields do not
// filter.
type SubscriberFilter struct {
	Status SubscriberStatus
	Query  string // a part of the address or the name, ignoring case
	Limit  int    // 0 means 50; at most 1000
	Offset int
}

// SubscriberPage is one page of subscribers, newest first.
type SubscriberPage struct {
	Subscribers []Subscriber
	Total       int // subscribers matching the filter, ignoring Limit and Offset
}

// Subscribers returns one page of subscribers, most recently added first.
func (s *Store) Subscribers(ctx context.Context, f SubscriberFilter) (SubscriberPage, error) {
	r := s.reader()
	var conds []string
	var args []any
	if f.Status != "" {
		conds = append(conds, `sb.status = ?`)
		args = append(args, string(f.Status))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		conds = append(conds, `(sb.email LIKE ? ESCAPE '\' OR LOWER(sb.name) LIKE ? ESCAPE '\')`)
		p := likePattern(strings.ToLower(q))
		args = append(args, p, p)
	}
	where := ""
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, ` AND `)
	}
	limit, offset := pageBounds(f.Limit, f.Offset, 50, 1000)
	var page SubscriberPage
	if err := r.queryRow(ctx, `SELECT COUNT(*) FROM subscribers sb`+where, args...).Scan(&page.Total); err != nil {
		return SubscriberPage{}, fmt.Errorf("store: subscribers: %w", err)
	}
	if offset >= page.Total {
		return page, nil
	}
	err := r.each(ctx, `SELECT `+subscriberColumns+` FROM subscribers sb`+where+` ORDER BY sb.id DESC LIMIT ? OFFSET ?`,
		append(args, limit, offset), func(rows *sql.Rows) error {
			sub, err := scanSubscriber(rows)
			page.Subscribers = append(page.Subscribers, sub)
			return err
		})
	if err != nil {
		return SubscriberPage{}, fmt.Errorf("store: subscribers: %w", err)
	}
	return page, nil
}

// SubscriberCounts returns how many subscribers are in each state; states
// with none are absent.
func (s *Store) SubscriberCounts(ctx context.Context) (map[SubscriberStatus]int, error) {
	counts := map[SubscriberStatus]int{}
	err := s.reader().each(ctx, `SELECT status, COUNT(*) FROM subscribers GROUP BY status`, nil, func(rows *sql.Rows) error {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return err
		}
		counts[SubscriberStatus(st)] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: subscriber counts: %w", err)
	}
	return counts, nil
}

// ImportSubscribers adds subs in one transaction, leaving out any whose
// address is already on the list (or repeated in subs), and returns how
// many it added. Nothing is added when one of them is invalid.
func (s *Store) ImportSubscribers(ctx context.Context, subs []Subscriber) (int, error) {
	now := time.Now()
	rows := make([]Subscriber, len(subs))
	for i, sub := range subs {
		if sub.CreatedAt.IsZero() {
			sub.CreatedAt = now
		}
		if sub.UpdatedAt.IsZero() {
			sub.UpdatedAt = sub.CreatedAt
		}
		if err := checkSubscriber(&sub); err != nil {
			return 0, fmt.Errorf("store: import subscribers: row %d: %w", i+1, err)
		}
		rows[i] = sub
	}
	// 15 values a row: 60 rows stay under SQLite's oldest limit of 999
	// variables.
	const perInsert = 60
	added := 0
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		for start := 0; start < len(rows); start += perInsert {
			chunk := rows[start:min(start+perInsert, len(rows))]
			var b strings.Builder
			b.WriteString(`INSERT INTO subscribers (email, name, status, wants_roundup, wants_every_article, paused,
				consent_source, consent_ip, consent_at, confirmed_at, unsubscribed_at, confirm_sent_at, bounce_count,
				created_at, updated_at) VALUES `)
			args := make([]any, 0, 15*len(chunk))
			for i, n := range chunk {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(`(` + placeholders(15) + `)`)
				args = append(args, n.Email, n.Name, string(n.Status), n.WantsRoundup, n.WantsEveryArticle, n.Paused,
					n.ConsentSource, n.ConsentIP, r.timeArg(n.ConsentAt), r.timeArg(n.ConfirmedAt), r.timeArg(n.UnsubscribedAt),
					r.timeArg(n.ConfirmSentAt), n.BounceCount, r.timeArg(n.CreatedAt), r.timeArg(n.UpdatedAt))
			}
			b.WriteString(` ON CONFLICT (email) DO NOTHING`)
			res, err := r.exec(ctx, b.String(), args...)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			added += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: import subscribers: %w", err)
	}
	return added, nil
}

// DeleteSubscriber erases a subscriber and their delivery records, as when
// they ask for their personal data to be removed.
func (s *Store) DeleteSubscriber(ctx context.Context, id int64) error {
	err := s.InTx(ctx, func(tx *Store) error {
		res, err := tx.txRunner().exec(ctx, `DELETE FROM subscribers WHERE id = ?`, id)
		if err != nil {
			return err
		}
		return mustAffect(res)
	})
	if err != nil {
		return fmt.Errorf("store: delete subscriber %d: %w", id, err)
	}
	return nil
}

// InitSetting stores value under key unless the key already has one, and
// returns the value the key ends up with. Secrets generated on first use
// go through it, so that two nodes starting at once agree on one.
func (s *Store) InitSetting(ctx context.Context, key, value string) (string, error) {
	if key == "" {
		return "", fmt.Errorf("store: init setting: empty key: %w", ErrInvalid)
	}
	var v string
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		if _, err := r.exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, value); err != nil {
			return err
		}
		return r.queryRow(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	})
	if err != nil {
		return "", fmt.Errorf("store: init setting %q: %w", key, err)
	}
	return v, nil
}
