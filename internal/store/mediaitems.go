package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// RenditionStatus says whether an image's responsive renditions exist yet.
type RenditionStatus string

// The rendition states of a media item.
const (
	RenditionsPending RenditionStatus = "pending"
	RenditionsDone    RenditionStatus = "done"
	RenditionsFailed  RenditionStatus = "failed"
)

// Valid reports whether s is a known state.
func (s RenditionStatus) Valid() bool {
	switch s {
	case RenditionsPending, RenditionsDone, RenditionsFailed:
		return true
	}
	return false
}

// Rendition is one resized copy of an image.
type Rendition struct {
	Key    string `json:"key"`
	Width  int    `json:"width"`
	Height int    `json:"height,omitempty"`
	Format string `json:"format"` // "webp", "jpeg", "png", "gif"
}

// MediaItem is an image in the media library.
type MediaItem struct {
	ID              int64
	Key             string // the original in media storage
	Format          string // "jpeg", "png", "gif", "webp"
	Width, Height   int
	Bytes           int64
	Alt             string
	Caption         string
	Credit          string
	UploadedBy      int64 // account; 0 when unknown
	CreatedAt       time.Time
	Renditions      []Rendition
	RenditionStatus RenditionStatus
}

// MediaFilter selects media items. Zero fields do not filter.
type MediaFilter struct {
	// Query matches key, alt text, caption or credit, ignoring case.
	Query  string
	Limit  int // 0 means 30; at most 200
	Offset int
}

// MediaPage is one page of the media library, newest first.
type MediaPage struct {
	Items []MediaItem
	Total int // items matching the filter, ignoring Limit and Offset
}

const mediaColumns = `m.id, m.key, m.format, m.width, m.height, m.bytes, m.alt, m.caption, m.credit,
	m.uploaded_by, m.created_at, m.renditions, m.rendition_status`

func scanMedia(sc rowScanner) (MediaItem, error) {
	var m MediaItem
	var by sql.NullInt64
	var renditions, status string
	if err := sc.Scan(&m.ID, &m.Key, &m.Format, &m.Width, &m.Height, &m.Bytes, &m.Alt, &m.Caption, &m.Credit,
		&by, timeDest{&m.CreatedAt}, &renditions, &status); err != nil {
		return m, err
	}
	m.UploadedBy, m.RenditionStatus = by.Int64, RenditionStatus(status)
	if renditions != "" && renditions != "[]" {
		if err := json.Unmarshal([]byte(renditions), &m.Renditions); err != nil {
			return m, fmt.Errorf("media %d: bad stored renditions: %w", m.ID, err)
		}
	}
	return m, nil
}

func renditionsJSON(rs []Rendition) (string, error) {
	if len(rs) == 0 {
		return "[]", nil
	}
	for i, r := range rs {
		if r.Key == "" || r.Width <= 0 || r.Format == "" {
			return "", fmt.Errorf("rendition %d needs a key, a width and a format: %w", i+1, ErrInvalid)
		}
	}
	b, err := json.Marshal(rs)
	return string(b), err
}

// CreateMediaItem inserts m and sets its ID (and CreatedAt when zero;
// RenditionStatus defaults to pending). A key already in the library is
// ErrConflict.
func (s *Store) CreateMediaItem(ctx context.Context, m *MediaItem) error {
	item := *m
	if item.Key == "" || item.Format == "" {
		return fmt.Errorf("store: create media item: key and format are required: %w", ErrInvalid)
	}
	if item.Width < 0 || item.Height < 0 || item.Bytes < 0 {
		return fmt.Errorf("store: create media item %q: negative size: %w", item.Key, ErrInvalid)
	}
	if item.RenditionStatus == "" {
		item.RenditionStatus = RenditionsPending
	}
	if !item.RenditionStatus.Valid() {
		return fmt.Errorf("store: create media item %q: unknown rendition status %q: %w", item.Key, item.RenditionStatus, ErrInvalid)
	}
	if item.CreatedAt.IsZero() {
		item.CreatedAt = time.Now()
	}
	if !validTime(item.CreatedAt) {
		return fmt.Errorf("store: create media item %q: time out of range: %w", item.Key, ErrInvalid)
	}
	item.CreatedAt = normTime(item.CreatedAt)
	renditions, err := renditionsJSON(item.Renditions)
	if err != nil {
		return fmt.Errorf("store: create media item %q: %w", item.Key, err)
	}
	err = s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		var other int64
		err := r.queryRow(ctx, `SELECT id FROM media_items WHERE key = ?`, item.Key).Scan(&other)
		if err == nil {
			return fmt.Errorf("key %q is already in the library: %w", item.Key, ErrConflict)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if item.UploadedBy != 0 {
			if err := r.checkExist(ctx, "accounts", "account", []int64{item.UploadedBy}); err != nil {
				return err
			}
		}
		return r.queryRow(ctx, `INSERT INTO media_items (key, format, width, height, bytes, alt, caption, credit,
			uploaded_by, created_at, renditions, rendition_status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			item.Key, item.Format, item.Width, item.Height, item.Bytes, item.Alt, item.Caption, item.Credit,
			nullID(item.UploadedBy), r.timeArg(item.CreatedAt), renditions, string(item.RenditionStatus)).Scan(&item.ID)
	})
	if err != nil {
		return fmt.Errorf("store: create media item %q: %w", item.Key, conflict(err))
	}
	if len(item.Renditions) == 0 {
		item.Renditions = nil
	}
	*m = item
	return nil
}

// MediaItemByID returns one media item or ErrNotFound.
func (s *Store) MediaItemByID(ctx context.Context, id int64) (MediaItem, error) {
	m, err := scanMedia(s.reader().queryRow(ctx, `SELECT `+mediaColumns+` FROM media_items m WHERE m.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return MediaItem{}, fmt.Errorf("store: media item %d: %w", id, err)
	}
	return m, nil
}

// MediaItemByKey returns the media item whose original has this key, or
// ErrNotFound.
func (s *Store) MediaItemByKey(ctx context.Context, key string) (MediaItem, error) {
	m, err := scanMedia(s.reader().queryRow(ctx, `SELECT `+mediaColumns+` FROM media_items m WHERE m.key = ?`, key))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return MediaItem{}, fmt.Errorf("store: media item %q: %w", key, err)
	}
	return m, nil
}

// MediaItemsByKeys returns the media items among keys, by key, in one
// query: a page of the river finds its images' renditions at once. Keys
// not in the library are absent from the map.
func (s *Store) MediaItemsByKeys(ctx context.Context, keys []string) (map[string]MediaItem, error) {
	out := make(map[string]MediaItem, len(keys))
	var uniq []string
	seen := map[string]bool{}
	for _, k := range keys {
		if k != "" && !seen[k] {
			seen[k] = true
			uniq = append(uniq, k)
		}
	}
	// Few enough placeholders per query for either database.
	const batch = 500
	for len(uniq) > 0 {
		n := min(len(uniq), batch)
		err := s.reader().each(ctx, `SELECT `+mediaColumns+` FROM media_items m WHERE m.key IN (`+placeholders(n)+`)`,
			anys(uniq[:n]), func(rows *sql.Rows) error {
				m, err := scanMedia(rows)
				out[m.Key] = m
				return err
			})
		if err != nil {
			return nil, fmt.Errorf("store: media items by key: %w", err)
		}
		uniq = uniq[n:]
	}
	return out, nil
}

// MediaItems returns one page of the media library, newest first.
func (s *Store) MediaItems(ctx context.Context, f MediaFilter) (MediaPage, error) {
	r := s.reader()
	where := ""
	var args []any
	if q := strings.TrimSpace(f.Query); q != "" {
		like := likePattern(q)
		where = ` WHERE LOWER(m.key) LIKE ? ESCAPE '\' OR LOWER(m.alt) LIKE ? ESCAPE '\'
			OR LOWER(m.caption) LIKE ? ESCAPE '\' OR LOWER(m.credit) LIKE ? ESCAPE '\'`
		args = []any{like, like, like, like}
	}
	limit, offset := pageBounds(f.Limit, f.Offset, 30, 200)
	var page MediaPage
	if err := r.queryRow(ctx, `SELECT COUNT(*) FROM media_items m`+where, args...).Scan(&page.Total); err != nil {
		return MediaPage{}, fmt.Errorf("store: media items: %w", err)
	}
	if offset >= page.Total {
		return page, nil
	}
	err := r.each(ctx, `SELECT `+mediaColumns+` FROM media_items m`+where+` ORDER BY m.id DESC LIMIT ? OFFSET ?`,
		append(args, limit, offset), func(rows *sql.Rows) error {
			m, err := scanMedia(rows)
			page.Items = append(page.Items, m)
			return err
		})
	if err != nil {
		return MediaPage{}, fmt.Errorf("store: media items: %w", err)
	}
	return page, nil
}

// likePattern turns text into a LIKE pattern matching it anywhere, lower
// case, with LIKE's wildcards in it taken literally (escape character \).
func likePattern(text string) string {
	esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(text))
	return "%" + esc + "%"
}

// UpdateMediaText stores the editorial text of a media item. Posts that
// already use the image keep their own copies of the text.
func (s *Store) UpdateMediaText(ctx context.Context, id int64, alt, caption, credit string) error {
	err := s.InTx(ctx, func(tx *Store) error {
		res, err := tx.txRunner().exec(ctx, `UPDATE media_items SET alt = ?, caption = ?, credit = ? WHERE id = ?`,
			alt, caption, credit, id)
		if err != nil {
			return err
		}
		return mustAffect(res)
	})
	if err != nil {
		return fmt.Errorf("store: update media item %d: %w", id, err)
	}
	return nil
}

// SetMediaRenditions records the outcome of making an image's renditions.
// Pages that show the image change (their srcset), so the content version
// moves.
func (s *Store) SetMediaRenditions(ctx context.Context, id int64, status RenditionStatus, rs []Rendition) error {
	if !status.Valid() {
		return fmt.Errorf("store: set renditions of media item %d: unknown status %q: %w", id, status, ErrInvalid)
	}
	data, err := renditionsJSON(rs)
	if err != nil {
		return fmt.Errorf("store: set renditions of media item %d: %w", id, err)
	}
	err = s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		if err := r.bumpContentVersion(ctx); err != nil {
			return err
		}
		res, err := r.exec(ctx, `UPDATE media_items SET renditions = ?, rendition_status = ? WHERE id = ?`, data, string(status), id)
		if err != nil {
			return err
		}
		return mustAffect(res)
	})
	if err != nil {
		return fmt.Errorf("store: set renditions of media item %d: %w", id, err)
	}
	return nil
}

// DeleteMediaItem removes an item from the library. The files in media
// storage are the caller's to remove.
func (s *Store) DeleteMediaItem(ctx context.Context, id int64) error {
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		if err := r.bumpContentVersion(ctx); err != nil {
			return err
		}
		res, err := r.exec(ctx, `DELETE FROM media_items WHERE id = ?`, id)
		if err != nil {
			return err
		}
		return mustAffect(res)
	})
	if err != nil {
		return fmt.Errorf("store: delete media item %d: %w", id, err)
	}
	return nil
}
