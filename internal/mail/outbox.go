package mail

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"masthead/internal/store"
)

// Outbox is the Sender used until SMTP is configured: it keeps every
// message in the database's outbox, where the desk shows it, and sends
// nothing further.
type Outbox struct {
	Store *store.Store
	// From is the sender of messages that name none.
	From string
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Send validates m and stores it with the status "stored". Nothing is
// stored for an invalid message.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	if m.From == "" {
		m.From = o.From
	}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("mail: outbox: %w", err)
	}
	to, _ := ParseAddress(m.To) // checked by Validate
	now := time.Now()
	if o.Now != nil {
		now = o.Now()
	}
	headers := maps.Clone(m.Headers)
	if m.MessageID != "" {
		// Kept with the other fields so the desk shows it.
		if headers == nil {
			headers = map[string]string{}
		}
		headers["Message-ID"] = m.MessageID
	}
	msg := store.OutboxMessage{
		CreatedAt: now,
		Kind:      m.Kind,
		To:        to.Address,
		ToName:    to.Name,
		From:      strings.TrimSpace(m.From), // as written: readable in the desk
		Subject:   m.Subject,
		Text:      m.Text,
		HTML:      m.HTML,
		Headers:   headers,
		Status:    store.OutboxStored,
		SentAt:    now,
	}
	if err := o.Store.AddOutboxMessage(ctx, &msg); err != nil {
		return fmt.Errorf("mail: outbox: %w", err)
	}
	return nil
}
