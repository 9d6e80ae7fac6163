package desk

import (
	"context"

	"masthead/internal/content"
	"masthead/internal/editorial"
	"masthead/internal/store"
)

// topicsView is the editor's topics box: what the article is about, as
// decided by an editor, and what detection suggests.
type topicsView struct {
	Show      bool
	CanDecide bool
	Accepted  []editorial.PostTopic
	Suggested []editorial.PostTopic
	Rejected  []editorial.PostTopic
	// Others are the gazetteer's entries the post does not have yet, for
	// adding a topic detection missed.
	Others []topicOption
}

// topicOption is an entry in the list of topics to add.
type topicOption struct {
	Slug, Name string
}

// editorTopics fills the topics box of post p; a new post has none yet.
func (d *Desk) editorTopics(ctx context.Context, req *request, p content.Post) (topicsView, error) {
	if p.ID == 0 {
		return topicsView{}, nil
	}
	ts, err := d.svc.PostTopics(ctx, req.actor, p.ID)
	if err != nil {
		return topicsView{}, err
	}
	v := topicsView{Show: true, CanDecide: editorial.CanDecideTopics(req.actor.Account)}
	for _, t := range ts {
		switch t.Status {
		case store.TopicAccepted:
			v.Accepted = append(v.Accepted, t)
		case store.TopicSuggested:
			v.Suggested = append(v.Suggested, t)
		case store.TopicRejected:
			v.Rejected = append(v.Rejected, t)
		}
	}
	if v.CanDecide {
		has := map[string]bool{}
		for _, t := range ts {
			has[t.Topic] = true
		}
		entries, err := d.svc.TopicEntries(ctx)
		if err != nil {
			return topicsView{}, err
		}
		for _, e := range entries {
			if !has[e.Slug] {
				v.Others = append(v.Others, topicOption{Slug: e.Slug, Name: e.Name})
			}
		}
	}
	return v, nil
}
