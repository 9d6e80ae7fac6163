package site

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"net/url"
	"slices"

	"masthead/internal/store"
)

// topicChoice is one topic on the preferences page's checklist.
type topicChoice struct {
	Slug     string
	Name     string
	Posts    int
	Followed bool
	Instant  bool // an email per new article rather than the round-up's section
}

// Ways to follow a topic, as the form's per-topic choice sends them.
const (
	followRoundup = "roundup"
	followInstant = "instant"
)

// followWayField is the name of the form field that says how a topic is
// followed.
func followWayField(slug string) string { return "how-" + slug }

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
	followed, instant := map[string]bool{}, map[string]bool{}
	for _, f := range follows {
		followed[f.Topic] = true
		instant[f.Topic] = f.Instant
	}
	var out []topicChoice
	for _, e := range g.Entries() {
		if counts[e.Slug] > 0 || followed[e.Slug] {
			out = append(out, topicChoice{Slug: e.Slug, Name: e.Name, Posts: counts[e.Slug], Followed: followed[e.Slug],
				Instant: instant[e.Slug]})
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

// followWays reads from the form how each topic in slugs is to be
// followed: true for an alert per article, false for the round-up. A
// topic the form says nothing about is absent from the map; an answer the
// form does not offer is refused.
func followWays(f url.Values, slugs []string) (map[string]bool, error) {
	ways := map[string]bool{}
	for _, slug := range slugs {
		switch f.Get(followWayField(slug)) {
		case "":
		case followRoundup:
			ways[slug] = false
		case followInstant:
			ways[slug] = true
		default:
			return nil, badRequest{fmt.Sprintf("choose how to follow %q: in the weekly round-up or right away by email", slug)}
		}
	}
	return ways, nil
}

// saveTopicFollows makes the subscriber follow exactly the topics in
// slugs (checked with checkTopicChoices), each the way ways says (by its
// alerts or in the round-up); a topic ways does not name keeps how it was
// followed, or goes to the round-up when it is new.
func (s *Site) saveTopicFollows(ctx context.Context, sub store.Subscriber, slugs []string, ways map[string]bool) error {
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
		if instant, ok := ways[f.Topic]; ok && want[f.Topic] && instant != f.Instant {
			f.Instant = instant
			if err := s.store.FollowTopic(ctx, f); err != nil {
				return err
			}
		}
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
		f := store.TopicFollow{SubscriberID: sub.ID, Topic: slug, Instant: ways[slug], CreatedAt: s.now()}
		if err := s.store.FollowTopic(ctx, f); err != nil {
			return err
		}
	}
	return nil
}
