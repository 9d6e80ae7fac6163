// Package store persists Masthead's data: one Go API over SQL for SQLite
// and PostgreSQL, with embedded, versioned migrations.
package store

import (
	"context"
	"errors"
	"time"

	"masthead/internal/content"
)

// ErrGone is returned by RedirectSlug when the slug belonged to a post that
// was deleted: the site answers 410.
var ErrGone = errors.New("store: gone")

var errNotImplemented = errors.New("store: not implemented")

// Options says which database to open.
type Options struct {
	// DatabaseURL selects PostgreSQL when it starts with postgres:// or
	// postgresql://. Empty means SQLite.
	DatabaseURL string
	// SQLitePath is the SQLite database file, used when DatabaseURL is empty.
	SQLitePath string
}

// Store is the persistence API. A Store returned by InTx runs every call in
// that transaction.
type Store struct{}

// Open connects to the database. It does not migrate.
func Open(ctx context.Context, opts Options) (*Store, error) { return nil, errNotImplemented }

// Dialect is "sqlite" or "postgres".
func (s *Store) Dialect() string { return "" }

// Close releases the connections.
func (s *Store) Close() error { return nil }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return errNotImplemented }

// Migrate applies every pending migration, each in its own transaction, and
// returns how many it applied.
func (s *Store) Migrate(ctx context.Context) (int, error) { return 0, errNotImplemented }

// SchemaVersion returns the database's schema version and the newest this
// binary knows.
func (s *Store) SchemaVersion(ctx context.Context) (current, known int, err error) {
	return 0, 0, errNotImplemented
}

// CheckSchema returns an error when the schema is older than this binary
// knows (run migrate) or newer (upgrade the binary).
func (s *Store) CheckSchema(ctx context.Context) error { return errNotImplemented }

// InTx runs fn in one transaction; an error from fn rolls everything back.
func (s *Store) InTx(ctx context.Context, fn func(tx *Store) error) error { return errNotImplemented }

// ContentVersion is a number that changes whenever anything readers can see
// changes (posts, authors, tags, settings); caches key on it.
func (s *Store) ContentVersion(ctx context.Context) (int64, error) { return 0, errNotImplemented }

// SaveAuthor inserts a (ID 0) or updates it, renders BioHTML, and sets ID and
// the bookkeeping times. A duplicate slug is ErrConflict.
func (s *Store) SaveAuthor(ctx context.Context, a *content.Author) error { return errNotImplemented }

// AuthorByID returns one author or ErrNotFound.
func (s *Store) AuthorByID(ctx context.Context, id int64) (content.Author, error) {
	return content.Author{}, errNotImplemented
}

// AuthorBySlug returns one author or ErrNotFound.
func (s *Store) AuthorBySlug(ctx context.Context, slug string) (content.Author, error) {
	return content.Author{}, errNotImplemented
}

// Authors returns every author ordered by name.
func (s *Store) Authors(ctx context.Context) ([]content.Author, error) { return nil, errNotImplemented }

// SaveTag inserts t (ID 0) or updates it and sets ID. A duplicate slug is
// ErrConflict.
func (s *Store) SaveTag(ctx context.Context, t *content.Tag) error { return errNotImplemented }

// TagBySlug returns one tag or ErrNotFound.
func (s *Store) TagBySlug(ctx context.Context, slug string) (content.Tag, error) {
	return content.Tag{}, errNotImplemented
}

// Tags returns every tag ordered by name.
func (s *Store) Tags(ctx context.Context) ([]content.Tag, error) { return nil, errNotImplemented }

// Sections returns the tags that are sections, by Position then name.
func (s *Store) Sections(ctx context.Context) ([]content.Tag, error) { return nil, errNotImplemented }

// SavePost inserts p (ID 0) or updates it with its authors, section, tags
// and corrections (referenced by ID; corrections are replaced as a set),
// renders BodyHTML, and sets ID and the bookkeeping times. Changing the slug
// keeps the old one as a redirect. A slug used by another post is
// ErrConflict.
func (s *Store) SavePost(ctx context.Context, p *content.Post) error { return errNotImplemented }

// PostByID returns one post, complete, or ErrNotFound.
func (s *Store) PostByID(ctx context.Context, id int64) (content.Post, error) {
	return content.Post{}, errNotImplemented
}

// PostBySlug returns one post, complete, or ErrNotFound.
func (s *Store) PostBySlug(ctx context.Context, slug string) (content.Post, error) {
	return content.Post{}, errNotImplemented
}

// RedirectSlug returns the current slug of the post that once had oldSlug,
// ErrGone when that post was deleted, or ErrNotFound.
func (s *Store) RedirectSlug(ctx context.Context, oldSlug string) (string, error) {
	return "", errNotImplemented
}

// Posts returns one page of complete posts matching f, newest first.
func (s *Store) Posts(ctx context.Context, f PostFilter) (PostPage, error) {
	return PostPage{}, errNotImplemented
}

// RelatedPosts returns up to n posts readers may see at now that share the
// most tags (section included) with p, newest first among equals; p itself
// is never included.
func (s *Store) RelatedPosts(ctx context.Context, p content.Post, now time.Time, n int) ([]content.Post, error) {
	return nil, errNotImplemented
}

// DeletePost removes a post; its slugs then answer ErrGone.
func (s *Store) DeletePost(ctx context.Context, id int64) error { return errNotImplemented }

// NextPublication returns the earliest PublishedAt after t among published
// posts, or the zero time when there is none. Caches of public pages expire
// then.
func (s *Store) NextPublication(ctx context.Context, after time.Time) (time.Time, error) {
	return time.Time{}, errNotImplemented
}

// Setting returns a site setting or ErrNotFound.
func (s *Store) Setting(ctx context.Context, key string) (string, error) { return "", errNotImplemented }

// SetSetting stores a site setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error { return errNotImplemented }
