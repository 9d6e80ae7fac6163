package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

func TestMarkDeliveriesSent(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		subs := make([]store.Subscriber, 5)
		for i := range subs {
			subs[i] = store.Subscriber{Email: fmt.Sprintf("r%d@example.org", i), Status: store.SubscriberConfirmed,
				WantsRoundup: true, ConsentSource: "test"}
		}
		if _, err := s.ImportSubscribers(ctx, subs); err != nil {
			t.Fatal(err)
		}
		is := store.Issue{Kind: store.IssueRoundup, Subject: "Week", Status: store.IssueDraft}
		if err := s.CreateIssue(ctx, &is); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC().Truncate(time.Millisecond)
		if _, _, err := s.StartIssue(ctx, is.ID, "<p>x</p>", "x", now); err != nil {
			t.Fatal(err)
		}
		claimed, err := s.ClaimDeliveries(ctx, is.ID, now, now.Add(time.Minute), 10)
		if err != nil || len(claimed) != 5 {
			t.Fatalf("claim = %d, %v", len(claimed), err)
		}
		var sent []store.SentDelivery
		for i, d := range claimed[:3] {
			sent = append(sent, store.SentDelivery{ID: d.ID, At: now.Add(time.Duration(i) * time.Second), MessageID: fmt.Sprintf("<m%d@x>", i)})
		}
		// A delivery that is gone is passed over.
		sent = append(sent, store.SentDelivery{ID: 1 << 40, At: now, MessageID: "<gone@x>"})
		if err := s.MarkDeliveriesSent(ctx, sent); err != nil {
			t.Fatal(err)
		}
		for i, d := range claimed {
			got, err := s.DeliveryOf(ctx, is.ID, d.SubscriberID)
			if err != nil {
				t.Fatal(err)
			}
			if i < 3 {
				if got.Status != store.DeliverySent || got.Attempts != 1 || !got.SentAt.Equal(sent[i].At) ||
					got.MessageID != sent[i].MessageID || !got.ClaimedUntil.IsZero() {
					t.Errorf("delivery %d = %+v", i, got)
				}
			} else if got.Status != store.DeliveryPending {
				t.Errorf("delivery %d not in the batch is %s", i, got.Status)
			}
		}
		c, err := s.DeliveryCounts(ctx, is.ID)
		if err != nil || c.Sent != 3 || c.Remaining() != 2 {
			t.Errorf("counts = %+v, %v", c, err)
		}
		if err := s.MarkDeliveriesSent(ctx, []store.SentDelivery{{ID: claimed[3].ID}}); err == nil {
			t.Error("a record without a time was accepted")
		}
	})
}
