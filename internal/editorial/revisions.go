package editorial

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
)

// Revisions lists a post's revisions, newest first.
func (s *Service) Revisions(ctx context.Context, actor Actor, postID int64) (content.Post, []store.Revision, error) {
	p, err := s.Post(ctx, actor, postID)
	if err != nil {
		return p, nil, err
	}
	revs, err := s.store.Revisions(ctx, postID, 0)
	if err != nil {
		return p, nil, fmt.Errorf("editorial: revisions: %w", err)
	}
	return p, revs, nil
}

// FieldChange is a field that differs between two revisions.
type FieldChange struct {
	Field string // as the editor labels it
	Old   string
	New   string
}

// RevisionDiff compares two revisions of a post.
type RevisionDiff struct {
	From, To store.Revision
	Fields   []FieldChange
	Body     []DiffLine // the whole body, line by line
}

// revision returns a revision of the post postID.
func (s *Service) revision(ctx context.Context, postID, id int64) (store.Revision, error) {
	rev, err := s.store.RevisionByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && rev.PostID != postID) {
		return rev, notFound("The revision")
	}
	if err != nil {
		return rev, fmt.Errorf("editorial: revision %d: %w", id, err)
	}
	return rev, nil
}

// DiffRevisions compares any two revisions of a post: from is the older
// text, to the newer (either order works).
func (s *Service) DiffRevisions(ctx context.Context, actor Actor, postID, fromID, toID int64) (RevisionDiff, error) {
	if _, err := s.Post(ctx, actor, postID); err != nil {
		return RevisionDiff{}, err
	}
	from, err := s.revision(ctx, postID, fromID)
	if err != nil {
		return RevisionDiff{}, err
	}
	to, err := s.revision(ctx, postID, toID)
	if err != nil {
		return RevisionDiff{}, err
	}
	return RevisionDiff{From: from, To: to, Fields: snapshotChanges(from.Snapshot, to.Snapshot),
		Body: DiffText(from.Snapshot.Body, to.Snapshot.Body)}, nil
}

// snapshotChanges lists the fields other than the body that differ.
func snapshotChanges(a, b store.PostSnapshot) []FieldChange {
	var out []FieldChange
	add := func(field, x, y string) {
		if x != y {
			out = append(out, FieldChange{Field: field, Old: x, New: y})
		}
	}
	refs := func(rs []store.Ref) string {
		names := make([]string, 0, len(rs))
		for _, r := range rs {
			names = append(names, r.Name)
		}
		return strings.Join(names, ", ")
	}
	ref := func(r *store.Ref) string {
		if r == nil {
			return ""
		}
		return r.Name
	}
	when := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	}
	add("Title", a.Title, b.Title)
	add("Deck", a.Deck, b.Deck)
	add("Slug", a.Slug, b.Slug)
	add("Excerpt", a.Excerpt, b.Excerpt)
	add("Status", string(a.Status), string(b.Status))
	add("Publication time", when(a.PublishedAt), when(b.PublishedAt))
	add("Updated", when(a.UpdatedAt), when(b.UpdatedAt))
	add("Authors", refs(a.Authors), refs(b.Authors))
	add("Section", ref(a.Section), ref(b.Section))
	add("Tags", refs(a.Tags), refs(b.Tags))
	add("Photo", a.Image.Key, b.Image.Key)
	add("Photo description", a.Image.Alt, b.Image.Alt)
	add("Caption", a.Image.Caption, b.Image.Caption)
	add("Credit", a.Image.Credit, b.Image.Credit)
	add("SEO title", a.SEOTitle, b.SEOTitle)
	add("SEO description", a.SEODescription, b.SEODescription)
	add("Canonical URL", a.CanonicalURL, b.CanonicalURL)
	return out
}

// RestoreRevision brings back the text, byline, tags, photo and SEO fields
// of a revision, as a new save (and so a new revision). The workflow state
// stays: restoring old text neither publishes nor unpublishes.
func (s *Service) RestoreRevision(ctx context.Context, actor Actor, postID, revID int64) (content.Post, error) {
	p, err := loadPost(ctx, s.store, postID)
	if err != nil {
		return p, err
	}
	if err := Can(actor.Account, PostEdit, Target{Post: &p}); err != nil {
		return content.Post{}, err
	}
	rev, err := s.revision(ctx, postID, revID)
	if err != nil {
		return content.Post{}, err
	}
	restored := p
	rev.Snapshot.Apply(&restored)
	in := InputOf(restored)
	// The photo of the revision counts as already chosen, even when it
	// came from an import rather than the media library.
	base := p
	if restored.Image.Key != "" {
		base.Image = rev.Snapshot.Image
	}
	out, err := s.save(ctx, actor, base, in, SaveOptions{})
	if err != nil {
		return out, err
	}
	s.audit(ctx, actor, "post.restore", postTarget(out), fmt.Sprintf("revision %d", revID))
	return out, nil
}
