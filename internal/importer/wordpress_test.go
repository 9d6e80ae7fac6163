package importer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// importNow is the clock of the foreign-archive tests.
var importNow = func() time.Time { return time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC) }

// wordpressImages writes the fixture export's uploads, one in WordPress's
// own layout and one at the folder's root, as exports are often copied.
func wordpressImages(t *testing.T) string {
	dir := t.TempDir()
	writeFile(t, dir, "wp-content/uploads/2019/03/tanker.jpg", jpegBytes(60, 40))
	writeFile(t, dir, "2019/04/silo.png", pngBytes(30, 20))
	return dir
}

func readFixture(t *testing.T, ctx context.Context, name string) *Archive {
	t.Helper()
	arc, err := ReadWordPress(ctx, filepath.Join("testdata", "wordpress", name))
	if err != nil {
		t.Fatal(err)
	}
	return arc
}

func imageDir(t *testing.T, dir string) *ImageDir {
	t.Helper()
	d, err := OpenImageDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestWordPressImport(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		files, mediaDir := newMedia(t)
		opts := Options{Now: importNow, Images: imageDir(t, wordpressImages(t))}

		dry, err := ImportArchive(ctx, st, files, readFixture(t, ctx, "parallax.xml"), withDryRun(opts))
		if err != nil {
			t.Fatal(err)
		}
		if s := snapshot(t, st, mediaDir); len(s.Posts) != 0 || len(s.Media) != 0 || len(s.Authors) != 0 {
			t.Fatalf("the dry run wrote: %d posts, %d authors, media %v", len(s.Posts), len(s.Authors), s.Media)
		}

		rep, err := ImportArchive(ctx, st, files, readFixture(t, ctx, "parallax.xml"), opts)
		if err != nil {
			t.Fatal(err)
		}
		want := Report{AuthorsCreated: 3, PostsCreated: 8, TagsCreated: 5, ImagesStored: 2, RedirectsSaved: 12, CommentsSkipped: 2}
		checkCounts(t, "import", rep, want)
		checkCounts(t, "dry run", dry, want)
		if len(rep.Skipped) != 1 || !strings.Contains(rep.Skipped[0], "parallax.xml:") || !strings.Contains(rep.Skipped[0], "trash") {
			t.Errorf("skipped %q, want the trashed post with its line", rep.Skipped)
		}
		for _, w := range []string{
			`"Grain, Ports and Promises": content that Markdown cannot hold was left out or linked: iframe, script`,
			`"Notes on the Sahel (draft)": shortcode [contact-form-7] is not known`,
			`"Letter from Khartoum": author "guest-writer" is not in the archive`,
			`post slug "the-strait-after-the-ceasefire" is also used at parallax.xml:`,
			`"Board minutes": private on WordPress; imported as a draft`,
			`has no title; it is titled with its opening words`,
		} {
			if !slices.ContainsFunc(rep.Warnings, func(s string) bool { return strings.Contains(s, w) }) {
				t.Errorf("no warning containing %q in\n%s", w, strings.Join(rep.Warnings, "\n"))
			}
		}
		if !equalWarnings(dry.Warnings, rep.Warnings) {
			t.Errorf("dry run warnings differ:\n%s\n---\n%s", strings.Join(dry.Warnings, "\n"), strings.Join(rep.Warnings, "\n"))
		}

		p, err := st.PostBySlug(ctx, "the-strait-after-the-ceasefire")
		if err != nil {
			t.Fatal(err)
		}
		if p.Title != "The Strait After the Ceasefire" || p.Status != content.StatusPublished ||
			!p.PublishedAt.Equal(time.Date(2019, 3, 4, 9, 30, 0, 0, time.UTC)) {
			t.Errorf("post: %q %s %s", p.Title, p.Status, p.PublishedAt)
		}
		if p.Section == nil || p.Section.Slug != "security" || !p.Section.IsSection {
			t.Errorf("section %+v, want the primary category security", p.Section)
		}
		var tags []string
		for _, tg := range p.Tags {
			tags = append(tags, tg.Name)
		}
		if !slices.Equal(tags, []string{"Economy", "Shipping", "Red Sea"}) {
			t.Errorf("tags %q", tags)
		}
		if len(p.Authors) != 1 || p.Authors[0].Name != "Noor Al-Rashid" || p.Authors[0].Slug != "noor-al-rashid" {
			t.Errorf("authors %+v", p.Authors)
		}
		if !strings.HasPrefix(p.Image.Key, "images/tanker-") || p.Image.Alt != "A tanker at anchor" ||
			p.Image.Caption != "Tankers waiting off the coast, March 2019." || p.Image.Width != 60 {
			t.Errorf("feature image %+v", p.Image)
		}
		for _, s := range []string{
			"Shipping is moving again through the strait.",
			"![A tanker at anchor](/media/" + p.Image.Key + ")",
			"*Tankers waiting off the coast, March 2019.*",
			"## Insurers first",
			"**war-risk premiums**, and [their rates](https://insurers.example/rates) have barely moved.\\\nA second line",
			"> Nobody wants to be the first",
			"- Aden\n- Jeddah",
		} {
			if !strings.Contains(p.Body, s) {
				t.Errorf("body lacks %q:\n%s", s, p.Body)
			}
		}
		if p.Excerpt != "Shipping is moving again. Who guarantees it?" || p.SEODescription != "Who guarantees passage through the strait now?" {
			t.Errorf("excerpt %q, SEO description %q", p.Excerpt, p.SEODescription)
		}
		if !strings.Contains(p.BodyHTML, `<img src="/media/`+p.Image.Key+`" alt="A tanker at anchor"`) {
			t.Errorf("rendered body lacks the stored image:\n%s", p.BodyHTML)
		}

		grain, err := st.PostBySlug(ctx, "grain-ports-and-promises")
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"![Grain silos in Odesa](/media/images/silo-", "*The silos at the port.*",
			"https://www.youtube.com/watch?v=abc123", "<https://maps.example/embed/odesa>", "![A tanker at anchor](/media/images/tanker-"} {
			if !strings.Contains(grain.Body, s) {
				t.Errorf("grain body lacks %q:\n%s", s, grain.Body)
			}
		}
		if strings.Contains(grain.Body, "trackReader") || strings.Contains(grain.BodyHTML, "<script") {
			t.Errorf("script survived:\n%s", grain.Body)
		}

		for slug, check := range map[string]func(content.Post) bool{
			"notes-on-the-sahel-draft":         func(p content.Post) bool { return p.Status == content.StatusDraft && p.Section == nil },
			"about":                            func(p content.Post) bool { return len(p.Tags) == 1 && p.Tags[0].Slug == "page" },
			"the-strait-after-the-ceasefire-2": func(p content.Post) bool { return p.Body == "A follow-up, four months on." },
			"board-minutes":                    func(p content.Post) bool { return p.Status == content.StatusDraft },
			"170": func(p content.Post) bool {
				return p.Title == "Quick note: the summit in Nairobi has been postponed to September."
			},
			"letter-from-khartoum": func(p content.Post) bool {
				return p.PublishedAt.Equal(time.Date(2019, 6, 15, 6, 0, 0, 0, time.UTC)) &&
					len(p.Authors) == 1 && p.Authors[0].Slug == "guest-writer" &&
					strings.Contains(p.Body, "(https://www.youtube.com/watch?v=khartoum)")
			},
		} {
			p, err := st.PostBySlug(ctx, slug)
			if err != nil {
				t.Errorf("%s: %v", slug, err)
				continue
			}
			if !check(p) {
				t.Errorf("%s not as expected: %+v", slug, p)
			}
		}

		noor, err := st.AuthorBySlug(ctx, "noor-al-rashid")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(noor.Bio, "covers the Gulf") || !strings.Contains(noor.Bio, "*Nairobi*") {
			t.Errorf("bio %q", noor.Bio)
		}
		for path, slug := range map[string]string{
			"/2019/03/the-strait-after-the-ceasefire": "the-strait-after-the-ceasefire",
			"/?p=120":     "the-strait-after-the-ceasefire",
			"/?p=160":     "the-strait-after-the-ceasefire-2",
			"/?page_id=2": "about",
			"/about":      "about",
		} {
			if got, err := st.RedirectTarget(ctx, path); err != nil || got != slug {
				t.Errorf("redirect %s = %q, %v; want %q", path, got, err, slug)
			}
		}
		if _, err := st.RedirectTarget(ctx, "/?p=140"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a draft got a redirect: %v", err)
		}

		// Importing again changes nothing.
		before := snapshot(t, st, mediaDir)
		again, err := ImportArchive(ctx, st, files, readFixture(t, ctx, "parallax.xml"), opts)
		if err != nil {
			t.Fatal(err)
		}
		checkCounts(t, "second import", again, Report{AuthorsUnchanged: 3, PostsUnchanged: 8, RedirectsSaved: 12, CommentsSkipped: 2})
		after := snapshot(t, st, mediaDir)
		if before.Version != after.Version || len(before.Posts) != len(after.Posts) || !slices.Equal(before.Media, after.Media) {
			t.Errorf("second import changed the site: version %d → %d, posts %d → %d", before.Version, after.Version,
				len(before.Posts), len(after.Posts))
		}
	})
}

func withDryRun(o Options) Options {
	o.DryRun = true
	return o
}

// checkCounts compares the counts of a report, not its messages.
func checkCounts(t *testing.T, what string, got, want Report) {
	t.Helper()
	got.Warnings, got.Skipped = nil, nil
	if got.AuthorsCreated != want.AuthorsCreated || got.AuthorsUpdated != want.AuthorsUpdated ||
		got.AuthorsUnchanged != want.AuthorsUnchanged || got.PostsCreated != want.PostsCreated ||
		got.PostsUpdated != want.PostsUpdated || got.PostsUnchanged != want.PostsUnchanged ||
		got.TagsCreated != want.TagsCreated || got.TagsUpdated != want.TagsUpdated || got.ImagesStored != want.ImagesStored ||
		got.ImagesFailed != want.ImagesFailed || got.RedirectsSaved != want.RedirectsSaved || got.CommentsSkipped != want.CommentsSkipped {
		t.Errorf("%s: report\n got %+v\nwant %+v", what, got, want)
	}
}

func equalWarnings(a, b []string) bool { return slices.Equal(a, b) }

// wxr wraps items in a minimal export.
func wxr(decl, items string) string {
	return decl + `<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/"
 xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"><channel><title>T</title><wp:wxr_version>1.2</wp:wxr_version>
<wp:author><wp:author_login>ed</wp:author_login><wp:author_display_name>Ed Ito</wp:author_display_name></wp:author>
` + items + "\n</channel></rss>\n"
}

func wxrItem(title, slug, date, content string) string {
	return `<item><title>` + title + `</title><dc:creator>ed</dc:creator><content:encoded><![CDATA[` + content + `]]></content:encoded>
<wp:post_id>9</wp:post_id><wp:post_date_gmt>` + date + `</wp:post_date_gmt><wp:post_name>` + slug + `</wp:post_name>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>`
}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestWordPressBadInput checks that every kind of broken export is
// reported with its line and that nothing of it is written.
func TestWordPressBadInput(t *testing.T) {
	const decl = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
	good := wxrItem("Fine", "fine", "2019-01-01 10:00:00", "ok")
	cases := []struct {
		name, file, want string
	}{
		{"cut short", wxr(decl, good)[:300], "export.xml:4: malformed XML: the file ends in the middle"},
		{"mismatched tags", wxr(decl, good+"<item><title>x</item>"), "malformed XML: element <title> closed by </item>"},
		{"entity bomb", decl + `<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>` +
			wxr("", wxrItem("&b;", "x", "2019-01-01", "&b;")), "export.xml:2: the file declares XML entities"},
		{"undeclared entity", wxr(decl, wxrItem("A &nbsp; title", "x", "2019-01-01", "")), "malformed XML: invalid character entity &nbsp;"},
		{"not an export", decl + `<feed xmlns="http://www.w3.org/2005/Atom"></feed>`, "not a WordPress export: the document is <feed>"},
		{"no wxr version", decl + `<rss><channel><title>Blog</title></channel></rss>`, "not a WordPress export: it has no wp:wxr_version"},
		{"odd date", wxr(decl, good+"\n"+wxrItem("Dated oddly", "odd", "31/02/2019 9h", "x")),
			`export.xml:9: "Dated oddly": no usable date: wp:post_date_gmt "31/02/2019 9h" is not a date`},
		{"empty file", "", "export.xml:1: the file is empty"},
		{"unknown encoding", `<?xml version="1.0" encoding="klingon"?>` + wxr("", good), `unknown encoding "klingon"`},
	}
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		files, mediaDir := newMedia(t)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				path := writeTemp(t, "export.xml", []byte(c.file))
				arc, err := ReadWordPress(ctx, path)
				if err != nil {
					t.Fatal(err)
				}
				_, err = ImportArchive(ctx, st, files, arc, Options{Now: importNow})
				var errs *Errors
				if !errors.As(err, &errs) {
					t.Fatalf("error %v, want problems", err)
				}
				if !strings.Contains(errs.Error(), c.want) {
					t.Errorf("problems\n%s\nwant one containing %q", errs.Error(), c.want)
				}
			})
		}
		if s := snapshot(t, st, mediaDir); len(s.Posts)+len(s.Authors)+len(s.Tags)+len(s.Media) != 0 {
			t.Errorf("bad input was written: %+v", s)
		}
	})
}

// TestWordPressEncodings checks exports whose encoding declaration is
// wrong or missing.
func TestWordPressEncodings(t *testing.T) {
	latin1 := func(s string) string { // ISO-8859-1 bytes for Latin-1 text
		var b []byte
		for _, r := range s {
			b = append(b, byte(r))
		}
		return string(b)
	}
	cases := []struct {
		name, file, warning string
	}{
		{"undeclared Windows-1252", wxr("", wxrItem(latin1("Caf\u00e9 society"), "cafe", "2019-01-01", latin1("na\u00efve")+" \u201cquoted\u201d")),
			"bytes that are not UTF-8 were read as Windows-1252"},
		{"UTF-8 declared Latin-1", wxr(`<?xml version="1.0" encoding="ISO-8859-1"?>`, wxrItem("Café society", "cafe", "2019-01-01", "naïve “quoted”")),
			"the file says it is ISO-8859-1 but is UTF-8"},
		{"real Latin-1", wxr(`<?xml version="1.0" encoding="ISO-8859-1"?>`, wxrItem(latin1("Caf\u00e9 society"), "cafe", "2019-01-01", latin1("na\u00efve")+" “quoted”")), ""},
		{"control characters", wxr("", wxrItem("Café\x0b society", "cafe", "2019-01-01", "naïve\x08 “quoted”")),
			"2 control characters XML does not allow were dropped"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "real Latin-1" {
				// “ and ” are not Latin-1; the file has plain text there.
				c.file = strings.ReplaceAll(c.file, " “quoted”", " quoted")
			}
			st := storetest.OpenSQLite(t)
			files, _ := newMedia(t)
			ctx := context.Background()
			arc, err := ReadWordPress(ctx, writeTemp(t, "export.xml", []byte(c.file)))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := ImportArchive(ctx, st, files, arc, Options{Now: importNow})
			if err != nil {
				t.Fatal(err)
			}
			p, err := st.PostBySlug(ctx, "cafe")
			if err != nil {
				t.Fatal(err)
			}
			if p.Title != "Café society" || !strings.HasPrefix(p.Body, "naïve") {
				t.Errorf("title %q, body %q", p.Title, p.Body)
			}
			has := slices.ContainsFunc(rep.Warnings, func(w string) bool { return c.warning != "" && strings.Contains(w, c.warning) })
			if has != (c.warning != "") {
				t.Errorf("warnings %q, want one containing %q", rep.Warnings, c.warning)
			}
		})
	}
}

func FuzzReadWordPress(f *testing.F) {
	fixture, err := os.ReadFile(filepath.Join("testdata", "wordpress", "parallax.xml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(fixture)
	f.Add([]byte(wxr("", wxrItem("T", "t", "2019-01-01", "[caption]<img src=x>c[/caption] [gallery] [embed]x[/embed]"))))
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "b">]><rss>&a;</rss>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "f.xml")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		arc, err := ReadWordPress(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		if err := arc.Posts(ctx, func(p *ArchivePost) error { n++; return nil }); err != nil {
			if _, ok := errors.AsType[*archiveError](err); !ok {
				t.Fatalf("error that is not a problem: %v", err)
			}
		}
	})
}

// TestWordPressReimport checks that importing an export again updates what
// changed in it and keeps what was added in the desk since.
func TestWordPressReimport(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		files, _ := newMedia(t)
		opts := Options{Now: importNow, Images: imageDir(t, wordpressImages(t))}
		if _, err := ImportArchive(ctx, st, files, readFixture(t, ctx, "parallax.xml"), opts); err != nil {
			t.Fatal(err)
		}
		p, err := st.PostBySlug(ctx, "grain-ports-and-promises")
		if err != nil {
			t.Fatal(err)
		}
		p.Deck = "The corridor works, for now."
		if err := st.SavePost(ctx, &p); err != nil {
			t.Fatal(err)
		}
		tb, err := st.AuthorBySlug(ctx, "tomas-bergstrom")
		if err != nil {
			t.Fatal(err)
		}
		tb.Bio = "Tomas Bergström edits the economy pages."
		if err := st.SaveAuthor(ctx, &tb); err != nil {
			t.Fatal(err)
		}

		data, err := os.ReadFile(filepath.Join("testdata", "wordpress", "parallax.xml"))
		if err != nil {
			t.Fatal(err)
		}
		changed := strings.Replace(string(data), "A follow-up, four months on.", "A follow-up, four months on, revised.", 1)
		arc, err := ReadWordPress(ctx, writeTemp(t, "parallax.xml", []byte(changed)))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := ImportArchive(ctx, st, files, arc, opts)
		if err != nil {
			t.Fatal(err)
		}
		checkCounts(t, "re-import", rep, Report{AuthorsUnchanged: 3, PostsUpdated: 1, PostsUnchanged: 7, RedirectsSaved: 12, CommentsSkipped: 2})
		if p, err := st.PostBySlug(ctx, "grain-ports-and-promises"); err != nil || p.Deck != "The corridor works, for now." {
			t.Errorf("deck after re-import: %q, %v", p.Deck, err)
		}
		if a, err := st.AuthorBySlug(ctx, "tomas-bergstrom"); err != nil || a.Bio != "Tomas Bergström edits the economy pages." {
			t.Errorf("bio after re-import: %q, %v", a.Bio, err)
		}
		if p, err := st.PostBySlug(ctx, "the-strait-after-the-ceasefire-2"); err != nil || p.Body != "A follow-up, four months on, revised." {
			t.Errorf("updated post: %q, %v", p.Body, err)
		}
	})
}
