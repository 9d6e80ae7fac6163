// Package content holds Masthead's domain types and the rules that apply to
// them: posts, authors, tags, slugs, and turning Markdown into safe HTML.
// It depends on nothing else in Masthead.
package content

import "time"

// Status is where a post stands in the editorial workflow.
type Status string

// The workflow states of a post. Only published posts whose publication time
// has come are shown on the public site.
const (
	StatusDraft     Status = "draft"
	StatusReview    Status = "review"
	StatusScheduled Status = "scheduled"
	StatusPublished Status = "published"
	StatusArchived  Status = "archived"
)

// Valid reports whether s is one of the known states.
func (s Status) Valid() bool {
	switch s {
	case StatusDraft, StatusReview, StatusScheduled, StatusPublished, StatusArchived:
		return true
	}
	return false
}

// Image is a picture used by a post or an author: a key in media storage
// (or an absolute URL for images hosted elsewhere) with its intrinsic size
// and editorial text.
type Image struct {
	Key     string // media storage key such as "images/kabul-market.jpg", or an absolute http(s) URL
	Width   int    // intrinsic pixel width; 0 when unknown
	Height  int    // intrinsic pixel height; 0 when unknown
	Alt     string
	Caption string
	Credit  string
}

// IsZero reports whether no image is set.
func (i Image) IsZero() bool { return i.Key == "" }

// Link is a labelled link on an author's profile.
type Link struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// Author is a contributor profile. Guest contributors have a profile but no
// login account.
type Author struct {
	ID        int64
	Slug      string
	Name      string
	Role      string // the title line, e.g. "Senior Fellow, Middle East Program"
	Bio       string // Markdown source
	BioHTML   string // rendered and sanitized from Bio
	Photo     Image
	Links     []Link
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Tag is a label on posts. A tag marked as a section appears in the site's
// navigation and can be a post's primary section.
type Tag struct {
	ID          int64
	Slug        string
	Name        string
	Description string
	IsSection   bool
	Position    int // order among sections in the navigation, ascending
}

// Correction is a dated editorial note shown on a published article.
type Correction struct {
	ID   int64
	Date time.Time
	Note string // Markdown source, rendered inline on the article
}

// Post is an article.
type Post struct {
	ID    int64
	Slug  string
	Title string
	Deck  string // the subtitle under the headline
	Body  string // Markdown source

	// BodyHTML is Body rendered by Render and sanitized; RenderVersion is the
	// RendererVersion that produced it. The store re-renders when either the
	// source or the renderer changes.
	BodyHTML      string
	RenderVersion int

	Excerpt string // explicit excerpt, plain text; empty means derived from the body (see Post.Summary)
	Status  Status

	// PublishedAt is the publication time (zero for posts never published).
	// UpdatedAt is the editorial "Updated" time shown to readers; it is set by
	// whoever changes the article after publication, not by every save.
	PublishedAt time.Time
	UpdatedAt   time.Time

	Authors []Author // in byline order
	Section *Tag     // primary section; nil when none
	Tags    []Tag    // further tags, in order; does not repeat Section

	Image Image // the top photo

	CanonicalURL   string
	SEOTitle       string
	SEODescription string

	Corrections []Correction // oldest first

	// CreatedAt and ModifiedAt are bookkeeping times kept by the store:
	// ModifiedAt changes on every save.
	CreatedAt  time.Time
	ModifiedAt time.Time
}
