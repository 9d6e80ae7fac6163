package site

import (
	"html/template"
	"net/http"
	"strconv"

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
	page, err := s.store.Posts(r.Context(), f)
	if err != nil {
		return err
	}
	if n > 1 && len(page.Posts) == 0 {
		return errNotFound
	}
	imgs := make([]*imageView, 0, len(page.Posts))
	for i, p := range page.Posts {
		e := newEntryView(p, i)
		v.Entries = append(v.Entries, e)
		imgs = append(imgs, e.Image)
	}
	s.addRenditions(r.Context(), imgs)
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

func newEntryView(p content.Post, i int) entryView {
	id := "post-" + strconv.FormatInt(p.ID, 10)
	opening, rest, whole := splitBody(p.BodyHTML)
	// Entry headlines are h2, so headings inside a body start at h3; ids get
	// the entry's prefix because a river holds many bodies.
	prefix := id + "-"
	e := entryView{
		ID:      id,
		Lead:    i%leadEvery == 0,
		URL:     articleURL(p.Slug),
		Title:   p.Title,
		Deck:    p.Deck,
		Byline:  bylineLinks(p.Authors),
		Date:    newDateView(p.PublishedAt),
		Image:   newImageView(p.Image),
		Opening: template.HTML(adjustBody(opening, 1, 3, prefix)),
		Rest:    template.HTML(adjustBody(rest, 1, 3, prefix)),
		Whole:   whole,
	}
	e.Section = sectionLink(p.Section)
	if e.Image != nil && i > 0 {
		e.Image.Lazy = true
	}
	return e
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
