package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrBackupUnsupported is returned by Backup on PostgreSQL, whose own
// tools (pg_dump, base backups) do the job.
var ErrBackupUnsupported = errors.New("store: backup covers SQLite only; back PostgreSQL up with pg_dump")

// Backup writes a consistent copy of the SQLite database to path while
// the site keeps running: VACUUM INTO reads one snapshot (WAL lets writers
// go on meanwhile) and writes a compact database file. The copy is made
// under a temporary name beside path and checked before it is renamed into
// place, so path is either a whole, sound backup or untouched. path must
// not exist.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.db.dialect != dialectSQLite {
		return ErrBackupUnsupported
	}
	if s.tx != nil {
		return errors.New("store: backup called in a transaction")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("store: backup to %s: %w", path, err)
	}
	if _, err := os.Lstat(abs); err == nil {
		return fmt.Errorf("store: backup to %s: the file exists; choose a new name", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("store: backup to %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".*.partial")
	if err != nil {
		return fmt.Errorf("store: backup to %s: %w", path, err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	// VACUUM INTO wants a file that does not exist (or is empty); the
	// temporary name only reserved a unique one.
	os.Remove(tmpName)
	defer os.Remove(tmpName)

	if _, err := s.db.writer.ExecContext(ctx, `VACUUM INTO ?`, tmpName); err != nil {
		return fmt.Errorf("store: backup to %s: %w", path, err)
	}
	if err := checkSQLiteFile(ctx, tmpName); err != nil {
		return fmt.Errorf("store: backup to %s: the copy failed its check: %w", path, err)
	}
	// Link fails if path appeared meanwhile, where Rename would replace it.
	if err := os.Link(tmpName, abs); err != nil {
		return fmt.Errorf("store: backup to %s: %w", path, err)
	}
	return nil
}

// checkSQLiteFile opens a database file read-only and runs SQLite's quick
// integrity check on it.
func checkSQLiteFile(ctx context.Context, path string) error {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	db, err := sql.Open("sqlite", "file:"+esc+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return errors.New(res)
	}
	return nil
}
