package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"masthead/internal/content"
)

// Ref names a saved author or tag: enough to show it and to link it again.
type Ref struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// PostSnapshot is what a revision keeps of a post: its editable fields.
// Corrections are not part of it; they are notes added after publication,
// not versions of the text.
type PostSnapshot struct {
	Slug           string         `json:"slug"`
	Title          string         `json:"title"`
	Deck           string         `json:"deck"`
	Body           string         `json:"body"`
	Excerpt        string         `json:"excerpt"`
	Status         content.Status `json:"status"`
	PublishedAt    time.Time      `json:"published_at,omitzero"`
	UpdatedAt      time.Time      `json:"updated_at,omitzero"`
	Authors        []Ref          `json:"authors"`
	Section        *Ref           `json:"section,omitempty"`
	Tags           []Ref          `json:"tags"`
	Image          content.Image  `json:"image"`
	SEOTitle       string         `json:"seo_title"`
	SEODescription string         `json:"seo_description"`
	CanonicalURL   string         `json:"canonical_url"`
}

// SnapshotOf returns the editable fields of p.
func SnapshotOf(p content.Post) PostSnapshot {
	ps := PostSnapshot{
		Slug: p.Slug, Title: p.Title, Deck: p.Deck, Body: p.Body, Excerpt: p.Excerpt,
		Status: p.Status, PublishedAt: normTime(p.PublishedAt), UpdatedAt: normTime(p.UpdatedAt),
		Authors: []Ref{}, Tags: []Ref{},
		Image: p.Image, SEOTitle: p.SEOTitle, SEODescription: p.SEODescription, CanonicalURL: p.CanonicalURL,
	}
	for _, a := range p.Authors {
		ps.Authors = append(ps.Authors, Ref{ID: a.ID, Slug: a.Slug, Name: a.Name})
	}
	if p.Section != nil {
		ps.Section = &Ref{ID: p.Section.ID, Slug: p.Section.Slug, Name: p.Section.Name}
	}
	for _, t := range p.Tags {
		ps.Tags = append(ps.Tags, Ref{ID: t.ID, Slug: t.Slug, Name: t.Name})
	}
	return ps
}

// Apply restores the snapshot's text, slug, byline, section, tags, image
// and SEO fields onto p. It leaves the workflow alone (status and
// publication times): restoring an old text must not publish or unpublish
// an article. Authors and tags are referenced by ID; saving p reports any
// that no longer exist.
func (ps PostSnapshot) Apply(p *content.Post) {
	p.Slug, p.Title, p.Deck, p.Body, p.Excerpt = ps.Slug, ps.Title, ps.Deck, ps.Body, ps.Excerpt
	p.Authors = nil
	for _, a := range ps.Authors {
		p.Authors = append(p.Authors, content.Author{ID: a.ID, Slug: a.Slug, Name: a.Name})
	}
	p.Section = nil
	if ps.Section != nil {
		p.Section = &content.Tag{ID: ps.Section.ID, Slug: ps.Section.Slug, Name: ps.Section.Name, IsSection: true}
	}
	p.Tags = nil
	for _, t := range ps.Tags {
		p.Tags = append(p.Tags, content.Tag{ID: t.ID, Slug: t.Slug, Name: t.Name})
	}
	p.Image = ps.Image
	p.SEOTitle, p.SEODescription, p.CanonicalURL = ps.SEOTitle, ps.SEODescription, ps.CanonicalURL
}

// Revision is a post as it was after one save.
type Revision struct {
	ID           int64
	PostID       int64
	AccountID    int64  // who saved; 0 for imports, jobs and deleted accounts
	AccountEmail string // read from the account when loading; not stored
	CreatedAt    time.Time
	Snapshot     PostSnapshot
}

const revisionColumns = `v.id, v.post_id, v.account_id, COALESCE(ac.email, ''), v.created_at, v.snapshot`

func scanRevision(sc rowScanner) (Revision, error) {
	var v Revision
	var account sql.NullInt64
	var snapshot string
	if err := sc.Scan(&v.ID, &v.PostID, &account, &v.AccountEmail, timeDest{&v.CreatedAt}, &snapshot); err != nil {
		return v, err
	}
	v.AccountID = account.Int64
	if err := json.Unmarshal([]byte(snapshot), &v.Snapshot); err != nil {
		return v, fmt.Errorf("revision %d: bad stored snapshot: %w", v.ID, err)
	}
	return v, nil
}

// AddRevision records p, as just saved, as a revision by accountID (0 for
// none) and returns it. Call it on the Store of the transaction that saved
// the post, so that the save and its revision stand or fall together. When
// p is unchanged since its newest revision, no revision is added and that
// one is returned: autosaves of an untouched draft do not pile up.
func (s *Store) AddRevision(ctx context.Context, p content.Post, accountID int64) (Revision, error) {
	if p.ID == 0 {
		return Revision{}, fmt.Errorf("store: add revision: post has not been saved (no ID): %w", ErrInvalid)
	}
	snap := SnapshotOf(p)
	data, err := json.Marshal(snap)
	if err != nil {
		return Revision{}, fmt.Errorf("store: add revision of post %d: %w", p.ID, err)
	}
	rev := Revision{PostID: p.ID, AccountID: accountID, CreatedAt: normTime(time.Now()), Snapshot: snap}
	err = s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		var n int
		if err := r.queryRow(ctx, `SELECT COUNT(*) FROM posts WHERE id = ?`, p.ID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("post %d: %w", p.ID, ErrNotFound)
		}
		if accountID != 0 {
			err := r.queryRow(ctx, `SELECT email FROM accounts WHERE id = ?`, accountID).Scan(&rev.AccountEmail)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("account %d does not exist: %w", accountID, ErrInvalid)
			}
			if err != nil {
				return err
			}
		}
		var lastID int64
		var last string
		err := r.queryRow(ctx, `SELECT id, snapshot FROM revisions WHERE post_id = ? ORDER BY id DESC LIMIT 1`, p.ID).Scan(&lastID, &last)
		switch {
		case err == nil && last == string(data):
			rev, err = scanRevision(r.queryRow(ctx, `SELECT `+revisionColumns+` FROM revisions v
				LEFT JOIN accounts ac ON ac.id = v.account_id WHERE v.id = ?`, lastID))
			return err
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
		return r.queryRow(ctx, `INSERT INTO revisions (post_id, account_id, created_at, snapshot) VALUES (?, ?, ?, ?) RETURNING id`,
			p.ID, nullID(accountID), r.timeArg(rev.CreatedAt), string(data)).Scan(&rev.ID)
	})
	if err != nil {
		return Revision{}, fmt.Errorf("store: add revision of post %d: %w", p.ID, err)
	}
	return rev, nil
}

// Revisions returns up to limit revisions of a post (0: all), newest first.
func (s *Store) Revisions(ctx context.Context, postID int64, limit int) ([]Revision, error) {
	query := `SELECT ` + revisionColumns + ` FROM revisions v LEFT JOIN accounts ac ON ac.id = v.account_id
		WHERE v.post_id = ? ORDER BY v.id DESC`
	args := []any{postID}
	if limit > 0 {
		query += ` LIMIT ?`
		args = append(args, limit)
	}
	var out []Revision
	err := s.reader().each(ctx, query, args, func(rows *sql.Rows) error {
		v, err := scanRevision(rows)
		out = append(out, v)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: revisions of post %d: %w", postID, err)
	}
	return out, nil
}

// RevisionByID returns one revision or ErrNotFound.
func (s *Store) RevisionByID(ctx context.Context, id int64) (Revision, error) {
	v, err := scanRevision(s.reader().queryRow(ctx, `SELECT `+revisionColumns+` FROM revisions v
		LEFT JOIN accounts ac ON ac.id = v.account_id WHERE v.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Revision{}, fmt.Errorf("store: revision %d: %w", id, err)
	}
	return v, nil
}
