package store_test

import (
	"context"
	"testing"

	"masthead/internal/content"
	"masthead/internal/store"
)

func TestTopicEntries(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		hamas := store.TopicEntry{Slug: "hamas", Name: "Hamas", Kind: "group",
			Aliases: []string{"Islamic Resistance Movement", "Qassam~0.8{person}"}}
		if err := s.SaveTopicEntry(ctx, hamas, days(0)); err != nil {
			t.Fatal(err)
		}
		iran := store.TopicEntry{Slug: "iran", Name: "Iran", Kind: "country", Code: "IR", Region: "Middle East",
			UNStatus: "member", Aliases: []string{"Tehran"}, Builtin: true}
		if err := s.SaveTopicEntry(ctx, iran, days(1)); err != nil {
			t.Fatal(err)
		}
		v := contentVersion(t, s)
		hamas.Aliases = nil
		hamas.Name = "Hamas movement"
		if err := s.SaveTopicEntry(ctx, hamas, days(2)); err != nil {
			t.Fatal(err)
		}
		if contentVersion(t, s) == v {
			t.Errorf("saving an entry left the content version")
		}
		got, err := s.TopicEntries(ctx)
		if err != nil {
			t.Fatal(err)
		}
		hamas.CreatedAt, hamas.UpdatedAt = days(0), days(2)
		iran.CreatedAt, iran.UpdatedAt = days(1), days(1)
		equal(t, "TopicEntries", got, []store.TopicEntry{hamas, iran})

		if err := s.SaveTopicEntry(ctx, store.TopicEntry{Slug: "x", Name: "X", Kind: "other", Aliases: []string{"a\nb"}}, days(0)); err == nil {
			t.Errorf("an alias with a line break was saved")
		}
		if err := s.SaveTopicEntry(ctx, store.TopicEntry{Slug: "x", Name: "X", Kind: "planet"}, days(0)); err == nil {
			t.Errorf("an unknown kind was saved")
		}
		if err := s.DeleteTopicEntry(ctx, "hamas"); err != nil {
			t.Fatal(err)
		}
		wantErr(t, "second delete", s.DeleteTopicEntry(ctx, "hamas"), store.ErrNotFound)
		got, _ = s.TopicEntries(ctx)
		equal(t, "after delete", got, []store.TopicEntry{iran})
	})
}

func TestPostTopics(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := savePost(t, s, content.Post{Slug: "talks"})
		other := savePost(t, s, content.Post{Slug: "other"})
		found := []store.DetectedTopic{{Topic: "iran", Mentions: 4, Confidence: 1}, {Topic: "oman", Mentions: 1, Confidence: 1},
			{Topic: "georgia", Mentions: 1, Confidence: 0.6}}
		if err := s.SetDetectedTopics(ctx, p.ID, found, days(0)); err != nil {
			t.Fatal(err)
		}
		if err := s.DecidePostTopic(ctx, p.ID, "iran", store.TopicAccepted, days(1)); err != nil {
			t.Fatal(err)
		}
		if err := s.DecidePostTopic(ctx, p.ID, "georgia", store.TopicRejected, days(1)); err != nil {
			t.Fatal(err)
		}
		// An editor may add a topic detection did not find.
		if err := s.DecidePostTopic(ctx, p.ID, "hamas", store.TopicAccepted, days(1)); err != nil {
			t.Fatal(err)
		}
		// The text changed: Oman and Georgia are gone, Qatar is new.
		found = []store.DetectedTopic{{Topic: "iran", Mentions: 5, Confidence: 1}, {Topic: "qatar", Mentions: 2, Confidence: 1}}
		if err := s.SetDetectedTopics(ctx, p.ID, found, days(2)); err != nil {
			t.Fatal(err)
		}
		got, err := s.PostTopics(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "PostTopics", got, []store.PostTopic{
			{PostID: p.ID, Topic: "iran", Status: store.TopicAccepted, Mentions: 5, Confidence: 1, UpdatedAt: days(2)},
			{PostID: p.ID, Topic: "qatar", Status: store.TopicSuggested, Mentions: 2, Confidence: 1, UpdatedAt: days(2)},
			{PostID: p.ID, Topic: "georgia", Status: store.TopicRejected, Mentions: 0, Confidence: 0.6, UpdatedAt: days(2)},
			{PostID: p.ID, Topic: "hamas", Status: store.TopicAccepted, Mentions: 0, Confidence: 0, UpdatedAt: days(2)},
		})

		v := contentVersion(t, s)
		auto := []store.DetectedTopic{{Topic: "iran", Mentions: 1, Confidence: 1, Accept: true}}
		if err := s.SetDetectedTopics(ctx, other.ID, auto, days(3)); err != nil {
			t.Fatal(err)
		}
		if contentVersion(t, s) == v {
			t.Errorf("accepting a topic left the content version")
		}
		counts, err := s.TopicPostCounts(ctx, store.PostFilter{})
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "TopicPostCounts", counts, map[string]int{"iran": 2, "hamas": 1})
		// Accepting the archive turns suggestions into topics but leaves
		// rejections alone.
		all := []store.DetectedTopic{{Topic: "iran", Mentions: 5, Confidence: 1, Accept: true},
			{Topic: "qatar", Mentions: 2, Confidence: 1, Accept: true}, {Topic: "georgia", Mentions: 1, Confidence: 0.6, Accept: true}}
		if err := s.SetDetectedTopics(ctx, p.ID, all, days(3)); err != nil {
			t.Fatal(err)
		}
		got, _ = s.PostTopics(ctx, p.ID)
		statuses := map[string]store.PostTopicStatus{}
		for _, pt := range got {
			statuses[pt.Topic] = pt.Status
		}
		equal(t, "statuses after accepting", statuses, map[string]store.PostTopicStatus{"iran": store.TopicAccepted,
			"qatar": store.TopicAccepted, "georgia": store.TopicRejected, "hamas": store.TopicAccepted})

		wantErr(t, "unknown post", s.SetDetectedTopics(ctx, 99999, auto, days(3)), store.ErrNotFound)
		wantErr(t, "unknown post", s.DecidePostTopic(ctx, 99999, "iran", store.TopicAccepted, days(3)), store.ErrNotFound)
		if err := s.DecidePostTopic(ctx, p.ID, "iran", "maybe", days(3)); err == nil {
			t.Errorf("a bad status was stored")
		}
		twice := []store.DetectedTopic{{Topic: "iran"}, {Topic: "iran"}}
		if err := s.SetDetectedTopics(ctx, p.ID, twice, days(3)); err == nil {
			t.Errorf("a topic listed twice was stored")
		}
		if err := s.DeletePost(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		got, _ = s.PostTopics(ctx, p.ID)
		if len(got) != 0 {
			t.Errorf("topics of a deleted post remain: %+v", got)
		}
	})
}

func TestPostTexts(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var ids []int64
		for _, slug := range []string{"a", "b", "c"} {
			ids = append(ids, savePost(t, s, content.Post{Slug: slug, Deck: "Deck " + slug, Body: "Body of " + slug}).ID)
		}
		first, total, err := s.PostTexts(ctx, 0, 2)
		if err != nil {
			t.Fatal(err)
		}
		if total != 3 || len(first) != 2 || first[0].ID != ids[0] || first[1].Slug != "b" || first[1].Body != "Body of b" || first[1].Deck != "Deck b" {
			t.Fatalf("first page %+v, total %d", first, total)
		}
		rest, _, err := s.PostTexts(ctx, first[1].ID, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(rest) != 1 || rest[0].Slug != "c" || rest[0].Title != "Title of c" {
			t.Fatalf("second page %+v", rest)
		}
	})
}

func TestTopicRiverTimelineAndRelated(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		// Three published posts on Iran over two months, one draft, one
		// scheduled for after "now", and one post on Iran only suggested.
		posts := map[string]content.Post{}
		for _, p := range []content.Post{
			{Slug: "jan-a", PublishedAt: days(-40)},
			{Slug: "jan-b", PublishedAt: days(-35)},
			{Slug: "feb", PublishedAt: days(-10)},
			{Slug: "draft", Status: content.StatusDraft},
			{Slug: "future", Status: content.StatusScheduled, PublishedAt: days(5)},
			{Slug: "suggested", PublishedAt: days(-1)},
		} {
			posts[p.Slug] = savePost(t, s, p)
		}
		accept := func(slug string, topics ...string) {
			t.Helper()
			for _, topic := range topics {
				if err := s.DecidePostTopic(ctx, posts[slug].ID, topic, store.TopicAccepted, t0); err != nil {
					t.Fatal(err)
				}
			}
		}
		accept("jan-a", "iran", "iraq", "united-states")
		accept("jan-b", "iran", "iraq")
		accept("feb", "iran", "united-states", "iraq")
		accept("draft", "iran", "israel")
		accept("future", "iran", "israel")
		if err := s.SetDetectedTopics(ctx, posts["suggested"].ID, []store.DetectedTopic{{Topic: "iran", Mentions: 3, Confidence: 1}}, t0); err != nil {
			t.Fatal(err)
		}
		public := store.PublicFilter(t0)

		page, err := s.TopicPosts(ctx, "iran", public)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "river", slugs(page.Posts), []string{"feb", "jan-b", "jan-a"})
		if page.Total != 3 {
			t.Errorf("total %d", page.Total)
		}
		f := public
		f.Limit, f.Offset = 1, 1
		page, _ = s.TopicPosts(ctx, "iran", f)
		equal(t, "second page", slugs(page.Posts), []string{"jan-b"})
		page, _ = s.TopicPosts(ctx, "nowhere", public)
		if page.Total != 0 || len(page.Posts) != 0 {
			t.Errorf("unknown topic: %+v", page)
		}

		timeline, err := s.TopicTimeline(ctx, "iran", public)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "timeline", timeline, []store.MonthCount{{Month: "2025-01", Posts: 2}, {Month: "2025-02", Posts: 1}})

		related, err := s.RelatedTopics(ctx, "iran", public, 5)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "related", related, []store.TopicCount{{Topic: "iraq", Posts: 3}, {Topic: "united-states", Posts: 2}})
		related, _ = s.RelatedTopics(ctx, "iran", public, 1)
		equal(t, "related, one", related, []store.TopicCount{{Topic: "iraq", Posts: 3}})

		counts, err := s.TopicPostCounts(ctx, public)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "public counts", counts, map[string]int{"iran": 3, "iraq": 3, "united-states": 2})
	})
}

func TestTopicFollows(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
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
		follow := func(id int64, topic string, instant bool) {
			t.Helper()
			if err := s.FollowTopic(ctx, store.TopicFollow{SubscriberID: id, Topic: topic, Instant: instant, CreatedAt: t0}); err != nil {
				t.Fatal(err)
			}
		}
		follow(ann, "iran", true)
		follow(ann, "nato", false)
		follow(bob, "iran", false)
		follow(bob, "iran", true) // changes how, not a second row
		follow(cy, "iran", true)  // not confirmed: gets nothing
		got, err := s.SubscriberTopics(ctx, ann)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "ann's topics", got, []store.TopicFollow{
			{SubscriberID: ann, Topic: "iran", Instant: true, CreatedAt: t0},
			{SubscriberID: ann, Topic: "nato", Instant: false, CreatedAt: t0},
		})
		ids, err := s.TopicFollowers(ctx, []string{"iran", "nato"}, true)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "instant followers", ids, []int64{ann, bob})
		ids, _ = s.TopicFollowers(ctx, []string{"nato"}, false)
		equal(t, "round-up followers of nato", ids, []int64{ann})
		if err := s.UnfollowTopic(ctx, ann, "iran"); err != nil {
			t.Fatal(err)
		}
		if err := s.UnfollowTopic(ctx, ann, "iran"); err != nil {
			t.Errorf("second unfollow: %v", err)
		}
		ids, _ = s.TopicFollowers(ctx, []string{"iran"}, true)
		equal(t, "after unfollow", ids, []int64{bob})
		err = s.FollowTopic(ctx, store.TopicFollow{SubscriberID: 99999, Topic: "iran", CreatedAt: t0})
		wantErr(t, "unknown subscriber", err, store.ErrNotFound)
	})
}
