package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ImportStatus is where an import started in the desk stands.
type ImportStatus string

// The states of an import.
const (
	ImportQueued  ImportStatus = "queued"
	ImportRunning ImportStatus = "running"
	ImportDone    ImportStatus = "done"
	ImportFailed  ImportStatus = "failed"
)

// Finished reports whether the import has ended, one way or the other.
func (s ImportStatus) Finished() bool { return s == ImportDone || s == ImportFailed }

// Import is an archive uploaded in the desk and imported by a background
// job: what was asked, how far it has come and, at the end, its report.
type Import struct {
	ID          int64
	Format      string // "wordpress", "ghost", "feed" or "markdown"
	Filename    string // as uploaded, for people
	DryRun      bool
	FetchImages bool
	Status      ImportStatus
	Phase       string // what the job does now, e.g. "posts" or "images"
	Done, Total int    // progress within the phase
	// FileKey is the uploaded file in media storage while the job needs
	// it; empty once removed.
	FileKey   string
	Report    string // the importer's report as JSON, once done
	Error     string // why it failed, safe to show
	CreatedBy int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

const importColumns = `id, format, filename, dry_run, fetch_images, status, phase, done, total, file_key, report, error,
	created_by, created_at, updated_at`

func scanImport(sc rowScanner) (Import, error) {
	var im Import
	var status string
	var by sql.NullInt64
	err := sc.Scan(&im.ID, &im.Format, &im.Filename, &im.DryRun, &im.FetchImages, &status, &im.Phase, &im.Done,
		&im.Total, &im.FileKey, &im.Report, &im.Error, &by, timeDest{&im.CreatedAt}, timeDest{&im.UpdatedAt})
	im.Status, im.CreatedBy = ImportStatus(status), by.Int64
	return im, err
}

// CreateImport records a queued import and sets its ID, Status and times.
func (s *Store) CreateImport(ctx context.Context, im *Import) error {
	v := *im
	if strings.TrimSpace(v.Format) == "" {
		return fmt.Errorf("store: create import: no format: %w", ErrInvalid)
	}
	now := normTime(time.Now())
	v.Status, v.CreatedAt, v.UpdatedAt = ImportQueued, now, now
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		return r.queryRow(ctx, `INSERT INTO imports (format, filename, dry_run, fetch_images, status, phase, done, total,
			file_key, report, error, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, '', 0, 0, ?, '', '', ?, ?, ?) RETURNING id`,
			v.Format, v.Filename, v.DryRun, v.FetchImages, string(v.Status), v.FileKey, nullID(v.CreatedBy),
			r.timeArg(now), r.timeArg(now)).Scan(&v.ID)
	})
	if err != nil {
		return fmt.Errorf("store: create import: %w", err)
	}
	*im = v
	return nil
}

// ImportByID returns one import or ErrNotFound.
func (s *Store) ImportByID(ctx context.Context, id int64) (Import, error) {
	im, err := scanImport(s.reader().queryRow(ctx, `SELECT `+importColumns+` FROM imports WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Import{}, fmt.Errorf("store: import %d: %w", id, err)
	}
	return im, nil
}

// RecentImports returns the latest imports, newest first.
func (s *Store) RecentImports(ctx context.Context, limit int) ([]Import, error) {
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	rows, err := s.reader().query(ctx, `SELECT `+importColumns+` FROM imports ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: recent imports: %w", err)
	}
	defer rows.Close()
	var out []Import
	for rows.Next() {
		im, err := scanImport(rows)
		if err != nil {
			return nil, fmt.Errorf("store: recent imports: %w", err)
		}
		out = append(out, im)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: recent imports: %w", err)
	}
	return out, nil
}

// SetImportProgress records the phase and progress of a running import. A
// finished import is left alone: a late report from a job that lost its
// claim must not reopen it.
func (s *Store) SetImportProgress(ctx context.Context, id int64, phase string, done, total int) error {
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		_, err := r.exec(ctx, `UPDATE imports SET status = ?, phase = ?, done = ?, total = ?, updated_at = ?
		WHERE id = ? AND status IN (?, ?)`,
			string(ImportRunning), phase, done, total, r.timeArg(time.Now()), id, string(ImportQueued), string(ImportRunning))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: progress of import %d: %w", id, err)
	}
	return nil
}

// FinishImport records the end of an import: done with its report, or
// failed with a message (status ImportFailed). The file key is cleared, as
// the job removes the file.
func (s *Store) FinishImport(ctx context.Context, id int64, status ImportStatus, report, message string) error {
	if !status.Finished() {
		return fmt.Errorf("store: finish import %d: status %q is not an end: %w", id, status, ErrInvalid)
	}
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		res, err := r.exec(ctx, `UPDATE imports SET status = ?, report = ?, error = ?, file_key = '',
			done = CASE WHEN ? THEN total ELSE done END, updated_at = ?
		WHERE id = ?`,
			string(status), report, message, status == ImportDone, r.timeArg(time.Now()), id)
		if err != nil {
			return err
		}
		return mustAffect(res)
	})
	if err != nil {
		return fmt.Errorf("store: finish import %d: %w", id, err)
	}
	return nil
}
