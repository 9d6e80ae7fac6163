package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"masthead/internal/content"
)

// relatedWindow is how many posts on each side of an article in time are
// considered for its related coverage.
const relatedWindow = 100

// Teaser is what a link to a post in a short list shows: headline, deck,
// date, top photo and byline. It is read without the post's body, tags or
// corrections, which such a list never shows.
type Teaser struct {
	ID          int64
	Slug        string
	Title       string
	Deck        string
	PublishedAt time.Time
	Image       content.Image
	// Authors in byline order, with ID, Slug and Name only.
	Authors []content.Author
}

// RelatedPosts returns up to n posts readers may see at now that share the
// most tags (section included) with p, newest first among equals; p itself
// is never included. Only the relatedWindow posts published before p and
// the relatedWindow after it are considered. The posts are complete; a page
// that lists them needs only RelatedTeasers.
func (s *Store) RelatedPosts(ctx context.Context, p content.Post, now time.Time, n int) ([]content.Post, error) {
	scored, args, ok := s.reader().relatedQuery(p, now, n)
	if !ok {
		return nil, nil
	}
	posts, err := s.loadPosts(ctx, `SELECT `+postColumns+` FROM (`+scored+`) m JOIN posts p ON p.id = m.id
		ORDER BY m.shared DESC, `+riverOrder, args...)
	if err != nil {
		return nil, fmt.Errorf("store: related posts: %w", err)
	}
	return posts, nil
}

// RelatedTeasers returns the posts RelatedPosts returns, in the same order,
// as teasers. One query reads them with their bylines.
func (s *Store) RelatedTeasers(ctx context.Context, p content.Post, now time.Time, n int) ([]Teaser, error) {
	r := s.reader()
	scored, args, ok := r.relatedQuery(p, now, n)
	if !ok {
		return nil, nil
	}
	var teasers []Teaser
	// A post has a few authors: its columns repeat on a few rows, which
	// costs less than a second round trip for the bylines.
	err := r.each(ctx, `SELECT p.id, p.slug, p.title, p.deck, p.published_at,
			p.image_key, p.image_width, p.image_height, p.image_alt, p.image_caption, p.image_credit,
			a.id, a.slug, a.name
		FROM (`+scored+`) m JOIN posts p ON p.id = m.id
		LEFT JOIN post_authors pa ON pa.post_id = p.id
		LEFT JOIN authors a ON a.id = pa.author_id
		ORDER BY m.shared DESC, `+riverOrder+`, pa.position`, args, func(rows *sql.Rows) error {
		var t Teaser
		var authorID sql.NullInt64
		var authorSlug, authorName sql.NullString
		if err := rows.Scan(&t.ID, &t.Slug, &t.Title, &t.Deck, timeDest{&t.PublishedAt},
			&t.Image.Key, &t.Image.Width, &t.Image.Height, &t.Image.Alt, &t.Image.Caption, &t.Image.Credit,
			&authorID, &authorSlug, &authorName); err != nil {
			return err
		}
		if len(teasers) == 0 || teasers[len(teasers)-1].ID != t.ID {
			teasers = append(teasers, t)
		}
		if authorID.Valid {
			last := &teasers[len(teasers)-1]
			last.Authors = append(last.Authors, content.Author{ID: authorID.Int64, Slug: authorSlug.String, Name: authorName.String})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: related teasers: %w", err)
	}
	return teasers, nil
}

// relatedQuery returns a query selecting the id and the number of shared
// tags of the posts RelatedPosts returns, best first, with its arguments;
// ok is false when there can be none.
//
// The candidates are the posts published around p: the relatedWindow before
// it and the relatedWindow after it (up to now), each read from the river
// index. Scoring the whole archive would cost time in proportion to its
// size; coverage from around the same time is also what readers expect
// under an article.
//
// The shape of the query comes from measuring it on both databases:
//   - The score is named once, in a subquery with a LIMIT, which SQLite
//     cannot flatten. Named in a filter and an ordering of a flattened
//     subquery, SQLite copied its correlated COUNT into each place and ran
//     it three times per candidate.
//   - Candidates that share nothing are cut after the LIMIT rather than
//     before it: they sort last, so the n best are the same.
//   - Each window is read in the order of the posts_river index, nulls
//     included: PostgreSQL's index sorts nulls last, and ordering by a plain
//     published_at DESC made it read and sort every post on that side of p.
//   - The tags of a candidate are read with one seek on post_tags' primary
//     key and tested against p's tags, rather than looked up once per tag of
//     p, and without the GROUP BY a join would need.
func (r runner) relatedQuery(p content.Post, now time.Time, n int) (query string, args []any, ok bool) {
	if n <= 0 {
		return "", nil, false
	}
	n = min(n, maxLimit)
	var tags []int64
	if p.Section != nil && p.Section.ID != 0 {
		tags = append(tags, p.Section.ID)
	}
	for _, t := range p.Tags {
		if t.ID != 0 && !slices.Contains(tags, t.ID) {
			tags = append(tags, t.ID)
		}
	}
	if len(tags) == 0 {
		return "", nil, false
	}
	pivot := p.PublishedAt
	if pivot.IsZero() || pivot.After(now) {
		pivot = now
	}
	in := placeholders(len(tags))
	published := string(content.StatusPublished)
	args = append(anys(tags), anys(tags)...)
	args = append(args, published, r.timeArg(pivot), p.ID, relatedWindow,
		published, r.timeArg(pivot), r.timeArg(now), p.ID, relatedWindow, n)
	query = `SELECT ranked.id, ranked.shared FROM (
			SELECT c.id, c.published_at,
				CASE WHEN c.section_id IN (` + in + `) THEN 1 ELSE 0 END +
				(SELECT COUNT(CASE WHEN pt.tag_id IN (` + in + `) THEN 1 END) FROM post_tags pt
					WHERE pt.post_id = c.id) AS shared
			FROM (
				SELECT * FROM (SELECT id, section_id, published_at FROM posts
					WHERE status = ? AND published_at <= ? AND id <> ?
					ORDER BY published_at DESC NULLS LAST, id DESC LIMIT ?) older
				UNION ALL
				SELECT * FROM (SELECT id, section_id, published_at FROM posts
					WHERE status = ? AND published_at > ? AND published_at <= ? AND id <> ?
					ORDER BY published_at ASC NULLS FIRST, id ASC LIMIT ?) newer
			) c
			ORDER BY shared DESC, c.published_at DESC, c.id DESC
			LIMIT ?
		) ranked WHERE ranked.shared > 0`
	return query, args, true
}
