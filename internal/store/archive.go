package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"masthead/internal/content"
)

// The queries here serve reading the whole publication out (an export)
// and writing it back in. They page by ID rather than by offset, so that a
// long read neither skips nor repeats rows when the newsroom keeps working
// during it, and each page costs the same however deep into the archive.

// maxArchivePage bounds one page of PostsAfter and SubscribersAfter.
const maxArchivePage = 500

// PostsAfter returns up to limit complete posts of every status whose ID is
// greater than afterID, by ID ascending. Start with afterID 0 and continue
// from the last ID returned; an empty result is the end.
func (s *Store) PostsAfter(ctx context.Context, afterID int64, limit int) ([]content.Post, error) {
	limit = min(max(limit, 1), maxArchivePage)
	posts, err := s.loadPosts(ctx, `SELECT `+postColumns+` FROM posts p WHERE p.id > ? ORDER BY p.id LIMIT ?`, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: posts after %d: %w", afterID, err)
	}
	return posts, nil
}

// OldSlugs returns, for each of postIDs that has any, the slugs the post
// had before and that now redirect to it, sorted.
func (s *Store) OldSlugs(ctx context.Context, postIDs []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	if len(postIDs) == 0 {
		return out, nil
	}
	err := s.reader().each(ctx, `SELECT post_id, slug FROM post_slugs WHERE post_id IN (`+placeholders(len(postIDs))+`)
		ORDER BY post_id, slug`, anys(postIDs), func(rows *sql.Rows) error {
		var id int64
		var slug string
		if err := rows.Scan(&id, &slug); err != nil {
			return err
		}
		out[id] = append(out[id], slug)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: old slugs: %w", err)
	}
	return out, nil
}

// AddOldSlugs makes each of slugs redirect to the post postID, as if the
// post had once been published under it, and returns how many redirects
// were added or changed. A slug that some post has now is ErrConflict, an
// invalid one ErrInvalid; either way nothing is written.
func (s *Store) AddOldSlugs(ctx context.Context, postID int64, slugs []string) (int, error) {
	if len(slugs) == 0 {
		return 0, nil
	}
	for _, sl := range slugs {
		if err := checkSlug(sl); err != nil {
			return 0, fmt.Errorf("store: old slugs of post %d: %w", postID, err)
		}
	}
	slugs = slices.Compact(slices.Sorted(slices.Values(slugs)))
	changed := 0
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		var taken string
		err := r.queryRow(ctx, `SELECT slug FROM posts WHERE slug IN (`+placeholders(len(slugs))+`) ORDER BY slug LIMIT 1`,
			anys(slugs)...).Scan(&taken)
		switch {
		case err == nil:
			return fmt.Errorf("slug %q belongs to a post: %w", taken, ErrConflict)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		var exists int
		if err := r.queryRow(ctx, `SELECT COUNT(*) FROM posts WHERE id = ?`, postID).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return fmt.Errorf("post %d: %w", postID, ErrNotFound)
		}
		for _, sl := range slugs {
			// Rows already leading here are left alone, so that importing
			// the same archive again writes nothing.
			res, err := r.exec(ctx, `INSERT INTO post_slugs (slug, post_id) VALUES (?, ?)
				ON CONFLICT (slug) DO UPDATE SET post_id = excluded.post_id
				WHERE post_slugs.post_id IS NULL OR post_slugs.post_id <> excluded.post_id`, sl, postID)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			changed += int(n)
		}
		if changed > 0 {
			return r.bumpContentVersion(ctx)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: old slugs of post %d: %w", postID, err)
	}
	return changed, nil
}

// SubscribersAfter returns up to limit subscribers of every state whose ID
// is greater than afterID, by ID ascending; an empty result is the end.
func (s *Store) SubscribersAfter(ctx context.Context, afterID int64, limit int) ([]Subscriber, error) {
	limit = min(max(limit, 1), maxArchivePage)
	var subs []Subscriber
	err := s.reader().each(ctx, `SELECT `+subscriberColumns+` FROM subscribers sb WHERE sb.id > ? ORDER BY sb.id LIMIT ?`,
		[]any{afterID, limit}, func(rows *sql.Rows) error {
			sub, err := scanSubscriber(rows)
			subs = append(subs, sub)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("store: subscribers after %d: %w", afterID, err)
	}
	return subs, nil
}
