package store_test

import (
	"context"
	"testing"

	"masthead/internal/content"
	"masthead/internal/store"
)

func TestRoundupFollowsAndAcceptedTopics(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := savePost(t, s, content.Post{Slug: "a", PublishedAt: days(-1)})
		b := savePost(t, s, content.Post{Slug: "b", PublishedAt: days(-1)})
		c := savePost(t, s, content.Post{Slug: "c", PublishedAt: days(-1)})
		for _, d := range []struct {
			post   int64
			topic  string
			status store.PostTopicStatus
		}{{a.ID, "nato", store.TopicAccepted}, {a.ID, "iran", store.TopicAccepted}, {b.ID, "iran", store.TopicRejected},
			{b.ID, "iraq", store.TopicAccepted}} {
			if err := s.DecidePostTopic(ctx, d.post, d.topic, d.status, t0); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.SetDetectedTopics(ctx, c.ID, []store.DetectedTopic{{Topic: "iran", Mentions: 2, Confidence: 1}}, t0); err != nil {
			t.Fatal(err)
		}
		got, err := s.AcceptedTopicsOf(ctx, []int64{a.ID, b.ID, c.ID})
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "accepted topics", got, map[int64][]string{a.ID: {"iran", "nato"}, b.ID: {"iraq"}})
		if got, err := s.AcceptedTopicsOf(ctx, nil); err != nil || len(got) != 0 {
			t.Errorf("no posts: %v, %v", got, err)
		}

		sub := func(email string, status store.SubscriberStatus) int64 {
			t.Helper()
			x := store.Subscriber{Email: email, Status: status, WantsRoundup: true, ConsentSource: "test", ConsentAt: t0, CreatedAt: t0}
			if err := s.CreateSubscriber(ctx, &x); err != nil {
				t.Fatal(err)
			}
			return x.ID
		}
		ann, bob, cy := sub("ann@example.org", store.SubscriberConfirmed), sub("bob@example.org", store.SubscriberConfirmed),
			sub("cy@example.org", store.SubscriberPending)
		for _, f := range []store.TopicFollow{{SubscriberID: ann, Topic: "nato"}, {SubscriberID: ann, Topic: "iran"},
			{SubscriberID: ann, Topic: "china"}, {SubscriberID: bob, Topic: "iran", Instant: true}, {SubscriberID: bob, Topic: "iraq"},
			{SubscriberID: cy, Topic: "iran"}} {
			f.CreatedAt = t0
			if err := s.FollowTopic(ctx, f); err != nil {
				t.Fatal(err)
			}
		}
		follows, err := s.RoundupFollows(ctx, []string{"iran", "nato", "iraq"})
		if err != nil {
			t.Fatal(err)
		}
		// Instant follows and unconfirmed subscribers are not the round-up's.
		equal(t, "round-up follows", follows, map[int64][]string{ann: {"iran", "nato"}, bob: {"iraq"}})
	})
}
