package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Setting returns a site setting or ErrNotFound.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.reader().queryRow(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store: setting %q: %w", key, err)
	}
	return v, nil
}

// SetSetting stores a site setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	if key == "" {
		return fmt.Errorf("store: set setting: empty key: %w", ErrInvalid)
	}
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		if err := r.bumpContentVersion(ctx); err != nil {
			return err
		}
		_, err := r.exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: set setting %q: %w", key, err)
	}
	return nil
}
