package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"masthead/internal/content"
)

const tagColumns = `t.id, t.slug, t.name, t.description, t.is_section, t.position`

func scanTag(sc rowScanner, prefix ...any) (content.Tag, error) {
	var t content.Tag
	err := sc.Scan(append(prefix, &t.ID, &t.Slug, &t.Name, &t.Description, &t.IsSection, &t.Position)...)
	return t, err
}

// SaveTag inserts t (ID 0) or updates it and sets ID. A duplicate slug is
// ErrConflict.
func (s *Store) SaveTag(ctx context.Context, t *content.Tag) error {
	if err := checkSlug(t.Slug); err != nil {
		return fmt.Errorf("store: save tag: %w", err)
	}
	id := t.ID
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		if err := r.bumpContentVersion(ctx); err != nil {
			return err
		}
		var other int64
		err := r.queryRow(ctx, `SELECT id FROM tags WHERE slug = ? AND id <> ?`, t.Slug, t.ID).Scan(&other)
		if err == nil {
			return fmt.Errorf("slug %q belongs to another tag: %w", t.Slug, ErrConflict)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if t.ID == 0 {
			return r.queryRow(ctx, `INSERT INTO tags (slug, name, description, is_section, position)
				VALUES (?, ?, ?, ?, ?) RETURNING id`,
				t.Slug, t.Name, t.Description, t.IsSection, t.Position).Scan(&id)
		}
		renamed, err := r.renamed(ctx, "tags", t.ID, t.Name)
		if err != nil {
			return err
		}
		res, err := r.exec(ctx, `UPDATE tags SET slug = ?, name = ?, description = ?, is_section = ?, position = ?
			WHERE id = ?`, t.Slug, t.Name, t.Description, t.IsSection, t.Position, t.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("tag %d: %w", t.ID, ErrNotFound)
		}
		if !renamed {
			return nil
		}
		// Tags are searched: the tag's posts are indexed anew.
		return r.indexPostsWhere(ctx, `SELECT id FROM posts WHERE section_id = ?
			UNION SELECT post_id FROM post_tags WHERE tag_id = ?`, t.ID, t.ID)
	})
	if err != nil {
		return fmt.Errorf("store: save tag %q: %w", t.Slug, conflict(err))
	}
	t.ID = id
	return nil
}

// TagBySlug returns one tag or ErrNotFound.
func (s *Store) TagBySlug(ctx context.Context, slug string) (content.Tag, error) {
	t, err := scanTag(s.reader().queryRow(ctx, `SELECT `+tagColumns+` FROM tags t WHERE t.slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return content.Tag{}, fmt.Errorf("store: tag %q: %w", slug, err)
	}
	return t, nil
}

// Tags returns every tag ordered by name.
func (s *Store) Tags(ctx context.Context) ([]content.Tag, error) {
	tags, err := s.tags(ctx, `SELECT `+tagColumns+` FROM tags t`)
	if err != nil {
		return nil, fmt.Errorf("store: tags: %w", err)
	}
	sortByName(tags, func(t content.Tag) (string, int64) { return t.Name, t.ID })
	return tags, nil
}

// Sections returns the tags that are sections, by Position then name.
func (s *Store) Sections(ctx context.Context) ([]content.Tag, error) {
	tags, err := s.tags(ctx, `SELECT `+tagColumns+` FROM tags t WHERE t.is_section = ?`, true)
	if err != nil {
		return nil, fmt.Errorf("store: sections: %w", err)
	}
	sortByName(tags, func(t content.Tag) (string, int64) { return t.Name, t.ID })
	// Stable: sections with equal positions stay in name order.
	slices.SortStableFunc(tags, func(a, b content.Tag) int { return cmp.Compare(a.Position, b.Position) })
	return tags, nil
}

func (s *Store) tags(ctx context.Context, query string, args ...any) ([]content.Tag, error) {
	rows, err := s.reader().query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var tags []content.Tag
	for rows.Next() {
		t, err := scanTag(rows)
		if err != nil {
			return nil, err
		}
		tags = append(tags, t)
	}
	return tags, rows.Err()
}
