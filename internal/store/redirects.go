package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// redirectQueryKeys are the query parameters that name an article on the
// sites Masthead imports from (WordPress's /?p=123 and /?page_id=45); any
// other query is not part of an old address.
var redirectQueryKeys = []string{"p", "page_id"}

// maxRedirectPath bounds a stored old address; longer ones are no
// permalinks anyone typed or linked.
const maxRedirectPath = 2000

// RedirectPath is the form old addresses are stored and looked up in: the
// decoded path without trailing slashes ("/" for the home page), followed
// by "?p=…" or "?page_id=…" when the query has one. "/2019/03/slug/" and
// "/2019/03/slug" are the same address.
func RedirectPath(path string, query url.Values) string {
	p := strings.TrimRight(path, "/")
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	for _, k := range redirectQueryKeys {
		if v := query.Get(k); v != "" {
			return p + "?" + k + "=" + url.QueryEscape(v)
		}
	}
	return p
}

// Redirect is an old address (in RedirectPath form) leading to a post.
type Redirect struct {
	Path   string
	PostID int64
}

// redirectBatch is how many redirects one statement writes.
const redirectBatch = 200

// SaveRedirects makes each old address lead to its post, replacing what it
// led to before; when one address is given twice, the last wins. The site
// consults redirects only for addresses none of its own pages answer, so a
// redirect never hides a page. The home page itself and over-long paths
// are ErrInvalid, and then nothing is saved.
func (s *Store) SaveRedirects(ctx context.Context, rs []Redirect) error {
	last := make(map[string]int, len(rs))
	for i, r := range rs {
		if err := checkRedirectPath(r.Path); err != nil {
			return fmt.Errorf("store: save redirect: %w", err)
		}
		last[r.Path] = i
	}
	if len(rs) == 0 {
		return nil
	}
	// One statement may not name a path twice (PostgreSQL refuses to
	// update a row twice in one command).
	unique := make([]Redirect, 0, len(last))
	for i, r := range rs {
		if last[r.Path] == i {
			unique = append(unique, r)
		}
	}
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		for len(unique) > 0 {
			n := min(len(unique), redirectBatch)
			args := make([]any, 0, 2*n)
			for _, rd := range unique[:n] {
				args = append(args, rd.Path, rd.PostID)
			}
			values := strings.Repeat("(?, ?), ", n)
			if _, err := r.exec(ctx, `INSERT INTO redirects (path, post_id) VALUES `+values[:len(values)-2]+`
				ON CONFLICT (path) DO UPDATE SET post_id = excluded.post_id`, args...); err != nil {
				return err
			}
			unique = unique[n:]
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: save redirects: %w", err)
	}
	return nil
}

func checkRedirectPath(p string) error {
	switch {
	case !strings.HasPrefix(p, "/") || p == "/":
		return fmt.Errorf("old address %q is not a path: %w", p, ErrInvalid)
	case len(p) > maxRedirectPath:
		return fmt.Errorf("old address %.40q… is too long: %w", p, ErrInvalid)
	}
	return nil
}

// RedirectTarget returns the slug of the post an old address (in
// RedirectPath form) leads to, ErrGone when that post was deleted, or
// ErrNotFound.
func (s *Store) RedirectTarget(ctx context.Context, path string) (string, error) {
	var slug sql.NullString
	err := s.reader().queryRow(ctx, `SELECT p.slug FROM redirects rd LEFT JOIN posts p ON p.id = rd.post_id
		WHERE rd.path = ?`, path).Scan(&slug)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", fmt.Errorf("store: redirect %q: %w", path, ErrNotFound)
	case err != nil:
		return "", fmt.Errorf("store: redirect %q: %w", path, err)
	case !slug.Valid:
		return "", fmt.Errorf("store: redirect %q: %w", path, ErrGone)
	}
	return slug.String, nil
}

// RedirectPaths returns the old addresses leading to the post postID,
// sorted.
func (s *Store) RedirectPaths(ctx context.Context, postID int64) ([]string, error) {
	var paths []string
	err := s.reader().each(ctx, `SELECT path FROM redirects WHERE post_id = ? ORDER BY path`, []any{postID},
		func(rows *sql.Rows) error {
			var p string
			if err := rows.Scan(&p); err != nil {
				return err
			}
			paths = append(paths, p)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("store: redirects of post %d: %w", postID, err)
	}
	return paths, nil
}
