// Package demo provides the sample publication that `masthead demo` serves:
// Latitude, a magazine of world affairs, as a Markdown import directory whose
// pictures are painted on the spot, so the demo needs no network.
package demo

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed content
var contentFS embed.FS

// Settings returns the demo publication's site settings.
func Settings() map[string]string {
	return map[string]string{
		"site.name":        "Latitude",
		"site.description": "A magazine of world affairs",
		"site.language":    "en",
	}
}

// picture is one image file the Markdown refers to and how to paint it.
type picture struct {
	path    string // slash-separated, relative to the import directory
	paint   func() image.Image
	quality int
	source  string // the Markdown file that refers to it, for error messages
}

// postFront and authorFront hold the few front-matter keys that decide
// which pictures to paint; the importer reads the rest.
type postFront struct {
	Slug    string   `yaml:"slug"`
	Section string   `yaml:"section"`
	Tags    []string `yaml:"tags"`
	Image   string   `yaml:"image"`
}

type authorFront struct {
	Slug  string `yaml:"slug"`
	Photo string `yaml:"photo"`
}

// WriteImportDir writes the demo publication into dir as a Markdown import
// directory: authors/*.md, posts/*.md and every image they refer to. dir may
// exist and hold other files, but if any of the demo's files is already
// there WriteImportDir returns an error before writing anything.
func WriteImportDir(dir string) error {
	files, pictures, err := plan()
	if err != nil {
		return err
	}
	names := slices.Sorted(maps.Keys(files))
	// Check every target first, so that a directory already holding some of
	// these files is reported before anything is written into it.
	var taken []string
	for _, rel := range slices.Concat(names, pictureNames(pictures)) {
		if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(rel))); err == nil {
			taken = append(taken, rel)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("demo: %w", err)
		}
	}
	switch len(taken) {
	case 0:
	case 1:
		return fmt.Errorf("demo: %s already holds %s; choose an empty directory", dir, taken[0])
	default:
		return fmt.Errorf("demo: %s already holds %s and %d more of the demo's files; choose an empty directory", dir, taken[0], len(taken)-1)
	}
	for _, rel := range names {
		if err := writeNew(dir, rel, files[rel]); err != nil {
			return err
		}
	}
	return paintAll(dir, pictures)
}

func pictureNames(pictures []picture) []string {
	out := make([]string, len(pictures))
	for i, p := range pictures {
		out[i] = p.path
	}
	return out
}

// plan reads the embedded Markdown and returns it keyed by its path in the
// import directory, with the pictures it refers to.
func plan() (map[string][]byte, []picture, error) {
	files := map[string][]byte{}
	var pictures []picture
	seen := map[string]string{}
	add := func(p picture) error {
		if !fs.ValidPath(p.path) || !strings.HasPrefix(p.path, "images/") || path.Ext(p.path) != ".jpg" {
			return fmt.Errorf("demo: %s: image %q must be a .jpg path under images/", p.source, p.path)
		}
		if other, ok := seen[p.path]; ok {
			return fmt.Errorf("demo: %s: image %q is also used by %s", p.source, p.path, other)
		}
		seen[p.path] = p.source
		pictures = append(pictures, p)
		return nil
	}

	authors, err := readDir("authors")
	if err != nil {
		return nil, nil, err
	}
	for i, rel := range authors {
		data, err := contentFS.ReadFile("content/" + rel)
		if err != nil {
			return nil, nil, fmt.Errorf("demo: %w", err)
		}
		files[rel] = data
		var a authorFront
		if err := decodeFront(data, &a); err != nil {
			return nil, nil, fmt.Errorf("demo: %s: %w", rel, err)
		}
		if a.Slug == "" {
			a.Slug = strings.TrimSuffix(path.Base(rel), ".md")
		}
		if a.Photo == "" {
			continue
		}
		if err := add(picture{path: a.Photo, quality: 85, source: rel,
			paint: func() image.Image { return paintPortrait(a.Slug, i) }}); err != nil {
			return nil, nil, err
		}
	}

	posts, err := readDir("posts")
	if err != nil {
		return nil, nil, err
	}
	for _, rel := range posts {
		data, err := contentFS.ReadFile("content/" + rel)
		if err != nil {
			return nil, nil, fmt.Errorf("demo: %w", err)
		}
		files[rel] = data
		var p postFront
		if err := decodeFront(data, &p); err != nil {
			return nil, nil, fmt.Errorf("demo: %s: %w", rel, err)
		}
		if p.Slug == "" {
			p.Slug = strings.TrimSuffix(path.Base(rel), ".md")
		}
		if p.Image == "" {
			continue
		}
		if err := add(picture{path: p.Image, quality: 82, source: rel,
			paint: func() image.Image { return paintPost(p.Slug, p.Section, p.Tags) }}); err != nil {
			return nil, nil, err
		}
	}
	return files, pictures, nil
}

// readDir lists the Markdown files of one embedded folder, sorted by name.
func readDir(sub string) ([]string, error) {
	entries, err := contentFS.ReadDir("content/" + sub)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".md") {
			out = append(out, sub+"/"+e.Name())
		}
	}
	return out, nil
}

// frontMatter returns the YAML between the opening and closing "---" lines.
func frontMatter(data []byte) ([]byte, error) {
	rest, ok := bytes.CutPrefix(data, []byte("---\n"))
	if !ok {
		return nil, errors.New("no front matter: the file must start with a --- line")
	}
	fm, _, ok := bytes.Cut(rest, []byte("\n---\n"))
	if !ok {
		return nil, errors.New("front matter has no closing --- line")
	}
	return fm, nil
}

func decodeFront(data []byte, v any) error {
	fm, err := frontMatter(data)
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(fm, v); err != nil {
		return fmt.Errorf("front matter: %w", err)
	}
	return nil
}

// paintAll paints, encodes and writes the pictures on every CPU: they are
// most of the time `masthead demo` takes to start.
func paintAll(dir string, pictures []picture) error {
	next := make(chan int)
	errs := make([]error, len(pictures)) // one slot per picture: no locking
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(pictures)) {
		wg.Go(func() {
			for i := range next {
				errs[i] = paintOne(dir, pictures[i])
			}
		})
	}
	for i := range pictures {
		next <- i
	}
	close(next)
	wg.Wait()
	return errors.Join(errs...)
}

func paintOne(dir string, p picture) error {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, p.paint(), &jpeg.Options{Quality: p.quality}); err != nil {
		return fmt.Errorf("demo: encode %s: %w", p.path, err)
	}
	return writeNew(dir, p.path, buf.Bytes())
}

// writeNew writes a file below dir, refusing to replace one that exists.
func writeNew(dir, rel string, data []byte) error {
	name := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("demo: write %s: %w", rel, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("demo: write %s: %w", rel, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("demo: write %s: %w", rel, err)
	}
	return nil
}
