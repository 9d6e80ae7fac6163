package site

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"

	"masthead/internal/store"
)

// topicChoice is one topic on the preferences page's checklist.
type topicChoice struct {
	Slug     string
	Name     string
	Posts    int
	Followed bool
}

// maxFollowedTopics bounds how many topics one form may follow, so that a
// forged form cannot write thousands of rows.
const maxFollowedTopics = 200

// topicChoices lists the topics a subscriber may follow: every topic with
// articles and every topic they already follow, by name.
func (s *Site) topicChoices(ctx context.Context, sub store.Subscriber) ([]topicChoice, error) {
	counts, err := s.store.TopicPostCounts(ctx, store.PublicFilter(s.now()))
	if err != nil {
		return nil, err
	}
	follows, err := s.store.SubscriberTopics(ctx, sub.ID)
	if err != nil {
		return nil, err
	}
	if len(counts) == 0 && len(follows) == 0 {
		return nil, nil
	}
	g, err := s.gazetteer(ctx)
	if err != nil {
		return nil, err
	}
	followed := map[string]bool{}
	for _, f := range follows {
		followed[f.Topic] = true
	}
	var out []topicChoice
	for _, e := range g.Entries() {
		if counts[e.Slug] > 0 || followed[e.Slug] {
			out = append(out, topicChoice{Slug: e.Slug, Name: e.Name, Posts: counts[e.Slug], Followed: followed[e.Slug]})
		}
	}
	slices.SortFunc(out, func(a, b topicChoice) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}

// checkTopicChoices refuses a list of topics naming one the gazetteer does
// not know, before anything is saved.
func (s *Site) checkTopicChoices(ctx context.Context, slugs []string) error {
	if len(slugs) > maxFollowedTopics {
		return badRequest{fmt.Sprintf("at most %d topics can be followed", maxFollowedTopics)}
	}
	if len(slugs) == 0 {
		return nil
	}
	g, err := s.gazetteer(ctx)
	if err != nil {
		return err
	}
	for _, slug := range slugs {
		if _, ok := g.Entry(slug); !ok {
			return badRequest{fmt.Sprintf("there is no topic %q", slug)}
		}
	}
	return nil
}

// saveTopicFollows makes the subscriber follow exactly the topics in
// slugs (checked with checkTopicChoices), keeping how they follow the ones
// they already did.
func (s *Site) saveTopicFollows(ctx context.Context, sub store.Subscriber, slugs []string) error {
	current, err := s.store.SubscriberTopics(ctx, sub.ID)
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for _, slug := range slugs {
		want[slug] = true
	}
	had := map[string]bool{}
	for _, f := range current {
		had[f.Topic] = true
		if !want[f.Topic] {
			if err := s.store.UnfollowTopic(ctx, sub.ID, f.Topic); err != nil {
				return err
			}
		}
	}
	for _, slug := range slices.Sorted(maps.Keys(want)) {
		if had[slug] {
			continue
		}
		if err := s.store.FollowTopic(ctx, store.TopicFollow{SubscriberID: sub.ID, Topic: slug, CreatedAt: s.now()}); err != nil {
			return err
		}
	}
	return nil
}
