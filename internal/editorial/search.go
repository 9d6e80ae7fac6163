package editorial

import (
	"context"
	"errors"
	"fmt"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
)

// DeskSearch is a full-text search from the desk: the readers' search,
// widened to the workflow states an editor may see.
type DeskSearch struct {
	Text string
	// Typing makes the last word a prefix, for search-as-you-type.
	Typing bool
	// Statuses limits the states searched; empty means every state the
	// actor may see.
	Statuses    []content.Status
	SectionSlug string
	AuthorSlug  string
	From, Until time.Time
	Limit       int
	Offset      int
}

// Search finds posts by the words of their headline, deck, body, bylines
// and tags. Editors search every state; other roles search what readers
// can see, since drafts of others are not theirs to read.
func (s *Service) Search(ctx context.Context, actor Actor, q DeskSearch) (store.SearchPage, error) {
	sq := store.SearchQuery{Text: q.Text, Typing: q.Typing, From: q.From, Until: q.Until}
	sq.SectionSlug, sq.AuthorSlug = q.SectionSlug, q.AuthorSlug
	sq.Limit, sq.Offset = q.Limit, q.Offset
	if Can(actor.Account, ReviewQueue, Target{}) == nil {
		sq.Statuses = q.Statuses
	} else {
		for _, st := range q.Statuses {
			if st != content.StatusPublished {
				return store.SearchPage{}, forbidden("Only editors search drafts and other unpublished posts.")
			}
		}
		sq.PostFilter.Statuses = []content.Status{content.StatusPublished}
		sq.PublishedBy = s.now()
	}
	page, err := s.store.Search(ctx, sq)
	if errors.Is(err, store.ErrInvalid) {
		return page, FieldErrors{"from": "Dates must fall between the years 1 and 9999."}
	}
	if err != nil {
		return page, fmt.Errorf("editorial: search: %w", err)
	}
	return page, nil
}
