package desk_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/desk"
	"masthead/internal/editorial"
	"masthead/internal/exporter"
	"masthead/internal/importer"
	"masthead/internal/mail"
	"masthead/internal/media"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// newExportRig is a desk that has its media storage, as the server wires
// it, with one published post that has a photo.
func newExportRig(t *testing.T) (*rig, media.Storage) {
	t.Helper()
	st := storetest.Open(t)
	m, err := media.NewLocal(t.TempDir())
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
	srv := httptest.NewServer(d.Handler())
	t.Cleanup(srv.Close)

	ctx := context.Background()
	if err := st.SetSetting(ctx, "site.name", "Latitude Weekly"); err != nil {
		t.Fatal(err)
	}
	photo := jpegFile(t)
	if err := m.Put(ctx, "uploads/2026/01/photo-0123456789ab.jpg", bytes.NewReader(photo)); err != nil {
		t.Fatal(err)
	}
	a := content.Author{Slug: "mara", Name: "Mara Oyelaran"}
	if err := st.SaveAuthor(ctx, &a); err != nil {
		t.Fatal(err)
	}
	p := content.Post{Slug: "the-strait", Title: "The Strait", Status: content.StatusPublished,
		PublishedAt: time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC), Authors: []content.Author{a},
		Image: content.Image{Key: "uploads/2026/01/photo-0123456789ab.jpg", Width: 120, Height: 80, Alt: "Ships"},
		Body:  "Shipping is moving again."}
	if err := st.SavePost(ctx, &p); err != nil {
		t.Fatal(err)
	}
	draft := content.Post{Slug: "a-draft", Title: "A Draft", Status: content.StatusDraft, Body: "Not yet."}
	if err := st.SavePost(ctx, &draft); err != nil {
		t.Fatal(err)
	}
	return &rig{t: t, ctx: ctx, st: st, svc: svc, srv: srv}, m
}

func TestExportDownload(t *testing.T) {
	t.Parallel()
	r, _ := newExportRig(t)

	admin, _ := r.signIn("admin@example.org", store.RoleAdmin)
	if p := admin.get("/desk/settings"); !strings.Contains(p.body, `action="/desk/export"`) {
		t.Errorf("the settings page offers no export:\n%.3000s", p.body)
	}
	p := admin.post("/desk/export", nil)
	if p.status != http.StatusOK {
		t.Fatalf("export: %d\n%.2000s", p.status, p.body)
	}
	if ct := p.header.Get("Content-Type"); ct != "application/zip" {
		t.Errorf("Content-Type %q", ct)
	}
	folder := "latitude-weekly-export-" + time.Now().UTC().Format("2006-01-02")
	if cd := p.header.Get("Content-Disposition"); cd != `attachment; filename="`+folder+`.zip"` {
		t.Errorf("Content-Disposition %q", cd)
	}

	// Unpacked, the zip is an export directory that checks against its
	// manifest and imports.
	dir := unzip(t, []byte(p.body))
	var man exporter.Manifest
	data, err := os.ReadFile(filepath.Join(dir, folder, exporter.ManifestFile))
	if err != nil {
		t.Fatalf("the zip has no %s/%s: %v", folder, exporter.ManifestFile, err)
	}
	if err := json.Unmarshal(data, &man); err != nil {
		t.Fatal(err)
	}
	// Two authors: Mara, and the profile the admin account got.
	if man.Site.Name != "Latitude Weekly" || man.Counts.Posts != 2 || man.Counts.Authors != 2 || man.Counts.Images != 1 {
		t.Errorf("manifest: %+v", man)
	}
	for _, f := range man.Files {
		got, err := os.ReadFile(filepath.Join(dir, folder, filepath.FromSlash(f.Path)))
		if err != nil || int64(len(got)) != f.Bytes {
			t.Errorf("%s: %d bytes, %v; the manifest says %d", f.Path, len(got), err, f.Bytes)
		}
	}
	st2 := storetest.Open(t)
	m2, err := media.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := importer.ImportMarkdownDir(context.Background(), st2, m2, filepath.Join(dir, folder), importer.Options{})
	if errs, ok := errors.AsType[*importer.Errors](err); ok {
		t.Fatalf("the download does not import:\n%v", errs)
	}
	if err != nil {
		t.Fatal(err)
	}
	if rep.PostsCreated != 2 || rep.AuthorsCreated != 2 || rep.ImagesStored != 1 || rep.SettingsChanged != 1 {
		t.Errorf("import: %+v", rep)
	}
	got, err := st2.PostBySlug(context.Background(), "the-strait")
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "The Strait" || got.Image.Alt != "Ships" || len(got.Authors) != 1 || got.Authors[0].Slug != "mara" {
		t.Errorf("imported post: %+v", got)
	}

	log, err := r.st.AuditLog(context.Background(), store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range log.Entries {
		found = found || e.Action == "site.export"
	}
	if !found {
		t.Error("the export is not in the audit log")
	}
}

func TestExportDownloadRefused(t *testing.T) {
	t.Parallel()
	r, _ := newExportRig(t)
	for _, role := range []store.Role{store.RoleEditor, store.RoleAuthor, store.RoleContributor} {
		b, _ := r.signIn(string(role)+"@example.org", role)
		if p := b.post("/desk/export", nil); p.status != http.StatusForbidden || strings.HasPrefix(p.body, "PK") {
			t.Errorf("%s: %d, want 403", role, p.status)
		}
	}
	if p := r.browser().post("/desk/export", nil); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/desk/signin") {
		t.Errorf("signed out: %d %s, want the sign-in page", p.status, p.location)
	}
	// A form on another site cannot start the download.
	admin, _ := r.signIn("admin@example.org", store.RoleAdmin)
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+"/desk/export", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if p := admin.do(req); p.status != http.StatusForbidden {
		t.Errorf("cross-site: %d, want 403", p.status)
	}
}

// unzip unpacks a zip file into a new directory, refusing names that
// leave it.
func unzip(t *testing.T, data []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a zip file: %v", err)
	}
	dir := t.TempDir()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	for _, f := range zr.File {
		if err := root.MkdirAll(filepath.Dir(f.Name), 0o755); err != nil {
			t.Fatal(err)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out, err := root.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, rc); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		out.Close()
		rc.Close()
	}
	return dir
}
