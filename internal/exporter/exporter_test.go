package exporter_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/exporter"
	"masthead/internal/store/storetest"
)

func TestWriteDirRefusesAndReplaces(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := storetest.Open(t)
	files := newMedia(t)
	a := content.Author{Slug: "ada", Name: "Ada"}
	save(t, st.SaveAuthor(ctx, &a))
	// An image the store names but media storage lost: left out, with a
	// warning, and the rest is exported.
	p := content.Post{Slug: "p", Title: "P", Status: content.StatusPublished, PublishedAt: now, Authors: []content.Author{a},
		Image: content.Image{Key: "uploads/lost-0123456789ab.jpg", Alt: "Lost"}}
	save(t, st.SavePost(ctx, &p))

	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	save(t, os.Mkdir(dir, 0o755))
	save(t, os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("mine"), 0o644))
	_, err := exporter.WriteDir(ctx, st, files, dir, false, exporter.Options{})
	if !errors.Is(err, exporter.ErrNotEmpty) {
		t.Fatalf("into a directory with files: %v, want ErrNotEmpty", err)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "keep.txt")); err != nil || string(data) != "mine" {
		t.Fatalf("the refused directory changed: %q %v", data, err)
	}

	m, err := exporter.WriteDir(ctx, st, files, dir, true, exporter.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "keep.txt")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("--force kept the old files: %v", err)
	}
	if len(m.Warnings) != 1 || !strings.Contains(m.Warnings[0], "uploads/lost-0123456789ab.jpg") {
		t.Errorf("warnings: %q", m.Warnings)
	}
	data, err := os.ReadFile(filepath.Join(dir, "posts", "p.md"))
	if err != nil || strings.Contains(string(data), "image:") || !strings.Contains(string(data), "title: P\n") {
		t.Errorf("posts/p.md: %s %v", data, err)
	}
	entries, err := os.ReadDir(parent)
	if err != nil || len(entries) != 1 {
		t.Errorf("beside the export: %v %v", entries, err)
	}

	// An empty directory is fine without --force.
	empty := filepath.Join(parent, "empty")
	save(t, os.Mkdir(empty, 0o755))
	if _, err := exporter.WriteDir(ctx, st, files, empty, false, exporter.Options{}); err != nil {
		t.Errorf("into an empty directory: %v", err)
	}

	// A cancelled export leaves nothing behind.
	cancelled, cancel := contextCancelled(t)
	cancel()
	gone := filepath.Join(parent, "gone")
	if _, err := exporter.WriteDir(cancelled, st, files, gone, false, exporter.Options{}); err == nil {
		t.Error("a cancelled export succeeded")
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 2 {
		t.Errorf("a cancelled export left %v", entries)
	}
}

func TestWriteZip(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := storetest.Open(t)
	a := content.Author{Slug: "ada", Name: "Ada"}
	save(t, st.SaveAuthor(ctx, &a))
	var buf bytes.Buffer
	m, err := exporter.WriteZip(ctx, st, newMedia(t), &buf, "site-export", exporter.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	want := "site-export/authors/ada.md site-export/subscribers.csv site-export/manifest.json"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("entries %q, want %q", got, want)
	}
	if len(m.Files) != 2 {
		t.Errorf("manifest files: %+v", m.Files)
	}
	for _, bad := range []string{"", "..", "a/b", "."} {
		if _, err := exporter.WriteZip(ctx, st, newMedia(t), &bytes.Buffer{}, bad, exporter.Options{}); err == nil {
			t.Errorf("folder %q accepted", bad)
		}
	}
}

func contextCancelled(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithCancel(t.Context())
}
