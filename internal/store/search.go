package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"masthead/internal/content"
)

// SearchQuery is a full-text search over posts' headlines, decks, bylines,
// tags and bodies. Text is what the reader typed: words must all appear,
// "quoted phrases" in that order; nothing else in it is syntax. The
// embedded PostFilter narrows the posts searched (zero fields do not
// filter) and pages the results.
type SearchQuery struct {
	Text string
	// Typing makes the last word a prefix while the reader is still typing
	// it ("diplom" finds "diplomacy").
	Typing bool
	PostFilter
	// From and Until bound the publication time: From <= PublishedAt <
	// Until. Zero leaves that side open.
	From, Until time.Time
}

// PublicSearch returns the search for text among the posts readers may see
// at now.
func PublicSearch(text string, now time.Time) SearchQuery {
	return SearchQuery{Text: text, PostFilter: PublicFilter(now)}
}

// SearchHit is one post found, with its headline and an extract of the
// text around the matched words as HTML: everything escaped, the matched
// words in <mark>.
type SearchHit struct {
	Post        content.Post
	TitleHTML   string
	SnippetHTML string
}

// SearchPage is one page of search results, most relevant first.
type SearchPage struct {
	Hits []SearchHit
	// Total is how many posts matched, ignoring Limit and Offset, up to
	// SearchWindow.
	Total int
	// Capped reports that more than SearchWindow posts matched. The
	// results are then the most relevant of the SearchWindow matches added
	// last; narrowing the search (more words, a section, dates) reaches
	// the others.
	Capped bool
	// Understood is the query as it was read: its words folded to lower
	// case without diacritics, phrases in quotes, a prefix followed by *.
	// It is empty when the text held no word to search for.
	Understood string
}

// SearchWindow is how many matches a search ranks at most: the ones added
// last. A word found in tens of thousands of articles says little about
// which of them the reader wants, and ranking them all would cost time in
// proportion to the archive; the window bounds that cost instead.
const SearchWindow = 1000

// Relevance tiers: a post whose headline holds the whole query comes
// first, then one where the headline, deck, bylines and tags hold it, then
// one that needs its body. Within a tier the newest comes first, as readers
// of a magazine expect.
const (
	tierBody = iota
	tierHead
	tierTitle
)

// searchCandidate is a match in the window.
type searchCandidate struct {
	id        int64
	published time.Time
	tier      int
}

// Search runs q. Text without a word to search for gives an empty page, not
// an error.
func (s *Store) Search(ctx context.Context, q SearchQuery) (SearchPage, error) {
	parsed := parseSearch(q.Text, q.Typing)
	page := SearchPage{Understood: parsed.String()}
	if parsed.empty() {
		return page, nil
	}
	if !validTime(q.From) || !validTime(q.Until) || !validTime(q.PublishedBy) {
		return page, fmt.Errorf("store: search: date out of range: %w", ErrInvalid)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	offset := max(q.Offset, 0)

	var (
		window []searchCandidate
		err    error
	)
	if s.db.dialect == dialectPostgres {
		window, err = s.searchWindowPostgres(ctx, parsed, q)
	} else {
		window, err = s.searchWindowSQLite(ctx, parsed, q)
	}
	if err != nil {
		return SearchPage{}, fmt.Errorf("store: search %q: %w", parsed.String(), err)
	}
	page.Total = min(len(window), SearchWindow)
	page.Capped = len(window) > SearchWindow
	if offset >= page.Total {
		return page, nil
	}
	window = window[:page.Total]
	slices.SortStableFunc(window, func(a, b searchCandidate) int {
		if a.tier != b.tier {
			return b.tier - a.tier
		}
		if c := b.published.Compare(a.published); c != 0 {
			return c
		}
		return cmp.Compare(b.id, a.id)
	})
	var ids []int64
	for _, c := range window[offset:min(offset+limit, len(window))] {
		ids = append(ids, c.id)
	}
	posts, err := s.postsByIDs(ctx, ids)
	if err != nil {
		return SearchPage{}, fmt.Errorf("store: search %q: %w", parsed.String(), err)
	}
	h := newHighlighter(parsed)
	for _, p := range posts {
		page.Hits = append(page.Hits, h.hit(p))
	}
	return page, nil
}

// searchWindowSQLite finds the window of matches, newest first by id, one
// more than SearchWindow to tell whether there are more, and their tiers.
// FTS5 walks its matches in rowid order and stops at the window's end.
func (s *Store) searchWindowSQLite(ctx context.Context, parsed searchQuery, q SearchQuery) ([]searchCandidate, error) {
	r := s.reader()
	match, ok, err := r.searchMatch(ctx, parsed, q)
	if err != nil || !ok {
		return nil, err
	}
	conds, args := r.searchConditions(q)
	where := strings.Join(append([]string{`post_search MATCH ?`}, conds...), ` AND `)
	var window []searchCandidate
	index := map[int64]int{}
	err = r.each(ctx, `SELECT s.rowid, s.published_at FROM post_search s WHERE `+where+` ORDER BY s.rowid DESC LIMIT ?`,
		append(append([]any{match}, args...), SearchWindow+1), func(rows *sql.Rows) error {
			var c searchCandidate
			if err := rows.Scan(&c.id, timeDest{&c.published}); err != nil {
				return err
			}
			index[c.id] = len(window)
			window = append(window, c)
			return nil
		})
	if err != nil || len(window) == 0 {
		return window, err
	}
	// The tiers: which of the window's posts match with the headline
	// alone, and with the headline, deck, bylines and tags. The rowid bound
	// keeps FTS5 within the window.
	bound := window[min(len(window), SearchWindow)-1].id
	for _, t := range []struct {
		match string
		tier  int
	}{{"{title} : (" + parsed.fts5() + ")", tierTitle}, {parsed.fts5(), tierHead}} {
		err := r.each(ctx, `SELECT rowid FROM post_search_head WHERE post_search_head MATCH ? AND rowid >= ?`,
			[]any{t.match, bound}, func(rows *sql.Rows) error {
				var id int64
				if err := rows.Scan(&id); err != nil {
					return err
				}
				if i, ok := index[id]; ok {
					window[i].tier = max(window[i].tier, t.tier)
				}
				return nil
			})
		if err != nil {
			return nil, err
		}
	}
	return window, nil
}

// searchMatch writes the FTS5 query for parsed with the section, tag and
// author filters of q as facet words. ok is false when a filter names
// something that does not exist: nothing can match.
func (r runner) searchMatch(ctx context.Context, parsed searchQuery, q SearchQuery) (match string, ok bool, err error) {
	match = parsed.fts5Match()
	for _, f := range []struct {
		slug, table, prefix string
	}{
		{q.SectionSlug, "tags", "s"},
		{q.TagSlug, "tags", "t"},
		{q.AuthorSlug, "authors", "a"},
	} {
		if f.slug == "" {
			continue
		}
		var id int64
		err := r.queryRow(ctx, `SELECT id FROM `+f.table+` WHERE slug = ?`, f.slug).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return "", false, nil
		}
		if err != nil {
			return "", false, err
		}
		match += fmt.Sprintf(` "_%s%d"`, f.prefix, id)
	}
	return match, true, nil
}

// searchWindowPostgres finds the window of matches with their tiers.
//
// Every post a query matches is found through the GIN indexes alone: the
// words through document, the phrases through pairs (two neighbouring
// words of a phrase stand together in one field), so that no post's large
// vector is read. The planner is kept to that plan: walking the newest
// posts and testing each one's vector would read and decompress a vector
// per post, tens of microseconds each. A common word still matches tens of
// thousands of posts, so the newest posts are asked first, through their
// recency buckets (see postBucket): GIN then reads the few thousand
// entries of the buckets and skips through the long list of the word.
// Only when they hold too few matches to fill the window is the whole
// archive asked. The small vectors of post_search_head then give the
// tiers of the window's posts.
func (s *Store) searchWindowPostgres(ctx context.Context, parsed searchQuery, q SearchQuery) ([]searchCandidate, error) {
	r := s.reader()
	// The cheap tests come first: PostgreSQL keeps the order of equally
	// costly conditions.
	conds, args := r.postConditions(q.PostFilter)
	conds, args = r.dateConditions(conds, args, `p.published_at`, q.From, q.Until)
	// Pairs and buckets are taken as they are, without the parser, which
	// would split them at the underscores.
	words, pairs := parsed.tsqueryWords(), parsed.pairsTsquery()
	if words == "" && pairs == "" {
		return nil, nil
	}
	var window []searchCandidate
	err := s.readOnlyTx(ctx, func(tx *sql.Tx) error {
		tr := runner{q: tx, dialect: r.dialect}
		var newest int64
		if err := tr.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM post_search`).Scan(&newest); err != nil {
			return err
		}
		// For this transaction only: bitmap scans, on this connection.
		if _, err := tx.ExecContext(ctx, `SELECT set_config('enable_indexscan', 'off', true),
			set_config('enable_seqscan', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)`); err != nil {
			return err
		}
		// find fills the window from the posts in buckets (all when empty).
		find := func(buckets string) error {
			window = window[:0]
			c, a := slices.Clone(conds), slices.Clone(args)
			switch {
			case words != "" && buckets != "":
				c, a = append(c, `p.document @@ (to_tsquery('simple', ?) && ?::tsquery)`), append(a, words, buckets)
			case words != "":
				c, a = append(c, `p.document @@ to_tsquery('simple', ?)`), append(a, words)
			case buckets != "":
				// Phrases only: the pairs hold the buckets too.
				c, a = append(c, `p.pairs @@ (?::tsquery && ?::tsquery)`), append(a, pairs, buckets)
			}
			if pairs != "" && (words != "" || buckets == "") {
				c, a = append(c, `p.pairs @@ ?::tsquery`), append(a, pairs)
			}
			return tr.each(ctx, `SELECT p.id, p.published_at FROM post_search p
				WHERE `+strings.Join(c, ` AND `)+` ORDER BY p.id DESC LIMIT ?`,
				append(a, SearchWindow+1), func(rows *sql.Rows) error {
					var c searchCandidate
					err := rows.Scan(&c.id, timeDest{&c.published})
					window = append(window, c)
					return err
				})
		}
		last := postBucket(newest)
		if first := postBucket(max(newest-searchRange, 0)); first > 0 {
			var b strings.Builder
			for n := last; n >= first; n-- {
				if b.Len() > 0 {
					b.WriteString(" | ")
				}
				fmt.Fprintf(&b, "'_b%d'", n)
			}
			if err := find(b.String()); err != nil {
				return err
			}
		}
		if len(window) <= SearchWindow {
			if err := find(""); err != nil {
				return err
			}
		}
		if len(window) == 0 {
			return nil
		}
		ids := make([]int64, len(window))
		index := make(map[int64]int, len(window))
		for i, c := range window {
			ids[i], index[c.id] = c.id, i
		}
		tsq := parsed.tsquery()
		return tr.each(ctx, fmt.Sprintf(`SELECT h.id,
				CASE WHEN h.title @@ to_tsquery('simple', ?) THEN %d WHEN h.head @@ to_tsquery('simple', ?) THEN %d ELSE %d END
			FROM post_search_head h WHERE h.id = ANY(?)`, tierTitle, tierHead, tierBody),
			[]any{tsq, tsq, ids}, func(rows *sql.Rows) error {
				var id int64
				var tier int
				if err := rows.Scan(&id, &tier); err != nil {
					return err
				}
				if i, ok := index[id]; ok {
					window[i].tier = tier
				}
				return nil
			})
	})
	return window, err
}

// searchRange is how many of the newest posts PostgreSQL asks first.
const searchRange = 8 * SearchWindow

// postBucket is the recency bucket of a post on PostgreSQL: its id in
// thousands. Each post's document and pairs hold the word "_b<bucket>".
func postBucket(id int64) int64 { return id / 1000 }

// readOnlyTx runs fn in a read-only transaction of the read pool (the
// Store's own transaction when it has one), for settings that must not
// outlive a query.
func (s *Store) readOnlyTx(ctx context.Context, fn func(*sql.Tx) error) error {
	if s.tx != nil {
		// SET LOCAL lasts until the caller's transaction ends, which is
		// harmless: it changes plans, not results.
		return fn(s.tx)
	}
	tx, err := s.db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// dateConditions adds the bounds From <= column < Until.
func (r runner) dateConditions(conds []string, args []any, column string, from, until time.Time) ([]string, []any) {
	if !from.IsZero() {
		conds = append(conds, column+` >= ?`)
		args = append(args, r.timeArg(from))
	}
	if !until.IsZero() {
		conds = append(conds, column+` < ?`)
		args = append(args, r.timeArg(until))
	}
	return conds, args
}

// searchConditions are the publication filters of q on the SQLite index
// s; the section, tag and author filters are facet words in the query. The
// unary plus keeps SQLite from handing them to FTS5 as lookups, which
// would run the full-text query once per post instead of once.
func (r runner) searchConditions(q SearchQuery) ([]string, []any) {
	var conds []string
	var args []any
	if len(q.Statuses) > 0 {
		conds = append(conds, `+s.status IN (`+placeholders(len(q.Statuses))+`)`)
		for _, st := range q.Statuses {
			args = append(args, string(st))
		}
	}
	if !q.PublishedBy.IsZero() {
		conds = append(conds, `+s.published_at <= ?`)
		args = append(args, r.timeArg(q.PublishedBy))
	}
	return r.dateConditions(conds, args, `+s.published_at`, q.From, q.Until)
}

// postsByIDs loads complete posts in the order of ids; ids of posts
// deleted meanwhile are skipped.
func (s *Store) postsByIDs(ctx context.Context, ids []int64) ([]content.Post, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	posts, err := s.loadPosts(ctx, `SELECT `+postColumns+` FROM posts p WHERE p.id IN (`+placeholders(len(ids))+`)`, anys(ids)...)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]content.Post, len(posts))
	for _, p := range posts {
		byID[p.ID] = p
	}
	out := make([]content.Post, 0, len(ids))
	for _, id := range ids {
		if p, ok := byID[id]; ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// hit highlights the matched words of p's headline and picks the extract
// to show: the body around its matches, else the deck when it matched,
// else the post's summary.
func (h highlighter) hit(p content.Post) SearchHit {
	hit := SearchHit{Post: p}
	hit.TitleHTML, _ = h.whole(p.Title)
	if s, ok := h.snippet(content.PlainText(p.BodyHTML)); ok {
		hit.SnippetHTML = s
	} else if s, ok := h.whole(p.Deck); ok {
		hit.SnippetHTML = s
	} else {
		hit.SnippetHTML, _ = h.whole(p.Summary())
	}
	return hit
}

// searchDoc is what the index holds of a post, each field already folded
// by indexText.
type searchDoc struct {
	id                               int64
	title, deck, authors, tags, body string
	pairs                            []string // neighbouring words of each field, as "_a_b"
	facets                           string   // SQLite: the filter words (see the migration)
}

// indexPosts writes the index entries of the posts with these ids from
// what is stored now. It runs in the transaction that changed them.
func (r runner) indexPosts(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	docs, err := r.searchDocs(ctx, ids)
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	for _, d := range docs {
		if err := r.writeSearchDoc(ctx, d); err != nil {
			return fmt.Errorf("search index: post %d: %w", d.id, err)
		}
	}
	return nil
}

// indexPostsWhere indexes anew the posts whose ids query selects, as when
// an author or a tag they name is renamed.
func (r runner) indexPostsWhere(ctx context.Context, query string, args ...any) error {
	var ids []int64
	err := r.each(ctx, query, args, func(rows *sql.Rows) error {
		var id int64
		err := rows.Scan(&id)
		ids = append(ids, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	for len(ids) > 0 {
		n := min(len(ids), reindexBatch)
		if err := r.indexPosts(ctx, ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// renamed reports whether the row of table (authors or tags) with this id
// has a name other than name. A missing row is not renamed: the update
// that follows reports it.
func (r runner) renamed(ctx context.Context, table string, id int64, name string) (bool, error) {
	var old string
	err := r.queryRow(ctx, `SELECT name FROM `+table+` WHERE id = ?`, id).Scan(&old)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil && old != name, err
}

// searchDocs reads and folds the indexed text of the posts with these ids.
func (r runner) searchDocs(ctx context.Context, ids []int64) ([]searchDoc, error) {
	in := placeholders(len(ids))
	var docs []searchDoc
	// Bylines, tags and facets are gathered first and joined at the end.
	authors := map[int64][]string{}
	tags := map[int64][]string{}
	facets := map[int64][]string{}
	err := r.each(ctx, `SELECT p.id, p.title, p.deck, p.body_html, COALESCE(t.id, 0), COALESCE(t.name, '')
		FROM posts p LEFT JOIN tags t ON t.id = p.section_id WHERE p.id IN (`+in+`) ORDER BY p.id`, anys(ids),
		func(rows *sql.Rows) error {
			var d searchDoc
			var bodyHTML, section string
			var sectionID int64
			if err := rows.Scan(&d.id, &d.title, &d.deck, &bodyHTML, &sectionID, &section); err != nil {
				return err
			}
			d.title, d.deck, d.body = indexText(d.title), indexText(d.deck), indexText(content.PlainText(bodyHTML))
			if sectionID != 0 {
				tags[d.id] = append(tags[d.id], section)
				facets[d.id] = append(facets[d.id], fmt.Sprintf("_s%d _t%d", sectionID, sectionID))
			}
			docs = append(docs, d)
			return nil
		})
	if err != nil {
		return nil, err
	}
	err = r.each(ctx, `SELECT pa.post_id, a.id, a.name FROM post_authors pa JOIN authors a ON a.id = pa.author_id
		WHERE pa.post_id IN (`+in+`) ORDER BY pa.post_id, pa.position`, anys(ids), func(rows *sql.Rows) error {
		var id, authorID int64
		var name string
		if err := rows.Scan(&id, &authorID, &name); err != nil {
			return err
		}
		authors[id] = append(authors[id], name)
		facets[id] = append(facets[id], fmt.Sprintf("_a%d", authorID))
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = r.each(ctx, `SELECT pt.post_id, t.id, t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
		WHERE pt.post_id IN (`+in+`) ORDER BY pt.post_id, pt.position`, anys(ids), func(rows *sql.Rows) error {
		var id, tagID int64
		var name string
		if err := rows.Scan(&id, &tagID, &name); err != nil {
			return err
		}
		tags[id] = append(tags[id], name)
		facets[id] = append(facets[id], fmt.Sprintf("_t%d", tagID))
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range docs {
		d := &docs[i]
		d.authors = indexText(strings.Join(authors[d.id], " "))
		d.tags = indexText(strings.Join(tags[d.id], " "))
		d.facets = strings.Join(facets[d.id], " ")
		for _, f := range []string{d.title, d.deck, d.authors, d.tags, d.body} {
			d.pairs = appendPairs(d.pairs, strings.Fields(f))
		}
	}
	return docs, nil
}

// writeSearchDoc replaces a post's index entry, with the post's status,
// publication time and section as they are stored now.
func (r runner) writeSearchDoc(ctx context.Context, d searchDoc) error {
	if r.dialect == dialectPostgres {
		pairs := d.pairs
		if pairs == nil {
			pairs = []string{} // a nil slice would be NULL, and so the whole document
		}
		_, err := r.exec(ctx, `INSERT INTO post_search (id, status, published_at, section_id, document, pairs)
			SELECT p.id, p.status, p.published_at, p.section_id,
				setweight(to_tsvector('simple', ?), 'A') ||
				setweight(to_tsvector('simple', ?), 'B') || setweight(to_tsvector('simple', ?), 'B') ||
				setweight(to_tsvector('simple', ?), 'B') || setweight(to_tsvector('simple', ?), 'C') ||
				array_to_tsvector(ARRAY['_b' || (p.id / 1000)::text]),
				array_to_tsvector(?::text[] || ARRAY['_b' || (p.id / 1000)::text])
			FROM posts p WHERE p.id = ?
			ON CONFLICT (id) DO UPDATE SET status = excluded.status, published_at = excluded.published_at,
				section_id = excluded.section_id, document = excluded.document, pairs = excluded.pairs`,
			d.title, d.deck, d.authors, d.tags, d.body, pairs, d.id)
		if err != nil {
			return err
		}
		_, err = r.exec(ctx, `INSERT INTO post_search_head (id, title, head)
			SELECT ?, v.t, v.t || v.h FROM (SELECT setweight(to_tsvector('simple', ?), 'A') AS t,
				setweight(to_tsvector('simple', ?), 'B') AS h) v
			ON CONFLICT (id) DO UPDATE SET title = excluded.title, head = excluded.head`,
			d.id, d.title, strings.Join([]string{d.deck, d.authors, d.tags}, " "))
		return err
	}
	if err := r.unindexPost(ctx, d.id); err != nil {
		return err
	}
	_, err := r.exec(ctx, `INSERT INTO post_search (rowid, title, deck, authors, tags, body, pairs, facets, status, published_at)
		SELECT ?, ?, ?, ?, ?, ?, ?, ?, status, published_at FROM posts WHERE id = ?`,
		d.id, d.title, d.deck, d.authors, d.tags, d.body, strings.Join(d.pairs, " "), d.facets, d.id)
	if err != nil {
		return err
	}
	_, err = r.exec(ctx, `INSERT INTO post_search_head (rowid, title, rest) VALUES (?, ?, ?)`,
		d.id, d.title, strings.Join([]string{d.deck, d.authors, d.tags}, " "))
	return err
}

// unindexPost removes a post's index entry. On PostgreSQL the entry goes
// with the post (ON DELETE CASCADE).
func (r runner) unindexPost(ctx context.Context, id int64) error {
	if r.dialect == dialectPostgres {
		return nil
	}
	if _, err := r.exec(ctx, `DELETE FROM post_search WHERE rowid = ?`, id); err != nil {
		return err
	}
	_, err := r.exec(ctx, `DELETE FROM post_search_head WHERE rowid = ?`, id)
	return err
}

// reindexBatch is how many posts Reindex writes per transaction: small
// enough that the site's writers never wait long for it.
const reindexBatch = 500

// Reindex rebuilds the search index of every post, a batch per
// transaction, and calls progress (when not nil) after each batch with the
// number of posts done and the total. Searches keep working meanwhile.
func (s *Store) Reindex(ctx context.Context, progress func(done, total int)) error {
	if s.tx != nil {
		return errors.New("store: reindex cannot run inside a transaction")
	}
	var total int
	if err := s.reader().queryRow(ctx, `SELECT COUNT(*) FROM posts`).Scan(&total); err != nil {
		return fmt.Errorf("store: reindex: %w", err)
	}
	if progress != nil {
		progress(0, total)
	}
	var last int64
	done := 0
	for {
		n := 0
		err := s.InTx(ctx, func(tx *Store) error {
			r := tx.txRunner()
			var ids []int64
			err := r.each(ctx, `SELECT id FROM posts WHERE id > ? ORDER BY id LIMIT ?`, []any{last, reindexBatch},
				func(rows *sql.Rows) error {
					var id int64
					err := rows.Scan(&id)
					ids = append(ids, id)
					return err
				})
			if err != nil || len(ids) == 0 {
				return err
			}
			n, last = len(ids), ids[len(ids)-1]
			return r.indexPosts(ctx, ids)
		})
		if err != nil {
			return fmt.Errorf("store: reindex: %w", err)
		}
		if n == 0 {
			break
		}
		done += n
		if progress != nil {
			progress(done, max(total, done))
		}
	}
	if s.db.dialect == dialectSQLite {
		err := s.InTx(ctx, func(tx *Store) error {
			r := tx.txRunner()
			// Entries of posts that no longer exist (there should be none),
			// then one merged b-tree, which answers queries fastest.
			for _, table := range []string{"post_search", "post_search_head"} {
				if _, err := r.exec(ctx, `DELETE FROM `+table+` WHERE rowid NOT IN (SELECT id FROM posts)`); err != nil {
					return err
				}
				if _, err := r.exec(ctx, `INSERT INTO `+table+` (`+table+`) VALUES ('optimize')`); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("store: reindex: %w", err)
		}
	}
	return nil
}

// backfillSearch indexes every existing post when the search migration
// runs, in its transaction.
func backfillSearch(ctx context.Context, r runner) error {
	var last int64
	for {
		var ids []int64
		err := r.each(ctx, `SELECT id FROM posts WHERE id > ? ORDER BY id LIMIT ?`, []any{last, reindexBatch},
			func(rows *sql.Rows) error {
				var id int64
				err := rows.Scan(&id)
				ids = append(ids, id)
				return err
			})
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		last = ids[len(ids)-1]
		if err := r.indexPosts(ctx, ids); err != nil {
			return err
		}
	}
}
