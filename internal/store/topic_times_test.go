package store_test

import (
	"context"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
)

func TestTopicPublishTimes(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		late := time.Date(2025, 1, 31, 23, 30, 0, 0, time.UTC)
		a := savePost(t, s, content.Post{Slug: "a", PublishedAt: days(-3)})
		b := savePost(t, s, content.Post{Slug: "b", PublishedAt: late})
		draft := savePost(t, s, content.Post{Slug: "draft", Status: content.StatusDraft})
		suggested := savePost(t, s, content.Post{Slug: "suggested", PublishedAt: days(-1)})
		for _, p := range []content.Post{a, b, draft} {
			if err := s.DecidePostTopic(ctx, p.ID, "iran", store.TopicAccepted, days(0)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.SetDetectedTopics(ctx, suggested.ID, []store.DetectedTopic{{Topic: "iran", Mentions: 2}}, days(0)); err != nil {
			t.Fatal(err)
		}
		got, err := s.TopicPublishTimes(ctx, "iran", store.PublicFilter(days(0)))
		if err != nil {
			t.Fatal(err)
		}
		want := []time.Time{late, days(-3)}
		if days(-3).Before(late) {
			want = []time.Time{days(-3), late}
		}
		if len(got) != 2 || !got[0].Equal(want[0]) || !got[1].Equal(want[1]) {
			t.Errorf("publish times %v, want %v (oldest first, published and accepted only)", got, want)
		}
		if got, err := s.TopicPublishTimes(ctx, "nato", store.PublicFilter(days(0))); err != nil || len(got) != 0 {
			t.Errorf("a topic without articles: %v, %v", got, err)
		}
	})
}
