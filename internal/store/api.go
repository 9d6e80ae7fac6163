package store

import (
	"errors"
	"time"

	"masthead/internal/content"
)

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrConflict is returned when a write would break a uniqueness rule, such as
// two posts with one slug.
var ErrConflict = errors.New("store: conflict")

// ErrInvalid is returned when a write carries something the database cannot
// keep, such as an empty slug, an unknown status, or a reference to an
// author or tag that does not exist.
var ErrInvalid = errors.New("store: invalid")

// PostFilter selects posts for a river or a listing. Zero fields do not filter.
type PostFilter struct {
	// Statuses limits the result to these workflow states.
	Statuses []content.Status
	// PublishedBy keeps only posts whose PublishedAt is at or before this
	// time (the public site passes "now").
	PublishedBy time.Time
	SectionSlug string // the post's primary section
	TagSlug     string // the post's section or any of its tags
	AuthorSlug  string // any of the post's authors
	Limit       int    // 0 means 20; at most 100
	Offset      int
	// SkipTotal leaves PostPage.Total at 0 for a caller that knows the count
	// already (the site remembers it per content version): counting a large
	// archive costs more than reading a page of it.
	SkipTotal bool
}

// PublicFilter returns the filter for posts readers may see at now.
func PublicFilter(now time.Time) PostFilter {
	return PostFilter{Statuses: []content.Status{content.StatusPublished}, PublishedBy: now}
}

// PostPage is one page of a listing, newest first by PublishedAt (then ID).
type PostPage struct {
	Posts []content.Post
	Total int // number of posts matching the filter, ignoring Limit/Offset
}
