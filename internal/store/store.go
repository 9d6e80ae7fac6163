// Package store persists Masthead's data: one Go API over SQL for SQLite
// and PostgreSQL, with embedded, versioned migrations.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrGone is returned by RedirectSlug when the slug belonged to a post that
// was deleted: the site answers 410.
var ErrGone = errors.New("store: gone")

// The two SQL dialects, as Dialect reports them.
const (
	dialectSQLite   = "sqlite"
	dialectPostgres = "postgres"
)

// sqliteTimeFormat is how times are kept in SQLite TEXT columns: fixed width
// and always UTC, so that comparing and ordering the strings is comparing and
// ordering the times. Microseconds match PostgreSQL's timestamptz precision,
// so a time reads back the same from either database.
const sqliteTimeFormat = "2006-01-02T15:04:05.000000Z"

// Options says which database to open.
type Options struct {
	// DatabaseURL selects PostgreSQL when it starts with postgres:// or
	// postgresql://. Empty means SQLite.
	DatabaseURL string
	// SQLitePath is the SQLite database file, used when DatabaseURL is
	// empty. Its directory must exist; the file is created if it does not.
	SQLitePath string
}

// database is what every Store sharing one Open has in common.
type database struct {
	dialect string
	// writer takes every write and every transaction. On SQLite it holds a
	// single connection whose transactions begin IMMEDIATE, so writers queue
	// in Go instead of failing with SQLITE_BUSY; on PostgreSQL it is the
	// same pool as reader.
	writer *sql.DB
	// reader serves reads outside transactions. On SQLite its connections
	// are read-only and, thanks to WAL, never wait for the writer.
	reader *sql.DB
	// readStmts prepares the reader's queries once per connection (SQLite
	// only: pgx keeps its own statement cache on PostgreSQL).
	readStmts *stmtCache
}

// Store is the persistence API. A Store returned by InTx runs every call in
// that transaction.
//
// A Store is safe for concurrent use. Inside an InTx function use only the
// transaction's Store: on SQLite a write through the outer Store would wait
// for the transaction that is waiting for it.
type Store struct {
	db *database
	tx *sql.Tx // nil outside InTx
}

// Open connects to the database. It does not migrate.
func Open(ctx context.Context, opts Options) (*Store, error) {
	switch {
	case isPostgresURL(opts.DatabaseURL):
		return openPostgres(ctx, opts.DatabaseURL)
	case opts.DatabaseURL != "":
		// The URL is not repeated: it may hold a password.
		return nil, errors.New("store: database URL must start with postgres:// or postgresql://")
	default:
		return openSQLite(ctx, opts.SQLitePath)
	}
}

func isPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	var password string
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		password, _ = u.User.Password()
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, connectError(err, password)
	}
	db.SetMaxOpenConns(25)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)

	// A host that drops packets would otherwise keep Open waiting for the
	// operating system's TCP timeout.
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, connectError(err, password)
	}
	return &Store{db: &database{dialect: dialectPostgres, writer: db, reader: db}}, nil
}

// redactedError keeps the cause for errors.Is while its message never shows
// the database password.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func connectError(err error, password string) error {
	msg := err.Error()
	if password != "" {
		msg = strings.ReplaceAll(msg, password, "xxxxx")
		if esc := url.QueryEscape(password); esc != password {
			msg = strings.ReplaceAll(msg, esc, "xxxxx")
		}
	}
	return &redactedError{msg: "store: connect to postgres: " + msg, err: err}
}

func openSQLite(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("store: open sqlite: no database file given")
	}
	if path == ":memory:" || strings.HasPrefix(path, "file:") {
		// Readers and the writer are separate connections; they must share a file.
		return nil, fmt.Errorf("store: open sqlite: %q is not a file path", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	dir := filepath.Dir(abs)
	if fi, err := os.Stat(dir); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("store: open sqlite %s: directory %s does not exist", path, dir)
		}
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("store: open sqlite %s: %s is not a directory", path, dir)
	}

	writer, err := sql.Open("sqlite", sqliteDSN(abs, "_txlock=immediate"))
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	// The writer connects first: it creates the file and turns on WAL, which
	// the read-only connections could not do.
	if err := writer.PingContext(ctx); err != nil {
		writer.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}

	reader, err := sql.Open("sqlite", sqliteDSN(abs, "_pragma=query_only(1)"))
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	n := max(4, runtime.NumCPU())
	reader.SetMaxOpenConns(n)
	reader.SetMaxIdleConns(n)
	if err := reader.PingContext(ctx); err != nil {
		reader.Close()
		writer.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	return &Store{db: &database{dialect: dialectSQLite, writer: writer, reader: reader, readStmts: newStmtCache(reader)}}, nil
}

// sqliteDSN builds a file: URI whose parameters the driver applies to every
// new connection.
func sqliteDSN(path, extra string) string {
	// In a file: URI these characters would end the path or start an escape.
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + esc + "?_pragma=busy_timeout(5000)" +
		"&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)" +
		// 8 MB of page cache per connection: the river and the
		// article pages' hot index pages stay in memory.
		"&_pragma=cache_size(-8000)" +
		"&" + extra
}

// Dialect is "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.db.dialect }

// Close releases the connections.
func (s *Store) Close() error {
	if s.tx != nil {
		return errors.New("store: close called on a transaction")
	}
	var errs []error
	if s.db.readStmts != nil {
		errs = append(errs, s.db.readStmts.Close())
	}
	if s.db.reader != s.db.writer {
		errs = append(errs, s.db.reader.Close())
	}
	errs = append(errs, s.db.writer.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if s.tx != nil {
		return nil
	}
	if err := s.db.writer.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	if s.db.reader != s.db.writer {
		if err := s.db.reader.PingContext(ctx); err != nil {
			return fmt.Errorf("store: ping: %w", err)
		}
	}
	return nil
}

// InTx runs fn in one transaction; an error from fn rolls everything back.
// Called on a Store that is already in a transaction, it runs fn in that
// transaction.
func (s *Store) InTx(ctx context.Context, fn func(tx *Store) error) (err error) {
	if s.tx != nil {
		return fn(s)
	}
	tx, err := s.db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	done := false
	defer func() {
		if !done {
			tx.Rollback() // fn panicked; the panic goes on
		}
	}()
	if err := fn(&Store{db: s.db, tx: tx}); err != nil {
		done = true
		tx.Rollback()
		return err
	}
	done = true
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// ContentVersion is a number that changes whenever anything readers can see
// changes (posts, authors, tags, settings); caches key on it.
func (s *Store) ContentVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.reader().queryRow(ctx, `SELECT version FROM content_version WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: content version: %w", err)
	}
	return v, nil
}

// bumpContentVersion runs first in every transaction that changes what
// readers see. On PostgreSQL the row lock it takes also orders writers, so
// they cannot deadlock on each other's rows, and the notification it
// queues reaches every node's WatchContent when (and only if) the
// transaction commits.
func (r runner) bumpContentVersion(ctx context.Context) error {
	q := `UPDATE content_version SET version = version + 1 WHERE id = 1`
	if r.dialect == dialectPostgres {
		q = `WITH v AS (` + q + ` RETURNING version)
			SELECT pg_notify(` + contentChannel + `, version::text) FROM v`
	}
	if _, err := r.exec(ctx, q); err != nil {
		return fmt.Errorf("bump content version: %w", err)
	}
	return nil
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// runner runs queries written with ? placeholders in either dialect.
type runner struct {
	q       querier
	dialect string
}

// reader is where reads go: the transaction, or the read pool.
func (s *Store) reader() runner {
	if s.tx != nil {
		return runner{q: s.tx, dialect: s.db.dialect}
	}
	if s.db.readStmts != nil {
		return runner{q: s.db.readStmts, dialect: s.db.dialect}
	}
	return runner{q: s.db.reader, dialect: s.db.dialect}
}

// txRunner is the runner of a Store made by InTx.
func (s *Store) txRunner() runner {
	return runner{q: s.tx, dialect: s.db.dialect}
}

func (r runner) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return r.q.ExecContext(ctx, r.bind(query), args...)
}

func (r runner) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return r.q.QueryContext(ctx, r.bind(query), args...)
}

func (r runner) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return r.q.QueryRowContext(ctx, r.bind(query), args...)
}

// bind turns ? placeholders into PostgreSQL's $1, $2… Queries in this
// package never hold a literal question mark.
func (r runner) bind(query string) string {
	if r.dialect != dialectPostgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// placeholders returns "?, ?, …" for n values.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// normTime is the form every stored time takes: UTC, microseconds.
func normTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// timeArg is a time as a query argument: NULL for the zero time.
func (r runner) timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	t = normTime(t)
	if r.dialect == dialectSQLite {
		return t.Format(sqliteTimeFormat)
	}
	return t
}

// validTime reports whether t can be stored: SQLite's fixed-width text
// and PostgreSQL's range both want a four-digit year.
func validTime(t time.Time) bool {
	if t.IsZero() {
		return true
	}
	y := t.UTC().Year()
	return y >= 1 && y <= 9999
}

// timeDest scans a stored time (TEXT on SQLite, timestamptz on PostgreSQL)
// into a UTC time.Time; NULL is the zero time.
type timeDest struct{ t *time.Time }

func (d timeDest) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*d.t = time.Time{}
	case time.Time:
		*d.t = x.UTC()
	case string:
		return d.parse(x)
	case []byte:
		return d.parse(string(x))
	default:
		return fmt.Errorf("store: cannot read %T as a time", v)
	}
	return nil
}

func (d timeDest) parse(s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("store: bad stored time %q: %w", s, err)
	}
	*d.t = t.UTC()
	return nil
}

// isUniqueViolation reports whether err is a broken UNIQUE or PRIMARY KEY
// constraint.
func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return false
}

// conflict marks a uniqueness violation as ErrConflict. Explicit checks come
// first with better messages; this catches the races between them and the
// write.
func conflict(err error) error {
	if err != nil && !errors.Is(err, ErrConflict) && isUniqueViolation(err) {
		return fmt.Errorf("%w: %w", ErrConflict, err)
	}
	return err
}

// checkSlug accepts what can stand in a URL path segment without escaping.
// Editorial rules about slugs belong to the callers.
func checkSlug(slug string) error {
	if slug == "" {
		return fmt.Errorf("slug is empty: %w", ErrInvalid)
	}
	if len(slug) > 200 {
		return fmt.Errorf("slug %.20q… is longer than 200 characters: %w", slug, ErrInvalid)
	}
	if slug == "." || slug == ".." {
		return fmt.Errorf("slug %q is not allowed: %w", slug, ErrInvalid)
	}
	for _, c := range []byte(slug) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
		default:
			return fmt.Errorf("slug %q may hold only letters, digits and - _ . ~: %w", slug, ErrInvalid)
		}
	}
	return nil
}
