package demo

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"io/fs"
	"net/url"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// sharedDir is one import directory written by WriteImportDir for all the
// tests that only read it: painting the pictures is the slow part.
var (
	sharedDirPath string
	sharedDir     = sync.OnceValues(func() (string, error) {
		dir, err := os.MkdirTemp("", "masthead-demo-")
		if err != nil {
			return "", err
		}
		sharedDirPath = dir
		return dir, WriteImportDir(dir)
	})
)

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedDirPath != "" {
		os.RemoveAll(sharedDirPath)
	}
	os.Exit(code)
}

func demoDir(t testing.TB) string {
	t.Helper()
	dir, err := sharedDir()
	if err != nil {
		t.Fatalf("WriteImportDir: %v", err)
	}
	return dir
}

// The keys the Markdown importer accepts; it rejects any other.
var (
	postKeys           = []string{"title", "slug", "deck", "date", "updated", "authors", "tags", "section", "image", "image_alt", "image_caption", "image_credit", "excerpt", "corrections"}
	requiredPostKeys   = []string{"title", "slug", "deck", "date", "authors", "tags", "section", "image", "image_alt", "image_caption", "image_credit"}
	authorKeys         = []string{"name", "slug", "role", "photo", "links"}
	requiredAuthorKeys = []string{"name", "role", "photo"}
	sections           = []string{"World", "Security", "Economy", "Ideas"}
)

type mdFile struct {
	name  string // e.g. "posts/the-strait-after-the-ceasefire.md"
	front map[string]any
	body  string
}

// readMarkdown parses every .md file in sub of fsys, independently of the
// package's own front-matter reading.
func readMarkdown(t *testing.T, fsys fs.FS, sub string) []mdFile {
	t.Helper()
	names, err := fs.Glob(fsys, sub+"/*.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []mdFile
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		rest, ok := strings.CutPrefix(text, "---\n")
		if !ok {
			t.Fatalf("%s: no opening --- line", name)
		}
		fm, body, ok := strings.Cut(rest, "\n---\n")
		if !ok {
			t.Fatalf("%s: no closing --- line", name)
		}
		f := mdFile{name: name, body: body}
		if err := yaml.Unmarshal([]byte(fm), &f.front); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, f)
	}
	return out
}

// str returns a front-matter value as text; YAML may have read dates as
// times.
func str(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case time.Time:
		return v.Format(time.RFC3339)
	default:
		return fmt.Sprint(v)
	}
}

func strs(t *testing.T, name string, v any) []string {
	t.Helper()
	if v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		t.Fatalf("%s: want a list, got %T", name, v)
	}
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = str(x)
	}
	return out
}

func slugOf(f mdFile) string {
	if s := str(f.front["slug"]); s != "" {
		return s
	}
	return strings.TrimSuffix(path.Base(f.name), ".md")
}

var linkRE = regexp.MustCompile(`\]\(([^)\s]+)\)`)

func TestContent(t *testing.T) {
	fsys, err := fs.Sub(contentFS, "content")
	if err != nil {
		t.Fatal(err)
	}
	authors := readMarkdown(t, fsys, "authors")
	posts := readMarkdown(t, fsys, "posts")
	if len(authors) < 5 {
		t.Errorf("%d authors, want at least 5", len(authors))
	}
	if len(posts) < 14 {
		t.Errorf("%d posts, want at least 14", len(posts))
	}

	authorSlugs := map[string]bool{}
	guests := 0
	for _, a := range authors {
		for k := range a.front {
			if !slices.Contains(authorKeys, k) {
				t.Errorf("%s: key %q is not one the importer accepts", a.name, k)
			}
		}
		for _, k := range requiredAuthorKeys {
			if str(a.front[k]) == "" {
				t.Errorf("%s: missing %s", a.name, k)
			}
		}
		slug := slugOf(a)
		if want := "images/authors/" + slug + ".jpg"; str(a.front["photo"]) != want {
			t.Errorf("%s: photo %q, want %q", a.name, a.front["photo"], want)
		}
		if strings.TrimSpace(a.body) == "" {
			t.Errorf("%s: no bio", a.name)
		}
		if links, ok := a.front["links"].([]any); ok {
			for _, l := range links {
				m, _ := l.(map[string]any)
				if str(m["label"]) == "" || !strings.HasPrefix(str(m["url"]), "https://") {
					t.Errorf("%s: link %v needs a label and an absolute URL", a.name, l)
				}
			}
		}
		if strings.Contains(str(a.front["role"]), "Guest") {
			guests++
		}
		authorSlugs[slug] = true
	}
	if guests == 0 {
		t.Error("no guest contributor among the authors")
	}

	from := time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	seenSections := map[string]int{}
	tagCount := map[string]int{}
	slugs := map[string]bool{}
	var corrected, updated, coAuthored int
	for _, p := range posts {
		for k := range p.front {
			if !slices.Contains(postKeys, k) {
				t.Errorf("%s: key %q is not one the importer accepts", p.name, k)
			}
		}
		for _, k := range requiredPostKeys {
			if p.front[k] == nil || str(p.front[k]) == "" {
				t.Errorf("%s: missing %s", p.name, k)
			}
		}
		slug := slugOf(p)
		if slug+".md" != path.Base(p.name) {
			t.Errorf("%s: slug %q does not match the file name", p.name, slug)
		}
		if slugs[slug] {
			t.Errorf("%s: slug %q used twice", p.name, slug)
		}
		slugs[slug] = true
		if want := "images/posts/" + slug + ".jpg"; str(p.front["image"]) != want {
			t.Errorf("%s: image %q, want %q", p.name, p.front["image"], want)
		}

		date, err := time.Parse(time.RFC3339, str(p.front["date"]))
		if err != nil {
			t.Errorf("%s: date: %v", p.name, err)
		} else if date.Before(from) || !date.Before(to) {
			t.Errorf("%s: date %v outside %v..%v", p.name, date, from, to)
		}
		if u := p.front["updated"]; u != nil {
			updated++
			if ut, err := time.Parse(time.RFC3339, str(u)); err != nil || !ut.After(date) {
				t.Errorf("%s: updated %v must be an RFC 3339 time after the date", p.name, u)
			}
		}
		if c := p.front["corrections"]; c != nil {
			corrected++
			list, _ := c.([]any)
			for _, item := range list {
				m, _ := item.(map[string]any)
				d := str(m["date"])
				if tm, ok := m["date"].(time.Time); ok {
					d = tm.Format(time.DateOnly)
				}
				if cd, err := time.Parse(time.DateOnly, d); err != nil || cd.Before(date.Truncate(24*time.Hour)) {
					t.Errorf("%s: correction date %q must be YYYY-MM-DD on or after the post's date", p.name, d)
				}
				if str(m["note"]) == "" || len(m) != 2 {
					t.Errorf("%s: correction %v must have exactly a date and a note", p.name, m)
				}
			}
		}

		byline := strs(t, p.name, p.front["authors"])
		if len(byline) == 0 {
			t.Errorf("%s: no authors", p.name)
		}
		if len(byline) > 1 {
			coAuthored++
		}
		for _, a := range byline {
			if !authorSlugs[a] {
				t.Errorf("%s: author %q has no file in authors/", p.name, a)
			}
		}
		section := str(p.front["section"])
		if !slices.Contains(sections, section) {
			t.Errorf("%s: section %q, want one of %v", p.name, section, sections)
		}
		seenSections[section]++
		tags := strs(t, p.name, p.front["tags"])
		if len(tags) < 2 {
			t.Errorf("%s: %d tags, want at least 2", p.name, len(tags))
		}
		for _, tag := range tags {
			tagCount[tag]++
		}

		words := len(strings.Fields(p.body))
		if words < 500 || words > 1000 {
			t.Errorf("%s: %d words, want 500 to 1,000", p.name, words)
		}
		if n := strings.Count("\n"+p.body, "\n## "); n < 2 || n > 3 {
			t.Errorf("%s: %d subheadings, want 2 or 3", p.name, n)
		}
		if !strings.Contains("\n"+p.body, "\n> ") {
			t.Errorf("%s: no pull quote", p.name)
		}
		links := linkRE.FindAllStringSubmatch(p.body, -1)
		if len(links) == 0 {
			t.Errorf("%s: no links", p.name)
		}
		for _, l := range links {
			u, err := url.Parse(l[1])
			if err != nil || u.Scheme != "https" || (u.Host != "example.org" && u.Host != "example.com") {
				t.Errorf("%s: link %q must be an absolute https URL on example.org or example.com", p.name, l[1])
			}
		}
		// Every footnote reference has its definition and the reverse.
		for _, ref := range regexp.MustCompile(`\[\^(\w+)\]`).FindAllStringSubmatch(p.body, -1) {
			if n := strings.Count(p.body, "[^"+ref[1]+"]"); n < 2 || !strings.Contains(p.body, "\n[^"+ref[1]+"]: ") {
				t.Errorf("%s: footnote %s is not both referenced and defined", p.name, ref[1])
			}
		}
	}

	if len(seenSections) != len(sections) {
		t.Errorf("sections used: %v, want all of %v", seenSections, sections)
	}
	if corrected == 0 || updated == 0 || coAuthored < 2 {
		t.Errorf("%d posts with corrections, %d updated, %d with two authors; want at least 1, 1 and 2", corrected, updated, coAuthored)
	}
	// Related coverage works through shared tags: every post shares one.
	for _, p := range posts {
		shared := false
		for _, tag := range strs(t, p.name, p.front["tags"]) {
			shared = shared || tagCount[tag] > 1
		}
		if !shared {
			t.Errorf("%s: shares no tag with any other post", p.name)
		}
	}
}

func TestWriteImportDir(t *testing.T) {
	dir := demoDir(t)
	fsys := os.DirFS(dir)

	// The Markdown is copied byte for byte.
	err := fs.WalkDir(contentFS, "content", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		want, _ := contentFS.ReadFile(name)
		got, err := fs.ReadFile(fsys, strings.TrimPrefix(name, "content/"))
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the embedded file", name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Every referenced picture is a JPEG of the right size, and there are no
	// pictures nobody refers to.
	want := map[string][2]int{}
	for _, a := range readMarkdown(t, fsys, "authors") {
		want[str(a.front["photo"])] = [2]int{portraitSize, portraitSize}
	}
	for _, p := range readMarkdown(t, fsys, "posts") {
		want[str(p.front["image"])] = [2]int{postWidth, postHeight}
	}
	for name, size := range want {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			t.Errorf("referenced image: %v", err)
			continue
		}
		img, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if b := img.Bounds(); b.Dx() != size[0] || b.Dy() != size[1] {
			t.Errorf("%s: %dx%d, want %dx%d", name, b.Dx(), b.Dy(), size[0], size[1])
		}
	}
	err = fs.WalkDir(fsys, "images", func(name string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if _, ok := want[name]; !ok {
				t.Errorf("%s is written but no file refers to it", name)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestWriteImportDirIsDeterministic(t *testing.T) {
	first := demoDir(t)
	second := t.TempDir()
	if err := WriteImportDir(second); err != nil {
		t.Fatal(err)
	}
	files := 0
	err := fs.WalkDir(os.DirFS(first), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		a, err := fs.ReadFile(os.DirFS(first), name)
		if err != nil {
			return err
		}
		b, err := fs.ReadFile(os.DirFS(second), name)
		if err != nil {
			return err
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs", name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatal("nothing was written")
	}
	again := 0
	fs.WalkDir(os.DirFS(second), ".", func(name string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			again++
		}
		return err
	})
	if again != files {
		t.Errorf("the second run wrote %d files, the first %d", again, files)
	}
}

func TestWriteImportDirKeepsExistingFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(dir+"/posts", 0o755); err != nil {
		t.Fatal(err)
	}
	mine := []byte("my own draft\n")
	if err := os.WriteFile(dir+"/posts/the-art-of-the-hedge.md", mine, 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteImportDir(dir)
	if err == nil || !strings.Contains(err.Error(), "posts/the-art-of-the-hedge.md") {
		t.Fatalf("WriteImportDir into a directory holding one of its files: err = %v, want one naming the file", err)
	}
	got, _ := os.ReadFile(dir + "/posts/the-art-of-the-hedge.md")
	if !bytes.Equal(got, mine) {
		t.Errorf("existing file was changed to %q", got)
	}
	var written []string
	fs.WalkDir(os.DirFS(dir), ".", func(name string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			written = append(written, name)
		}
		return err
	})
	if len(written) != 1 {
		t.Errorf("after the error the directory holds %v, want only the existing file", written)
	}
}

func TestFrontMatter(t *testing.T) {
	tests := []struct {
		name, in, want, err string
	}{
		{"plain", "---\ntitle: A\n---\nbody\n", "title: A", ""},
		{"empty body", "---\ntitle: A\n---\n", "title: A", ""},
		{"no opening line", "title: A\n---\nbody\n", "", "must start with a --- line"},
		{"no closing line", "---\ntitle: A\nbody\n", "", "no closing --- line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := frontMatter([]byte(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestSceneFor(t *testing.T) {
	tests := []struct {
		tags []string
		want sceneKind
	}{
		{[]string{"Africa", "Water", "Climate"}, sceneRiver},
		{[]string{"Food Security", "Shipping", "Trade"}, sceneFields},
		{[]string{"Middle East", "Trade", "Shipping"}, scenePort},
		{[]string{"Shipping", "Energy"}, sceneSea},
		{[]string{"Elections", "Climate"}, sceneCity},
		{[]string{"Energy", "China"}, scenePower},
		{[]string{"Diplomacy"}, sceneMountains},
		{nil, sceneMountains},
	}
	for _, tt := range tests {
		if got := sceneFor(tt.tags); got != tt.want {
			t.Errorf("sceneFor(%v) = %v, want %v", tt.tags, got, tt.want)
		}
	}
}

func TestAuthorsHaveDistinctColours(t *testing.T) {
	authors, err := readDir("authors")
	if err != nil {
		t.Fatal(err)
	}
	if len(authors) > len(figureColours) {
		t.Errorf("%d authors but only %d portrait colours", len(authors), len(figureColours))
	}
	seen := map[string]bool{}
	for _, c := range figureColours {
		if seen[c] {
			t.Errorf("portrait colour %s listed twice", c)
		}
		seen[c] = true
	}
}

func TestPaintIsDeterministicPerSlug(t *testing.T) {
	a := paintPortrait("some-author", 2)
	b := paintPortrait("some-author", 2)
	c := paintPortrait("another-author", 2)
	if !bytes.Equal(a.Pix, b.Pix) {
		t.Error("the same slug painted two different portraits")
	}
	if bytes.Equal(a.Pix, c.Pix) {
		t.Error("two slugs painted the same portrait")
	}
}

func TestSettings(t *testing.T) {
	s := Settings()
	if s["site.name"] != "Latitude" || s["site.description"] != "A magazine of world affairs" || s["site.language"] != "en" {
		t.Errorf("Settings() = %v", s)
	}
}

func BenchmarkWriteImportDir(b *testing.B) {
	root := b.TempDir()
	for b.Loop() {
		dir, err := os.MkdirTemp(root, "")
		if err != nil {
			b.Fatal(err)
		}
		if err := WriteImportDir(dir); err != nil {
			b.Fatal(err)
		}
	}
}
