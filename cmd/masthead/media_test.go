package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"masthead/internal/media"
	"masthead/internal/media/s3test"
)

func TestMediaMigrateToS3(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	files := map[string]string{
		"uploads/2026/11/photo-0123abcd.jpg":         "jpeg bytes",
		"uploads/2026/11/photo-0123abcd-w640.webp":   "webp bytes",
		"uploads/2026/10/portrait-89abcdef.png":      "png bytes",
		"uploads/2026/10/.put-123":                   "half an upload",
		"uploads/2026/10/portrait-89abcdef-w320.png": "small png",
	}
	for k, v := range files {
		p := filepath.Join(data, "media", filepath.FromSlash(k))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv := s3test.Start(t, "magazine")
	env := envFrom(map[string]string{
		"MASTHEAD_S3_ENDPOINT": srv.URL, "MASTHEAD_S3_BUCKET": "magazine", "MASTHEAD_S3_ACCESS_KEY": "key",
		"MASTHEAD_S3_SECRET_KEY": "secret", "MASTHEAD_S3_PATH_STYLE": "true",
	})
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"media", "migrate", "--to", "s3", "--data", data}, env, &out, &errOut); code != 0 {
		t.Fatalf("media migrate: exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "4 copied, 0 already there, 1 skipped") {
		t.Errorf("output: %s", out.String())
	}
	if !strings.Contains(errOut.String(), "copying media: 4/4 (100%)") {
		t.Errorf("no progress line: %q", errOut.String())
	}
	cfg := srv.Config("magazine")
	st, err := media.NewS3(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range files {
		obj, err := st.Open(ctx, k)
		if strings.Contains(k, ".put-") {
			if err == nil {
				obj.Close()
				t.Errorf("%s was copied", k)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", k, err)
			continue
		}
		b, _ := io.ReadAll(obj)
		obj.Close()
		if string(b) != v {
			t.Errorf("%s holds %q, want %q", k, b, v)
		}
	}

	// Again: nothing to copy.
	out.Reset()
	errOut.Reset()
	if code := run(ctx, []string{"media", "migrate", "--to", "s3", "--data", data}, env, &out, &errOut); code != 0 {
		t.Fatalf("second media migrate: exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "0 copied, 4 already there") {
		t.Errorf("second run output: %s", out.String())
	}

	// Without the destination or its settings it refuses, saying why.
	out.Reset()
	errOut.Reset()
	if code := run(ctx, []string{"media", "migrate", "--data", data}, env, &out, &errOut); code == 0 ||
		!strings.Contains(errOut.String(), "--to s3") {
		t.Errorf("migrate without --to: exit %d: %s", code, errOut.String())
	}
	errOut.Reset()
	if code := run(ctx, []string{"media", "migrate", "--to", "s3", "--data", data}, envFrom(nil), &out, &errOut); code == 0 ||
		!strings.Contains(errOut.String(), "bucket") {
		t.Errorf("migrate without settings: exit %d: %s", code, errOut.String())
	}
}

func TestBackupCommand(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"migrate", "--data", data}, envFrom(nil), &out, &errOut); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, errOut.String())
	}
	dst := filepath.Join(t.TempDir(), "masthead-backup.db")
	out.Reset()
	if code := run(ctx, []string{"backup", "--data", data, dst}, envFrom(nil), &out, &errOut); code != 0 {
		t.Fatalf("backup: exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "backed up") {
		t.Errorf("output: %s", out.String())
	}
	if fi, err := os.Stat(dst); err != nil || fi.Size() == 0 {
		t.Fatalf("backup file: %v", err)
	}
	errOut.Reset()
	if code := run(ctx, []string{"backup", "--data", data, dst}, envFrom(nil), &out, &errOut); code == 0 ||
		!strings.Contains(errOut.String(), "exists") {
		t.Errorf("backup over an existing file: exit %d: %s", code, errOut.String())
	}
	errOut.Reset()
	pg := envFrom(map[string]string{"MASTHEAD_DATABASE_URL": "postgres://db.example/masthead"})
	if code := run(ctx, []string{"backup", dst + ".2"}, pg, &out, &errOut); code == 0 ||
		!strings.Contains(errOut.String(), "pg_dump") {
		t.Errorf("backup on PostgreSQL: exit %d: %s", code, errOut.String())
	}
	errOut.Reset()
	if code := run(ctx, []string{"backup", "--data", t.TempDir(), dst + ".3"}, envFrom(nil), &out, &errOut); code == 0 ||
		!strings.Contains(errOut.String(), "no database") {
		t.Errorf("backup of a missing database: exit %d: %s", code, errOut.String())
	}
}
