package importer

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/media"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var june2024 = func() time.Time { return time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC) }

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func imageKey(slug, rel string) string {
	data := fixtureImages[rel]
	info, err := media.Probe(bytes.NewReader(data))
	if err != nil {
		panic(err)
	}
	return media.HashedKey("images", slug, data, info)
}

func TestImportGoodDirectory(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		files, _ := newMedia(t)
		var progress []string
		rep, err := ImportMarkdownDir(ctx, st, files, fixture(t, "good"), Options{
			Now:      june2024,
			Progress: func(done, total int) { progress = append(progress, fmt.Sprintf("%d/%d", done, total)) },
		})
		if err != nil {
			t.Fatal(err)
		}
		want := Report{AuthorsCreated: 3, PostsCreated: 4, TagsCreated: 11, ImagesStored: 4}
		if !reflect.DeepEqual(rep, want) {
			t.Errorf("report = %+v, want %+v", rep, want)
		}
		if got := strings.Join(progress, " "); got != "1/4 2/4 3/4 4/4" {
			t.Errorf("progress = %s", got)
		}

		leila, err := st.AuthorBySlug(ctx, "leila-haddad")
		if err != nil {
			t.Fatal(err)
		}
		wantLeila := content.Author{
			ID: leila.ID, Slug: "leila-haddad", Name: "Leila Haddad", Role: "Senior Fellow, Middle East Program",
			Bio:   "Leila Haddad covers Gulf diplomacy and Iran's nuclear programme. She\nreported from Tehran and Beirut for a decade before joining the magazine.",
			Photo: content.Image{Key: imageKey("leila-haddad", "images/leila-haddad.jpg"), Width: 40, Height: 50, Alt: "Leila Haddad"},
			Links: []content.Link{{Label: "Website", URL: "https://leilahaddad.example.org"}, {Label: "Email", URL: "mailto:lhaddad@example.org"}},
		}
		if got := authorFields(leila); !reflect.DeepEqual(got, wantLeila) {
			t.Errorf("author leila-haddad:\n got %+v\nwant %+v", got, wantLeila)
		}
		okafor, err := st.AuthorBySlug(ctx, "tomas-okafor")
		if err != nil {
			t.Fatal(err)
		}
		if okafor.Name != "Tomás Okafor" || okafor.Photo.Key != imageKey("tomas-okafor", "images/okafor.png") ||
			okafor.Photo.Width != 30 || okafor.Photo.Height != 30 || okafor.Links != nil && len(okafor.Links) != 0 {
			t.Errorf("author tomas-okafor = %+v", okafor)
		}
		mira, err := st.AuthorBySlug(ctx, "mira-sato")
		if err != nil {
			t.Fatal(err)
		}
		if !mira.Photo.IsZero() || mira.Role != "Contributing Editor" {
			t.Errorf("author mira-sato = %+v", mira)
		}

		muscat, err := st.PostBySlug(ctx, "inside-the-muscat-talks")
		if err != nil {
			t.Fatal(err)
		}
		if muscat.ID == 0 || muscat.BodyHTML == "" {
			t.Errorf("muscat: ID %d, BodyHTML %q", muscat.ID, muscat.BodyHTML)
		}
		wantMuscat := postView{
			Slug: "inside-the-muscat-talks", Title: "Inside the Muscat Talks",
			Deck:        "How Oman kept Washington and Tehran talking when nobody else could",
			Body:        "The envoys never sat in the same room. Omani diplomats carried drafts\nbetween two villas on the coast road, sometimes several times a night.\n\n## A channel that survived\n\nWhat made Muscat work was discretion. \"Nobody leaked,\" one official said,\n\"because nobody outside the two delegations knew there was anything to\nleak.\"\n\nWhether the channel can carry a real agreement is another matter.",
			Excerpt:     "Oman's quiet channel kept the talks alive through a bad winter.",
			Status:      content.StatusPublished,
			PublishedAt: date("2024-03-05T00:00:00Z"), UpdatedAt: date("2024-03-07T16:30:00Z"),
			Authors: []string{"leila-haddad", "tomas-okafor"},
			Section: "middle-east Middle East section 1",
			Tags:    []string{"iran Iran", "diplomacy Diplomacy", "nuclear-weapons Nuclear Weapons"},
			Image: content.Image{
				Key: imageKey("inside-the-muscat-talks", "images/muscat-harbour.jpg"), Width: 64, Height: 36,
				Alt:     "Dhows moored in Muscat's old harbour at dusk",
				Caption: "Muscat's harbour, where envoys met away from cameras.",
				Credit:  "Photo by Sara Nasser",
			},
			CanonicalURL:   "https://www.example.org/articles/inside-the-muscat-talks",
			SEOTitle:       "Inside the Muscat Talks Between Iran and the United States",
			SEODescription: "How Oman brokered indirect talks between Washington and Tehran.",
			Corrections:    []string{"2024-03-08T00:00:00Z An earlier version misstated the number of negotiating rounds. There were four, not three."},
		}
		checkPost(t, muscat, wantMuscat)

		sahel, err := st.PostBySlug(ctx, "sahel-juntas")
		if err != nil {
			t.Fatal(err)
		}
		checkPost(t, sahel, postView{
			Slug: "sahel-juntas", Title: "The Sahel's Juntas Look East",
			Deck:        "Mali, Burkina Faso and Niger are trading French troops for Russian ones",
			Body:        "When the last French soldiers left Niamey, crowds cheered. Six months on,\nthe mood is harder to read.",
			Status:      content.StatusPublished,
			PublishedAt: date("2024-02-12T08:00:00Z"),
			Authors:     []string{"tomas-okafor"},
			Section:     "africa Africa section 3",
			Tags:        []string{"russia Russia", "security Security"},
			Image:       content.Image{Key: "https://images.example.org/sahel/niamey-parade.jpg", Alt: "Soldiers parade in Niamey", Credit: "Photo by Idrissa Maiga"},
		})

		japan, err := st.PostBySlug(ctx, "japan-defense-budget")
		if err != nil {
			t.Fatal(err)
		}
		checkPost(t, japan, postView{
			Slug: "japan-defense-budget", Title: "Japan's Defence Budget Comes of Age",
			Body:    "Tokyo's new budget would have been unthinkable a decade ago.",
			Status:  content.StatusDraft,
			Authors: []string{"mira-sato"},
			Section: "asia Asia section 2",
			Tags:    []string{"japan Japan", "defense Defense"},
		})

		red, err := st.PostBySlug(ctx, "shipping-red-sea")
		if err != nil {
			t.Fatal(err)
		}
		checkPost(t, red, postView{
			Slug: "shipping-red-sea", Title: "The Red Sea Shipping Crisis",
			Deck:        "Houthi attacks have rerouted a tenth of world trade",
			Body:        "Insurers priced the risk before governments did. By January, most large\ncarriers had sent their ships around the Cape of Good Hope.",
			Status:      content.StatusPublished,
			PublishedAt: date("2024-01-20T00:00:00Z"),
			Authors:     []string{"mira-sato", "leila-haddad"},
			Section:     "middle-east Middle East section 1",
			Tags:        []string{"shipping Shipping", "iran Iran"}, // the section is not repeated
			Image:       content.Image{Key: imageKey("shipping-red-sea", "images/red-sea.png"), Width: 48, Height: 32, Alt: "A container ship in the Bab el-Mandeb strait"},
		})

		sections, err := st.Sections(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range sections {
			got = append(got, fmt.Sprintf("%s@%d", s.Slug, s.Position))
		}
		if want := []string{"middle-east@1", "asia@2", "africa@3"}; !slices.Equal(got, want) {
			t.Errorf("sections = %v, want %v", got, want)
		}
		tags, err := st.Tags(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(tags) != 11 {
			t.Errorf("%d tags, want 11", len(tags))
		}

		// The stored images are the very files of the directory.
		for _, c := range []struct{ slug, rel string }{
			{"leila-haddad", "images/leila-haddad.jpg"},
			{"tomas-okafor", "images/okafor.png"},
			{"inside-the-muscat-talks", "images/muscat-harbour.jpg"},
			{"shipping-red-sea", "images/red-sea.png"},
		} {
			obj, err := files.Open(ctx, imageKey(c.slug, c.rel))
			if err != nil {
				t.Fatalf("%s: %v", c.rel, err)
			}
			data, err := io.ReadAll(obj)
			obj.Close()
			if err != nil || !bytes.Equal(data, fixtureImages[c.rel]) {
				t.Errorf("%s: stored bytes differ (%v)", c.rel, err)
			}
		}

		// Readers see the three published posts, newest first.
		page, err := st.Posts(ctx, store.PublicFilter(june2024()))
		if err != nil {
			t.Fatal(err)
		}
		var slugs []string
		for _, p := range page.Posts {
			slugs = append(slugs, p.Slug)
		}
		if want := []string{"inside-the-muscat-talks", "sahel-juntas", "shipping-red-sea"}; !slices.Equal(slugs, want) {
			t.Errorf("public posts = %v, want %v", slugs, want)
		}
	})
}

// authorFields keeps the fields an import sets.
func authorFields(a content.Author) content.Author {
	return content.Author{ID: a.ID, Slug: a.Slug, Name: a.Name, Role: a.Role, Bio: a.Bio, Photo: a.Photo, Links: a.Links}
}

// postView is a post with its references reduced to comparable text.
type postView struct {
	Slug, Title, Deck, Body, Excerpt       string
	Status                                 content.Status
	PublishedAt, UpdatedAt                 time.Time
	Authors                                []string // slugs
	Section                                string   // "slug Name section Position"
	Tags                                   []string // "slug Name"
	Image                                  content.Image
	CanonicalURL, SEOTitle, SEODescription string
	Corrections                            []string // "date note"
}

func viewPost(p content.Post) postView {
	v := postView{
		Slug: p.Slug, Title: p.Title, Deck: p.Deck, Body: p.Body, Excerpt: p.Excerpt, Status: p.Status,
		PublishedAt: p.PublishedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(), Image: p.Image,
		CanonicalURL: p.CanonicalURL, SEOTitle: p.SEOTitle, SEODescription: p.SEODescription,
	}
	if p.PublishedAt.IsZero() {
		v.PublishedAt = time.Time{}
	}
	if p.UpdatedAt.IsZero() {
		v.UpdatedAt = time.Time{}
	}
	for _, a := range p.Authors {
		v.Authors = append(v.Authors, a.Slug)
	}
	if s := p.Section; s != nil {
		v.Section = fmt.Sprintf("%s %s", s.Slug, s.Name)
		if s.IsSection {
			v.Section += fmt.Sprintf(" section %d", s.Position)
		}
	}
	for _, t := range p.Tags {
		v.Tags = append(v.Tags, t.Slug+" "+t.Name)
	}
	for _, c := range p.Corrections {
		v.Corrections = append(v.Corrections, c.Date.UTC().Format(time.RFC3339)+" "+c.Note)
	}
	return v
}

func checkPost(t *testing.T, p content.Post, want postView) {
	t.Helper()
	if got := viewPost(p); !reflect.DeepEqual(got, want) {
		t.Errorf("post %s:\n got %+v\nwant %+v", want.Slug, got, want)
	}
}

func TestReimportChangesNothing(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		files, mediaDir := newMedia(t)
		dir := fixture(t, "good")
		if _, err := ImportMarkdownDir(ctx, st, files, dir, Options{Now: june2024}); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, st, mediaDir)

		rep, err := ImportMarkdownDir(ctx, st, files, dir, Options{Now: june2024})
		if err != nil {
			t.Fatal(err)
		}
		want := Report{AuthorsUnchanged: 3, PostsUnchanged: 4}
		if !reflect.DeepEqual(rep, want) {
			t.Errorf("second import: report = %+v, want %+v", rep, want)
		}
		// Same rows, same IDs, same content version: caches stay warm.
		if after := snapshot(t, st, mediaDir); !reflect.DeepEqual(after, before) {
			t.Errorf("second import changed the store:\nbefore %+v\n after %+v", before, after)
		}
	})
}

func TestReimportUpdatesInPlace(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		files, mediaDir := newMedia(t)
		dir := fixture(t, "good")
		if _, err := ImportMarkdownDir(ctx, st, files, dir, Options{Now: june2024}); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, st, mediaDir)
		old, err := st.PostBySlug(ctx, "sahel-juntas")
		if err != nil {
			t.Fatal(err)
		}

		edit(t, dir, "posts/sahel-juntas.md", "title: The Sahel's Juntas Look East", "title: The Sahel's Juntas Turn to Moscow")
		edit(t, dir, "authors/mira-sato.md", "role: Contributing Editor", "role: Asia Editor")
		writeFile(t, dir, "images/red-sea.png", pngBytes(96, 64)) // a new picture under the old name

		rep, err := ImportMarkdownDir(ctx, st, files, dir, Options{Now: june2024})
		if err != nil {
			t.Fatal(err)
		}
		want := Report{AuthorsUpdated: 1, AuthorsUnchanged: 2, PostsUpdated: 2, PostsUnchanged: 2, ImagesStored: 1}
		if !reflect.DeepEqual(rep, want) {
			t.Errorf("report = %+v, want %+v", rep, want)
		}

		post, err := st.PostBySlug(ctx, "sahel-juntas")
		if err != nil {
			t.Fatal(err)
		}
		if post.ID != old.ID || post.Title != "The Sahel's Juntas Turn to Moscow" {
			t.Errorf("edited post: ID %d (was %d), title %q", post.ID, old.ID, post.Title)
		}
		old.Title, old.ModifiedAt, post.ModifiedAt = post.Title, time.Time{}, time.Time{}
		if !reflect.DeepEqual(viewPost(post), viewPost(old)) {
			t.Errorf("only the title should change:\n got %+v\nwant %+v", viewPost(post), viewPost(old))
		}
		red, err := st.PostBySlug(ctx, "shipping-red-sea")
		if err != nil {
			t.Fatal(err)
		}
		if red.Image.Width != 96 || red.Image.Height != 64 || red.Image.Alt != "A container ship in the Bab el-Mandeb strait" {
			t.Errorf("new image = %+v", red.Image)
		}
		mira, err := st.AuthorBySlug(ctx, "mira-sato")
		if err != nil {
			t.Fatal(err)
		}
		if mira.Role != "Asia Editor" {
			t.Errorf("mira-sato role = %q", mira.Role)
		}

		after := snapshot(t, st, mediaDir)
		if len(after.Authors) != len(before.Authors) || len(after.Posts) != len(before.Posts) || len(after.Tags) != len(before.Tags) {
			t.Errorf("counts changed: %d/%d/%d authors/posts/tags, were %d/%d/%d",
				len(after.Authors), len(after.Posts), len(after.Tags), len(before.Authors), len(before.Posts), len(before.Tags))
		}
		for i := range after.Authors {
			if after.Authors[i].ID != before.Authors[i].ID {
				t.Errorf("author %s has a new ID", after.Authors[i].Slug)
			}
		}
		if after.Version == before.Version {
			t.Error("content version did not change")
		}
	})
}

func edit(t *testing.T, dir, rel, old, new string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("%s does not contain %q", rel, old)
	}
	writeFile(t, dir, rel, bytes.Replace(data, []byte(old), []byte(new), 1))
}

func TestImportJoinsExistingAuthorsAndTags(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		files, _ := newMedia(t)
		europe := content.Tag{Slug: "europe", Name: "Europe", IsSection: true, Position: 5}
		asia := content.Tag{Slug: "asia", Name: "Asia and the Pacific"}
		guest := content.Author{Slug: "guest-writer", Name: "Anna Weber"}
		for _, tag := range []*content.Tag{&europe, &asia} {
			if err := st.SaveTag(ctx, tag); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.SaveAuthor(ctx, &guest); err != nil {
			t.Fatal(err)
		}

		dir := fixture(t, "good")
		writeFile(t, dir, "posts/zz-berlin.md", []byte(`---
title: Berlin's Long Goodbye to Cheap Gas
date: 2030-01-01
authors: [guest-writer, leila-haddad]
section: Europe
tags: [Asia, Energy]
image_caption: A caption without a picture
---
Germany's industry is adjusting, slowly.
`))
		rep, err := ImportMarkdownDir(ctx, st, files, dir, Options{Now: june2024})
		if err != nil {
			t.Fatal(err)
		}
		want := Report{
			AuthorsCreated: 3, PostsCreated: 5, TagsCreated: 11, TagsUpdated: 1, ImagesStored: 4,
			Warnings: []string{
				"posts/zz-berlin.md:3: published with a date in the future: readers will see it from 2030-01-01T00:00:00Z",
				"posts/zz-berlin.md:7: image_caption is set but the post has no image",
			},
		}
		if !reflect.DeepEqual(rep, want) {
			t.Errorf("report = %+v\n want %+v", rep, want)
		}

		sections, err := st.Sections(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range sections {
			got = append(got, fmt.Sprintf("%s %q @%d", s.Slug, s.Name, s.Position))
		}
		// Europe keeps its place, Asia keeps its name and becomes a section,
		// new sections follow in the order first named.
		wantSections := []string{`europe "Europe" @5`, `middle-east "Middle East" @6`, `asia "Asia and the Pacific" @7`, `africa "Africa" @8`}
		if !slices.Equal(got, wantSections) {
			t.Errorf("sections = %v, want %v", got, wantSections)
		}

		berlin, err := st.PostBySlug(ctx, "zz-berlin")
		if err != nil {
			t.Fatal(err)
		}
		checkPost(t, berlin, postView{
			Slug: "zz-berlin", Title: "Berlin's Long Goodbye to Cheap Gas",
			Body:        "Germany's industry is adjusting, slowly.",
			Status:      content.StatusPublished,
			PublishedAt: date("2030-01-01T00:00:00Z"),
			Authors:     []string{"guest-writer", "leila-haddad"},
			Section:     "europe Europe section 5",
			Tags:        []string{"asia Asia and the Pacific", "energy Energy"},
		})
		if berlin.Authors[0].ID != guest.ID {
			t.Errorf("guest author ID %d, want %d", berlin.Authors[0].ID, guest.ID)
		}
		// Published but dated in the future: not on the site yet.
		page, err := st.Posts(ctx, store.PublicFilter(june2024()))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page.Posts {
			if p.Slug == "zz-berlin" {
				t.Error("a post dated 2030 is public in 2024")
			}
		}
	})
}

func TestDryRunWritesNothing(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		files, mediaDir := newMedia(t)
		dir := fixture(t, "good")
		empty := snapshot(t, st, mediaDir)

		dry, err := ImportMarkdownDir(ctx, st, files, dir, Options{DryRun: true, Now: june2024})
		if err != nil {
			t.Fatal(err)
		}
		if after := snapshot(t, st, mediaDir); !reflect.DeepEqual(after, empty) {
			t.Fatalf("dry run wrote:\n%+v", after)
		}
		real, err := ImportMarkdownDir(ctx, st, files, dir, Options{Now: june2024})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(dry, real) {
			t.Errorf("dry run said %+v, the import did %+v", dry, real)
		}

		imported := snapshot(t, st, mediaDir)
		edit(t, dir, "posts/japan-defense-budget.md", "status: draft", "status: review")
		writeFile(t, dir, "authors/new-voice.md", []byte("---\nname: Priya Raman\nphoto: images/raman.png\n---\n"))
		writeFile(t, dir, "images/raman.png", pngBytes(12, 12))
		dry, err = ImportMarkdownDir(ctx, st, files, dir, Options{DryRun: true, Now: june2024})
		if err != nil {
			t.Fatal(err)
		}
		want := Report{AuthorsCreated: 1, AuthorsUnchanged: 3, PostsUpdated: 1, PostsUnchanged: 3, ImagesStored: 1}
		if !reflect.DeepEqual(dry, want) {
			t.Errorf("dry run report = %+v, want %+v", dry, want)
		}
		if after := snapshot(t, st, mediaDir); !reflect.DeepEqual(after, imported) {
			t.Errorf("dry run changed the store")
		}
	})
}

// TestInterruptedImportWritesNothing stops an import half-way through
// writing posts, as Ctrl-C would: the transaction must leave no author,
// tag or post behind.
func TestInterruptedImportWritesNothing(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		files, mediaDir := newMedia(t)
		dir := fixture(t, "good")
		before := snapshot(t, st, mediaDir)

		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		_, err := ImportMarkdownDir(ctx, st, files, dir, Options{
			Now: june2024,
			Progress: func(done, total int) {
				if done == 2 {
					cancel()
				}
			},
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		after := snapshot(t, st, mediaDir)
		// Images are stored before the transaction; named by their
		// content, they are simply there for the next attempt.
		after.Media, before.Media = nil, nil
		if !reflect.DeepEqual(after, before) {
			t.Errorf("an interrupted import left:\n%+v", after)
		}

		rep, err := ImportMarkdownDir(context.Background(), st, files, dir, Options{Now: june2024})
		if err != nil {
			t.Fatal(err)
		}
		if want := (Report{AuthorsCreated: 3, PostsCreated: 4, TagsCreated: 11}); !reflect.DeepEqual(rep, want) {
			t.Errorf("next attempt: report = %+v, want %+v", rep, want)
		}
	})
}

// badCase is a directory that must be refused with exactly these problems.
type badCase struct {
	name  string
	files map[string]string
	setup func(t *testing.T, dir string)
	want  []Problem
}

var badCases = []badCase{
	{
		name:  "no front matter",
		files: map[string]string{"posts/notes.md": "# Notes\n\nNo front matter here.\n"},
		want:  []Problem{{"posts/notes.md", 1, `missing front matter: the file must begin with a "---" line`}},
	},
	{
		name:  "front matter not closed",
		files: map[string]string{"posts/unclosed.md": "---\ntitle: Unclosed\nauthors: [mira-sato]\ndate: 2024-01-01\n\nBody text.\n"},
		want:  []Problem{{"posts/unclosed.md", 1, `front matter is not closed by a "---" line`}},
	},
	{
		name:  "malformed YAML",
		files: map[string]string{"posts/colon.md": "---\nauthors: [mira-sato]\ntitle: Iran: the deal\ndate: 2024-01-01\n---\nBody\n"},
		want:  []Problem{{"posts/colon.md", 3, "invalid YAML: mapping values are not allowed in this context"}},
	},
	{
		name:  "unclosed YAML list",
		files: map[string]string{"posts/list.md": "---\ntitle: A List\nauthors: [mira-sato\ndate: 2024-01-01\n---\nBody\n"},
		want:  []Problem{{"posts/list.md", 3, "invalid YAML: did not find expected ',' or ']' (is a [ on this line left open?)"}},
	},
	{
		name:  "missing title",
		files: map[string]string{"posts/untitled.md": "---\ndeck: A deck\nauthors: [mira-sato]\ndate: 2024-01-01\n---\nBody\n"},
		want:  []Problem{{"posts/untitled.md", 1, "missing title"}},
	},
	{
		name:  "empty title",
		files: map[string]string{"posts/untitled.md": "---\ntitle: \"  \"\nauthors: [mira-sato]\ndate: 2024-01-01\n---\n"},
		want:  []Problem{{"posts/untitled.md", 2, "missing title"}},
	},
	{
		name:  "missing name",
		files: map[string]string{"authors/nameless.md": "---\nrole: Editor at Large\n---\nA bio.\n"},
		want:  []Problem{{"authors/nameless.md", 1, "missing name"}},
	},
	{
		name:  "bad slug",
		files: map[string]string{"posts/iran-talks.md": "---\ntitle: Iran Talks\nslug: Iran Talks\nauthors: [mira-sato]\ndate: 2024-01-01\n---\n"},
		want:  []Problem{{"posts/iran-talks.md", 3, `slug "Iran Talks" is not valid: use lower-case letters, digits and single hyphens (for example "iran-talks")`}},
	},
	{
		name:  "file name is no slug",
		files: map[string]string{"posts/Iran Talks.md": "---\ntitle: Iran Talks\nauthors: [mira-sato]\ndate: 2024-01-01\n---\n"},
		want:  []Problem{{"posts/Iran Talks.md", 1, `file name "Iran Talks" is not a valid slug: rename the file or set slug (for example "iran-talks")`}},
	},
	{
		name:  "duplicate post slug",
		files: map[string]string{"posts/zz-copy.md": "---\ntitle: A Copy\nslug: inside-the-muscat-talks\nauthors: [mira-sato]\ndate: 2024-01-01\n---\n"},
		want:  []Problem{{"posts/zz-copy.md", 3, `post slug "inside-the-muscat-talks" is also used by posts/2024-03-muscat-talks.md`}},
	},
	{
		name:  "duplicate author slug",
		files: map[string]string{"authors/zz-haddad.md": "---\nname: L. Haddad\nslug: leila-haddad\n---\n"},
		want:  []Problem{{"authors/zz-haddad.md", 3, `author slug "leila-haddad" is also used by authors/leila-haddad.md`}},
	},
	{
		name:  "unknown author",
		files: map[string]string{"posts/iran-talks.md": "---\ntitle: Iran Talks\ndate: 2024-01-01\nauthors:\n  - leila-haddad\n  - jdoe\n---\nBody\n"},
		want:  []Problem{{"posts/iran-talks.md", 6, `unknown author "jdoe"`}},
	},
	{
		name:  "author listed twice",
		files: map[string]string{"posts/iran-talks.md": "---\ntitle: Iran Talks\ndate: 2024-01-01\nauthors: [mira-sato, mira-sato]\n---\n"},
		want:  []Problem{{"posts/iran-talks.md", 4, `author "mira-sato" is listed twice`}},
	},
	{
		name:  "empty authors",
		files: map[string]string{"posts/iran-talks.md": "---\ntitle: Iran Talks\ndate: 2024-01-01\nauthors: []\n---\n"},
		want:  []Problem{{"posts/iran-talks.md", 4, "a post needs at least one author"}},
	},
	{
		name:  "no authors",
		files: map[string]string{"posts/iran-talks.md": "---\ntitle: Iran Talks\ndate: 2024-01-01\n---\n"},
		want:  []Problem{{"posts/iran-talks.md", 1, "a post needs at least one author"}},
	},
	{
		name:  "authors not a list",
		files: map[string]string{"posts/iran-talks.md": "---\ntitle: Iran Talks\ndate: 2024-01-01\nauthors: mira-sato\n---\n"},
		want: []Problem{
			{"posts/iran-talks.md", 4, "authors must be a list, like [one, two]"},
		},
	},
	{
		name:  "bad date",
		files: map[string]string{"posts/iran-talks.md": "---\ntitle: Iran Talks\nauthors: [mira-sato]\ndate: 2024-02-30\n---\n"},
		want:  []Problem{{"posts/iran-talks.md", 4, `date "2024-02-30" is not a date: use YYYY-MM-DD or RFC 3339 such as 2024-03-05T09:30:00Z`}},
	},
	{
		name:  "bad updated",
		files: map[string]string{"posts/iran-talks.md": "---\ntitle: Iran Talks\nauthors: [mira-sato]\ndate: 2024-02-03\nupdated: last Tuesday\n---\n"},
		want:  []Problem{{"posts/iran-talks.md", 5, `updated "last Tuesday" is not a date: use YYYY-MM-DD or RFC 3339 such as 2024-03-05T09:30:00Z`}},
	},
	{
		name:  "published without date",
		files: map[string]string{"posts/iran-talks.md": "---\ntitle: Iran Talks\nauthors: [mira-sato]\n---\n"},
		want:  []Problem{{"posts/iran-talks.md", 1, "a published post needs a date"}},
	},
	{
		name:  "bad status",
		files: map[string]string{"posts/iran-talks.md": "---\ntitle: Iran Talks\nauthors: [mira-sato]\nstatus: live\n---\n"},
		want:  []Problem{{"posts/iran-talks.md", 4, `status "live" is not one of draft, review, scheduled, published, archived`}},
	},
	{
		name:  "unknown key",
		files: map[string]string{"posts/iran-talks.md": "---\ntittle: Iran Talks\nauthors: [mira-sato]\nstatus: draft\n---\n"},
		want: []Problem{
			{"posts/iran-talks.md", 1, "missing title"},
			{"posts/iran-talks.md", 2, `unknown key "tittle" (did you mean "title"?)`},
		},
	},
	{
		name:  "key set twice",
		files: map[string]string{"posts/iran-talks.md": "---\ntitle: Iran Talks\nauthors: [mira-sato]\nstatus: draft\ntitle: Iran Talks, Again\n---\n"},
		want:  []Problem{{"posts/iran-talks.md", 5, "title is set twice (first on line 2)"}},
	},
	{
		name:  "image missing",
		files: map[string]string{"posts/iran-talks.md": "---\ntitle: Iran Talks\nauthors: [mira-sato]\nstatus: draft\nimage: images/nowhere.jpg\n---\n"},
		want:  []Problem{{"posts/iran-talks.md", 5, `image "images/nowhere.jpg" not found`}},
	},
	{
		name: "image is not an image",
		files: map[string]string{
			"posts/iran-talks.md": "---\ntitle: Iran Talks\nauthors: [mira-sato]\nstatus: draft\nimage: images/fake.jpg\n---\n",
			"images/fake.jpg":     "<!doctype html><title>Not a photo</title>",
		},
		want: []Problem{{"posts/iran-talks.md", 5, `image "images/fake.jpg" is not usable: not a JPEG, PNG, GIF or WebP image`}},
	},
	{
		name:  "image outside the directory",
		files: map[string]string{"posts/iran-talks.md": "---\ntitle: Iran Talks\nauthors: [mira-sato]\nstatus: draft\nimage: ../outside.jpg\n---\n"},
		want:  []Problem{{"posts/iran-talks.md", 5, `image "../outside.jpg" must be a path inside the imported directory`}},
	},
	{
		name:  "image URL of another scheme",
		files: map[string]string{"posts/iran-talks.md": "---\ntitle: Iran Talks\nauthors: [mira-sato]\nstatus: draft\nimage: ftp://example.org/a.jpg\n---\n"},
		want:  []Problem{{"posts/iran-talks.md", 5, `image "ftp://example.org/a.jpg": only http and https URLs are supported`}},
	},
	{
		name:  "image link escapes the directory",
		files: map[string]string{"posts/iran-talks.md": "---\ntitle: Iran Talks\nauthors: [mira-sato]\nstatus: draft\nimage: images/escape.jpg\n---\n"},
		setup: func(t *testing.T, dir string) {
			outside := filepath.Join(t.TempDir(), "secret.jpg")
			writeFile(t, filepath.Dir(outside), "secret.jpg", jpegBytes(8, 8))
			if err := os.Symlink(outside, filepath.Join(dir, "images", "escape.jpg")); err != nil {
				t.Skipf("no symlinks here: %v", err)
			}
		},
		want: []Problem{{"posts/iran-talks.md", 5, `image "images/escape.jpg" cannot be read: path escapes from parent`}},
	},
	{
		name:  "photo missing",
		files: map[string]string{"authors/priya-raman.md": "---\nname: Priya Raman\nphoto: images/raman.jpg\n---\n"},
		want:  []Problem{{"authors/priya-raman.md", 3, `photo "images/raman.jpg" not found`}},
	},
	{
		name:  "bad link",
		files: map[string]string{"authors/priya-raman.md": "---\nname: Priya Raman\nlinks:\n  - label: Home\n    url: javascript:alert(1)\n  - url: https://example.org\n---\n"},
		want: []Problem{
			{"authors/priya-raman.md", 5, `link url "javascript:alert(1)" must be an http(s) or mailto: URL`},
			{"authors/priya-raman.md", 6, "link needs a label"},
		},
	},
	{
		name:  "correction without note",
		files: map[string]string{"posts/iran-talks.md": "---\ntitle: Iran Talks\nauthors: [mira-sato]\ndate: 2024-01-01\ncorrections:\n  - date: 2024-01-02\n  - note: Fixed a name.\n---\n"},
		want: []Problem{
			{"posts/iran-talks.md", 6, "correction needs a note"},
			{"posts/iran-talks.md", 7, "correction needs a date"},
		},
	},
	{
		name:  "section without letters",
		files: map[string]string{"posts/iran-talks.md": "---\ntitle: Iran Talks\nauthors: [mira-sato]\ndate: 2024-01-01\nsection: \"—\"\n---\n"},
		want:  []Problem{{"posts/iran-talks.md", 5, `section "—" has no letters or digits to make a slug from`}},
	},
	{
		name:  "not UTF-8",
		files: map[string]string{"posts/cafe.md": "---\ntitle: Caf\xe9 Diplomacy\nauthors: [mira-sato]\n---\n"},
		want:  []Problem{{"posts/cafe.md", 2, "file is not UTF-8 text"}},
	},
	{
		name: "file too large",
		setup: func(t *testing.T, dir string) {
			data := []byte("---\ntitle: Long Read\nauthors: [mira-sato]\ndate: 2024-01-01\n---\n")
			data = append(data, bytes.Repeat([]byte("word "), maxFileBytes/5+1)...)
			writeFile(t, dir, "posts/long-read.md", data)
		},
		want: []Problem{{"posts/long-read.md", 1, "file is larger than 20 MB"}},
	},
}

// TestImportRefusesBadInput imports the good fixtures, then for each bad
// case the same directory with a valid new post, a changed author, a new
// image and the bad file: nothing of it may reach the store or the media.
func TestImportRefusesBadInput(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		files, mediaDir := newMedia(t)
		if _, err := ImportMarkdownDir(ctx, st, files, fixture(t, "good"), Options{Now: june2024}); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, st, mediaDir)

		for _, tc := range badCases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel() // each only reads the store
				dir := fixture(t, "good")
				writeFile(t, dir, "posts/aaa-valid.md", []byte("---\ntitle: A Valid Post\ndate: 2024-04-01\nauthors: [mira-sato]\nimage: images/new.png\n---\nFine.\n"))
				writeFile(t, dir, "images/new.png", pngBytes(20, 10))
				edit(t, dir, "authors/mira-sato.md", "role: Contributing Editor", "role: Asia Editor")
				edit(t, dir, "posts/sahel-juntas.md", "section: Africa", "section: Sahel")
				for rel, data := range tc.files {
					writeFile(t, dir, rel, []byte(data))
				}
				if tc.setup != nil {
					tc.setup(t, dir)
				}

				rep, err := ImportMarkdownDir(ctx, st, files, dir, Options{Now: june2024})
				var errs *Errors
				if !errors.As(err, &errs) {
					t.Fatalf("err = %v (report %+v), want *Errors", err, rep)
				}
				if !slices.Equal(errs.Problems, tc.want) {
					t.Errorf("problems:\n got %q\nwant %q", errs.Problems, tc.want)
				}
				// The message is what the command prints.
				var lines []string
				for _, p := range tc.want {
					lines = append(lines, fmt.Sprintf("%s:%d: %s", p.Path, p.Line, p.Msg))
				}
				if got, want := err.Error(), strings.Join(lines, "\n"); got != want {
					t.Errorf("Error() = %q, want %q", got, want)
				}
				if after := snapshot(t, st, mediaDir); !reflect.DeepEqual(after, before) {
					t.Errorf("a refused import changed the store:\nbefore %+v\n after %+v", before, after)
				}
			})
		}
	})
}

// TestImportReportsEveryProblem imports testdata/bad, a directory with
// many mistakes, and checks every one is reported, in file and line order.
func TestImportReportsEveryProblem(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	files, mediaDir := newMedia(t)
	before := snapshot(t, st, mediaDir)
	_, err := ImportMarkdownDir(ctx, st, files, fixture(t, "bad"), Options{Now: june2024})
	var errs *Errors
	if !errors.As(err, &errs) {
		t.Fatalf("err = %v, want *Errors", err)
	}
	golden := filepath.Join("testdata", "bad.golden")
	got := err.Error() + "\n"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("problems differ from %s (run with -update to accept):\n got:\n%s\nwant:\n%s", golden, got, want)
	}
	if after := snapshot(t, st, mediaDir); !reflect.DeepEqual(after, before) {
		t.Errorf("a refused import changed the store")
	}
}

func TestImportNeedsContent(t *testing.T) {
	st := storetest.Open(t)
	files, _ := newMedia(t)
	_, err := ImportMarkdownDir(context.Background(), st, files, t.TempDir(), Options{})
	if err == nil || !strings.Contains(err.Error(), "neither an authors nor a posts directory") {
		t.Errorf("empty directory: err = %v", err)
	}
	_, err = ImportMarkdownDir(context.Background(), st, files, filepath.Join(t.TempDir(), "missing"), Options{})
	if err == nil {
		t.Error("missing directory: no error")
	}
}

// FuzzFrontMatter feeds arbitrary files to the post and author parsers:
// they must not panic, must blame lines that exist, and must only accept
// what the importer can store.
func FuzzFrontMatter(f *testing.F) {
	for _, dir := range []string{"testdata/good/posts", "testdata/good/authors", "testdata/bad/posts", "testdata/bad/authors"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			f.Fatal(err)
		}
		for _, e := range entries {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	for _, tc := range badCases {
		for _, data := range tc.files {
			f.Add([]byte(data))
		}
	}
	f.Add([]byte("---\na: &x [*x]\n---\n"))
	f.Add([]byte("---\n- a\n- b\n---\n"))
	f.Add([]byte("\ufeff---\r\ntitle: x\r\n---\r\n"))
	f.Add([]byte("---\ntitle: a\n--- !!map\nb: c\n---\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		lines := max(1, bytes.Count(data, []byte("\n"))+1)
		check := func(kind string, probs, warns []Problem) {
			for _, p := range append(probs, warns...) {
				if p.Path != kind+"/x.md" || p.Line < 1 || p.Line > lines || p.Msg == "" {
					t.Fatalf("%s: bad problem %+v in a file of %d lines", kind, p, lines)
				}
			}
		}
		post, probs, warns := parsePost("posts/x.md", data)
		check("posts", probs, warns)
		if len(probs) == 0 {
			if post.title == "" || !content.ValidSlug(post.slug) || len(post.authors) == 0 || !post.status.Valid() {
				t.Fatalf("accepted an unusable post: %+v", post)
			}
			if (post.status == content.StatusPublished || post.status == content.StatusScheduled) && post.date.IsZero() {
				t.Fatalf("accepted a %s post without a date", post.status)
			}
		}
		author, probs, warns := parseAuthor("authors/x.md", data)
		check("authors", probs, warns)
		if len(probs) == 0 && (author.name == "" || !content.ValidSlug(author.slug)) {
			t.Fatalf("accepted an unusable author: %+v", author)
		}
	})
}
