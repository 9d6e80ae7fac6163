package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"masthead/internal/content"
	"masthead/internal/media"
	"masthead/internal/store"
)

// maxFileBytes bounds each Markdown file and each image of an import.
const maxFileBytes = 20 << 20

// ImportMarkdownDir imports dir/authors/*.md, dir/tags/*.md and
// dir/posts/*.md (see the import format in the design notes), and the
// subscribers.csv and settings.json of an export when they are there. Every file is read and checked before
// anything is written; when anything is wrong the error is an *Errors
// listing every problem and nothing is stored. Otherwise images go to files
// first (content-hashed, so storing them again changes nothing), then
// authors, tags, posts, subscribers and settings are written in one
// transaction, matched by slug (subscribers by address): importing the
// same directory twice creates no duplicates.
func ImportMarkdownDir(ctx context.Context, st *store.Store, files media.Storage, dir string, opts Options) (Report, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return Report{}, fmt.Errorf("import: %w", err)
	}
	defer root.Close()

	imp := &dirImport{fsys: root.FS(), now: opts.now(), images: map[string]*loadedImage{}}
	if err := imp.read(ctx, st); err != nil {
		return Report{}, err
	}
	if len(imp.problems) > 0 {
		sortProblems(imp.problems)
		return Report{}, &Errors{Problems: imp.problems}
	}

	stored, err := imp.storeImages(ctx, files, opts.DryRun)
	if err != nil {
		return Report{}, err
	}
	var rep Report
	if opts.DryRun {
		rep, err = imp.write(ctx, st, false, opts.Progress)
	} else {
		err = st.InTx(ctx, func(tx *store.Store) error {
			var err error
			rep, err = imp.write(ctx, tx, true, opts.Progress)
			if err != nil {
				return err
			}
			return addToLibrary(ctx, tx, imp.library)
		})
	}
	if err != nil {
		return Report{}, err
	}
	rep.ImagesStored = stored
	sortProblems(imp.warnings)
	for _, w := range imp.warnings {
		rep.Warnings = append(rep.Warnings, w.String())
	}
	return rep, nil
}

// dirImport is one import of a directory in progress.
type dirImport struct {
	fsys        fs.FS
	now         time.Time
	authors     []authorFile
	tags        []tagFile
	posts       []postFile
	subscribers []subscriberRow
	settings    map[string]string
	images      map[string]*loadedImage // by slash path in the directory
	library     []libraryImage          // the images stored, for the media library
	problems    []Problem
	warnings    []Problem
}

// loadedImage is an image file read and probed, or why it cannot be used.
type loadedImage struct {
	data    []byte
	info    media.Info
	problem string
}

// read parses and checks every file, recording problems. The error is for
// failures that are not the files' fault, such as an unreadable directory
// or a database that does not answer.
func (imp *dirImport) read(ctx context.Context, st *store.Store) error {
	authorPaths, err := markdownFiles(imp.fsys, "authors")
	if err != nil {
		return err
	}
	postPaths, err := markdownFiles(imp.fsys, "posts")
	if err != nil {
		return err
	}
	tagPaths, err := markdownFiles(imp.fsys, "tags")
	if err != nil {
		return err
	}
	if authorPaths == nil && postPaths == nil && tagPaths == nil {
		return errors.New("import: the directory has neither an authors nor a posts directory")
	}
	if err := imp.readSubscribers(); err != nil {
		return err
	}
	imp.readSettings()
	for _, rel := range tagPaths {
		data, ok := imp.readFile(rel)
		if !ok {
			continue
		}
		t, probs, warns := parseTag(rel, data)
		imp.problems = append(imp.problems, probs...)
		imp.warnings = append(imp.warnings, warns...)
		imp.tags = append(imp.tags, t)
	}

	for _, rel := range authorPaths {
		data, ok := imp.readFile(rel)
		if !ok {
			continue
		}
		a, probs, warns := parseAuthor(rel, data)
		imp.problems = append(imp.problems, probs...)
		imp.warnings = append(imp.warnings, warns...)
		// Kept even with problems, so that its slug is known and posts
		// naming it get no second, misleading problem.
		imp.authors = append(imp.authors, a)
	}
	for _, rel := range postPaths {
		data, ok := imp.readFile(rel)
		if !ok {
			continue
		}
		p, probs, warns := parsePost(rel, data)
		imp.problems = append(imp.problems, probs...)
		imp.warnings = append(imp.warnings, warns...)
		imp.posts = append(imp.posts, p)
	}
	imp.resolveTags()

	authorSlugs := map[string]string{} // slug → path
	for _, a := range imp.authors {
		if a.slug == "" {
			continue // the file could not be read
		}
		if prev, ok := authorSlugs[a.slug]; ok {
			imp.problem(a.path, a.slugLine, "author slug %q is also used by %s", a.slug, prev)
		} else {
			authorSlugs[a.slug] = a.path
		}
		imp.loadImage(a.path, a.photo)
	}
	postSlugs := map[string]string{}
	for _, p := range imp.posts {
		if _, ok := postSlugs[p.slug]; !ok && p.slug != "" {
			postSlugs[p.slug] = p.path
		}
	}
	if err := imp.checkOldSlugs(ctx, st, postSlugs); err != nil {
		return err
	}
	imp.checkRedirects()
	postSlugs = map[string]string{}
	stored := map[string]bool{} // authors looked up in the database
	for _, p := range imp.posts {
		if err := ctx.Err(); err != nil {
			return err
		}
		if p.slug == "" {
			continue
		}
		if prev, ok := postSlugs[p.slug]; ok {
			imp.problem(p.path, p.slugLine, "post slug %q is also used by %s", p.slug, prev)
		} else {
			postSlugs[p.slug] = p.path
		}
		for _, r := range p.authors {
			if _, ok := authorSlugs[r.slug]; ok {
				continue
			}
			known, looked := stored[r.slug]
			if !looked {
				_, err := st.AuthorBySlug(ctx, r.slug)
				switch {
				case err == nil:
					known = true
				case !errors.Is(err, store.ErrNotFound):
					return fmt.Errorf("import: look up author %q: %w", r.slug, err)
				}
				stored[r.slug] = known
			}
			if !known {
				imp.problem(p.path, r.line, "unknown author %q", r.slug)
			}
		}
		imp.loadImage(p.path, p.image)
		if p.status == content.StatusPublished && p.date.After(imp.now) {
			imp.warnings = append(imp.warnings, Problem{Path: p.path, Line: p.dateLine,
				Msg: fmt.Sprintf("published with a date in the future: readers will see it from %s", p.date.Format(time.RFC3339))})
		}
	}
	return nil
}

// resolveTags makes the tags and sections the posts name into the tags of
// the tag files where they mean them: a name that is the slug of a tag
// file is that tag, and so is the name of exactly one tag file. Other
// names make their slug as before.
func (imp *dirImport) resolveTags() {
	if len(imp.tags) == 0 {
		return
	}
	bySlug := map[string]string{} // slug → path
	byName := map[string][]string{}
	for _, t := range imp.tags {
		if t.slug == "" {
			continue
		}
		if prev, ok := bySlug[t.slug]; ok {
			imp.problem(t.path, t.slugLine, "tag slug %q is also used by %s", t.slug, prev)
			continue
		}
		bySlug[t.slug] = t.path
		if t.name != "" && !slices.Contains(byName[t.name], t.slug) {
			byName[t.name] = append(byName[t.name], t.slug)
		}
	}
	resolve := func(path string, r *tagRef) {
		if _, ok := bySlug[r.name]; ok {
			r.slug = r.name
			return
		}
		switch slugs := byName[r.name]; len(slugs) {
		case 0:
		case 1:
			r.slug = slugs[0]
		default:
			imp.problem(path, r.line, "%q is the name of several tag files (%s): name the tag by its slug", r.name, strings.Join(slugs, ", "))
		}
	}
	for i := range imp.posts {
		p := &imp.posts[i]
		if p.section != nil {
			resolve(p.path, p.section)
		}
		for j := range p.tags {
			resolve(p.path, &p.tags[j])
		}
	}
}

// checkOldSlugs records a problem for each old slug that is the slug of a
// post, here (postSlugs: slug → path) or already stored, or the old slug
// of two posts here.
func (imp *dirImport) checkOldSlugs(ctx context.Context, st *store.Store, postSlugs map[string]string) error {
	claimed := map[string]string{} // old slug → path
	for _, p := range imp.posts {
		for _, r := range p.oldSlugs {
			if other, ok := postSlugs[r.slug]; ok {
				imp.problem(p.path, r.line, "old slug %q is the slug of %s", r.slug, other)
				continue
			}
			if other, ok := claimed[r.slug]; ok {
				imp.problem(p.path, r.line, "old slug %q is also an old slug of %s", r.slug, other)
				continue
			}
			claimed[r.slug] = p.path
			_, err := st.PostBySlug(ctx, r.slug)
			switch {
			case err == nil:
				imp.problem(p.path, r.line, "old slug %q is the slug of a post already stored", r.slug)
			case !errors.Is(err, store.ErrNotFound):
				return fmt.Errorf("import: look up post %q: %w", r.slug, err)
			}
		}
	}
	return nil
}

// checkRedirects records a problem for each old address that two posts
// here claim; one already leading to a post elsewhere moves to the
// imported one, as a re-import of the old site's export would want.
func (imp *dirImport) checkRedirects() {
	claimed := map[string]string{} // address → path
	for _, p := range imp.posts {
		for _, r := range p.redirects {
			if other, ok := claimed[r.slug]; ok && other != p.path {
				imp.problem(p.path, r.line, "redirect %q is also a redirect of %s", r.slug, other)
				continue
			}
			claimed[r.slug] = p.path
		}
	}
}

func (imp *dirImport) problem(rel string, line int, format string, args ...any) {
	imp.problems = append(imp.problems, Problem{Path: rel, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// markdownFiles lists the .md files of a subdirectory by name. A missing
// subdirectory has none (and returns nil).
func markdownFiles(fsys fs.FS, sub string) ([]string, error) {
	entries, err := fs.ReadDir(fsys, sub)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	paths := []string{} // not nil: the directory exists
	for _, e := range entries {
		name := e.Name()
		// Hidden files are editor and system leftovers, not content.
		if strings.HasPrefix(name, ".") || !strings.EqualFold(path.Ext(name), ".md") || e.IsDir() {
			continue
		}
		paths = append(paths, path.Join(sub, name))
	}
	slices.Sort(paths) // ReadDir sorts too; the order must not depend on it
	return paths, nil
}

// readFile reads one Markdown file, recording a problem when it is too big
// or unreadable.
func (imp *dirImport) readFile(rel string) ([]byte, bool) {
	f, err := imp.fsys.Open(rel)
	if err != nil {
		imp.problem(rel, 1, "cannot read the file: %v", err)
		return nil, false
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		imp.problem(rel, 1, "cannot read the file: %v", err)
		return nil, false
	}
	if len(data) > maxFileBytes {
		imp.problem(rel, 1, "file is larger than %d MB", maxFileBytes>>20)
		return nil, false
	}
	return data, true
}

// loadImage reads and probes a local image once, recording a problem at
// every reference when it cannot be used.
func (imp *dirImport) loadImage(rel string, r imageRef) {
	if r.src == "" || r.url {
		return
	}
	img, ok := imp.images[r.src]
	if !ok {
		img = readImage(imp.fsys, r.src)
		imp.images[r.src] = img
	}
	if img.problem != "" {
		imp.problem(rel, r.line, "%s %q %s", r.key, r.src, img.problem)
	}
}

func readImage(fsys fs.FS, name string) *loadedImage {
	fi, err := fs.Stat(fsys, name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &loadedImage{problem: "not found"}
	case err != nil:
		return &loadedImage{problem: "cannot be read: " + unwrapPathError(err)}
	case fi.IsDir():
		return &loadedImage{problem: "is a directory"}
	}
	f, err := fsys.Open(name)
	if err != nil {
		return &loadedImage{problem: "cannot be read: " + unwrapPathError(err)}
	}
	defer f.Close()
	data, info, err := media.ReadImage(f, maxFileBytes)
	if err != nil {
		return &loadedImage{problem: "is not usable: " + strings.TrimPrefix(err.Error(), "media: ")}
	}
	return &loadedImage{data: data, info: info}
}

// unwrapPathError drops the path from a *fs.PathError; the message names
// the file already.
func unwrapPathError(err error) string {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// image returns the stored form of an image reference of the file whose
// slug is given: its content-hashed key in media storage, or the URL.
func (imp *dirImport) image(r imageRef, slug string) content.Image {
	switch {
	case r.src == "":
		return content.Image{}
	case r.url:
		return content.Image{Key: r.src}
	}
	img := imp.images[r.src]
	return content.Image{Key: media.HashedKey("images", slug, img.data, img.info), Width: img.info.Width, Height: img.info.Height}
}

// storeImages puts every local image not yet in storage and returns how
// many it put (or, in a dry run, would put).
func (imp *dirImport) storeImages(ctx context.Context, files media.Storage, dryRun bool) (int, error) {
	type use struct {
		r    imageRef
		slug string
	}
	var uses []use
	for _, a := range imp.authors {
		uses = append(uses, use{a.photo, a.slug})
	}
	for _, p := range imp.posts {
		uses = append(uses, use{p.image, p.slug})
	}
	done := map[string]bool{}
	n := 0
	for _, x := range uses {
		if x.r.src == "" || x.r.url {
			continue
		}
		key := imp.image(x.r, x.slug).Key
		if done[key] {
			continue
		}
		done[key] = true
		img := imp.images[x.r.src]
		imp.library = append(imp.library, libraryImage{key: key, format: img.info.Format, width: img.info.Width,
			height: img.info.Height, bytes: int64(len(img.data))})
		obj, err := files.Open(ctx, key)
		if err == nil {
			obj.Close()
			continue // the same key always holds the same bytes
		}
		if !errors.Is(err, media.ErrNotFound) {
			return 0, fmt.Errorf("import: %w", err)
		}
		n++
		if dryRun {
			continue
		}
		if err := files.Put(ctx, key, bytes.NewReader(imp.images[x.r.src].data)); err != nil {
			return 0, fmt.Errorf("import: %w", err)
		}
	}
	return n, nil
}

// write matches authors, tags and posts with what s holds by slug and
// creates or updates them; records already as imported are left alone.
// With save false it only counts.
func (imp *dirImport) write(ctx context.Context, s *store.Store, save bool, progress func(done, total int)) (Report, error) {
	var rep Report

	authors := map[string]content.Author{}
	for _, a := range imp.authors {
		if err := ctx.Err(); err != nil {
			return Report{}, err
		}
		want := content.Author{Slug: a.slug, Name: a.name, Role: a.role, Bio: a.bio, Photo: imp.image(a.photo, a.slug), Links: a.links}
		if !want.Photo.IsZero() {
			want.Photo.Alt = a.name
			if a.photoAltSet {
				want.Photo.Alt = a.photoAlt
			}
			want.Photo.Caption, want.Photo.Credit = a.photoCaption, a.photoCredit
		}
		old, err := s.AuthorBySlug(ctx, a.slug)
		switch {
		case errors.Is(err, store.ErrNotFound):
			rep.AuthorsCreated++
		case err != nil:
			return Report{}, fmt.Errorf("import: %s: %w", a.path, err)
		case sameAuthor(old, want):
			rep.AuthorsUnchanged++
			authors[a.slug] = old
			continue
		default:
			want.ID, want.CreatedAt = old.ID, old.CreatedAt
			rep.AuthorsUpdated++
		}
		if save {
			if err := s.SaveAuthor(ctx, &want); err != nil {
				return Report{}, fmt.Errorf("import: %s: %w", a.path, err)
			}
		}
		authors[a.slug] = want
	}

	tags, err := imp.writeTags(ctx, s, save, &rep)
	if err != nil {
		return Report{}, err
	}

	for i, p := range imp.posts {
		if err := ctx.Err(); err != nil {
			return Report{}, err
		}
		want := content.Post{
			Slug: p.slug, Title: p.title, Deck: p.deck, Body: p.body, Excerpt: p.excerpt, Status: p.status,
			PublishedAt: p.date, UpdatedAt: p.updated,
			CanonicalURL: p.canonicalURL, SEOTitle: p.seoTitle, SEODescription: p.seoDescription,
			Corrections: p.corrections,
		}
		want.Image = imp.image(p.image, p.slug)
		if !want.Image.IsZero() {
			want.Image.Alt, want.Image.Caption, want.Image.Credit = p.imageAlt, p.imageCaption, p.imageCredit
		}
		for _, r := range p.authors {
			a, ok := authors[r.slug]
			if !ok {
				a, err = s.AuthorBySlug(ctx, r.slug)
				if err != nil {
					return Report{}, fmt.Errorf("import: %s: author %q: %w", p.path, r.slug, err)
				}
				authors[r.slug] = a
			}
			want.Authors = append(want.Authors, a)
		}
		if p.section != nil {
			t := tags[p.section.slug]
			want.Section = &t
		}
		for _, t := range p.tags {
			dup := slices.ContainsFunc(want.Tags, func(x content.Tag) bool { return x.Slug == t.slug })
			if dup || p.section != nil && t.slug == p.section.slug {
				continue
			}
			want.Tags = append(want.Tags, tags[t.slug])
		}

		old, err := s.PostBySlug(ctx, p.slug)
		write := true
		switch {
		case errors.Is(err, store.ErrNotFound):
			rep.PostsCreated++
		case err != nil:
			return Report{}, fmt.Errorf("import: %s: %w", p.path, err)
		default:
			newOld, err := imp.missingOldSlugs(ctx, s, old.ID, p)
			if err != nil {
				return Report{}, err
			}
			newRedirects, err := imp.missingRedirects(ctx, s, old.ID, p)
			if err != nil {
				return Report{}, err
			}
			if samePost(old, want) && len(newOld) == 0 && len(newRedirects) == 0 {
				rep.PostsUnchanged++
				write = false
				break
			}
			want.ID, want.CreatedAt = old.ID, old.CreatedAt
			rep.PostsUpdated++
		}
		if save && write {
			if err := s.SavePost(ctx, &want); err != nil {
				return Report{}, fmt.Errorf("import: %s: %w", p.path, err)
			}
			if len(p.oldSlugs) > 0 {
				slugs := make([]string, len(p.oldSlugs))
				for i, r := range p.oldSlugs {
					slugs[i] = r.slug
				}
				if _, err := s.AddOldSlugs(ctx, want.ID, slugs); err != nil {
					return Report{}, fmt.Errorf("import: %s: %w", p.path, err)
				}
			}
			if len(p.redirects) > 0 {
				rs := make([]store.Redirect, len(p.redirects))
				for i, r := range p.redirects {
					rs[i] = store.Redirect{Path: r.slug, PostID: want.ID}
				}
				if err := s.SaveRedirects(ctx, rs); err != nil {
					return Report{}, fmt.Errorf("import: %s: %w", p.path, err)
				}
			}
		}
		if progress != nil {
			progress(i+1, len(imp.posts))
		}
	}
	if err := imp.writeSubscribers(ctx, s, save, &rep); err != nil {
		return Report{}, err
	}
	if err := imp.writeSettings(ctx, s, save, &rep); err != nil {
		return Report{}, err
	}
	return rep, nil
}

// missingOldSlugs returns the old slugs of p that do not yet redirect to
// the stored post id.
func (imp *dirImport) missingOldSlugs(ctx context.Context, s *store.Store, id int64, p postFile) ([]string, error) {
	if len(p.oldSlugs) == 0 {
		return nil, nil
	}
	have, err := s.OldSlugs(ctx, []int64{id})
	if err != nil {
		return nil, fmt.Errorf("import: %s: %w", p.path, err)
	}
	var missing []string
	for _, r := range p.oldSlugs {
		if !slices.Contains(have[id], r.slug) {
			missing = append(missing, r.slug)
		}
	}
	return missing, nil
}

// missingRedirects returns the old addresses of p that do not yet lead to
// the stored post id.
func (imp *dirImport) missingRedirects(ctx context.Context, s *store.Store, id int64, p postFile) ([]string, error) {
	if len(p.redirects) == 0 {
		return nil, nil
	}
	have, err := s.RedirectPaths(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("import: %s: %w", p.path, err)
	}
	var missing []string
	for _, r := range p.redirects {
		if !slices.Contains(have, r.slug) {
			missing = append(missing, r.slug)
		}
	}
	return missing, nil
}

// writeTags finds or creates every tag and section the posts name and
// returns them by slug. Sections keep their place in the navigation; new
// ones are added after the existing ones in the order first named.
func (imp *dirImport) writeTags(ctx context.Context, s *store.Store, save bool, rep *Report) (map[string]content.Tag, error) {
	var refs []tagRef
	isSection := map[string]bool{}
	for _, p := range imp.posts {
		if p.section != nil {
			refs = append(refs, *p.section)
			isSection[p.section.slug] = true
		}
	}
	for _, p := range imp.posts {
		refs = append(refs, p.tags...)
	}
	if len(refs) == 0 && len(imp.tags) == 0 {
		return nil, nil
	}

	sections, err := s.Sections(ctx)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	next := 1
	for _, t := range sections {
		next = max(next, t.Position+1)
	}
	for _, f := range imp.tags {
		if f.isSection {
			next = max(next, f.position+1)
		}
	}

	tags := map[string]content.Tag{}
	// A tag file says everything about its tag, including whether it is a
	// section, whatever the posts make of it.
	for _, f := range imp.tags {
		if _, ok := tags[f.slug]; ok {
			continue
		}
		want := content.Tag{Slug: f.slug, Name: f.name, Description: f.desc, IsSection: f.isSection, Position: f.position}
		old, err := s.TagBySlug(ctx, f.slug)
		switch {
		case errors.Is(err, store.ErrNotFound):
			rep.TagsCreated++
		case err != nil:
			return nil, fmt.Errorf("import: %s: %w", f.path, err)
		case old.Name == want.Name && old.Description == want.Description && old.IsSection == want.IsSection &&
			old.Position == want.Position:
			tags[f.slug] = old
			continue
		default:
			want.ID = old.ID
			rep.TagsUpdated++
		}
		if save {
			if err := s.SaveTag(ctx, &want); err != nil {
				return nil, fmt.Errorf("import: %s: %w", f.path, err)
			}
		}
		tags[f.slug] = want
	}
	for _, r := range refs {
		if _, ok := tags[r.slug]; ok {
			continue
		}
		t, err := s.TagBySlug(ctx, r.slug)
		switch {
		case errors.Is(err, store.ErrNotFound):
			t = content.Tag{Slug: r.slug, Name: r.name, IsSection: isSection[r.slug]}
			if t.IsSection {
				t.Position = next
				next++
			}
			rep.TagsCreated++
		case err != nil:
			return nil, fmt.Errorf("import: tag %q: %w", r.slug, err)
		case isSection[r.slug] && !t.IsSection:
			t.IsSection = true
			t.Position = next
			next++
			rep.TagsUpdated++
		default:
			tags[r.slug] = t
			continue
		}
		if save {
			if err := s.SaveTag(ctx, &t); err != nil {
				return nil, fmt.Errorf("import: tag %q: %w", r.slug, err)
			}
		}
		tags[r.slug] = t
	}
	return tags, nil
}

func sameAuthor(a, b content.Author) bool {
	return a.Slug == b.Slug && a.Name == b.Name && a.Role == b.Role && a.Bio == b.Bio &&
		a.Photo == b.Photo && slices.Equal(a.Links, b.Links)
}

func samePost(a, b content.Post) bool {
	same := a.Slug == b.Slug && a.Title == b.Title && a.Deck == b.Deck && a.Body == b.Body &&
		a.Excerpt == b.Excerpt && a.Status == b.Status &&
		a.PublishedAt.Equal(b.PublishedAt) && a.UpdatedAt.Equal(b.UpdatedAt) &&
		a.Image == b.Image && a.CanonicalURL == b.CanonicalURL &&
		a.SEOTitle == b.SEOTitle && a.SEODescription == b.SEODescription
	if !same || (a.Section == nil) != (b.Section == nil) || a.Section != nil && a.Section.ID != b.Section.ID {
		return false
	}
	byID := func(x, y content.Author) bool { return x.ID == y.ID }
	if !slices.EqualFunc(a.Authors, b.Authors, byID) {
		return false
	}
	if !slices.EqualFunc(a.Tags, b.Tags, func(x, y content.Tag) bool { return x.ID == y.ID }) {
		return false
	}
	return slices.EqualFunc(a.Corrections, b.Corrections, func(x, y content.Correction) bool {
		return x.Date.Equal(y.Date) && x.Note == y.Note
	})
}
