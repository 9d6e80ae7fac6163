package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// SentDelivery is the record of one message the mail server accepted.
type SentDelivery struct {
	ID        int64
	At        time.Time
	MessageID string
}

// MarkDeliveriesSent records several accepted messages in one transaction,
// as MarkDeliverySent does one (without clearing bounce counts): one
// commit for the messages of several senders. A delivery that no longer
// exists (its subscriber was erased meanwhile) is passed over.
func (s *Store) MarkDeliveriesSent(ctx context.Context, sent []SentDelivery) error {
	if len(sent) == 0 {
		return nil
	}
	for _, d := range sent {
		if d.At.IsZero() || !validTime(d.At) {
			return fmt.Errorf("store: mark delivery %d sent: time missing or out of range: %w", d.ID, ErrInvalid)
		}
	}
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		if r.dialect == dialectPostgres {
			// One statement: one round trip to the server for them all.
			rows := make([]string, len(sent))
			args := []any{string(DeliverySent)}
			for i, d := range sent {
				rows[i] = "(CAST(? AS BIGINT), CAST(? AS TIMESTAMPTZ), CAST(? AS TEXT))"
				args = append(args, d.ID, r.timeArg(d.At), d.MessageID)
			}
			_, err := r.exec(ctx, `UPDATE deliveries AS d SET status = ?, attempts = d.attempts + 1, sent_at = v.at,
					message_id = v.mid, claimed_until = NULL, next_attempt_at = NULL, last_error = ''
				FROM (VALUES `+strings.Join(rows, ", ")+`) AS v(id, at, mid) WHERE d.id = v.id`, args...)
			return err
		}
		for _, d := range sent {
			if _, err := r.exec(ctx, `UPDATE deliveries SET status = ?, attempts = attempts + 1, sent_at = ?, message_id = ?,
					claimed_until = NULL, next_attempt_at = NULL, last_error = '' WHERE id = ?`,
				string(DeliverySent), r.timeArg(d.At), d.MessageID, d.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: mark %d deliveries sent: %w", len(sent), err)
	}
	return nil
}
