package editorial

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"masthead/internal/content"
	"masthead/internal/jobs"
	"masthead/internal/store"
	"masthead/internal/topics"
	"masthead/internal/topics/topicstore"
)

// detectTopics stores the topics found in a post just saved, as
// suggestions for the editor. The save has already happened, so a failure
// here is logged rather than returned: the article must never be lost to
// its topics.
func (s *Service) detectTopics(ctx context.Context, p content.Post) {
	if p.ID == 0 {
		return
	}
	ctx = context.WithoutCancel(ctx)
	g, err := s.topics.Get(ctx, s.store)
	if err == nil {
		err = s.store.SetDetectedTopics(ctx, p.ID, topicstore.Detect(g.Detector, p.Title, p.Deck, p.Body, false), s.now())
	}
	if err != nil {
		s.log.ErrorContext(ctx, "editorial: topic detection", "post", p.ID, "err", err)
	}
}

// PostTopic is a topic of a post as the editor shows it.
type PostTopic struct {
	store.PostTopic
	Name   string
	Kind   topics.Kind
	Region string
}

// PostTopics returns a post's topics with their names: accepted ones
// first, then suggestions by mentions, then rejected ones. A topic whose
// entry was removed from the gazetteer keeps its slug as its name.
func (s *Service) PostTopics(ctx context.Context, actor Actor, postID int64) ([]PostTopic, error) {
	if _, err := s.Post(ctx, actor, postID); err != nil {
		return nil, err
	}
	g, err := s.topics.Get(ctx, s.store)
	if err != nil {
		return nil, err
	}
	stored, err := s.store.PostTopics(ctx, postID)
	if err != nil {
		return nil, fmt.Errorf("editorial: post topics: %w", err)
	}
	out := make([]PostTopic, 0, len(stored))
	for _, t := range stored {
		pt := PostTopic{PostTopic: t, Name: t.Topic}
		if e, ok := g.Entry(t.Topic); ok {
			pt.Name, pt.Kind, pt.Region = e.Name, e.Kind, e.Region
		}
		out = append(out, pt)
	}
	rank := map[store.PostTopicStatus]int{store.TopicAccepted: 0, store.TopicSuggested: 1, store.TopicRejected: 2}
	slices.SortStableFunc(out, func(a, b PostTopic) int {
		return cmp.Or(cmp.Compare(rank[a.Status], rank[b.Status]), cmp.Compare(b.Mentions, a.Mentions), cmp.Compare(a.Name, b.Name))
	})
	return out, nil
}

// CanDecideTopics says whether the account may accept and reject topics:
// what an article is about is an editor's call.
func CanDecideTopics(a store.Account) bool {
	return a.ID != 0 && !a.Disabled && AtLeast(a.Role, store.RoleEditor)
}

// DecidePostTopic accepts, rejects or (with TopicSuggested) undoes the
// decision on one topic of a post. The topic must be a gazetteer entry, or
// one the post already has.
func (s *Service) DecidePostTopic(ctx context.Context, actor Actor, postID int64, slug string, status store.PostTopicStatus) error {
	if !CanDecideTopics(actor.Account) {
		return forbidden("Only editors decide an article's topics.")
	}
	if status != store.TopicAccepted && status != store.TopicRejected && status != store.TopicSuggested {
		return invalid("Choose to accept or reject the topic.")
	}
	p, err := s.Post(ctx, actor, postID)
	if err != nil {
		return err
	}
	g, err := s.topics.Get(ctx, s.store)
	if err != nil {
		return err
	}
	if _, ok := g.Entry(slug); !ok {
		current, err := s.store.PostTopics(ctx, postID)
		if err != nil {
			return fmt.Errorf("editorial: decide topic: %w", err)
		}
		if !slices.ContainsFunc(current, func(t store.PostTopic) bool { return t.Topic == slug }) {
			return invalid("There is no topic %q.", slug)
		}
	}
	err = s.store.DecidePostTopic(ctx, postID, slug, status, s.now())
	if errors.Is(err, store.ErrNotFound) {
		return notFound("The post")
	}
	if err != nil {
		return fmt.Errorf("editorial: decide topic: %w", err)
	}
	s.audit(ctx, actor, "post.topic."+string(status), postTarget(p), slug)
	if p.Status == content.StatusPublished {
		// Readers see accepted topics on the article and topic pages.
		s.changed()
		if status == store.TopicAccepted {
			// Its followers hear of the article, if it is still news.
			if err := jobs.EnqueueTopicAlerts(ctx, s.store, postID); err != nil {
				return fmt.Errorf("editorial: decide topic: %w", err)
			}
			s.wake()
		}
	}
	return nil
}

// TopicEntries returns every entry of the gazetteer as the desk has edited
// it, by name: the topics an editor may add to an article by hand.
func (s *Service) TopicEntries(ctx context.Context) ([]topics.Entry, error) {
	g, err := s.topics.Get(ctx, s.store)
	if err != nil {
		return nil, err
	}
	es := g.Entries()
	slices.SortFunc(es, func(a, b topics.Entry) int { return cmp.Compare(a.Name, b.Name) })
	return es, nil
}
