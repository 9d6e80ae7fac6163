package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
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
	case p == "/":
		return fmt.Errorf("old address %q is the home page: %w", p, ErrInvalid)
	case !strings.HasPrefix(p, "/"):
		return fmt.Errorf("old address %q is not a path: %w", p, ErrInvalid)
	case len(p) > maxRedirectPath:
		return fmt.Errorf("old address %.40q… is longer than %d bytes: %w", p, maxRedirectPath, ErrInvalid)
	// PostgreSQL refuses text that is not UTF-8 or holds NUL; refusing it
	// here makes both databases agree and names the address.
	case !utf8.ValidString(p):
		return fmt.Errorf("old address %q is not valid UTF-8: %w", p, ErrInvalid)
	case strings.ContainsFunc(p, unicode.IsControl):
		return fmt.Errorf("old address %q holds a control character: %w", p, ErrInvalid)
	}
	return nil
}

// FormatRedirect writes an old address (in RedirectPath form) the way a
// person would type it and ParseRedirect reads it back: the path
// percent-escaped, so that a "?" or "%" that belongs to the decoded path
// cannot be taken for a query or an escape, then "?p=…" or "?page_id=…".
func FormatRedirect(stored string) string {
	p, query := stored, ""
	if i := strings.LastIndexByte(stored, '?'); i >= 0 {
		for _, k := range redirectQueryKeys {
			if strings.HasPrefix(stored[i+1:], k+"=") {
				p, query = stored[:i], stored[i:]
				break
			}
		}
	}
	return (&url.URL{Path: p}).EscapedPath() + query
}

// ParseRedirect reads an old address as written in an import file
// ("/2019/03/the-strait/", "/caf%C3%A9", "/?p=123") into RedirectPath
// form. Only a path is accepted — no scheme or host — and of queries only
// WordPress's ?p= and ?page_id=, the only ones an old address keeps; what
// is not accepted is ErrInvalid with a message that says why.
func ParseRedirect(s string) (string, error) {
	switch {
	case len(s) > 3*maxRedirectPath:
		return "", fmt.Errorf("old address %.40q… is longer than %d bytes: %w", s, maxRedirectPath, ErrInvalid)
	case strings.HasPrefix(s, "//") || strings.Contains(s, "://") && !strings.HasPrefix(s, "/"):
		return "", fmt.Errorf("old address %q names a host: write the path only, such as /2019/03/slug/: %w", s, ErrInvalid)
	case !strings.HasPrefix(s, "/"):
		return "", fmt.Errorf("old address %q must begin with /: %w", s, ErrInvalid)
	case strings.ContainsRune(s, '#'):
		return "", fmt.Errorf("old address %q has a #fragment, which browsers never send: %w", s, ErrInvalid)
	}
	rawPath, rawQuery, _ := strings.Cut(s, "?")
	var query url.Values
	if rawQuery != "" {
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			return "", fmt.Errorf("old address %q has a malformed query: %w", s, ErrInvalid)
		}
		kept := false
		for _, k := range redirectQueryKeys {
			kept = kept || q.Get(k) != ""
		}
		if !kept {
			return "", fmt.Errorf("old address %q has a query other than ?p=… or ?page_id=…, which is not kept: %w", s, ErrInvalid)
		}
		query = q
	}
	p, err := url.PathUnescape(rawPath)
	if err != nil {
		return "", fmt.Errorf("old address %q has a malformed %%-escape: %w", s, ErrInvalid)
	}
	stored := RedirectPath(p, query)
	if err := checkRedirectPath(stored); err != nil {
		return "", err
	}
	return stored, nil
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

// RedirectsOf returns the old addresses (in RedirectPath form) leading to
// each of the posts postIDs, sorted byte by byte (not by the database's
// collation, so that both databases give the same order); posts without
// any are left out.
func (s *Store) RedirectsOf(ctx context.Context, postIDs []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	if len(postIDs) == 0 {
		return out, nil
	}
	err := s.reader().each(ctx, `SELECT post_id, path FROM redirects WHERE post_id IN (`+placeholders(len(postIDs))+`)`,
		anys(postIDs), func(rows *sql.Rows) error {
			var id int64
			var p string
			if err := rows.Scan(&id, &p); err != nil {
				return err
			}
			out[id] = append(out[id], p)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("store: redirects of posts: %w", err)
	}
	for _, paths := range out {
		slices.Sort(paths)
	}
	return out, nil
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
