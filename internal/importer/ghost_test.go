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

func TestGhostImport(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		files, mediaDir := newMedia(t)
		imgs := t.TempDir()
		writeFile(t, imgs, "content/images/2024/02/dam.jpg", jpegBytes(80, 45))
		writeFile(t, imgs, "2018/05/border.png", pngBytes(20, 20))
		writeFile(t, imgs, "sanctions.jpg", jpegBytes(30, 30))
		opts := Options{Now: importNow, Images: imageDir(t, imgs)}
		read := func() *Archive {
			arc, err := ReadGhost(ctx, filepath.Join("testdata", "ghost", "parallax.ghost.json"))
			if err != nil {
				t.Fatal(err)
			}
			return arc
		}
		rep, err := ImportArchive(ctx, st, files, read(), opts)
		if err != nil {
			t.Fatal(err)
		}
		checkCounts(t, "import", rep, Report{AuthorsCreated: 2, PostsCreated: 6, TagsCreated: 4, ImagesStored: 3, RedirectsSaved: 4})
		if !slices.ContainsFunc(rep.Warnings, func(w string) bool {
			return strings.Contains(w, `"Members' briefing: the Gulf": for paid only on Ghost; imported as a draft`)
		}) {
			t.Errorf("warnings %q", rep.Warnings)
		}

		nile, err := st.PostBySlug(ctx, "who-owns-the-nile")
		if err != nil {
			t.Fatal(err)
		}
		if !nile.PublishedAt.Equal(time.Date(2024, 2, 12, 8, 15, 0, 0, time.UTC)) || nile.Excerpt != "A river, three states, no treaty." {
			t.Errorf("nile: %s %q", nile.PublishedAt, nile.Excerpt)
		}
		if nile.Section == nil || nile.Section.Slug != "africa" || len(nile.Tags) != 1 || nile.Tags[0].Slug != "water" {
			t.Errorf("nile section %+v tags %+v (the internal #wide tag must be left out)", nile.Section, nile.Tags)
		}
		if len(nile.Authors) != 2 || nile.Authors[0].Slug != "amara" || nile.Authors[1].Slug != "jun" {
			t.Errorf("nile authors %+v", nile.Authors)
		}
		if !strings.HasPrefix(nile.Image.Key, "images/dam-") || nile.Image.Alt != "The dam at dusk" || nile.Image.Caption != "The Grand Renaissance Dam." {
			t.Errorf("nile image %+v", nile.Image)
		}
		for _, s := range []string{"Drought has cut the *Nile's* flow by a third.", "## Upstream", "1. **Ethiopia**\n2. Sudan",
			"> Water is security.", "![The dam at dusk](/media/" + nile.Image.Key + ")", "*The Grand Renaissance Dam.*",
			"[The report](https://water.example/report)\\\nis long.", "* * *", "```text\nflow < 100\n```"} {
			if !strings.Contains(nile.Body, s) {
				t.Errorf("lexical body lacks %q:\n%s", s, nile.Body)
			}
		}

		border, err := st.PostBySlug(ctx, "the-border-reopens")
		if err != nil {
			t.Fatal(err)
		}
		if !border.PublishedAt.Equal(time.UnixMilli(1526371200000)) {
			t.Errorf("border date %s (from milliseconds)", border.PublishedAt)
		}
		for _, s := range []string{"The crossing reopened **on Monday**.", "### Queues", "![The border post](/media/images/border-",
			"*Crossing at dawn*", "- Trucks\n- [Buses](https://border.example)", "Line one\\\nline two"} {
			if !strings.Contains(border.Body, s) {
				t.Errorf("mobiledoc body lacks %q:\n%s", s, border.Body)
			}
		}

		sanctions, err := st.PostBySlug(ctx, "sanctions-explained")
		if err != nil {
			t.Fatal(err)
		}
		if sanctions.SEOTitle != "Sanctions, explained simply" || sanctions.Image.Caption != "Trade ledgers." ||
			!strings.Contains(sanctions.Body, "![A ledger](/media/images/sanctions-") {
			t.Errorf("sanctions: %q %+v\n%s", sanctions.SEOTitle, sanctions.Image, sanctions.Body)
		}
		for slug, status := range map[string]content.Status{"members-briefing-the-gulf": content.StatusDraft,
			"draft-on-taiwan": content.StatusDraft, "about-us": content.StatusPublished} {
			p, err := st.PostBySlug(ctx, slug)
			if err != nil || p.Status != status {
				t.Errorf("%s: %v %s, want %s", slug, err, p.Status, status)
			}
		}
		amara, err := st.AuthorBySlug(ctx, "amara")
		if err != nil || amara.Bio != "Amara Nwosu writes about water and borders." || amara.Role != "Lagos" ||
			len(amara.Links) != 1 || amara.Links[0].URL != "https://amara.example" {
			t.Errorf("amara: %v %+v", err, amara)
		}
		if got, err := st.RedirectTarget(ctx, "/who-owns-the-nile"); err != nil || got != "who-owns-the-nile" {
			t.Errorf("Ghost permalink: %q %v", got, err)
		}

		again, err := ImportArchive(ctx, st, files, read(), opts)
		if err != nil {
			t.Fatal(err)
		}
		checkCounts(t, "second import", again, Report{AuthorsUnchanged: 2, PostsUnchanged: 6, RedirectsSaved: 4})
		_ = mediaDir
	})
}

func TestGhostBadInput(t *testing.T) {
	cases := []struct{ name, file, want string }{
		{"cut short", `{"db":[{"data":{"posts":[{"id":"1","title":"x"`, "x.json: malformed Ghost export: posts: record 1: the file ends in the middle"},
		{"syntax", "{\"db\":[{\"data\":\n{\"posts\":[{\"id\":\"1\",,}]}}]}", "x.json:2: malformed Ghost export: posts: record 1: invalid character ','"},
		{"wrong type", `{"data":{"posts":[{"id":"1","title":["a"]}]}}`, "x.json:1: malformed Ghost export: posts: record 1: cannot unmarshal array"},
		{"not ghost", `{"version":"https://jsonfeed.org/version/1.1","items":[]}`, `not a Ghost export: it has no "data" object`},
		{"not an object", `[1,2]`, "the file is not a JSON object"},
		{"bad date", `{"data":{"posts":[{"id":"1","title":"Odd","slug":"odd","status":"published","published_at":"last Tuesday","html":"<p>x</p>"}]}}`,
			`x.json: "Odd": no usable date: published_at "last Tuesday" is not a date`},
		{"bad lexical", `{"data":{"posts":[{"id":"1","title":"Lex","slug":"lex","status":"draft","lexical":"{\"root\":"}]}}`,
			`"Lex": the Lexical document cannot be read`},
		{"no title", `{"data":{"posts":[{"id":"1","title":"","slug":"untitled","status":"draft","html":"<p>x</p>"}]}}`,
			`x.json: untitled "untitled": the post has no title`},
		{"trailing data", `{"data":{}} {"more":1}`, "more follows the export's JSON object"},
	}
	st := storetest.OpenSQLite(t)
	files, mediaDir := newMedia(t)
	ctx := context.Background()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			arc, err := ReadGhost(ctx, writeTemp(t, "x.json", []byte(c.file)))
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
	if s := snapshot(t, st, mediaDir); len(s.Posts)+len(s.Authors)+len(s.Tags) != 0 {
		t.Errorf("bad input was written: %+v", s)
	}
}

func FuzzReadGhost(f *testing.F) {
	fixture, err := os.ReadFile(filepath.Join("testdata", "ghost", "parallax.ghost.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(fixture)
	f.Add([]byte(`{"data":{"posts":[{"id":1,"mobiledoc":"{\"sections\":[[10,5],[1,\"p\",[[0,[9],3,\"x\"]]]]}"}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "g.json")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		arc, err := ReadGhost(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if err := arc.Posts(ctx, func(p *ArchivePost) error { return nil }); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzGhostDocuments(f *testing.F) {
	f.Add(`{"root":{"children":[{"type":"list","children":[{"type":"listitem","children":[{"type":"list"}]}]}]}}`)
	f.Add(`{"atoms":[["soft-return","",{}]],"cards":[["image",{"src":"x"}]],"markups":[["a",["href","y"]]],"sections":[[1,"p",[[1,[0],1,0]]],[10,0]]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		for _, render := range []func(string) (string, error){lexicalHTML, mobiledocHTML} {
			out, err := render(doc)
			if err != nil {
				continue
			}
			htmlToMarkdown(out)
		}
	})
}
