package desk_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"masthead/internal/desk"
	"masthead/internal/editorial"
	"masthead/internal/jobs"
	"masthead/internal/mail"
	"masthead/internal/media"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// importRig is a desk with media storage and a job runner that runs
// imports and renditions, as the server wires them.
type importRig struct {
	*rig
	mediaDir string
}

func newImportRig(t *testing.T) *importRig {
	t.Helper()
	st := storetest.Open(t)
	mediaDir := t.TempDir()
	m, err := media.NewLocal(mediaDir)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := editorial.New(editorial.Options{Store: st, Media: m, Mail: &mail.Outbox{Store: st, From: "desk@example.org"},
		BaseURL: "http://desk.test", RenditionWidths: []int{32}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := desk.New(desk.Options{Editorial: svc, Media: m, BaseURL: "http://desk.test"})
	if err != nil {
		t.Fatal(err)
	}
	runner := &jobs.Runner{Store: st, PollInterval: 50 * time.Millisecond, Handlers: map[string]jobs.Handler{
		desk.KindImport:          d.ImportJobHandler(),
		editorial.KindRenditions: svc.RenditionsHandler(),
	}}
	d.SetWakeJobs(runner.Wake)
	svc.SetWakeJobs(runner.Wake)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); runner.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	srv := httptest.NewServer(d.Handler())
	t.Cleanup(srv.Close)
	return &importRig{rig: &rig{t: t, ctx: context.Background(), st: st, svc: svc, srv: srv}, mediaDir: mediaDir}
}

type importProgress struct {
	Status  string `json:"status"`
	Done    int    `json:"done"`
	Total   int    `json:"total"`
	Percent int    `json:"percent"`
}

// start uploads a file and returns the import's page address.
func (r *importRig) start(b *browser, name string, data []byte, form url.Values) string {
	r.t.Helper()
	p := b.postMultipart("/desk/import", form, "file", name, data)
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/desk/import/") {
		r.t.Fatalf("start import of %s: %d %s\n%.2000s", name, p.status, p.location, p.body)
	}
	return p.location
}

// wait polls the progress endpoint as the page does until the import ends.
func (r *importRig) wait(b *browser, at string) importProgress {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		p := b.get(at + "/progress")
		if p.status != http.StatusOK {
			r.t.Fatalf("progress: %d\n%.2000s", p.status, p.body)
		}
		var pr importProgress
		if err := json.Unmarshal([]byte(p.body), &pr); err != nil {
			r.t.Fatalf("progress: %v: %s", err, p.body)
		}
		if pr.Status == "done" || pr.Status == "failed" {
			return pr
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("the import did not end: %+v", pr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "importer", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestImportAccess(t *testing.T) {
	t.Parallel()
	r := newImportRig(t)
	admin, _ := r.signIn("admin@example.org", store.RoleAdmin)
	editor, _ := r.signIn("editor@example.org", store.RoleEditor)

	if p := admin.get("/desk/settings"); !strings.Contains(p.body, `href="/desk/import"`) {
		t.Errorf("the settings page has no link to the import")
	}
	if p := admin.get("/desk/import"); p.status != http.StatusOK || !strings.Contains(p.body, `id="import-form"`) {
		t.Errorf("admin: import page %d\n%.2000s", p.status, p.body)
	}
	if p := editor.get("/desk/import"); p.status != http.StatusForbidden {
		t.Errorf("editor: import page %d, want 403", p.status)
	}
	wxr := fixture(t, "wordpress/parallax.xml")
	if p := editor.postMultipart("/desk/import", url.Values{"mode": {"import"}}, "file", "parallax.xml", wxr); p.status != http.StatusForbidden {
		t.Errorf("editor: start import %d, want 403", p.status)
	}

	// A form posted from another site is refused before anything is kept.
	var buf bytes.Buffer
	mw := multipartFile(&buf, "parallax.xml", wxr)
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+"/desk/import", &buf)
	req.Header.Set("Content-Type", mw)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if p := admin.do(req); p.status != http.StatusForbidden {
		t.Errorf("cross-site post: %d, want 403", p.status)
	}
	if list, err := r.st.RecentImports(r.ctx, 10); err != nil || len(list) != 0 {
		t.Errorf("imports after refused posts: %v, %v", list, err)
	}

	// No file, or a file of no known kind, is said so.
	if p := admin.follow(admin.postMultipart("/desk/import", nil, "", "", nil)); !strings.Contains(p.body, "Choose a file") {
		t.Errorf("no file: %.2000s", p.body)
	}
	if p := admin.follow(admin.postMultipart("/desk/import", nil, "file", "notes.txt", []byte("just words"))); !strings.Contains(p.body, "Cannot tell what notes.txt is") {
		t.Errorf("unknown file: %.2000s", p.body)
	}
}

func multipartFile(buf *bytes.Buffer, name string, data []byte) string {
	var b strings.Builder
	b.WriteString("--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name + "\"\r\n\r\n")
	buf.WriteString(b.String())
	buf.Write(data)
	buf.WriteString("\r\n--x--\r\n")
	return "multipart/form-data; boundary=x"
}

func TestImportWordPressDryRunThenImport(t *testing.T) {
	t.Parallel()
	r := newImportRig(t)
	admin, _ := r.signIn("admin@example.org", store.RoleAdmin)
	wxr := fixture(t, "wordpress/parallax.xml")

	at := r.start(admin, "parallax.xml", wxr, url.Values{"mode": {"dry-run"}})
	if pr := r.wait(admin, at); pr.Status != "done" || pr.Percent != 100 {
		t.Fatalf("dry run: %+v", pr)
	}
	page := admin.get(at)
	if !strings.Contains(page.body, `id="import-report"`) || !strings.Contains(page.body, "nothing was written") {
		t.Fatalf("dry run report:\n%.4000s", page.body)
	}
	if posts, err := r.st.DeskPosts(r.ctx, store.DeskFilter{}); err != nil || posts.Total != 0 {
		t.Fatalf("a dry run wrote posts: %+v, %v", posts.Total, err)
	}

	at = r.start(admin, "parallax.xml", wxr, url.Values{"mode": {"import"}})
	if pr := r.wait(admin, at); pr.Status != "done" || pr.Percent != 100 {
		t.Fatalf("import: %+v", pr)
	}
	page = admin.get(at)
	if !strings.Contains(page.body, "What was imported") || !strings.Contains(page.body, "comments") {
		t.Fatalf("report:\n%.4000s", page.body)
	}
	posts, err := r.st.DeskPosts(r.ctx, store.DeskFilter{})
	if err != nil || posts.Total == 0 {
		t.Fatalf("posts after the import: %d, %v", posts.Total, err)
	}
	im := lastImport(t, r.st)
	if im.FileKey != "" || im.Report == "" {
		t.Errorf("the finished import: key %q, report %q", im.FileKey, im.Report)
	}
	if n := countFiles(t, filepath.Join(r.mediaDir, "imports")); n != 0 {
		t.Errorf("%d uploaded files left in media storage", n)
	}
	var rep struct{ PostsCreated, CommentsSkipped int }
	json.Unmarshal([]byte(im.Report), &rep)
	if rep.PostsCreated != posts.Total {
		t.Errorf("report says %d created, %d posts stored", rep.PostsCreated, posts.Total)
	}
	if p := admin.get("/desk/audit"); !strings.Contains(p.body, "site.import") {
		t.Errorf("no audit entry for the import")
	}
}

func TestImportBadFileFails(t *testing.T) {
	t.Parallel()
	r := newImportRig(t)
	admin, _ := r.signIn("admin@example.org", store.RoleAdmin)
	at := r.start(admin, "broken.json", []byte(`{"db": [{"data": {"posts": [`), url.Values{"mode": {"import"}})
	if pr := r.wait(admin, at); pr.Status != "failed" {
		t.Fatalf("broken file: %+v", pr)
	}
	if p := admin.get(at); !strings.Contains(p.body, "Nothing was imported") {
		t.Errorf("failure page:\n%.3000s", p.body)
	}
	// A zip file reaching outside its folder is refused.
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("../escape/posts/a.md")
	w.Write([]byte("---\ntitle: A\n---\nBody"))
	zw.Close()
	at = r.start(admin, "evil.zip", zb.Bytes(), url.Values{"mode": {"import"}})
	if pr := r.wait(admin, at); pr.Status != "failed" {
		t.Fatalf("zip slip: %+v", pr)
	}
	if p := admin.get(at); !strings.Contains(p.body, "a name outside its folder") {
		t.Errorf("zip slip page:\n%.3000s", p.body)
	}
	if _, err := os.Stat(filepath.Join(os.TempDir(), "escape")); err == nil {
		t.Errorf("the zip wrote outside its folder")
	}
}

// TestImportMarkdownZipImages imports a zip of a Markdown export with
// images: each image becomes a media library item whose renditions the job
// runner makes, and importing again adds no item.
func TestImportMarkdownZipImages(t *testing.T) {
	t.Parallel()
	r := newImportRig(t)
	admin, _ := r.signIn("admin@example.org", store.RoleAdmin)
	zipped := markdownZip(t)

	at := r.start(admin, "site-export.zip", zipped, url.Values{"mode": {"import"}})
	if pr := r.wait(admin, at); pr.Status != "done" || pr.Percent != 100 {
		t.Fatalf("import: %+v\n%s", pr, admin.get(at).body)
	}
	post, err := r.st.PostBySlug(r.ctx, "shipping-red-sea")
	if err != nil {
		t.Fatal(err)
	}
	if post.Image.Key == "" {
		t.Fatalf("the post has no image")
	}
	item, err := r.st.MediaItemByKey(r.ctx, post.Image.Key)
	if err != nil {
		t.Fatalf("the imported image is not in the media library: %v", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for item.RenditionStatus == store.RenditionsPending && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		if item, err = r.st.MediaItemByID(r.ctx, item.ID); err != nil {
			t.Fatal(err)
		}
	}
	if item.RenditionStatus != store.RenditionsDone || len(item.Renditions) == 0 {
		t.Fatalf("renditions of the imported image: %s, %v", item.RenditionStatus, item.Renditions)
	}
	page, err := r.st.MediaItems(r.ctx, store.MediaFilter{})
	if err != nil {
		t.Fatal(err)
	}
	before := page.Total
	if before != 4 {
		t.Errorf("%d media items, want the 4 images of the export", before)
	}

	at = r.start(admin, "site-export.zip", zipped, url.Values{"mode": {"import"}})
	if pr := r.wait(admin, at); pr.Status != "done" {
		t.Fatalf("second import: %+v", pr)
	}
	if page, err = r.st.MediaItems(r.ctx, store.MediaFilter{}); err != nil || page.Total != before {
		t.Errorf("after importing again: %d media items, want %d (%v)", page.Total, before, err)
	}
}

// markdownZip packs the importer's Markdown fixture, with its images, in
// one folder as the desk's export does.
func markdownZip(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	root := filepath.Join("..", "importer", "testdata", "good")
	err := filepath.WalkDir(root, func(p string, de os.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		w, err := zw.Create("site-export/" + filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	images := map[string][]byte{
		"images/leila-haddad.jpg":   encodeImage(t, 40, 50, "jpeg"),
		"images/okafor.png":         encodeImage(t, 30, 30, "png"),
		"images/muscat-harbour.jpg": encodeImage(t, 64, 36, "jpeg"),
		"images/red-sea.png":        encodeImage(t, 48, 32, "png"),
	}
	for name, data := range images {
		w, _ := zw.Create("site-export/" + name)
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodeImage(t *testing.T, w, h int, format string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 5), uint8(y * 7), uint8(w + h), 255})
		}
	}
	var buf bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func lastImport(t *testing.T, st *store.Store) store.Import {
	t.Helper()
	list, err := st.RecentImports(context.Background(), 1)
	if err != nil || len(list) != 1 {
		t.Fatalf("last import: %v, %v", list, err)
	}
	return list[0]
}

// countFiles counts the files left under a folder of the local media
// storage.
func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(_ string, de os.DirEntry, err error) error {
		if err == nil && !de.IsDir() {
			n++
		}
		return err
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return n
}
