package exporter_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/importer"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// writeImportDir writes files (slash path → text) below a new directory.
func writeImportDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		save(t, os.MkdirAll(filepath.Dir(p), 0o700))
		save(t, os.WriteFile(p, []byte(text), 0o600))
	}
	return dir
}

const redirectAuthor = "---\nname: Mara\nslug: mara\n---\n"

// TestImportRedirectProblems imports posts whose redirects are not paths:
// each is reported with its file and line, and nothing is stored.
func TestImportRedirectProblems(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := t.Context()
		dir := writeImportDir(t, map[string]string{
			"authors/mara.md": redirectAuthor,
			"posts/strait.md": "---\ntitle: The Strait\ndate: 2019-03-01\nauthors: [mara]\nredirects:\n" +
				"  - /2019/03/the-strait/\n" + // 6: fine
				"  - https://old.example/2019/03/x/\n" + // 7
				"  - //old.example/x\n" + // 8
				"  - 2019/03/x\n" + // 9
				"  - /\n" + // 10
				"  - /?utm_source=mail\n" + // 11
				"  - /100%\n" + // 12
				"  - /" + strings.Repeat("x", 2100) + "\n" + // 13
				"  - /2019/03/the-strait\n" + // 14: the same as line 6
				"  - /a#top\n" + // 15
				"  - /shared\n" + // 16
				"---\nText.\n",
			"posts/other.md": "---\ntitle: Other\ndate: 2019-03-02\nauthors: [mara]\nredirects: [/shared/]\n---\nText.\n",
		})
		_, err := importer.ImportMarkdownDir(ctx, st, newMedia(t), dir, importer.Options{Now: func() time.Time { return now }})
		errs, ok := errors.AsType[*importer.Errors](err)
		if !ok {
			t.Fatalf("import: %v, want problems", err)
		}
		want := map[string]string{
			"posts/strait.md:7":  "names a host",
			"posts/strait.md:8":  "names a host",
			"posts/strait.md:9":  "must begin with /",
			"posts/strait.md:10": "is the home page",
			"posts/strait.md:11": "query other than ?p=",
			"posts/strait.md:12": "malformed %-escape",
			"posts/strait.md:13": "longer than 2000 bytes",
			"posts/strait.md:14": "listed twice",
			"posts/strait.md:15": "#fragment",
		}
		got := map[string]string{}
		for _, p := range errs.Problems {
			got[p.Path+":"+strconv.Itoa(p.Line)] = p.Msg
		}
		for at, frag := range want {
			if !strings.Contains(got[at], frag) {
				t.Errorf("%s: %q, want a problem saying %q", at, got[at], frag)
			}
		}
		// The second file of the two claiming /shared is named.
		if !strings.Contains(got["posts/strait.md:16"]+got["posts/other.md:5"], "also a redirect of") {
			t.Errorf("/shared claimed twice is not reported: %v", errs)
		}
		if len(errs.Problems) != len(want)+1 {
			t.Errorf("%d problems, want %d:\n%v", len(errs.Problems), len(want)+1, errs)
		}
		if _, err := st.PostBySlug(ctx, "strait"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a failed import stored the post: %v", err)
		}
		if _, err := st.RedirectTarget(ctx, "/2019/03/the-strait"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a failed import stored a redirect: %v", err)
		}
	})
}

// TestImportRedirectsAgain imports a post with redirects twice, then after
// one of them was pointed elsewhere: the second import changes nothing, the
// third takes the address back.
func TestImportRedirectsAgain(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := t.Context()
		files := newMedia(t)
		dir := writeImportDir(t, map[string]string{
			"authors/mara.md": redirectAuthor,
			"posts/strait.md": "---\ntitle: The Strait\ndate: 2019-03-01\nauthors: [mara]\n" +
				"redirects: [/2019/03/the-strait/, '/?p=123', /caf%C3%A9]\n---\nText.\n",
		})
		opts := importer.Options{Now: func() time.Time { return now }}
		rep, err := importer.ImportMarkdownDir(ctx, st, files, dir, opts)
		if err != nil || rep.PostsCreated != 1 {
			t.Fatalf("first import: %+v, %v", rep, err)
		}
		for _, addr := range []string{"/2019/03/the-strait", "/?p=123", "/café"} {
			if slug, err := st.RedirectTarget(ctx, addr); err != nil || slug != "strait" {
				t.Errorf("redirect %q leads to %q, %v; want strait", addr, slug, err)
			}
		}

		rep, err = importer.ImportMarkdownDir(ctx, st, files, dir, opts)
		if err != nil || rep.PostsUnchanged != 1 || rep.PostsUpdated != 0 {
			t.Fatalf("second import: %+v, %v", rep, err)
		}

		other := content.Post{Slug: "other", Title: "Other", Status: content.StatusDraft}
		save(t, st.SavePost(ctx, &other))
		save(t, st.SaveRedirects(ctx, []store.Redirect{{Path: "/?p=123", PostID: other.ID}}))
		rep, err = importer.ImportMarkdownDir(ctx, st, files, dir, opts)
		if err != nil || rep.PostsUpdated != 1 {
			t.Fatalf("third import: %+v, %v", rep, err)
		}
		if slug, err := st.RedirectTarget(ctx, "/?p=123"); err != nil || slug != "strait" {
			t.Errorf("redirect /?p=123 leads to %q, %v; want strait", slug, err)
		}
	})
}
