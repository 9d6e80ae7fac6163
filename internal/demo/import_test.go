package demo

import (
	"errors"
	"os"
	"testing"
	"time"

	"masthead/internal/importer"
	"masthead/internal/media"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// TestImportDemo feeds the demo directory to the Markdown importer, as
// `masthead demo` does, and checks that it goes in cleanly and in full.
func TestImportDemo(t *testing.T) {
	dir := demoDir(t)
	authors := readMarkdown(t, os.DirFS(dir), "authors")
	posts := readMarkdown(t, os.DirFS(dir), "posts")
	st := storetest.Open(t)
	files, err := media.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	opts := importer.Options{Now: func() time.Time { return now }}

	rep, err := importer.ImportMarkdownDir(t.Context(), st, files, dir, opts)
	if errs, ok := errors.AsType[*importer.Errors](err); ok {
		t.Fatalf("the importer rejects the demo:\n%v", errs)
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Warnings) > 0 {
		t.Errorf("the importer warns about the demo: %q", rep.Warnings)
	}
	if rep.AuthorsCreated != len(authors) || rep.PostsCreated != len(posts) {
		t.Errorf("created %d authors and %d posts, want %d and %d", rep.AuthorsCreated, rep.PostsCreated, len(authors), len(posts))
	}
	if want := len(authors) + len(posts); rep.ImagesStored != want {
		t.Errorf("stored %d images, want %d", rep.ImagesStored, want)
	}

	ctx := t.Context()
	sections, err := st.Sections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range sections {
		names = append(names, s.Name)
	}
	if len(names) != len(sections) {
		t.Errorf("sections after import: %v, want %v", names, sections)
	}

	page, err := st.Posts(ctx, store.PublicFilter(now))
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != len(posts) {
		t.Errorf("%d posts are public after import, want %d", page.Total, len(posts))
	}

	p, err := st.PostBySlug(ctx, "the-strait-after-the-ceasefire")
	if err != nil {
		t.Fatal(err)
	}
	if p.Section == nil || p.Section.Name != "Security" || len(p.Authors) != 1 || p.UpdatedAt.IsZero() {
		t.Errorf("imported post: section %v, authors %d, updated %v", p.Section, len(p.Authors), p.UpdatedAt)
	}
	if p.Image.Width != postWidth || p.Image.Height != postHeight || p.Image.Credit == "" {
		t.Errorf("imported top photo: %+v", p.Image)
	}
	related, err := st.RelatedPosts(ctx, p, now, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(related) == 0 {
		t.Error("no related coverage for an article whose tags other articles share")
	}
	corrected, err := st.PostBySlug(ctx, "who-owns-a-river")
	if err != nil {
		t.Fatal(err)
	}
	if len(corrected.Corrections) != 1 {
		t.Errorf("%d corrections on the corrected article, want 1", len(corrected.Corrections))
	}

	// `masthead demo` may import into a database that already has the demo.
	again, err := importer.ImportMarkdownDir(ctx, st, files, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if again.PostsCreated != 0 || again.AuthorsCreated != 0 {
		t.Errorf("a second import created %d posts and %d authors, want none", again.PostsCreated, again.AuthorsCreated)
	}
}
