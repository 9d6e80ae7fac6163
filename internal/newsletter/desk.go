package newsletter

import (
	"context"
	"fmt"

	"masthead/internal/store"
)

// The reads below serve the editors' screens in the desk.

// Subscribers lists one page of subscribers, newest first.
func (s *Service) Subscribers(ctx context.Context, f store.SubscriberFilter) (store.SubscriberPage, error) {
	page, err := s.store.Subscribers(ctx, f)
	if err != nil {
		return store.SubscriberPage{}, fmt.Errorf("newsletter: %w", err)
	}
	return page, nil
}

// Subscriber returns one subscriber.
func (s *Service) Subscriber(ctx context.Context, id int64) (store.Subscriber, error) {
	sub, err := s.store.SubscriberByID(ctx, id)
	if err != nil {
		return store.Subscriber{}, fmt.Errorf("newsletter: %w", err)
	}
	return sub, nil
}

// SubscriberCounts says how many subscribers are in each state.
func (s *Service) SubscriberCounts(ctx context.Context) (map[store.SubscriberStatus]int, error) {
	c, err := s.store.SubscriberCounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("newsletter: %w", err)
	}
	return c, nil
}

// Recipients is how many subscribers an issue would be sent to if it
// started now; for an issue already started, how many deliveries it has.
// The desk asks before "Send now".
func (s *Service) Recipients(ctx context.Context, id int64) (int, error) {
	is, err := s.store.IssueByID(ctx, id)
	if err != nil {
		return 0, fmt.Errorf("newsletter: %w", err)
	}
	if !is.Status.Editable() {
		c, err := s.store.DeliveryCounts(ctx, id)
		if err != nil {
			return 0, fmt.Errorf("newsletter: %w", err)
		}
		return c.Total, nil
	}
	return s.KindRecipients(ctx, is.Kind)
}

// KindRecipients is how many subscribers an issue of kind would go to
// if it started now.
func (s *Service) KindRecipients(ctx context.Context, kind store.IssueKind) (int, error) {
	n, err := s.store.CountRecipients(ctx, kind)
	if err != nil {
		return 0, fmt.Errorf("newsletter: %w", err)
	}
	return n, nil
}
