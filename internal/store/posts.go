package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"masthead/internal/content"
)

const postColumns = `p.id, p.slug, p.title, p.deck, p.body, p.body_html, p.render_version, p.excerpt, p.status,
	p.published_at, p.updated_at, p.section_id,
	p.image_key, p.image_width, p.image_height, p.image_alt, p.image_caption, p.image_credit,
	p.canonical_url, p.seo_title, p.seo_description, p.created_at, p.modified_at`

// riverOrder is newest first; posts never published come last. The
// posts_river and posts_section indexes follow this order.
const riverOrder = `p.published_at DESC NULLS LAST, p.id DESC`

// Page sizes for Posts.
const (
	defaultLimit = 20
	maxLimit     = 100
)

// postRefs is what SavePost writes besides the posts row, checked and
// de-duplicated.
type postRefs struct {
	authors     []content.Author
	authorIDs   []int64
	section     int64 // 0 for none
	tags        []content.Tag
	tagIDs      []int64
	corrections []content.Correction // dates normalized, oldest first
}

// preparePost checks what the database needs of p and works out its
// references without touching p.
func preparePost(p *content.Post) (postRefs, error) {
	var refs postRefs
	if !p.Status.Valid() {
		return refs, fmt.Errorf("unknown status %q: %w", p.Status, ErrInvalid)
	}
	if !validTime(p.PublishedAt) || !validTime(p.UpdatedAt) {
		return refs, fmt.Errorf("publication or update time out of range: %w", ErrInvalid)
	}
	seen := map[int64]bool{}
	for _, a := range p.Authors {
		if a.ID == 0 {
			return refs, fmt.Errorf("author %q has not been saved (no ID): %w", a.Slug, ErrInvalid)
		}
		if !seen[a.ID] {
			seen[a.ID] = true
			refs.authors = append(refs.authors, a)
			refs.authorIDs = append(refs.authorIDs, a.ID)
		}
	}
	if p.Section != nil {
		if p.Section.ID == 0 {
			return refs, fmt.Errorf("section %q has not been saved (no ID): %w", p.Section.Slug, ErrInvalid)
		}
		refs.section = p.Section.ID
	}
	seen = map[int64]bool{refs.section: true}
	for _, t := range p.Tags {
		if t.ID == 0 {
			return refs, fmt.Errorf("tag %q has not been saved (no ID): %w", t.Slug, ErrInvalid)
		}
		if !seen[t.ID] {
			seen[t.ID] = true
			refs.tags = append(refs.tags, t)
			refs.tagIDs = append(refs.tagIDs, t.ID)
		}
	}
	if len(p.Corrections) > 0 {
		refs.corrections = slices.Clone(p.Corrections)
	}
	for i := range refs.corrections {
		c := &refs.corrections[i]
		if c.Date.IsZero() || !validTime(c.Date) {
			return refs, fmt.Errorf("correction %d has no valid date: %w", i+1, ErrInvalid)
		}
		c.Date = normTime(c.Date)
	}
	slices.SortStableFunc(refs.corrections, func(a, b content.Correction) int { return a.Date.Compare(b.Date) })
	return refs, nil
}

// SavePost inserts p (ID 0) or updates it with its authors, section, tags
// and corrections (referenced by ID; corrections are replaced as a set),
// renders BodyHTML, and sets ID and the bookkeeping times. Changing the slug
// keeps the old one as a redirect. A slug used by another post is
// ErrConflict.
//
// On success p holds what was stored: times in UTC to the microsecond,
// authors and tags without repeats (tags without the section), corrections
// oldest first with their IDs.
func (s *Store) SavePost(ctx context.Context, p *content.Post) error {
	if err := checkSlug(p.Slug); err != nil {
		return fmt.Errorf("store: save post: %w", err)
	}
	refs, err := preparePost(p)
	if err != nil {
		return fmt.Errorf("store: save post %q: %w", p.Slug, err)
	}
	html := content.Render(p.Body)
	now := normTime(time.Now())
	id, created := p.ID, now

	err = s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		if err := r.bumpContentVersion(ctx); err != nil {
			return err
		}
		var other int64
		err := r.queryRow(ctx, `SELECT id FROM posts WHERE slug = ? AND id <> ?`, p.Slug, p.ID).Scan(&other)
		if err == nil {
			return fmt.Errorf("slug %q belongs to another post: %w", p.Slug, ErrConflict)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := r.checkExist(ctx, "authors", "author", refs.authorIDs); err != nil {
			return err
		}
		if refs.section != 0 {
			if err := r.checkExist(ctx, "tags", "section", []int64{refs.section}); err != nil {
				return err
			}
		}
		if err := r.checkExist(ctx, "tags", "tag", refs.tagIDs); err != nil {
			return err
		}

		var section any
		if refs.section != 0 {
			section = refs.section
		}
		fields := []any{p.Slug, p.Title, p.Deck, p.Body, html, content.RendererVersion, p.Excerpt, string(p.Status),
			r.timeArg(p.PublishedAt), r.timeArg(p.UpdatedAt), section,
			p.Image.Key, p.Image.Width, p.Image.Height, p.Image.Alt, p.Image.Caption, p.Image.Credit,
			p.CanonicalURL, p.SEOTitle, p.SEODescription, r.timeArg(now)}
		oldSlug := ""
		if p.ID == 0 {
			err := r.queryRow(ctx, `INSERT INTO posts (slug, title, deck, body, body_html, render_version, excerpt, status,
				published_at, updated_at, section_id,
				image_key, image_width, image_height, image_alt, image_caption, image_credit,
				canonical_url, seo_title, seo_description, modified_at, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				append(fields, r.timeArg(now))...).Scan(&id)
			if err != nil {
				return err
			}
		} else {
			err := r.queryRow(ctx, `SELECT slug FROM posts WHERE id = ?`, p.ID).Scan(&oldSlug)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("post %d: %w", p.ID, ErrNotFound)
			}
			if err != nil {
				return err
			}
			err = r.queryRow(ctx, `UPDATE posts SET slug = ?, title = ?, deck = ?, body = ?, body_html = ?, render_version = ?,
				excerpt = ?, status = ?, published_at = ?, updated_at = ?, section_id = ?,
				image_key = ?, image_width = ?, image_height = ?, image_alt = ?, image_caption = ?, image_credit = ?,
				canonical_url = ?, seo_title = ?, seo_description = ?, modified_at = ?
				WHERE id = ? RETURNING created_at`,
				append(fields, p.ID)...).Scan(timeDest{&created})
			if err != nil {
				return err
			}
		}

		// The old slug now redirects here; the new one, if it redirected
		// anywhere (this post's past, another post's past, a deleted post),
		// is this post's now.
		if oldSlug != "" && oldSlug != p.Slug {
			if _, err := r.exec(ctx, `INSERT INTO post_slugs (slug, post_id) VALUES (?, ?)
				ON CONFLICT (slug) DO UPDATE SET post_id = excluded.post_id`, oldSlug, id); err != nil {
				return err
			}
		}
		if _, err := r.exec(ctx, `DELETE FROM post_slugs WHERE slug = ?`, p.Slug); err != nil {
			return err
		}

		if err := r.replaceLinks(ctx, "post_authors", "author_id", id, refs.authorIDs); err != nil {
			return err
		}
		if err := r.replaceLinks(ctx, "post_tags", "tag_id", id, refs.tagIDs); err != nil {
			return err
		}
		if err := r.saveCorrections(ctx, id, refs.corrections); err != nil {
			return err
		}
		// The search index changes with the post, in this transaction.
		return r.indexPosts(ctx, []int64{id})
	})
	if err != nil {
		return fmt.Errorf("store: save post %q: %w", p.Slug, conflict(err))
	}
	p.ID = id
	p.BodyHTML = html
	p.RenderVersion = content.RendererVersion
	p.PublishedAt = normTime(p.PublishedAt)
	p.UpdatedAt = normTime(p.UpdatedAt)
	p.Authors = refs.authors
	p.Tags = refs.tags
	p.Corrections = refs.corrections
	p.CreatedAt = created
	p.ModifiedAt = now
	return nil
}

// checkExist returns ErrInvalid naming the first of ids missing from table.
func (r runner) checkExist(ctx context.Context, table, what string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	found := make(map[int64]bool, len(ids))
	err := r.each(ctx, `SELECT id FROM `+table+` WHERE id IN (`+placeholders(len(ids))+`)`, anys(ids), func(rows *sql.Rows) error {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		found[id] = true
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !found[id] {
			return fmt.Errorf("%s %d does not exist: %w", what, id, ErrInvalid)
		}
	}
	return nil
}

// replaceLinks makes ids, in order, the post's rows in table.
func (r runner) replaceLinks(ctx context.Context, table, column string, postID int64, ids []int64) error {
	if _, err := r.exec(ctx, `DELETE FROM `+table+` WHERE post_id = ?`, postID); err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	values := strings.Repeat("(?, ?, ?), ", len(ids))
	args := make([]any, 0, 3*len(ids))
	for i, id := range ids {
		args = append(args, postID, id, i)
	}
	_, err := r.exec(ctx, `INSERT INTO `+table+` (post_id, `+column+`, position) VALUES `+values[:len(values)-2], args...)
	return err
}

// saveCorrections keeps the IDs of corrections that already belong to the
// post, adds the new ones and removes the rest. It sets the IDs in cs.
func (r runner) saveCorrections(ctx context.Context, postID int64, cs []content.Correction) error {
	existing := map[int64]bool{}
	err := r.each(ctx, `SELECT id FROM corrections WHERE post_id = ?`, []any{postID}, func(rows *sql.Rows) error {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		existing[id] = true
		return nil
	})
	if err != nil {
		return err
	}
	kept := map[int64]bool{}
	for i := range cs {
		c := &cs[i]
		if c.ID != 0 && existing[c.ID] && !kept[c.ID] {
			if _, err := r.exec(ctx, `UPDATE corrections SET date = ?, note = ?, position = ? WHERE id = ?`,
				r.timeArg(c.Date), c.Note, i, c.ID); err != nil {
				return err
			}
		} else if err := r.queryRow(ctx, `INSERT INTO corrections (post_id, date, note, position) VALUES (?, ?, ?, ?) RETURNING id`,
			postID, r.timeArg(c.Date), c.Note, i).Scan(&c.ID); err != nil {
			return err
		}
		kept[c.ID] = true
	}
	var gone []int64
	for id := range existing {
		if !kept[id] {
			gone = append(gone, id)
		}
	}
	if len(gone) > 0 {
		if _, err := r.exec(ctx, `DELETE FROM corrections WHERE id IN (`+placeholders(len(gone))+`)`, anys(gone)...); err != nil {
			return err
		}
	}
	return nil
}

// PostByID returns one post, complete, or ErrNotFound.
func (s *Store) PostByID(ctx context.Context, id int64) (content.Post, error) {
	p, err := s.post(ctx, `p.id = ?`, id)
	if err != nil {
		return p, fmt.Errorf("store: post %d: %w", id, err)
	}
	return p, nil
}

// PostBySlug returns one post, complete, or ErrNotFound.
func (s *Store) PostBySlug(ctx context.Context, slug string) (content.Post, error) {
	p, err := s.post(ctx, `p.slug = ?`, slug)
	if err != nil {
		return p, fmt.Errorf("store: post %q: %w", slug, err)
	}
	return p, nil
}

func (s *Store) post(ctx context.Context, where string, arg any) (content.Post, error) {
	posts, err := s.loadPosts(ctx, `SELECT `+postColumns+` FROM posts p WHERE `+where, arg)
	if err != nil {
		return content.Post{}, err
	}
	if len(posts) == 0 {
		return content.Post{}, ErrNotFound
	}
	return posts[0], nil
}

// RedirectSlug returns the current slug of the post that once had oldSlug,
// ErrGone when that post was deleted, or ErrNotFound.
func (s *Store) RedirectSlug(ctx context.Context, oldSlug string) (string, error) {
	var current sql.NullString
	err := s.reader().queryRow(ctx, `SELECT p.slug FROM post_slugs ps LEFT JOIN posts p ON p.id = ps.post_id
		WHERE ps.slug = ?`, oldSlug).Scan(&current)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", fmt.Errorf("store: redirect %q: %w", oldSlug, ErrNotFound)
	case err != nil:
		return "", fmt.Errorf("store: redirect %q: %w", oldSlug, err)
	case !current.Valid:
		return "", fmt.Errorf("store: redirect %q: %w", oldSlug, ErrGone)
	}
	return current.String, nil
}

// Posts returns one page of complete posts matching f, newest first.
func (s *Store) Posts(ctx context.Context, f PostFilter) (PostPage, error) {
	r := s.reader()
	conds, args := r.postConditions(f)
	where := ""
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, ` AND `)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	offset := max(f.Offset, 0)

	var page PostPage
	if !f.SkipTotal {
		if err := r.queryRow(ctx, `SELECT COUNT(*) FROM posts p`+where, args...).Scan(&page.Total); err != nil {
			return PostPage{}, fmt.Errorf("store: posts: %w", err)
		}
		if offset >= page.Total {
			return page, nil
		}
	}
	posts, err := s.loadPosts(ctx, `SELECT `+postColumns+` FROM posts p`+where+` ORDER BY `+riverOrder+` LIMIT ? OFFSET ?`,
		append(args, limit, offset)...)
	if err != nil {
		return PostPage{}, fmt.Errorf("store: posts: %w", err)
	}
	page.Posts = posts
	return page, nil
}

// postConditions turns the filtering fields of f into conditions on posts
// p, with their arguments.
func (r runner) postConditions(f PostFilter) ([]string, []any) {
	var conds []string
	var args []any
	if len(f.Statuses) > 0 {
		conds = append(conds, `p.status IN (`+placeholders(len(f.Statuses))+`)`)
		for _, st := range f.Statuses {
			args = append(args, string(st))
		}
	}
	if !f.PublishedBy.IsZero() {
		conds = append(conds, `p.published_at <= ?`)
		args = append(args, r.timeArg(f.PublishedBy))
	}
	// The slug filters are written so that both databases answer them from
	// indexes: an unknown slug makes the scalar subquery NULL, which matches
	// nothing; the tag filter gathers post IDs first rather than testing an
	// OR row by row.
	if f.SectionSlug != "" {
		conds = append(conds, `p.section_id = (SELECT id FROM tags WHERE slug = ?)`)
		args = append(args, f.SectionSlug)
	}
	if f.TagSlug != "" {
		conds = append(conds, `p.id IN (
			SELECT sp.id FROM posts sp WHERE sp.section_id = (SELECT id FROM tags WHERE slug = ?)
			UNION ALL
			SELECT pt.post_id FROM post_tags pt WHERE pt.tag_id = (SELECT id FROM tags WHERE slug = ?))`)
		args = append(args, f.TagSlug, f.TagSlug)
	}
	if f.AuthorSlug != "" {
		conds = append(conds, `p.id IN (SELECT pa.post_id FROM post_authors pa
			WHERE pa.author_id = (SELECT id FROM authors WHERE slug = ?))`)
		args = append(args, f.AuthorSlug)
	}
	return conds, args
}

// DeletePost removes a post; its slugs then answer ErrGone.
func (s *Store) DeletePost(ctx context.Context, id int64) error {
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		if err := r.bumpContentVersion(ctx); err != nil {
			return err
		}
		var slug string
		err := r.queryRow(ctx, `SELECT slug FROM posts WHERE id = ?`, id).Scan(&slug)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := r.exec(ctx, `UPDATE post_slugs SET post_id = NULL WHERE post_id = ?`, id); err != nil {
			return err
		}
		if _, err := r.exec(ctx, `INSERT INTO post_slugs (slug, post_id) VALUES (?, NULL)
			ON CONFLICT (slug) DO UPDATE SET post_id = NULL`, slug); err != nil {
			return err
		}
		if err := r.unindexPost(ctx, id); err != nil {
			return err
		}
		_, err = r.exec(ctx, `DELETE FROM posts WHERE id = ?`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: delete post %d: %w", id, err)
	}
	return nil
}

// NextPublication returns the earliest PublishedAt after t among published
// posts, or the zero time when there is none. Caches of public pages expire
// then.
func (s *Store) NextPublication(ctx context.Context, after time.Time) (time.Time, error) {
	r := s.reader()
	var next time.Time
	var err error
	if after.IsZero() {
		err = r.queryRow(ctx, `SELECT MIN(published_at) FROM posts WHERE status = ?`,
			string(content.StatusPublished)).Scan(timeDest{&next})
	} else {
		err = r.queryRow(ctx, `SELECT MIN(published_at) FROM posts WHERE status = ? AND published_at > ?`,
			string(content.StatusPublished), r.timeArg(after)).Scan(timeDest{&next})
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("store: next publication: %w", err)
	}
	return next, nil
}

// loadPosts runs a query selecting postColumns and completes the posts with
// a fixed number of further queries, however many posts there are.
func (s *Store) loadPosts(ctx context.Context, query string, args ...any) ([]content.Post, error) {
	var (
		posts    []content.Post
		sections []int64
	)
	err := s.reader().each(ctx, query, args, func(rows *sql.Rows) error {
		var p content.Post
		var status string
		var section sql.NullInt64
		if err := rows.Scan(&p.ID, &p.Slug, &p.Title, &p.Deck, &p.Body, &p.BodyHTML, &p.RenderVersion, &p.Excerpt, &status,
			timeDest{&p.PublishedAt}, timeDest{&p.UpdatedAt}, &section,
			&p.Image.Key, &p.Image.Width, &p.Image.Height, &p.Image.Alt, &p.Image.Caption, &p.Image.Credit,
			&p.CanonicalURL, &p.SEOTitle, &p.SEODescription, timeDest{&p.CreatedAt}, timeDest{&p.ModifiedAt}); err != nil {
			return err
		}
		p.Status = content.Status(status)
		posts = append(posts, p)
		sections = append(sections, section.Int64)
		return nil
	})
	if err != nil || len(posts) == 0 {
		return posts, err
	}
	if err := s.completePosts(ctx, posts, sections); err != nil {
		return nil, err
	}
	return posts, nil
}

// completePosts fills in the bylines, sections, tags and corrections of
// posts, and renders again what an older renderer made.
func (s *Store) completePosts(ctx context.Context, posts []content.Post, sections []int64) error {
	r := s.reader()
	index := make(map[int64]int, len(posts))
	ids := make([]int64, len(posts))
	for i, p := range posts {
		index[p.ID] = i
		ids[i] = p.ID
	}
	in := placeholders(len(ids))

	staleAuthors := map[int64]content.Author{}
	err := r.each(ctx, `SELECT pa.post_id, `+authorColumns+` FROM post_authors pa JOIN authors a ON a.id = pa.author_id
		WHERE pa.post_id IN (`+in+`) ORDER BY pa.post_id, pa.position`, anys(ids), func(rows *sql.Rows) error {
		var postID int64
		a, stale, err := scanAuthor(rows, &postID)
		if err != nil {
			return err
		}
		if stale {
			staleAuthors[a.ID] = a
		}
		i := index[postID]
		posts[i].Authors = append(posts[i].Authors, a)
		return nil
	})
	if err != nil {
		return fmt.Errorf("bylines: %w", err)
	}

	err = r.each(ctx, `SELECT pt.post_id, `+tagColumns+` FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
		WHERE pt.post_id IN (`+in+`) ORDER BY pt.post_id, pt.position`, anys(ids), func(rows *sql.Rows) error {
		var postID int64
		t, err := scanTag(rows, &postID)
		if err != nil {
			return err
		}
		i := index[postID]
		posts[i].Tags = append(posts[i].Tags, t)
		return nil
	})
	if err != nil {
		return fmt.Errorf("tags: %w", err)
	}

	var sectionIDs []int64
	for _, id := range sections {
		if id != 0 && !slices.Contains(sectionIDs, id) {
			sectionIDs = append(sectionIDs, id)
		}
	}
	if len(sectionIDs) > 0 {
		byID := make(map[int64]content.Tag, len(sectionIDs))
		err = r.each(ctx, `SELECT `+tagColumns+` FROM tags t WHERE t.id IN (`+placeholders(len(sectionIDs))+`)`,
			anys(sectionIDs), func(rows *sql.Rows) error {
				t, err := scanTag(rows)
				byID[t.ID] = t
				return err
			})
		if err != nil {
			return fmt.Errorf("sections: %w", err)
		}
		for i, id := range sections {
			if t, ok := byID[id]; ok {
				posts[i].Section = &t // a copy per post
			}
		}
	}

	err = r.each(ctx, `SELECT c.post_id, c.id, c.date, c.note FROM corrections c
		WHERE c.post_id IN (`+in+`) ORDER BY c.post_id, c.date, c.position`, anys(ids), func(rows *sql.Rows) error {
		var postID int64
		var c content.Correction
		if err := rows.Scan(&postID, &c.ID, timeDest{&c.Date}, &c.Note); err != nil {
			return err
		}
		i := index[postID]
		posts[i].Corrections = append(posts[i].Corrections, c)
		return nil
	})
	if err != nil {
		return fmt.Errorf("corrections: %w", err)
	}

	var stalePosts []content.Post
	for i := range posts {
		if posts[i].RenderVersion != content.RendererVersion {
			posts[i].BodyHTML = content.Render(posts[i].Body)
			posts[i].RenderVersion = content.RendererVersion
			stalePosts = append(stalePosts, posts[i])
		}
	}
	authors := make([]content.Author, 0, len(staleAuthors))
	for _, a := range staleAuthors {
		authors = append(authors, a)
	}
	slices.SortFunc(authors, func(a, b content.Author) int { return cmp.Compare(a.ID, b.ID) })
	s.keepRendered(ctx, stalePosts, authors)
	return nil
}

// keepRendered stores HTML that was rendered again on read because the
// renderer changed. It is best effort: the reader already has the new HTML,
// and a busy writer must not hold up a page, so it gives up after a moment
// and the next read tries again. Inside a transaction it leaves the work to
// a later read rather than risk the caller's transaction.
func (s *Store) keepRendered(ctx context.Context, posts []content.Post, authors []content.Author) {
	if s.tx != nil || len(posts)+len(authors) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		// The conditions skip rows whose source changed since they were read.
		for _, p := range posts {
			if _, err := r.exec(ctx, `UPDATE posts SET body_html = ?, render_version = ?
				WHERE id = ? AND body = ? AND render_version <> ?`,
				p.BodyHTML, content.RendererVersion, p.ID, p.Body, content.RendererVersion); err != nil {
				return err
			}
		}
		for _, a := range authors {
			if _, err := r.exec(ctx, `UPDATE authors SET bio_html = ?, bio_render_version = ?
				WHERE id = ? AND bio = ? AND bio_render_version <> ?`,
				a.BioHTML, content.RendererVersion, a.ID, a.Bio, content.RendererVersion); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		slog.WarnContext(ctx, "store: could not keep re-rendered HTML", "err", err)
	}
}

// each runs query and calls fn for every row.
func (r runner) each(ctx context.Context, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := r.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close()
}

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}
