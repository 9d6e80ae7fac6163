package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"masthead/internal/demo"
	"masthead/internal/store"
)

func TestSearchReindexCommand(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	dir := filepath.Join(t.TempDir(), "import")
	if err := demo.WriteImportDir(dir); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"import", "--data", data, dir}, envFrom(nil), &out, &errOut); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errOut.String())
	}
	dbPath := filepath.Join(data, "masthead.db")
	found := func() int {
		t.Helper()
		st, err := store.Open(ctx, store.Options{SQLitePath: dbPath})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		page, err := st.Search(ctx, store.PublicSearch("sanctions", time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		return page.Total
	}
	before := found()
	if before == 0 {
		t.Fatal("the imported magazine has no article about sanctions")
	}
	// Lose the index behind the site's back, as a restore from an old
	// backup would.
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO post_search (post_search) VALUES ('delete-all')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if n := found(); n != 0 {
		t.Fatalf("after losing the index: %d found", n)
	}

	out.Reset()
	errOut.Reset()
	if code := run(ctx, []string{"search", "reindex", "--data", data}, envFrom(nil), &out, &errOut); code != 0 {
		t.Fatalf("search reindex: exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "search index rebuilt: 16 posts") {
		t.Errorf("stdout: %q", out.String())
	}
	if !strings.Contains(errOut.String(), "indexing posts: 16/16 (100%)\n") {
		t.Errorf("no progress line on stderr: %q", errOut.String())
	}
	if n := found(); n != before {
		t.Errorf("after reindex: %d found, want %d", n, before)
	}

	for _, args := range [][]string{{"search"}, {"search", "rebuild"}} {
		errOut.Reset()
		if code := run(ctx, args, envFrom(nil), &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "Usage: masthead search reindex") {
			t.Errorf("%q: exit %d, stderr %q", args, code, errOut.String())
		}
	}
}
