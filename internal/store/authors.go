package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"masthead/internal/content"
)

const authorColumns = `a.id, a.slug, a.name, a.role, a.bio, a.bio_html, a.bio_render_version,
	a.photo_key, a.photo_width, a.photo_height, a.photo_alt, a.photo_caption, a.photo_credit,
	a.links, a.created_at, a.updated_at`

// rowScanner is *sql.Row or *sql.Rows.
type rowScanner interface {
	Scan(dest ...any) error
}

// scanAuthor reads authorColumns after the prefix destinations. When the
// stored bio was rendered by an older renderer it renders it again and
// reports stale.
func scanAuthor(sc rowScanner, prefix ...any) (a content.Author, stale bool, err error) {
	var version int
	var links string
	dest := append(prefix,
		&a.ID, &a.Slug, &a.Name, &a.Role, &a.Bio, &a.BioHTML, &version,
		&a.Photo.Key, &a.Photo.Width, &a.Photo.Height, &a.Photo.Alt, &a.Photo.Caption, &a.Photo.Credit,
		&links, timeDest{&a.CreatedAt}, timeDest{&a.UpdatedAt})
	if err := sc.Scan(dest...); err != nil {
		return a, false, err
	}
	if links != "" && links != "[]" {
		if err := json.Unmarshal([]byte(links), &a.Links); err != nil {
			return a, false, fmt.Errorf("author %d: bad stored links: %w", a.ID, err)
		}
	}
	if version != content.RendererVersion {
		a.BioHTML = content.Render(a.Bio)
		stale = true
	}
	return a, stale, nil
}

// SaveAuthor inserts a (ID 0) or updates it, renders BioHTML, and sets ID and
// the bookkeeping times. A duplicate slug is ErrConflict.
func (s *Store) SaveAuthor(ctx context.Context, a *content.Author) error {
	if err := checkSlug(a.Slug); err != nil {
		return fmt.Errorf("store: save author: %w", err)
	}
	var links []byte
	if len(a.Links) > 0 {
		var err error
		if links, err = json.Marshal(a.Links); err != nil {
			return fmt.Errorf("store: save author %q: %w", a.Slug, err)
		}
	} else {
		links = []byte("[]")
	}
	html := content.Render(a.Bio)
	now := normTime(time.Now())
	id, created := a.ID, now

	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		if err := r.bumpContentVersion(ctx); err != nil {
			return err
		}
		var other int64
		err := r.queryRow(ctx, `SELECT id FROM authors WHERE slug = ? AND id <> ?`, a.Slug, a.ID).Scan(&other)
		if err == nil {
			return fmt.Errorf("slug %q belongs to another author: %w", a.Slug, ErrConflict)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		fields := []any{a.Slug, a.Name, a.Role, a.Bio, html, content.RendererVersion,
			a.Photo.Key, a.Photo.Width, a.Photo.Height, a.Photo.Alt, a.Photo.Caption, a.Photo.Credit,
			string(links), r.timeArg(now)}
		if a.ID == 0 {
			return r.queryRow(ctx, `INSERT INTO authors (slug, name, role, bio, bio_html, bio_render_version,
				photo_key, photo_width, photo_height, photo_alt, photo_caption, photo_credit, links, updated_at, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				append(fields, r.timeArg(now))...).Scan(&id)
		}
		renamed, err := r.renamed(ctx, "authors", a.ID, a.Name)
		if err != nil {
			return err
		}
		err = r.queryRow(ctx, `UPDATE authors SET slug = ?, name = ?, role = ?, bio = ?, bio_html = ?, bio_render_version = ?,
			photo_key = ?, photo_width = ?, photo_height = ?, photo_alt = ?, photo_caption = ?, photo_credit = ?,
			links = ?, updated_at = ? WHERE id = ? RETURNING created_at`,
			append(fields, a.ID)...).Scan(timeDest{&created})
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("author %d: %w", a.ID, ErrNotFound)
		}
		if err != nil || !renamed {
			return err
		}
		// Bylines are searched: the author's posts are indexed anew.
		return r.indexPostsWhere(ctx, `SELECT post_id FROM post_authors WHERE author_id = ?`, a.ID)
	})
	if err != nil {
		return fmt.Errorf("store: save author %q: %w", a.Slug, conflict(err))
	}
	a.ID = id
	a.BioHTML = html
	a.CreatedAt = created
	a.UpdatedAt = now
	if len(a.Links) == 0 {
		a.Links = nil
	}
	return nil
}

// AuthorByID returns one author or ErrNotFound.
func (s *Store) AuthorByID(ctx context.Context, id int64) (content.Author, error) {
	a, err := s.author(ctx, `a.id = ?`, id)
	if err != nil {
		return a, fmt.Errorf("store: author %d: %w", id, err)
	}
	return a, nil
}

// AuthorBySlug returns one author or ErrNotFound.
func (s *Store) AuthorBySlug(ctx context.Context, slug string) (content.Author, error) {
	a, err := s.author(ctx, `a.slug = ?`, slug)
	if err != nil {
		return a, fmt.Errorf("store: author %q: %w", slug, err)
	}
	return a, nil
}

func (s *Store) author(ctx context.Context, where string, arg any) (content.Author, error) {
	row := s.reader().queryRow(ctx, `SELECT `+authorColumns+` FROM authors a WHERE `+where, arg)
	a, stale, err := scanAuthor(row)
	if errors.Is(err, sql.ErrNoRows) {
		return content.Author{}, ErrNotFound
	}
	if err != nil {
		return content.Author{}, err
	}
	if stale {
		s.keepRendered(ctx, nil, []content.Author{a})
	}
	return a, nil
}

// Authors returns every author ordered by name.
func (s *Store) Authors(ctx context.Context) ([]content.Author, error) {
	rows, err := s.reader().query(ctx, `SELECT `+authorColumns+` FROM authors a`)
	if err != nil {
		return nil, fmt.Errorf("store: authors: %w", err)
	}
	defer rows.Close()
	var (
		authors []content.Author
		stale   []content.Author
	)
	for rows.Next() {
		a, st, err := scanAuthor(rows)
		if err != nil {
			return nil, fmt.Errorf("store: authors: %w", err)
		}
		authors = append(authors, a)
		if st {
			stale = append(stale, a)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: authors: %w", err)
	}
	rows.Close()
	sortByName(authors, func(a content.Author) (string, int64) { return a.Name, a.ID })
	s.keepRendered(ctx, nil, stale)
	return authors, nil
}

// sortByName orders by name ignoring case, the same way on both databases
// whatever their collations.
func sortByName[T any](xs []T, key func(T) (string, int64)) {
	slices.SortStableFunc(xs, func(x, y T) int {
		xn, xid := key(x)
		yn, yid := key(y)
		return cmp.Or(
			strings.Compare(strings.ToLower(xn), strings.ToLower(yn)),
			strings.Compare(xn, yn),
			cmp.Compare(xid, yid),
		)
	})
}
