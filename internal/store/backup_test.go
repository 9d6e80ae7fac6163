package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"masthead/internal/content"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

func TestBackup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.OpenSQLite(t)
	tag := content.Tag{Slug: "economy", Name: "Economy", IsSection: true}
	if err := s.SaveTag(ctx, &tag); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	dst := filepath.Join(dir, "backup.db")
	if err := s.Backup(ctx, dst); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	// The backup is a whole database that opens and holds the data.
	b, err := store.Open(ctx, store.Options{SQLitePath: dst})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.CheckSchema(ctx); err != nil {
		t.Errorf("backup schema: %v", err)
	}
	if got, err := b.TagBySlug(ctx, "economy"); err != nil || got.Name != "Economy" {
		t.Errorf("tag in the backup = %+v, %v", got, err)
	}
	// An existing file is never overwritten.
	if err := s.Backup(ctx, dst); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("second Backup to the same file = %v", err)
	}
	// A directory that does not exist fails and leaves nothing behind.
	if err := s.Backup(ctx, filepath.Join(dir, "missing", "x.db")); err == nil {
		t.Error("Backup into a missing directory succeeded")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), "partial") {
			t.Errorf("left behind %s", e.Name())
		}
	}
}

func TestBackupRefusedOnPostgres(t *testing.T) {
	t.Parallel()
	s := storetest.OpenPostgres(t)
	err := s.Backup(context.Background(), filepath.Join(t.TempDir(), "x.db"))
	if !errors.Is(err, store.ErrBackupUnsupported) {
		t.Fatalf("Backup on PostgreSQL = %v", err)
	}
}
