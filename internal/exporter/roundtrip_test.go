package exporter_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/demo"
	"masthead/internal/exporter"
	"masthead/internal/importer"
	"masthead/internal/media"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// now is the clock of the imports: after every demo article, before the
// scheduled one.
var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// site is a store and its media.
type site struct {
	st    *store.Store
	files media.Storage
}

func newMedia(t *testing.T) media.Storage {
	t.Helper()
	m, err := media.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// sameDialect opens another empty store on the database s is on.
func sameDialect(t *testing.T, s *store.Store) *store.Store {
	if s.Dialect() == "postgres" {
		return storetest.OpenPostgres(t)
	}
	return storetest.OpenSQLite(t)
}

// TestRoundTrip exports a publication, imports the export into an empty
// site and exports that: the two exports are the same files, byte for
// byte but for the manifest's time, and the two sites hold the same.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := t.Context()
		a := site{st, newMedia(t)}
		buildSite(t, a)

		dir1 := filepath.Join(t.TempDir(), "export")
		m1, err := exporter.WriteDir(ctx, a.st, a.files, dir1, false, exporter.Options{BaseURL: "https://latitude.example",
			Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		if len(m1.Warnings) > 0 {
			t.Errorf("warnings: %q", m1.Warnings)
		}
		// Old addresses are written as typed, the path escaped.
		hosted, err := os.ReadFile(filepath.Join(dir1, "posts", "hosted-elsewhere.md"))
		save(t, err)
		const want = `redirects: [/2019/03/hosted-elsewhere, '/?p=123', /a%20b%23c, '/blog?p=a%26b', /caf%C3%A9/100%25, /what%3F]`
		if !strings.Contains(string(hosted), want+"\n") {
			t.Errorf("hosted-elsewhere.md lacks\n%s\n%s", want, hosted)
		}

		b := site{sameDialect(t, st), newMedia(t)}
		rep, err := importer.ImportMarkdownDir(ctx, b.st, b.files, dir1, importer.Options{Now: func() time.Time { return now }})
		if errs, ok := errors.AsType[*importer.Errors](err); ok {
			t.Fatalf("the export does not import:\n%v", errs)
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Warnings) > 0 {
			t.Errorf("import warnings: %q", rep.Warnings)
		}
		if rep.PostsCreated != m1.Counts.Posts || rep.AuthorsCreated != m1.Counts.Authors ||
			rep.SubscribersAdded != m1.Counts.Subscribers || rep.SettingsChanged != m1.Counts.Settings {
			t.Errorf("import report %+v does not match the manifest's counts %+v", rep, m1.Counts)
		}

		dir2 := filepath.Join(t.TempDir(), "export")
		m2, err := exporter.WriteDir(ctx, b.st, b.files, dir2, false, exporter.Options{BaseURL: "https://latitude.example",
			Now: func() time.Time { return now.Add(time.Hour) }})
		if err != nil {
			t.Fatal(err)
		}
		compareDirs(t, dir1, dir2)
		if m1.ExportedAt.Equal(m2.ExportedAt) {
			t.Error("both manifests have the same time")
		}
		compareSites(t, a, b)

		// Importing the same export again changes nothing.
		rep, err = importer.ImportMarkdownDir(ctx, b.st, b.files, dir1, importer.Options{Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		if rep.PostsCreated+rep.PostsUpdated+rep.AuthorsCreated+rep.AuthorsUpdated+rep.TagsCreated+rep.TagsUpdated+
			rep.SubscribersAdded+rep.SettingsChanged+rep.ImagesStored != 0 {
			t.Errorf("importing the export again changed things: %+v", rep)
		}
	})
}

// buildSite fills a with the demo magazine and the cases it lacks.
func buildSite(t *testing.T, a site) {
	t.Helper()
	ctx := t.Context()
	dir := t.TempDir()
	if err := demo.WriteImportDir(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := importer.ImportMarkdownDir(ctx, a.st, a.files, dir, importer.Options{Now: func() time.Time { return now }}); err != nil {
		t.Fatal(err)
	}
	for k, v := range demo.Settings() {
		if err := a.st.SetSetting(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.st.SetSetting(ctx, "site.timezone", "Europe/Berlin"); err != nil {
		t.Fatal(err)
	}
	// Secrets stay home.
	if err := a.st.SetSetting(ctx, "newsletter.secret", "do-not-export"); err != nil {
		t.Fatal(err)
	}

	// An upload as the desk names it, used by two posts and an author.
	upload := "uploads/2026/11/harbour-0123456789ab.png"
	putImage(t, a.files, upload, pngImage(36, 24))
	other := "uploads/2026/11/portrait-ba9876543210.jpg"
	putImage(t, a.files, other, jpegImage(20, 30))

	guest := content.Author{Slug: "zoe-okonkwo-brandt", Name: "Zoë Okonkwo-Brandt", Role: "Guest contributor",
		Bio: "Zoë writes on *ports*.\n\n- one\n- two", Photo: content.Image{Key: other, Width: 20, Height: 30, Alt: "", Caption: "At the port", Credit: "© Latitude"},
		Links: []content.Link{{Label: "Site", URL: "https://example.org/zoe"}, {Label: "Mail", URL: "mailto:zoe@example.org"}}}
	save(t, a.st.SaveAuthor(ctx, &guest))
	plain := content.Author{Slug: "anon", Name: "Staff", Bio: ""}
	save(t, a.st.SaveAuthor(ctx, &plain))

	// Tags a name alone cannot carry: a described, unused section; two
	// tags of one name; a name without Latin letters; a name that is
	// another tag's slug.
	tags := []content.Tag{
		{Slug: "archives", Name: "Archives", Description: "From the *archive*.", IsSection: true, Position: 9},
		{Slug: "power", Name: "Power"},
		{Slug: "power-policy", Name: "Power"},
		{Slug: "nihon", Name: "日本"},
		{Slug: "grid", Name: "power"},
		{Slug: "yes", Name: "true"},
	}
	for i := range tags {
		save(t, a.st.SaveTag(ctx, &tags[i]))
	}
	existing, err := a.st.PostsAfter(ctx, 0, 1)
	if err != nil || len(existing) == 0 {
		t.Fatalf("demo posts: %v", err)
	}
	byline := existing[0].Authors

	posts := []content.Post{
		{Slug: "brouillon", Title: "Brouillon: l’été à Dakar", Status: content.StatusDraft,
			Body: "Draft body with unicode — «ça va» 中文.\n\n```go\nfmt.Println(\"---\")\n```"},
		{Slug: "in-review", Title: "null", Deck: "true", Status: content.StatusReview, Authors: []content.Author{guest},
			Body: "---\n\nA body that begins with a rule.", Tags: []content.Tag{tags[4], tags[5]}},
		{Slug: "scheduled-piece", Title: "Scheduled: 2027", Status: content.StatusScheduled,
			PublishedAt: now.AddDate(0, 1, 0).Add(123456 * time.Microsecond), Authors: []content.Author{guest, plain},
			Section: &tags[0], Tags: []content.Tag{tags[1], tags[2], tags[3]},
			Image: content.Image{Key: upload, Width: 36, Height: 24, Alt: "Harbour: at dusk", Caption: "Ships, waiting", Credit: "Latitude"},
			Body:  "Scheduled body."},
		{Slug: "archived-piece", Title: "An Archived Piece", Status: content.StatusArchived,
			PublishedAt: now.AddDate(-2, 0, 0), UpdatedAt: now.AddDate(-1, 0, 0), Authors: byline,
			Image:   content.Image{Key: upload, Width: 36, Height: 24, Alt: "The same harbour"},
			Excerpt: "An excerpt: with a colon", SEOTitle: "SEO title", SEODescription: "# not a comment",
			CanonicalURL: "https://example.org/original?a=1&b=2",
			Corrections: []content.Correction{
				{Date: now.AddDate(-1, 0, 0), Note: "An earlier version misspelt *Dakar*."},
				{Date: now.AddDate(-1, 1, 0).Add(time.Second), Note: "Multi-line\nnote: yes"},
			},
			Body: "## Heading\n\nBody with a [link](https://example.org)."},
		{Slug: "hosted-elsewhere", Title: "Hosted Elsewhere", Status: content.StatusPublished, PublishedAt: now.AddDate(0, 0, -3),
			Authors: byline, Image: content.Image{Key: "https://images.example.org/a.jpg", Alt: "Remote"}, Body: "Text."},
	}
	for i := range posts {
		save(t, a.st.SavePost(ctx, &posts[i]))
	}
	// Renamed twice: both old slugs lead to it.
	p := posts[3]
	for _, slug := range []string{"archived-piece-2", "archived-piece-final"} {
		p.Slug = slug
		save(t, a.st.SavePost(ctx, &p))
	}
	// Old addresses of the site it came from, among them ones whose decoded
	// path holds what a written address reads as a query or an escape.
	var redirects []store.Redirect
	for _, addr := range redirectCases {
		redirects = append(redirects, store.Redirect{Path: addr, PostID: posts[4].ID})
	}
	redirects = append(redirects, store.Redirect{Path: "/?page_id=7", PostID: p.ID})
	save(t, a.st.SaveRedirects(ctx, redirects))

	subs := []store.Subscriber{
		{Email: "reader@example.org", Name: "Ada Reader", Status: store.SubscriberConfirmed, WantsRoundup: true,
			ConsentSource: "subscribe form", ConsentIP: "192.0.2.1", ConsentAt: now.Add(-time.Hour + 1234*time.Microsecond),
			ConfirmedAt: now.Add(-time.Minute), CreatedAt: now.Add(-time.Hour)},
		{Email: "left@example.org", Name: "=HYPERLINK(\"x\")", Status: store.SubscriberUnsubscribed, WantsEveryArticle: true,
			ConsentSource: "import", ConsentAt: now.AddDate(-1, 0, 0), ConfirmedAt: now.AddDate(-1, 0, 0),
			UnsubscribedAt: now.AddDate(0, -1, 0), CreatedAt: now.AddDate(-1, 0, 0)},
		{Email: "pending@example.org", Name: "Ünïcödé, Jr.", Status: store.SubscriberPending, WantsRoundup: true, Paused: true,
			ConsentSource: "'@odd", ConsentAt: now, CreatedAt: now},
		{Email: "bounced@example.org", Status: store.SubscriberBounced, WantsRoundup: true, ConsentSource: "subscribe form",
			ConsentAt: now.AddDate(0, -2, 0), ConfirmedAt: now.AddDate(0, -2, 0), CreatedAt: now.AddDate(0, -2, 0)},
	}
	if n, err := a.st.ImportSubscribers(ctx, subs); err != nil || n != len(subs) {
		t.Fatalf("subscribers: %d, %v", n, err)
	}
}

// redirectCases are old addresses, as stored, of the post
// hosted-elsewhere.
var redirectCases = []string{"/2019/03/hosted-elsewhere", "/?p=123", "/blog?p=a%26b", "/café/100%", "/what?", "/a b#c"}

func save(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func putImage(t *testing.T, files media.Storage, key string, data []byte) {
	t.Helper()
	if err := files.Put(context.Background(), key, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
}

func testImage(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 90, 255})
		}
	}
	return img
}

func pngImage(w, h int) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, testImage(w, h)); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func jpegImage(w, h int) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(w, h), nil); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// compareDirs checks that two exports hold the same files with the same
// bytes, the manifests but for their time.
func compareDirs(t *testing.T, dir1, dir2 string) {
	t.Helper()
	f1, f2 := readTree(t, dir1), readTree(t, dir2)
	for name, b1 := range f1 {
		b2, ok := f2[name]
		switch {
		case !ok:
			t.Errorf("%s is only in the first export", name)
		case name == exporter.ManifestFile:
			if !bytes.Equal(withoutTime(t, b1), withoutTime(t, b2)) {
				t.Errorf("the manifests differ:\n%s\n---\n%s", b1, b2)
			}
		case !bytes.Equal(b1, b2):
			t.Errorf("%s differs:\n%s\n---\n%s", name, b1, b2)
		}
	}
	for name := range f2 {
		if _, ok := f1[name]; !ok {
			t.Errorf("%s is only in the second export", name)
		}
	}
	for _, want := range []string{"posts/brouillon.md", "posts/archived-piece-final.md", "tags/archives.md", "subscribers.csv", "settings.json", "authors/zoe-okonkwo-brandt.md"} {
		if _, ok := f1[want]; !ok {
			t.Errorf("the export lacks %s", want)
		}
	}
}

func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func withoutTime(t *testing.T, manifest []byte) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(manifest, &m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m["exported_at"]; !ok {
		t.Error("the manifest has no exported_at")
	}
	delete(m, "exported_at")
	out, _ := json.Marshal(m)
	return out
}

// compareSites checks that two sites hold the same authors, tags, posts,
// image bytes, subscribers and settings, field by field. IDs and
// bookkeeping times differ; image keys may (the bytes may not).
func compareSites(t *testing.T, a, b site) {
	t.Helper()
	ctx := t.Context()

	authorsA, err := a.st.Authors(ctx)
	save(t, err)
	authorsB, err := b.st.Authors(ctx)
	save(t, err)
	if len(authorsA) != len(authorsB) {
		t.Fatalf("%d authors, then %d", len(authorsA), len(authorsB))
	}
	for i := range authorsA {
		x, y := authorsA[i], authorsB[i]
		sameImage(t, "author "+x.Slug, a, b, x.Photo, y.Photo)
		x.ID, y.ID, x.CreatedAt, y.CreatedAt, x.UpdatedAt, y.UpdatedAt = 0, 0, time.Time{}, time.Time{}, time.Time{}, time.Time{}
		x.Photo, y.Photo = content.Image{}, content.Image{}
		if !reflect.DeepEqual(x, y) {
			t.Errorf("author %s:\n%+v\n%+v", x.Slug, x, y)
		}
	}

	tagsA, err := a.st.Tags(ctx)
	save(t, err)
	tagsB, err := b.st.Tags(ctx)
	save(t, err)
	if len(tagsA) != len(tagsB) {
		t.Fatalf("%d tags, then %d", len(tagsA), len(tagsB))
	}
	bySlug := func(tags []content.Tag) map[string]content.Tag {
		m := map[string]content.Tag{}
		for _, t := range tags {
			t.ID = 0
			m[t.Slug] = t
		}
		return m
	}
	if x, y := bySlug(tagsA), bySlug(tagsB); !reflect.DeepEqual(x, y) {
		t.Errorf("tags:\n%+v\n%+v", x, y)
	}

	postsA, postsB := allPosts(t, a.st), allPosts(t, b.st)
	if len(postsA) != len(postsB) {
		t.Fatalf("%d posts, then %d", len(postsA), len(postsB))
	}
	for slug, x := range postsA {
		y, ok := postsB[slug]
		if !ok {
			t.Errorf("post %s is missing", slug)
			continue
		}
		sameImage(t, "post "+slug, a, b, x.Image, y.Image)
		x.Image.Key, y.Image.Key = "", ""
		if !reflect.DeepEqual(normalPost(x), normalPost(y)) {
			t.Errorf("post %s:\n%+v\n%+v", slug, normalPost(x), normalPost(y))
		}
		oldA, err := a.st.OldSlugs(ctx, []int64{x.ID})
		save(t, err)
		oldB, err := b.st.OldSlugs(ctx, []int64{y.ID})
		save(t, err)
		if !slices.Equal(oldA[x.ID], oldB[y.ID]) {
			t.Errorf("post %s: old slugs %q, then %q", slug, oldA[x.ID], oldB[y.ID])
		}
		rdA, err := a.st.RedirectsOf(ctx, []int64{x.ID})
		save(t, err)
		rdB, err := b.st.RedirectsOf(ctx, []int64{y.ID})
		save(t, err)
		if !slices.Equal(rdA[x.ID], rdB[y.ID]) {
			t.Errorf("post %s: redirects %q, then %q", slug, rdA[x.ID], rdB[y.ID])
		}
	}
	for _, addr := range redirectCases {
		if slug, err := b.st.RedirectTarget(ctx, addr); err != nil || slug != "hosted-elsewhere" {
			t.Errorf("redirect %q leads to %q, %v; want hosted-elsewhere", addr, slug, err)
		}
	}
	if slug, err := b.st.RedirectTarget(ctx, "/?page_id=7"); err != nil || slug != "archived-piece-final" {
		t.Errorf("redirect /?page_id=7 leads to %q, %v; want archived-piece-final", slug, err)
	}
	if old, _ := b.st.OldSlugs(ctx, []int64{postsB["archived-piece-final"].ID}); len(old[postsB["archived-piece-final"].ID]) != 2 {
		t.Errorf("old slugs of the renamed post: %v", old)
	}

	subsA, subsB := allSubscribers(t, a.st), allSubscribers(t, b.st)
	if !reflect.DeepEqual(subsA, subsB) {
		t.Errorf("subscribers:\n%+v\n%+v", subsA, subsB)
	}

	for _, k := range append(slices.Clone(importer.SettingKeys), "newsletter.secret") {
		va, errA := a.st.Setting(ctx, k)
		vb, errB := b.st.Setting(ctx, k)
		if k == "newsletter.secret" {
			if !errors.Is(errB, store.ErrNotFound) {
				t.Errorf("the secret was carried over: %q, %v", vb, errB)
			}
			continue
		}
		if va != vb || (errA == nil) != (errB == nil) {
			t.Errorf("setting %s: %q (%v), then %q (%v)", k, va, errA, vb, errB)
		}
	}
}

func sameImage(t *testing.T, what string, a, b site, x, y content.Image) {
	t.Helper()
	if (x.Key == "") != (y.Key == "") {
		t.Errorf("%s: image %q, then %q", what, x.Key, y.Key)
		return
	}
	if x.Key == "" {
		return
	}
	if strings.HasPrefix(x.Key, "https://") {
		if x.Key != y.Key {
			t.Errorf("%s: image %q, then %q", what, x.Key, y.Key)
		}
		return
	}
	if !bytes.Equal(readObject(t, a.files, x.Key), readObject(t, b.files, y.Key)) {
		t.Errorf("%s: the bytes of image %q and %q differ", what, x.Key, y.Key)
	}
}

func readObject(t *testing.T, files media.Storage, key string) []byte {
	t.Helper()
	obj, err := files.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("open %s: %v", key, err)
	}
	defer obj.Close()
	data, err := io.ReadAll(obj)
	save(t, err)
	return data
}

func allPosts(t *testing.T, st *store.Store) map[string]content.Post {
	t.Helper()
	out := map[string]content.Post{}
	for after := int64(0); ; {
		posts, err := st.PostsAfter(t.Context(), after, 7)
		save(t, err)
		if len(posts) == 0 {
			return out
		}
		for _, p := range posts {
			out[p.Slug] = p
		}
		after = posts[len(posts)-1].ID
	}
}

// normalPost is p without what differs between two stores by design.
func normalPost(p content.Post) content.Post {
	p.ID, p.CreatedAt, p.ModifiedAt = 0, time.Time{}, time.Time{}
	authors := make([]string, len(p.Authors))
	for i, a := range p.Authors {
		authors[i] = a.Slug
	}
	p.Authors = nil
	p.Deck += " | authors " + strings.Join(authors, ",")
	if p.Section != nil {
		s := *p.Section
		s.ID = 0
		p.Section = &s
	}
	tags := slices.Clone(p.Tags)
	for i := range tags {
		tags[i].ID = 0
	}
	p.Tags = tags
	cs := slices.Clone(p.Corrections)
	for i := range cs {
		cs[i].ID = 0
	}
	p.Corrections = cs
	return p
}

func allSubscribers(t *testing.T, st *store.Store) map[string]store.Subscriber {
	t.Helper()
	out := map[string]store.Subscriber{}
	for after := int64(0); ; {
		subs, err := st.SubscribersAfter(t.Context(), after, 3)
		save(t, err)
		if len(subs) == 0 {
			return out
		}
		for _, s := range subs {
			after = s.ID
			// Kept by the list as it works, not part of an export.
			s.ID, s.UpdatedAt, s.ConfirmSentAt, s.BounceCount = 0, time.Time{}, time.Time{}, 0
			out[s.Email] = s
		}
	}
}
