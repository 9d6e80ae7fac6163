package site

import (
	"container/list"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"masthead/internal/content"
	"masthead/internal/store"
)

// riverPageSize is how many entries one page of a river shows.
const riverPageSize = 20

// leadEvery makes every fifth entry a lead story, large on wide screens.
const leadEvery = 5

// riverView is a home, section, tag or author page.
type riverView struct {
	layoutView
	Heading       string
	HeadingHidden bool // the h1 is for screen readers only, as on the home page
	Intro         string
	Author        *authorView
	Entries       []entryView
	Pager         pagerView
}

// entryView is one article in a river.
type entryView struct {
	ID      string // anchor of the entry, unique on the page
	Lead    bool
	URL     string
	Title   string
	Deck    string
	Section *linkView
	Byline  []linkView
	Date    dateView
	Image   *imageView
	Opening template.HTML
	Rest    template.HTML
	Whole   bool // Rest repeats the opening, which hides when Rest shows

	// HTML is the entry rendered, from the fragment cache or just now; a
	// river writes it as it is.
	HTML template.HTML
	// body is the post's rendered body, cut into Opening and Rest only
	// when the fragment is not cached.
	body string
}

// pagerView links to the neighbouring pages of a river.
type pagerView struct {
	Number int
	Count  int
	Newer  string
	Older  string
}

// authorView is an author's profile, on the author page and under articles.
type authorView struct {
	URL     string
	Name    string
	Role    string
	Photo   *imageView
	BioHTML template.HTML
}

func newAuthorView(a content.Author) authorView {
	return authorView{
		URL:     authorURL(a.Slug),
		Name:    a.Name,
		Role:    a.Role,
		Photo:   newImageView(a.Photo),
		BioHTML: template.HTML(a.BioHTML),
	}
}

// river fills v with one page of the posts readers may see that match f,
// newest first. path is the river's own address, for the pager links.
func (s *Site) river(r *http.Request, v *riverView, f store.PostFilter, path string) error {
	n, err := pageNumber(r)
	if err != nil {
		return err
	}
	f.Limit = riverPageSize
	f.Offset = (n - 1) * riverPageSize
	// The river's size changes only with the content, so it is counted
	// once per content version.
	filter := fmt.Sprint(f.Statuses, "|", f.SectionSlug, "|", f.TagSlug, "|", f.AuthorSlug)
	now := s.now()
	total, known, gen := s.cache.count(filter, now)
	f.SkipTotal = known
	page, err := s.store.Posts(r.Context(), f)
	if err != nil {
		return err
	}
	if known {
		page.Total = total
	} else {
		s.cache.putCount(filter, page.Total, gen, now)
	}
	return s.fillRiver(r, v, page, n, path)
}

// fillRiver fills v with page n of a river at path: its entries, with
// their renditions, and the pager. A page past the end is not found.
func (s *Site) fillRiver(r *http.Request, v *riverView, page store.PostPage, n int, path string) error {
	if n > 1 && len(page.Posts) == 0 {
		return errNotFound
	}
	imgs := make([]*imageView, 0, len(page.Posts))
	for i, p := range page.Posts {
		e := newEntryHead(p, i)
		v.Entries = append(v.Entries, e)
		imgs = append(imgs, e.Image)
	}
	s.addRenditions(r.Context(), imgs)
	for i := range v.Entries {
		if err := s.renderEntry(&v.Entries[i], page.Posts[i]); err != nil {
			return err
		}
	}
	v.Pager = pagerView{Number: n, Count: (page.Total + riverPageSize - 1) / riverPageSize}
	if n > 1 {
		v.Pager.Newer = pageURL(path, n-1)
		v.Prev = s.baseURL + v.Pager.Newer
		v.Canonical = s.baseURL + pageURL(path, n)
		v.Title = "Page " + strconv.Itoa(n) + " — " + v.Title
	}
	if n*riverPageSize < page.Total {
		v.Pager.Older = pageURL(path, n+1)
		v.Next = s.baseURL + v.Pager.Older
	}
	return nil
}

func pageURL(path string, n int) string {
	if n <= 1 {
		return path
	}
	return path + "?page=" + strconv.Itoa(n)
}

// newEntryHead fills everything of an entry but its body, which fillBody
// cuts and adjusts.
func newEntryHead(p content.Post, i int) entryView {
	e := entryView{
		ID:     "post-" + strconv.FormatInt(p.ID, 10),
		Lead:   i%leadEvery == 0,
		URL:    articleURL(p.Slug),
		Title:  p.Title,
		Deck:   p.Deck,
		Byline: bylineLinks(p.Authors),
		Date:   newDateView(p.PublishedAt),
		Image:  newImageView(p.Image),
		body:   p.BodyHTML,
	}
	e.Section = sectionLink(p.Section)
	if e.Image != nil && i > 0 {
		e.Image.Lazy = true
	}
	return e
}

func (e *entryView) fillBody() {
	opening, rest, whole := splitBody(e.body)
	// Entry headlines are h2, so headings inside a body start at h3; ids get
	// the entry's prefix because a river holds many bodies.
	prefix := e.ID + "-"
	e.Opening = template.HTML(adjustBody(opening, 1, 3, prefix))
	e.Rest = template.HTML(adjustBody(rest, 1, 3, prefix))
	e.Whole = whole
}

// renderEntry sets e.HTML from the fragment cache, or renders the entry and
// keeps it there. Cutting and adjusting a whole article and running the
// template over it is most of a river's render, and an entry's HTML changes
// only when its post, its byline or section names, its photo or its place
// on the page do: all of them are in the key.
func (s *Site) renderEntry(e *entryView, p content.Post) error {
	key := fragmentKey(e, p)
	if key != "" {
		if html, ok := s.fragments.get(key); ok {
			e.HTML = html
			return nil
		}
	}
	e.fillBody()
	var b strings.Builder
	if err := s.pages["river"].ExecuteTemplate(&b, "entry", e); err != nil {
		return fmt.Errorf("site: render entry %d: %w", p.ID, err)
	}
	e.HTML = template.HTML(b.String())
	if key != "" {
		s.fragments.put(key, e.HTML)
	}
	return nil
}

// fragmentKey names everything an entry's HTML is made of: the post by id,
// last save and renderer version (which fix its body), and every other
// field the entry shows. It is empty when the post's save time is unknown.
func fragmentKey(e *entryView, p content.Post) string {
	if p.ModifiedAt.IsZero() {
		return ""
	}
	var b strings.Builder
	field := func(s string) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
	}
	field(strconv.FormatInt(p.ID, 10))
	field(strconv.FormatInt(p.ModifiedAt.UnixNano(), 10))
	field(strconv.Itoa(p.RenderVersion))
	field(strconv.Itoa(content.RendererVersion))
	field(strconv.FormatBool(e.Lead))
	field(e.URL)
	field(e.Title)
	field(e.Deck)
	field(e.Date.ISO)
	field(e.Date.Text)
	if e.Section != nil {
		field(e.Section.Name)
		field(e.Section.URL)
	}
	field(strconv.Itoa(len(e.Byline)))
	for _, l := range e.Byline {
		field(l.Name)
		field(l.URL)
		field(l.Sep)
	}
	if img := e.Image; img != nil {
		field(img.URL)
		field(img.Alt)
		field(strconv.Itoa(img.Width))
		field(strconv.Itoa(img.Height))
		field(strconv.FormatBool(img.Lazy))
		field(img.Srcset)
		field(img.WebP)
		field(img.Sizes)
		field(string(img.CaptionHTML))
		field(img.Credit)
	}
	return b.String()
}

// Bounds of the fragment cache: a river entry holds a whole article, a
// few kilobytes.
const (
	maxFragments     = 4000
	maxFragmentBytes = 24 << 20
)

// fragmentCache keeps rendered river entries by their fragmentKey, oldest
// out first. Its keys name their content, so nothing ever invalidates it.
type fragmentCache struct {
	mu         sync.Mutex
	entries    map[string]*list.Element // of *fragment
	order      *list.List               // least recently used first
	size       int
	maxEntries int
	maxBytes   int
}

type fragment struct {
	key  string
	html template.HTML
}

func newFragmentCache(maxEntries, maxBytes int) *fragmentCache {
	return &fragmentCache{entries: map[string]*list.Element{}, order: list.New(), maxEntries: maxEntries, maxBytes: maxBytes}
}

func (c *fragmentCache) get(key string) (template.HTML, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return "", false
	}
	c.order.MoveToBack(e)
	return e.Value.(*fragment).html, true
}

func (c *fragmentCache) put(key string, html template.HTML) {
	n := len(key) + len(html)
	if n > c.maxBytes/16 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; ok {
		return // rendered twice at once: the same bytes
	}
	c.entries[key] = c.order.PushBack(&fragment{key, html})
	c.size += n
	for c.order.Len() > c.maxEntries || c.size > c.maxBytes {
		oldest := c.order.Front()
		f := oldest.Value.(*fragment)
		c.order.Remove(oldest)
		delete(c.entries, f.key)
		c.size -= len(f.key) + len(f.html)
	}
}

// sectionLink links a post's primary section, to its section page when it is
// in the navigation and to its tag page otherwise.
func sectionLink(t *content.Tag) *linkView {
	if t == nil {
		return nil
	}
	u := tagURL(t.Slug)
	if t.IsSection {
		u = sectionURL(t.Slug)
	}
	return &linkView{Name: t.Name, URL: u}
}
