package importer

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"masthead/internal/content"
	"masthead/internal/media"
	"masthead/internal/store"
)

// Archive is another system's export in Masthead's terms. Each foreign
// format (WordPress, Ghost, feeds) is read into an Archive, and
// ImportArchive checks and writes every Archive the same way.
type Archive struct {
	Format  string // "WordPress", "Ghost", "feed": for messages
	Source  string // the file read, for messages
	Authors []ArchiveAuthor
	// Tags give the name and description of tags and sections the posts
	// name; a post may also name a tag that is not listed here.
	Tags []ArchiveTag
	// Posts calls fn with every item of the archive in order, including
	// those to skip. It is called more than once and must give the same
	// items each time: the import reads them once to check and once to
	// write, so that an archive larger than memory is never held whole.
	// fn may keep the posts it is given. An error from fn ends it and is
	// returned.
	Posts func(ctx context.Context, fn func(*ArchivePost) error) error
	// Problems found outside the posts stop the import; warnings do not.
	Problems []Problem
	Warnings []Problem
}

// Pos is where something came from: a file and a 1-based line, or 0 when
// the format has no lines to speak of.
type Pos struct {
	Path string
	Line int
}

func (p Pos) String() string {
	if p.Line <= 0 {
		return p.Path
	}
	return p.Path + ":" + strconv.Itoa(p.Line)
}

func (p Pos) problem(format string, args ...any) Problem {
	return Problem{Path: p.Path, Line: p.Line, Msg: fmt.Sprintf(format, args...)}
}

// ArchiveAuthor is a contributor of a foreign archive.
type ArchiveAuthor struct {
	Pos
	Key   string // how the archive's posts name the author: a login, an id
	Slug  string // a wish; replaced when it is not a valid slug
	Name  string
	Role  string
	Bio   string // Markdown
	Photo ArchiveImage
	Links []content.Link
}

// ArchiveTag is a tag or section: a slug (a wish, as for authors) and a
// name, with a description for tags the import creates.
type ArchiveTag struct {
	Slug        string
	Name        string
	Description string
}

// ArchiveImage is an image a foreign archive names by URL, with its
// editorial text.
type ArchiveImage struct {
	URL     string
	Alt     string
	Caption string
	Credit  string
}

// ArchivePost is one item of a foreign archive: a post to import, or one
// to skip (Skip says why).
type ArchivePost struct {
	Pos
	Skip     string // non-empty: not imported, for this reason
	Comments int    // comments the item had, which are not imported

	Slug        string // a wish: made from the title when empty or invalid, made unique when taken
	Title       string
	Deck        string
	Body        string // Markdown
	Excerpt     string
	Status      content.Status
	PublishedAt time.Time
	UpdatedAt   time.Time
	Authors     []string // author keys, in byline order
	Section     *ArchiveTag
	Tags        []ArchiveTag
	Image       ArchiveImage
	// BodyImages are the image URLs exactly as Body's image destinations
	// hold them; loaded ones are replaced by their media address.
	BodyImages     []string
	OldPaths       []string // earlier addresses, in store.RedirectPath form
	SEOTitle       string
	SEODescription string
	CanonicalURL   string

	Problems []string // stop the import
	Warnings []string
}

// maxImageBytes bounds each image of a foreign archive.
const maxImageBytes = 20 << 20

// ImportArchive checks a foreign archive and writes it. Every item is read
// and checked first; when anything stops the import the error is an
// *Errors listing every problem and nothing is stored. Images are then
// loaded through opts.Images and stored (content-hashed, so storing them
// again changes nothing; an image that fails keeps its old address and gets
// a warning), and authors, tags, posts and old addresses are written in one
// transaction, matched by slug: importing the same archive twice creates no
// duplicates. With opts.DryRun everything is checked, loaded and counted
// but nothing is written.
func ImportArchive(ctx context.Context, st *store.Store, files media.Storage, arc *Archive, opts Options) (Report, error) {
	w := &archiveWriter{arc: arc, opts: opts, now: opts.now(), usedSlugs: map[string]Pos{},
		tagIndex: map[string]int{}, imageIndex: map[string]int{}, authorsByKey: map[string]*plannedAuthor{}}
	if err := w.check(ctx); err != nil {
		return Report{}, err
	}
	if len(w.problems) > 0 {
		sortProblems(w.problems)
		return Report{}, &Errors{Problems: w.problems}
	}
	if err := w.loadImages(ctx, files); err != nil {
		return Report{}, err
	}
	var err error
	if opts.DryRun {
		err = w.write(ctx, st, false)
	} else {
		err = st.InTx(ctx, func(tx *store.Store) error {
			if err := w.write(ctx, tx, true); err != nil {
				return err
			}
			var lib []libraryImage
			for _, img := range w.images {
				if img.loaded.Key != "" {
					lib = append(lib, libraryImage{key: img.loaded.Key, format: img.format, width: img.loaded.Width,
						height: img.loaded.Height, bytes: img.bytes})
				}
			}
			return addToLibrary(ctx, tx, lib)
		})
	}
	if err != nil {
		return Report{}, err
	}
	rep := w.rep
	sortProblems(w.warnings)
	for _, p := range w.warnings {
		rep.Warnings = append(rep.Warnings, p.String())
	}
	for _, p := range w.skipped {
		rep.Skipped = append(rep.Skipped, p.String())
	}
	return rep, nil
}

// archiveWriter is one import of an Archive in progress.
type archiveWriter struct {
	arc  *Archive
	opts Options
	now  time.Time
	rep  Report

	problems []Problem
	warnings []Problem
	skipped  []Problem

	authors      []*plannedAuthor // in the archive's order, then those only posts name
	authorsByKey map[string]*plannedAuthor
	slugs        []string       // the slug of each imported post, in order
	usedSlugs    map[string]Pos // post slug → the item that has it
	tags         []plannedTag   // in the order first named
	tagIndex     map[string]int // slug → index in tags
	images       []plannedImage // in the order first named
	imageIndex   map[string]int // URL → index in images
	total        int            // posts to import

	// cached holds the items as the check read them, so that the write
	// need not read and convert them again, as long as they fit in
	// cacheBudget; beyond it the write reads the archive anew.
	cached     []*ArchivePost
	cacheBytes int
	cacheOff   bool
}

// MemoryLimit is the soft memory limit (runtime/debug.SetMemoryLimit) the
// import command runs under: what an import keeps is bounded (the cache
// below, and a few hundred bytes per post), but reading and converting
// make garbage that the collector, left to its default pace, lets the
// process grow for.
const MemoryLimit = 150 << 20

// cacheBudget bounds the post text kept between checking and writing.
const cacheBudget = 48 << 20

// keep caches an item read by the check while the budget allows.
func (w *archiveWriter) keep(p *ArchivePost) {
	if w.cacheOff {
		return
	}
	w.cacheBytes += len(p.Body) + len(p.Title) + len(p.Excerpt) + 512
	if w.cacheBytes > cacheBudget {
		w.cacheOff, w.cached = true, nil
		return
	}
	w.cached = append(w.cached, p)
}

// posts gives the write every item again: from the cache when the check
// kept them all, else by reading the archive anew.
func (w *archiveWriter) posts(ctx context.Context, fn func(*ArchivePost) error) error {
	if w.cacheOff {
		return w.arc.Posts(ctx, fn)
	}
	for _, p := range w.cached {
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}

type plannedAuthor struct {
	ArchiveAuthor
	stored content.Author
}

type plannedTag struct {
	ArchiveTag
	section bool
}

type plannedImage struct {
	url    string
	where  Pos
	loaded content.Image // Key empty until loaded
	format string        // of the loaded image, for the media library
	bytes  int64
}

// check reads every item once, settling slugs and collecting authors, tags
// and images, problems, warnings and skipped items.
func (w *archiveWriter) check(ctx context.Context) error {
	w.problems = append(w.problems, w.arc.Problems...)
	w.warnings = append(w.warnings, w.arc.Warnings...)

	authorSlugs := map[string]Pos{}
	for _, a := range w.arc.Authors {
		if _, dup := w.authorsByKey[a.Key]; dup {
			w.warnings = append(w.warnings, a.Pos.problem("author %q is listed twice; the first is kept", a.Key))
			continue
		}
		pa := &plannedAuthor{ArchiveAuthor: a}
		pa.Slug = w.uniqueSlug(authorSlugs, a.Pos, "author", a.Slug, a.Name)
		if pa.Slug == "" {
			w.problems = append(w.problems, a.Pos.problem("author %q has neither a usable slug nor a name", a.Key))
			continue
		}
		w.authorsByKey[a.Key] = pa
		w.authors = append(w.authors, pa)
		w.useImage(a.Photo.URL, a.Pos)
	}
	details := map[string]ArchiveTag{}
	for _, t := range w.arc.Tags {
		if s := tagSlug(t); s != "" {
			details[s] = t
		}
	}

	err := w.arc.Posts(ctx, func(p *ArchivePost) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		w.keep(p)
		w.rep.CommentsSkipped += p.Comments
		what := describe(p)
		if p.Skip != "" {
			w.skipped = append(w.skipped, p.Pos.problem("%s: %s", what, p.Skip))
			return nil
		}
		for _, m := range p.Problems {
			w.problems = append(w.problems, p.Pos.problem("%s: %s", what, m))
		}
		for _, m := range p.Warnings {
			w.warnings = append(w.warnings, p.Pos.problem("%s: %s", what, m))
		}
		slug := w.uniqueSlug(w.usedSlugs, p.Pos, "post", p.Slug, p.Title)
		if slug == "" {
			w.problems = append(w.problems, p.Pos.problem("%s: no slug can be made from the title", what))
		}
		w.slugs = append(w.slugs, slug)
		w.total++
		if strings.TrimSpace(p.Title) == "" {
			w.problems = append(w.problems, p.Pos.problem("%s: the post has no title", what))
		}
		if !p.Status.Valid() {
			w.problems = append(w.problems, p.Pos.problem("%s: unknown status %q", what, p.Status))
		}
		if (p.Status == content.StatusPublished || p.Status == content.StatusScheduled) && p.PublishedAt.IsZero() && len(p.Problems) == 0 {
			w.problems = append(w.problems, p.Pos.problem("%s: %s without a publication date", what, p.Status))
		}
		if p.Status == content.StatusPublished && p.PublishedAt.After(w.now) {
			w.warnings = append(w.warnings, p.Pos.problem("%s: published with a date in the future: readers will see it from %s",
				what, p.PublishedAt.Format(time.RFC3339)))
		}
		for _, key := range p.Authors {
			if _, ok := w.authorsByKey[key]; ok {
				continue
			}
			// A byline naming someone the archive does not describe still
			// deserves a profile: it is made from the name alone.
			slug := w.uniqueSlug(authorSlugs, p.Pos, "author", key, key)
			if slug == "" {
				w.problems = append(w.problems, p.Pos.problem("%s: author %q is not in the archive and has no usable name", what, key))
				continue
			}
			w.warnings = append(w.warnings, p.Pos.problem("%s: author %q is not in the archive; a profile is made from the name", what, key))
			pa := &plannedAuthor{ArchiveAuthor: ArchiveAuthor{Pos: p.Pos, Key: key, Slug: slug, Name: key}}
			w.authorsByKey[key] = pa
			w.authors = append(w.authors, pa)
		}
		if p.Section != nil {
			w.useTag(*p.Section, true, details, p.Pos, what)
		}
		for _, t := range p.Tags {
			w.useTag(t, false, details, p.Pos, what)
		}
		w.useImage(p.Image.URL, p.Pos)
		for _, u := range p.BodyImages {
			w.useImage(u, p.Pos)
		}
		return nil
	})
	if err != nil {
		if pe, ok := errors.AsType[*archiveError](err); ok {
			w.problems = append(w.problems, pe.Problem)
			return nil
		}
		return fmt.Errorf("import: %w", err)
	}
	if w.total == 0 && len(w.skipped) == 0 && len(w.arc.Authors) == 0 && len(w.problems) == 0 {
		w.problems = append(w.problems, Problem{Path: w.arc.Source, Line: 1, Msg: fmt.Sprintf("the %s archive holds nothing to import", w.arc.Format)})
	}
	return nil
}

// archiveError is a problem that ends the reading of an archive (malformed
// XML, say), reported like any other problem.
type archiveError struct{ Problem }

func (e *archiveError) Error() string { return e.Problem.String() }

// describe names an item in messages: its title, or its slug.
func describe(p *ArchivePost) string {
	switch {
	case strings.TrimSpace(p.Title) != "":
		return strconv.Quote(truncate(strings.TrimSpace(p.Title), 60))
	case p.Slug != "":
		return "untitled " + strconv.Quote(p.Slug)
	}
	return "untitled item"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// uniqueSlug settles the slug of an author or post: the wished one when it
// is valid, else one made from the name; when another item of the archive
// has it already, the first free "-2", "-3"… suffix, with a warning. It
// returns "" when no slug can be made.
func (w *archiveWriter) uniqueSlug(used map[string]Pos, at Pos, what, wish, name string) string {
	slug := wish
	if !content.ValidSlug(slug) {
		slug = content.Slugify(wish)
		if slug == "" {
			slug = content.Slugify(name)
		}
	}
	if slug == "" {
		return ""
	}
	prev, taken := used[slug]
	if !taken {
		used[slug] = at
		return slug
	}
	for i := 2; ; i++ {
		s := slug + "-" + strconv.Itoa(i)
		if _, taken := used[s]; !taken {
			w.warnings = append(w.warnings, at.problem("%s slug %q is also used at %s; this one gets %q", what, slug, prev, s))
			used[s] = at
			return s
		}
	}
}

// tagSlug is the slug of a tag: its own when valid, else made from its name.
func tagSlug(t ArchiveTag) string {
	if content.ValidSlug(t.Slug) {
		return t.Slug
	}
	if s := content.Slugify(t.Slug); s != "" && t.Name == "" {
		return s
	}
	return content.Slugify(t.Name)
}

func (w *archiveWriter) useTag(t ArchiveTag, section bool, details map[string]ArchiveTag, at Pos, what string) {
	slug := tagSlug(t)
	if slug == "" {
		w.warnings = append(w.warnings, at.problem("%s: tag %q has no usable name and is left out", what, t.Name))
		return
	}
	if i, ok := w.tagIndex[slug]; ok {
		w.tags[i].section = w.tags[i].section || section
		return
	}
	pt := plannedTag{ArchiveTag: t, section: section}
	pt.Slug = slug
	if d, ok := details[slug]; ok {
		pt.Description = d.Description
		if pt.Name == "" {
			pt.Name = d.Name
		}
	}
	if pt.Name == "" {
		pt.Name = slug
	}
	w.tagIndex[slug] = len(w.tags)
	w.tags = append(w.tags, pt)
}

func (w *archiveWriter) useImage(u string, at Pos) {
	if u == "" {
		return
	}
	if _, ok := w.imageIndex[u]; ok {
		return
	}
	w.imageIndex[u] = len(w.images)
	w.images = append(w.images, plannedImage{url: u, where: at})
}

// loadImages loads every image once and stores those not yet in storage
// (in a dry run it only counts them). One that fails keeps its address, an
// absolute URL still pointing at the old site, and gets a warning.
func (w *archiveWriter) loadImages(ctx context.Context, files media.Storage) error {
	if len(w.images) == 0 {
		return nil
	}
	if w.opts.Images == nil {
		w.warnings = append(w.warnings, Problem{Path: w.arc.Source, Msg: fmt.Sprintf(
			"%d images were not loaded and stay at their old addresses: name the export's image folder or allow fetching them", len(w.images))})
		return nil
	}
	for i := range w.images {
		img := &w.images[i]
		if err := ctx.Err(); err != nil {
			return err
		}
		data, err := w.opts.Images.Load(ctx, img.url)
		var info media.Info
		if err == nil {
			data, info, err = media.CheckUpload(bytes.NewReader(data), maxImageBytes)
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			w.rep.ImagesFailed++
			w.warnings = append(w.warnings, img.where.problem("image %s could not be loaded (%s); it keeps its old address",
				img.url, strings.TrimPrefix(err.Error(), "media: ")))
		} else {
			key := media.HashedKey("images", imageBase(img.url), data, info)
			img.loaded = content.Image{Key: key, Width: info.Width, Height: info.Height}
			img.format, img.bytes = info.Format, int64(len(data))
			stored, err := putImage(ctx, files, key, data, w.opts.DryRun)
			if err != nil {
				return err
			}
			if stored {
				w.rep.ImagesStored++
			}
		}
		if w.opts.ImageProgress != nil {
			w.opts.ImageProgress(i+1, len(w.images))
		}
	}
	return nil
}

// putImage stores data under key unless something is there already (the
// same key always holds the same bytes) and reports whether it stored (or,
// in a dry run, would store) it.
func putImage(ctx context.Context, files media.Storage, key string, data []byte, dryRun bool) (bool, error) {
	obj, err := files.Open(ctx, key)
	if err == nil {
		obj.Close()
		return false, nil
	}
	if !errors.Is(err, media.ErrNotFound) {
		return false, fmt.Errorf("import: %w", err)
	}
	if dryRun {
		return true, nil
	}
	if err := files.Put(ctx, key, bytes.NewReader(data)); err != nil {
		return false, fmt.Errorf("import: %w", err)
	}
	return true, nil
}

// imageBase names a stored image after the file it came from.
func imageBase(u string) string {
	p := u
	if parsed, err := url.Parse(u); err == nil {
		p = parsed.Path
	}
	name := path.Base(p)
	name = strings.TrimSuffix(name, path.Ext(name))
	if s := content.Slugify(name); s != "" {
		return truncate(s, 60)
	}
	return "image"
}

// image returns the stored form of an archive image: the media key when it
// was loaded, its URL when that is absolute, nothing otherwise.
func (w *archiveWriter) image(ai ArchiveImage) content.Image {
	if ai.URL == "" {
		return content.Image{}
	}
	var img content.Image
	if i, ok := w.imageIndex[ai.URL]; ok && w.images[i].loaded.Key != "" {
		img = w.images[i].loaded
	} else if webURL(ai.URL, "http", "https") {
		img = content.Image{Key: ai.URL}
	} else {
		return content.Image{}
	}
	img.Alt, img.Caption, img.Credit = ai.Alt, ai.Caption, ai.Credit
	return img
}

// body points the body's loaded images at their media addresses.
func (w *archiveWriter) body(p *ArchivePost) string {
	b := p.Body
	for _, u := range p.BodyImages {
		i, ok := w.imageIndex[u]
		if !ok || w.images[i].loaded.Key == "" {
			continue
		}
		to := "](/media/" + w.images[i].loaded.Key
		b = strings.ReplaceAll(b, "]("+u+")", to+")")
		b = strings.ReplaceAll(b, "]("+u+" ", to+" ")
		b = strings.ReplaceAll(b, "](<"+u+">", to)
	}
	return b
}

// write creates or updates authors, tags, posts and old addresses in s,
// matched by slug; with save false it only counts.
func (w *archiveWriter) write(ctx context.Context, s *store.Store, save bool) error {
	for _, a := range w.authors {
		want := content.Author{Slug: a.Slug, Name: a.Name, Role: a.Role, Bio: a.Bio, Photo: w.image(a.Photo), Links: a.Links}
		if want.Name == "" {
			want.Name = a.Slug
		}
		if !want.Photo.IsZero() && want.Photo.Alt == "" {
			want.Photo.Alt = want.Name
		}
		old, err := s.AuthorBySlug(ctx, a.Slug)
		if err == nil {
			keepAuthorFields(&want, old)
		}
		switch {
		case errors.Is(err, store.ErrNotFound):
			w.rep.AuthorsCreated++
		case err != nil:
			return fmt.Errorf("import: %s: %w", a.Pos, err)
		case sameAuthor(old, want):
			w.rep.AuthorsUnchanged++
			a.stored = old
			continue
		default:
			want.ID, want.CreatedAt = old.ID, old.CreatedAt
			w.rep.AuthorsUpdated++
		}
		if save {
			if err := s.SaveAuthor(ctx, &want); err != nil {
				return fmt.Errorf("import: %s: author %q: %w", a.Pos, a.Slug, err)
			}
		}
		a.stored = want
	}

	tags, err := w.writeTags(ctx, s, save)
	if err != nil {
		return err
	}

	// Redirects are written in batches: one statement per post would cost
	// more than the post.
	var redirects []store.Redirect
	flush := func() error {
		if save && len(redirects) > 0 {
			if err := s.SaveRedirects(ctx, redirects); err != nil {
				return fmt.Errorf("import: %w", err)
			}
		}
		redirects = redirects[:0]
		return nil
	}
	stored, err := storedSlugs(ctx, s)
	if err != nil {
		return err
	}
	i := 0
	err = w.posts(ctx, func(p *ArchivePost) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if p.Skip != "" {
			return nil
		}
		if i >= len(w.slugs) {
			return fmt.Errorf("import: %s: the archive changed while it was read", p.Pos)
		}
		slug := w.slugs[i]
		i++
		want := content.Post{
			Slug: slug, Title: strings.TrimSpace(p.Title), Deck: p.Deck, Body: w.body(p), Excerpt: p.Excerpt,
			Status: p.Status, PublishedAt: p.PublishedAt, UpdatedAt: p.UpdatedAt, Image: w.image(p.Image),
			CanonicalURL: p.CanonicalURL, SEOTitle: p.SEOTitle, SEODescription: p.SEODescription,
		}
		for _, key := range p.Authors {
			a := w.authorsByKey[key]
			if a != nil && !slices.ContainsFunc(want.Authors, func(x content.Author) bool { return x.Slug == a.stored.Slug }) {
				want.Authors = append(want.Authors, a.stored)
			}
		}
		var section string
		if p.Section != nil {
			section = tagSlug(*p.Section)
			if t, ok := tags[section]; ok {
				want.Section = &t
			}
		}
		for _, at := range p.Tags {
			slug := tagSlug(at)
			t, ok := tags[slug]
			if !ok || slug == section || slices.ContainsFunc(want.Tags, func(x content.Tag) bool { return x.Slug == slug }) {
				continue
			}
			want.Tags = append(want.Tags, t)
		}

		old, err := content.Post{}, error(store.ErrNotFound)
		if stored[slug] {
			old, err = s.PostBySlug(ctx, slug)
		}
		if err == nil {
			keepPostFields(&want, old)
		}
		write := true
		switch {
		case errors.Is(err, store.ErrNotFound):
			w.rep.PostsCreated++
		case err != nil:
			return fmt.Errorf("import: %s: %w", p.Pos, err)
		case samePost(old, want):
			w.rep.PostsUnchanged++
			want.ID = old.ID
			write = false
		default:
			want.ID, want.CreatedAt = old.ID, old.CreatedAt
			w.rep.PostsUpdated++
		}
		if save && write {
			if err := s.SavePost(ctx, &want); err != nil {
				return fmt.Errorf("import: %s: post %q: %w", p.Pos, slug, err)
			}
		}
		for _, path := range p.OldPaths {
			if path != "/articles/"+slug {
				redirects = append(redirects, store.Redirect{Path: path, PostID: want.ID})
				w.rep.RedirectsSaved++
			}
		}
		if len(redirects) >= 500 {
			if err := flush(); err != nil {
				return err
			}
		}
		if w.opts.Progress != nil {
			w.opts.Progress(i, w.total)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// storedSlugs returns the slugs of every stored post, so that posts new to
// the site are not looked up one by one.
func storedSlugs(ctx context.Context, s *store.Store) (map[string]bool, error) {
	slugs := map[string]bool{}
	for offset := 0; ; {
		links, total, err := s.PostLinks(ctx, store.PostFilter{Limit: store.MaxPostLinks, Offset: offset}, time.Time{})
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		for _, l := range links {
			slugs[l.Slug] = true
		}
		offset += len(links)
		if len(links) == 0 || offset >= total {
			return slugs, nil
		}
	}
}

// keepAuthorFields keeps what a stored author has where the archive says
// nothing: foreign exports rarely carry bios, roles or photos, and
// importing again must not erase what the desk added since.
func keepAuthorFields(want *content.Author, old content.Author) {
	want.Role = cmp.Or(want.Role, old.Role)
	want.Bio = cmp.Or(want.Bio, old.Bio)
	if want.Photo.IsZero() {
		want.Photo = old.Photo
	}
	if len(want.Links) == 0 {
		want.Links = old.Links
	}
}

// keepPostFields does the same for a stored post: a deck, corrections, an
// "Updated" date, SEO fields or a photo added in the desk stay.
func keepPostFields(want *content.Post, old content.Post) {
	want.Deck = cmp.Or(want.Deck, old.Deck)
	want.Excerpt = cmp.Or(want.Excerpt, old.Excerpt)
	want.SEOTitle = cmp.Or(want.SEOTitle, old.SEOTitle)
	want.SEODescription = cmp.Or(want.SEODescription, old.SEODescription)
	want.CanonicalURL = cmp.Or(want.CanonicalURL, old.CanonicalURL)
	if want.UpdatedAt.IsZero() {
		want.UpdatedAt = old.UpdatedAt
	}
	if want.Image.IsZero() {
		want.Image = old.Image
	}
	want.Corrections = old.Corrections
}

// writeTags finds or creates every tag and section the posts name and
// returns them by slug. Sections keep their place in the navigation; new
// ones go after the existing ones in the order first named.
func (w *archiveWriter) writeTags(ctx context.Context, s *store.Store, save bool) (map[string]content.Tag, error) {
	tags := map[string]content.Tag{}
	if len(w.tags) == 0 {
		return tags, nil
	}
	sections, err := s.Sections(ctx)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	next := 1
	for _, t := range sections {
		next = max(next, t.Position+1)
	}
	for _, pt := range w.tags {
		t, err := s.TagBySlug(ctx, pt.Slug)
		switch {
		case errors.Is(err, store.ErrNotFound):
			t = content.Tag{Slug: pt.Slug, Name: pt.Name, Description: pt.Description, IsSection: pt.section}
			if t.IsSection {
				t.Position = next
				next++
			}
			w.rep.TagsCreated++
		case err != nil:
			return nil, fmt.Errorf("import: tag %q: %w", pt.Slug, err)
		case pt.section && !t.IsSection:
			t.IsSection = true
			t.Position = next
			next++
			w.rep.TagsUpdated++
		default:
			tags[pt.Slug] = t
			continue
		}
		if save {
			if err := s.SaveTag(ctx, &t); err != nil {
				return nil, fmt.Errorf("import: tag %q: %w", pt.Slug, err)
			}
		}
		tags[pt.Slug] = t
	}
	return tags, nil
}
