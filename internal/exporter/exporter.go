// Package exporter writes a whole publication out in the Markdown
// directory format that `masthead import` reads — authors, tags, posts of
// every status, their images, the newsletter's subscribers and the
// editorial settings — with a manifest, as a directory or a zip file.
// Importing an export into an empty site gives back the same site.
package exporter

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	"masthead/internal/content"
	"masthead/internal/importer"
	"masthead/internal/media"
	"masthead/internal/store"
)

// FormatName and FormatVersion identify the layout in the manifest.
const (
	FormatName    = "masthead-export"
	FormatVersion = 1
	ManifestFile  = "manifest.json"
)

// pageSize is how many posts or subscribers are held in memory at once.
const pageSize = 100

// Options tune an export.
type Options struct {
	// BaseURL is the public URL of the site, recorded in the manifest.
	BaseURL string
	// Now is the clock of the manifest's exported_at; nil means time.Now.
	Now func() time.Time
	// Progress, when set, is called after each post is written with the
	// number done so far and the total.
	Progress func(done, total int)
}

// Manifest describes an export: what it holds, and every file with its
// size and SHA-256, so that a copy can be checked.
type Manifest struct {
	Format     string    `json:"format"`
	Version    int       `json:"version"`
	Site       Site      `json:"site"`
	ExportedAt time.Time `json:"exported_at"`
	Counts     Counts    `json:"counts"`
	Files      []File    `json:"files"`
	// Warnings are things left out because they could not be read, such as
	// an image missing from media storage.
	Warnings []string `json:"warnings,omitempty"`
}

// Site names the publication exported.
type Site struct {
	Name    string `json:"name"`
	BaseURL string `json:"base_url"`
}

// Counts are the records of an export.
type Counts struct {
	Authors     int `json:"authors"`
	Tags        int `json:"tags"`
	Posts       int `json:"posts"`
	Images      int `json:"images"`
	Subscribers int `json:"subscribers"`
	Settings    int `json:"settings"`
}

// File is one file of an export, by its slash path inside the export.
type File struct {
	Path   string `json:"path"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// sink receives the files of an export one after the other: each writer
// is finished with before the next create.
type sink interface {
	create(name string, compress bool) (io.Writer, error)
}

// run is one export in progress.
type run struct {
	ctx      context.Context
	st       *store.Store
	files    media.Storage
	out      sink
	opts     Options
	manifest Manifest
	images   map[string]bool // image paths already written
	tagRef   map[int64]string
}

// export writes the whole publication into out, the manifest last.
func export(ctx context.Context, st *store.Store, files media.Storage, out sink, opts Options) (Manifest, error) {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	r := &run{ctx: ctx, st: st, files: files, out: out, opts: opts, images: map[string]bool{}}
	r.manifest = Manifest{Format: FormatName, Version: FormatVersion, Site: Site{BaseURL: opts.BaseURL},
		ExportedAt: now().UTC().Truncate(time.Second), Files: []File{}}
	steps := []func() error{r.settings, r.tags, r.authors, r.posts, r.subscribers}
	for _, step := range steps {
		if err := step(); err != nil {
			return Manifest{}, err
		}
	}
	slices.SortFunc(r.manifest.Files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	data, err := json.MarshalIndent(r.manifest, "", "  ")
	if err != nil {
		return Manifest{}, fmt.Errorf("export: manifest: %w", err)
	}
	w, err := out.create(ManifestFile, true)
	if err != nil {
		return Manifest{}, fmt.Errorf("export: %w", err)
	}
	if _, err := w.Write(append(data, '\n')); err != nil {
		return Manifest{}, fmt.Errorf("export: %w", err)
	}
	return r.manifest, nil
}

// write creates the file name, lets fill write it, and records its size
// and checksum in the manifest.
func (r *run) write(name string, compress bool, fill func(w io.Writer) error) error {
	if err := r.ctx.Err(); err != nil {
		return err
	}
	w, err := r.out.create(name, compress)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	cw := &countingWriter{w: w, h: sha256.New()}
	if err := fill(cw); err != nil {
		return fmt.Errorf("export: %s: %w", name, err)
	}
	r.manifest.Files = append(r.manifest.Files, File{Path: name, Bytes: cw.n, SHA256: hex.EncodeToString(cw.h.Sum(nil))})
	return nil
}

type countingWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	return n, err
}

func (r *run) warn(format string, args ...any) {
	r.manifest.Warnings = append(r.manifest.Warnings, fmt.Sprintf(format, args...))
}

// settings writes settings.json with the editorial settings that are set.
func (r *run) settings() error {
	values := map[string]string{}
	for _, k := range importer.SettingKeys {
		v, err := r.st.Setting(r.ctx, k)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("export: settings: %w", err)
		}
		values[k] = v
	}
	r.manifest.Site.Name = values["site.name"]
	r.manifest.Counts.Settings = len(values)
	if len(values) == 0 {
		return nil
	}
	data, err := json.MarshalIndent(values, "", "  ") // keys sorted
	if err != nil {
		return fmt.Errorf("export: settings: %w", err)
	}
	return r.write(importer.SettingsFile, true, func(w io.Writer) error {
		_, err := w.Write(append(data, '\n'))
		return err
	})
}

// tags writes a tags/*.md file for every tag and works out how posts
// name each tag.
func (r *run) tags() error {
	tags, err := r.st.Tags(r.ctx)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	r.tagRef = tagRefs(tags)
	for _, t := range tags {
		doc := tagDocument(t)
		if err := r.write("tags/"+t.Slug+".md", true, doc.writeTo); err != nil {
			return err
		}
	}
	r.manifest.Counts.Tags = len(tags)
	return nil
}

// tagRefs returns how a post names each tag (by ID): by its name when
// the importer reads that name back as this tag, otherwise by its slug,
// which always names the tag of that tag file.
func tagRefs(tags []content.Tag) map[int64]string {
	slugs := map[string]bool{}
	names := map[string]int{}
	for _, t := range tags {
		slugs[t.Slug] = true
		names[strings.TrimSpace(t.Name)]++
	}
	refs := make(map[int64]string, len(tags))
	for _, t := range tags {
		name := strings.TrimSpace(t.Name)
		byName := name != "" && content.Slugify(name) != "" && names[name] == 1 && (!slugs[name] || name == t.Slug)
		if byName {
			refs[t.ID] = name
		} else {
			refs[t.ID] = t.Slug
		}
	}
	return refs
}

// authors writes an authors/*.md file for every author, with the photo.
func (r *run) authors() error {
	authors, err := r.st.Authors(r.ctx)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	for _, a := range authors {
		photo, err := r.image(a.Photo, a.Slug, "author "+a.Slug)
		if err != nil {
			return err
		}
		doc := authorDocument(a, photo)
		if err := r.write("authors/"+a.Slug+".md", true, doc.writeTo); err != nil {
			return err
		}
	}
	r.manifest.Counts.Authors = len(authors)
	return nil
}

// posts writes a posts/*.md file for every post of every status, a page
// at a time.
func (r *run) posts() error {
	page, err := r.st.Posts(r.ctx, store.PostFilter{Limit: 1})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	total, done := page.Total, 0
	for after := int64(0); ; {
		posts, err := r.st.PostsAfter(r.ctx, after, pageSize)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if len(posts) == 0 {
			break
		}
		ids := make([]int64, len(posts))
		for i, p := range posts {
			ids[i] = p.ID
		}
		old, err := r.st.OldSlugs(r.ctx, ids)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		redirects, err := r.st.RedirectsOf(r.ctx, ids)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		for _, p := range posts {
			img, err := r.image(p.Image, p.Slug, "post "+p.Slug)
			if err != nil {
				return err
			}
			doc := postDocument(p, img, old[p.ID], redirects[p.ID], r.tagRef)
			if err := r.write("posts/"+p.Slug+".md", true, doc.writeTo); err != nil {
				return err
			}
			done++
			if r.opts.Progress != nil {
				r.opts.Progress(done, max(total, done))
			}
		}
		after = posts[len(posts)-1].ID
	}
	r.manifest.Counts.Posts = done
	return nil
}

// image writes the original of a stored image once and returns the path
// the front matter names it by: "images/SLUG-HASH.EXT", the very key the
// importer stores it under, so that a site exported, imported and
// exported again gives the same files. An image hosted elsewhere keeps
// its URL. An image that cannot be read is left out with a warning.
func (r *run) image(img content.Image, slug, owner string) (string, error) {
	key := img.Key
	if key == "" {
		return "", nil
	}
	if lower := strings.ToLower(key); strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") {
		return key, nil
	}
	obj, err := r.files.Open(r.ctx, key)
	if errors.Is(err, media.ErrNotFound) {
		r.warn("%s: image %q is missing from media storage and was left out", owner, key)
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("export: %s: image %q: %w", owner, key, err)
	}
	defer obj.Close()
	h := sha256.New()
	info, err := media.Probe(io.TeeReader(obj, h))
	if err != nil {
		r.warn("%s: image %q is not a usable image and was left out: %v", owner, key, err)
		return "", nil
	}
	if _, err := io.Copy(h, obj); err != nil {
		return "", fmt.Errorf("export: %s: image %q: %w", owner, key, err)
	}
	// The name media.HashedKey gives these bytes, computed while reading
	// rather than with the whole image in memory.
	name := path.Join("images", slug+"-"+hex.EncodeToString(h.Sum(nil)[:6])+info.Extension())
	if r.images[name] {
		return name, nil
	}
	if _, err := obj.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("export: %s: image %q: %w", owner, key, err)
	}
	// Images are compressed already; deflating them again only costs time.
	err = r.write(name, false, func(w io.Writer) error {
		_, err := io.Copy(w, obj)
		return err
	})
	if err != nil {
		return "", err
	}
	r.images[name] = true
	r.manifest.Counts.Images++
	return name, nil
}
