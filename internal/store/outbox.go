package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// OutboxStatus is where a message stands.
type OutboxStatus string

// The states of an outbox message.
const (
	// OutboxQueued waits for a delivery that will send it.
	OutboxQueued OutboxStatus = "queued"
	// OutboxStored was delivered into the outbox itself, to be read in the
	// desk, and goes no further.
	OutboxStored OutboxStatus = "stored"
	// OutboxSent was handed to a mail server.
	OutboxSent OutboxStatus = "sent"
	// OutboxFailed could not be sent; Error says why.
	OutboxFailed OutboxStatus = "failed"
)

// Valid reports whether s is a known state.
func (s OutboxStatus) Valid() bool {
	switch s {
	case OutboxQueued, OutboxStored, OutboxSent, OutboxFailed:
		return true
	}
	return false
}

// OutboxMessage is an email as it was handed to delivery.
type OutboxMessage struct {
	ID        int64
	CreatedAt time.Time
	Kind      string // what it is for, e.g. "invite", "reset"
	To        string // the bare address
	ToName    string // the display name, if any
	From      string // as it goes in the From header
	Subject   string
	Text      string
	HTML      string
	Headers   map[string]string
	Status    OutboxStatus
	SentAt    time.Time // when it was stored, sent or given up on
	Error     string
}

// OutboxFilter selects outbox messages. Zero fields do not filter.
type OutboxFilter struct {
	To     string // the bare address, ignoring case
	Kind   string
	Status OutboxStatus
	Limit  int // 0 means 50; at most 500
	Offset int
}

// OutboxPage is one page of the outbox, newest first.
type OutboxPage struct {
	Messages []OutboxMessage
	Total    int // messages matching the filter, ignoring Limit and Offset
}

const outboxColumns = `o.id, o.created_at, o.kind, o.to_addr, o.to_name, o.from_addr, o.subject, o.headers,
	o.status, o.sent_at, o.error, o.text_body, o.html_body`

func scanOutbox(sc rowScanner) (OutboxMessage, error) {
	var m OutboxMessage
	var headers, status string
	if err := sc.Scan(&m.ID, timeDest{&m.CreatedAt}, &m.Kind, &m.To, &m.ToName, &m.From, &m.Subject, &headers,
		&status, timeDest{&m.SentAt}, &m.Error, &m.Text, &m.HTML); err != nil {
		return m, err
	}
	m.Status = OutboxStatus(status)
	if headers != "" && headers != "{}" {
		if err := json.Unmarshal([]byte(headers), &m.Headers); err != nil {
			return m, fmt.Errorf("outbox message %d: bad stored headers: %w", m.ID, err)
		}
	}
	return m, nil
}

// AddOutboxMessage stores m and sets its ID (CreatedAt defaults to now,
// Status to queued). Checking addresses and headers is the mail package's
// work; the store only refuses a message without recipient.
func (s *Store) AddOutboxMessage(ctx context.Context, m *OutboxMessage) error {
	msg := *m
	if strings.TrimSpace(msg.To) == "" {
		return fmt.Errorf("store: add outbox message: no recipient: %w", ErrInvalid)
	}
	if msg.Status == "" {
		msg.Status = OutboxQueued
	}
	if !msg.Status.Valid() {
		return fmt.Errorf("store: add outbox message: unknown status %q: %w", msg.Status, ErrInvalid)
	}
	if msg.CreatedAt.IsZero() {
		msg.CreatedAt = time.Now()
	}
	if !validTime(msg.CreatedAt) || !validTime(msg.SentAt) {
		return fmt.Errorf("store: add outbox message: time out of range: %w", ErrInvalid)
	}
	msg.CreatedAt, msg.SentAt = normTime(msg.CreatedAt), normTime(msg.SentAt)
	headers := "{}"
	if len(msg.Headers) > 0 {
		b, err := json.Marshal(msg.Headers)
		if err != nil {
			return fmt.Errorf("store: add outbox message: %w", err)
		}
		headers = string(b)
	} else {
		msg.Headers = nil
	}
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		return r.queryRow(ctx, `INSERT INTO outbox (created_at, kind, to_addr, to_name, from_addr, subject, headers,
			status, sent_at, error, text_body, html_body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			r.timeArg(msg.CreatedAt), msg.Kind, msg.To, msg.ToName, msg.From, msg.Subject, headers,
			string(msg.Status), r.timeArg(msg.SentAt), msg.Error, msg.Text, msg.HTML).Scan(&msg.ID)
	})
	if err != nil {
		return fmt.Errorf("store: add outbox message to %s: %w", msg.To, err)
	}
	*m = msg
	return nil
}

// OutboxMessageByID returns one message or ErrNotFound.
func (s *Store) OutboxMessageByID(ctx context.Context, id int64) (OutboxMessage, error) {
	m, err := scanOutbox(s.reader().queryRow(ctx, `SELECT `+outboxColumns+` FROM outbox o WHERE o.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return OutboxMessage{}, fmt.Errorf("store: outbox message %d: %w", id, err)
	}
	return m, nil
}

// OutboxMessages returns one page of the outbox, newest first.
func (s *Store) OutboxMessages(ctx context.Context, f OutboxFilter) (OutboxPage, error) {
	r := s.reader()
	var conds []string
	var args []any
	if f.To != "" {
		conds = append(conds, `LOWER(o.to_addr) = ?`)
		args = append(args, strings.ToLower(strings.TrimSpace(f.To)))
	}
	if f.Kind != "" {
		conds = append(conds, `o.kind = ?`)
		args = append(args, f.Kind)
	}
	if f.Status != "" {
		conds = append(conds, `o.status = ?`)
		args = append(args, string(f.Status))
	}
	where := ""
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, ` AND `)
	}
	limit, offset := pageBounds(f.Limit, f.Offset, 50, 500)
	var page OutboxPage
	if err := r.queryRow(ctx, `SELECT COUNT(*) FROM outbox o`+where, args...).Scan(&page.Total); err != nil {
		return OutboxPage{}, fmt.Errorf("store: outbox: %w", err)
	}
	if offset >= page.Total {
		return page, nil
	}
	err := r.each(ctx, `SELECT `+outboxColumns+` FROM outbox o`+where+` ORDER BY o.id DESC LIMIT ? OFFSET ?`,
		append(args, limit, offset), func(rows *sql.Rows) error {
			m, err := scanOutbox(rows)
			page.Messages = append(page.Messages, m)
			return err
		})
	if err != nil {
		return OutboxPage{}, fmt.Errorf("store: outbox: %w", err)
	}
	return page, nil
}

// MarkOutboxSent records that a message was handed to a mail server at.
func (s *Store) MarkOutboxSent(ctx context.Context, id int64, at time.Time) error {
	return s.markOutbox(ctx, id, OutboxSent, at, "")
}

// MarkOutboxFailed records that sending a message failed at, and why.
func (s *Store) MarkOutboxFailed(ctx context.Context, id int64, at time.Time, cause string) error {
	return s.markOutbox(ctx, id, OutboxFailed, at, cause)
}

func (s *Store) markOutbox(ctx context.Context, id int64, status OutboxStatus, at time.Time, cause string) error {
	if at.IsZero() || !validTime(at) {
		return fmt.Errorf("store: mark outbox message %d %s: time missing or out of range: %w", id, status, ErrInvalid)
	}
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		res, err := r.exec(ctx, `UPDATE outbox SET status = ?, sent_at = ?, error = ? WHERE id = ?`,
			string(status), r.timeArg(at), cause, id)
		if err != nil {
			return err
		}
		return mustAffect(res)
	})
	if err != nil {
		return fmt.Errorf("store: mark outbox message %d %s: %w", id, status, err)
	}
	return nil
}
