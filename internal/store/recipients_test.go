package store_test

import (
	"context"
	"testing"

	"masthead/internal/store"
)

// CountRecipients counts exactly those StartIssue would create deliveries
// for.
func TestCountRecipients(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		addSubscriber(t, s, "weekly@example.org", store.SubscriberConfirmed, nil)
		addSubscriber(t, s, "both@example.org", store.SubscriberConfirmed, func(sub *store.Subscriber) { sub.WantsEveryArticle = true })
		addSubscriber(t, s, "articles@example.org", store.SubscriberConfirmed, func(sub *store.Subscriber) {
			sub.WantsRoundup, sub.WantsEveryArticle = false, true
		})
		addSubscriber(t, s, "paused@example.org", store.SubscriberConfirmed, func(sub *store.Subscriber) { sub.Paused = true })
		addSubscriber(t, s, "pending@example.org", store.SubscriberPending, nil)
		addSubscriber(t, s, "gone@example.org", store.SubscriberUnsubscribed, nil)
		addSubscriber(t, s, "bounced@example.org", store.SubscriberBounced, nil)
		for kind, want := range map[store.IssueKind]int{store.IssueRoundup: 2, store.IssueArticle: 2} {
			if n, err := s.CountRecipients(ctx, kind); err != nil || n != want {
				t.Errorf("CountRecipients(%s) = %d, %v; want %d", kind, n, err, want)
			}
		}
		if _, err := s.CountRecipients(ctx, "weekly"); err == nil {
			t.Errorf("CountRecipients of an unknown kind succeeded")
		}
	})
}
