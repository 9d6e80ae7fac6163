package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"masthead/internal/content"
)

// DeskFilter selects posts for the desk's lists. Zero fields do not filter.
type DeskFilter struct {
	Statuses []content.Status
	// AccountID keeps the posts whose byline includes the author profile
	// linked to this account; an account without a profile has none.
	AccountID int64
	AuthorID  int64  // posts with this author in the byline
	Query     string // text in the title, ignoring case
	Limit     int    // 0 means 50; at most 200
	Offset    int
}

// DeskPost is a post in a desk list: what a row shows, without the body.
type DeskPost struct {
	ID          int64
	Slug        string
	Title       string
	Status      content.Status
	PublishedAt time.Time
	CreatedAt   time.Time
	ModifiedAt  time.Time
	Section     *Ref  // nil when none
	Authors     []Ref // in byline order
}

// DeskPostPage is one page of a desk list, most recently modified first.
type DeskPostPage struct {
	Posts []DeskPost
	Total int // posts matching the filter, ignoring Limit and Offset
}

func deskConditions(f DeskFilter) (string, []any) {
	var conds []string
	var args []any
	if len(f.Statuses) > 0 {
		conds = append(conds, `p.status IN (`+placeholders(len(f.Statuses))+`)`)
		for _, st := range f.Statuses {
			args = append(args, string(st))
		}
	}
	if f.AccountID != 0 {
		conds = append(conds, `p.id IN (SELECT pa.post_id FROM post_authors pa
			WHERE pa.author_id = (SELECT ac.author_id FROM accounts ac WHERE ac.id = ?))`)
		args = append(args, f.AccountID)
	}
	if f.AuthorID != 0 {
		conds = append(conds, `p.id IN (SELECT pa.post_id FROM post_authors pa WHERE pa.author_id = ?)`)
		args = append(args, f.AuthorID)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		conds = append(conds, `LOWER(p.title) LIKE ? ESCAPE '\'`)
		args = append(args, likePattern(q))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return ` WHERE ` + strings.Join(conds, ` AND `), args
}

// DeskPosts returns one page of posts for the desk, most recently modified
// first, with their bylines and sections but without their bodies.
func (s *Store) DeskPosts(ctx context.Context, f DeskFilter) (DeskPostPage, error) {
	r := s.reader()
	where, args := deskConditions(f)
	limit, offset := pageBounds(f.Limit, f.Offset, 50, 200)
	var page DeskPostPage
	if err := r.queryRow(ctx, `SELECT COUNT(*) FROM posts p`+where, args...).Scan(&page.Total); err != nil {
		return DeskPostPage{}, fmt.Errorf("store: desk posts: %w", err)
	}
	if offset >= page.Total {
		return page, nil
	}
	index := map[int64]int{}
	var ids []int64
	err := r.each(ctx, `SELECT p.id, p.slug, p.title, p.status, p.published_at, p.created_at, p.modified_at,
			t.id, t.slug, t.name
		FROM posts p LEFT JOIN tags t ON t.id = p.section_id`+where+`
		ORDER BY p.modified_at DESC, p.id DESC LIMIT ? OFFSET ?`, append(args, limit, offset), func(rows *sql.Rows) error {
		var p DeskPost
		var status string
		var sid sql.NullInt64
		var sslug, sname sql.NullString
		if err := rows.Scan(&p.ID, &p.Slug, &p.Title, &status, timeDest{&p.PublishedAt}, timeDest{&p.CreatedAt},
			timeDest{&p.ModifiedAt}, &sid, &sslug, &sname); err != nil {
			return err
		}
		p.Status = content.Status(status)
		if sid.Valid {
			p.Section = &Ref{ID: sid.Int64, Slug: sslug.String, Name: sname.String}
		}
		index[p.ID] = len(page.Posts)
		ids = append(ids, p.ID)
		page.Posts = append(page.Posts, p)
		return nil
	})
	if err != nil {
		return DeskPostPage{}, fmt.Errorf("store: desk posts: %w", err)
	}
	if len(ids) == 0 {
		return page, nil
	}
	err = r.each(ctx, `SELECT pa.post_id, a.id, a.slug, a.name FROM post_authors pa JOIN authors a ON a.id = pa.author_id
		WHERE pa.post_id IN (`+placeholders(len(ids))+`) ORDER BY pa.post_id, pa.position`, anys(ids), func(rows *sql.Rows) error {
		var postID int64
		var a Ref
		if err := rows.Scan(&postID, &a.ID, &a.Slug, &a.Name); err != nil {
			return err
		}
		i := index[postID]
		page.Posts[i].Authors = append(page.Posts[i].Authors, a)
		return nil
	})
	if err != nil {
		return DeskPostPage{}, fmt.Errorf("store: desk posts: bylines: %w", err)
	}
	return page, nil
}

// DeskStatusCounts returns how many posts are in each state among those f
// selects; f.Statuses, Limit and Offset are ignored. The desk shows them on
// its tabs ("In review (3)").
func (s *Store) DeskStatusCounts(ctx context.Context, f DeskFilter) (map[content.Status]int, error) {
	f.Statuses = nil
	r := s.reader()
	where, args := deskConditions(f)
	counts := map[content.Status]int{}
	err := r.each(ctx, `SELECT p.status, COUNT(*) FROM posts p`+where+` GROUP BY p.status`, args, func(rows *sql.Rows) error {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return err
		}
		counts[content.Status(st)] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: desk status counts: %w", err)
	}
	return counts, nil
}

// errNotDue rolls back a PublishDue that found nothing to do.
var errNotDue = errors.New("not due")

// PublishDue publishes a scheduled post whose publication time has come at
// now: its status becomes published (PublishedAt stays the scheduled time)
// and the save is kept as a revision without an account. It reports
// whether it published and returns the post as it stands. A post that is
// not scheduled, or is scheduled for later, is left alone; a post that
// does not exist is ErrNotFound.
//
// The check and the save are one transaction that waits for other writers
// of content, so an editor's save in between cannot be lost or undone.
func (s *Store) PublishDue(ctx context.Context, postID int64, now time.Time) (content.Post, bool, error) {
	var p content.Post
	err := s.InTx(ctx, func(tx *Store) error {
		// Content writers take this lock first; holding it, the post read
		// below is the one the save replaces.
		if err := tx.txRunner().bumpContentVersion(ctx); err != nil {
			return err
		}
		var err error
		p, err = tx.PostByID(ctx, postID)
		if err != nil {
			return err
		}
		if p.Status != content.StatusScheduled || p.PublishedAt.IsZero() || p.PublishedAt.After(now) {
			return errNotDue
		}
		p.Status = content.StatusPublished
		if err := tx.SavePost(ctx, &p); err != nil {
			return err
		}
		_, err = tx.AddRevision(ctx, p, 0)
		return err
	})
	switch {
	case errors.Is(err, errNotDue):
		return p, false, nil
	case err != nil:
		return content.Post{}, false, fmt.Errorf("store: publish post %d: %w", postID, err)
	}
	return p, true, nil
}
