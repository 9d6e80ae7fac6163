package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// PostLink is a post as a sitemap lists it: its address, its dates and its
// photo, without its text.
type PostLink struct {
	ID          int64
	Slug        string
	Title       string
	PublishedAt time.Time
	UpdatedAt   time.Time
	ModifiedAt  time.Time
	ImageKey    string
}

// MaxPostLinks is the most links PostLinks returns at once.
const MaxPostLinks = 50_000

// PostLinks returns the posts matching f published at or after since (zero:
// any time), oldest first so that the pages of a long list keep their
// contents as posts are added, and how many match in all. f.Limit may be up
// to MaxPostLinks (0 means MaxPostLinks); f.Offset skips that many.
func (s *Store) PostLinks(ctx context.Context, f PostFilter, since time.Time) ([]PostLink, int, error) {
	r := s.reader()
	conds, args := r.postConditions(f)
	conds, args = r.dateConditions(conds, args, `p.published_at`, since, time.Time{})
	where := ""
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, ` AND `)
	}
	limit := f.Limit
	if limit <= 0 || limit > MaxPostLinks {
		limit = MaxPostLinks
	}
	offset := max(f.Offset, 0)
	var total int
	if err := r.queryRow(ctx, `SELECT COUNT(*) FROM posts p`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: post links: %w", err)
	}
	if offset >= total {
		return nil, total, nil
	}
	var links []PostLink
	err := r.each(ctx, `SELECT p.id, p.slug, p.title, p.published_at, p.updated_at, p.modified_at, p.image_key
		FROM posts p`+where+` ORDER BY p.published_at ASC NULLS FIRST, p.id ASC LIMIT ? OFFSET ?`, append(args, limit, offset),
		func(rows *sql.Rows) error {
			var l PostLink
			if err := rows.Scan(&l.ID, &l.Slug, &l.Title, timeDest{&l.PublishedAt}, timeDest{&l.UpdatedAt},
				timeDest{&l.ModifiedAt}, &l.ImageKey); err != nil {
				return err
			}
			links = append(links, l)
			return nil
		})
	if err != nil {
		return nil, 0, fmt.Errorf("store: post links: %w", err)
	}
	return links, total, nil
}
