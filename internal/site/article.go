package site

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"

	"masthead/internal/content"
	"masthead/internal/store"
)

// relatedCount is how many related articles an article page lists.
const relatedCount = 4

// articleView is an article page.
type articleView struct {
	layoutView
	Headline    string
	Deck        string
	Section     *linkView
	Byline      []linkView
	Published   dateView
	Updated     *dateView
	Image       *imageView
	BodyHTML    template.HTML
	Corrections []correctionView
	Authors     []authorView
	Tags        []linkView
	Topics      []topicLink
	Related     []entryView
}

type correctionView struct {
	Date     dateView
	NoteHTML template.HTML
}

// article shows one article. An old slug redirects to the current one; the
// slug of a deleted article answers 410.
func (s *Site) article(r *http.Request) (pageView, error) {
	ctx := r.Context()
	slug := r.PathValue("slug")
	p, err := s.store.PostBySlug(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		current, err := s.store.RedirectSlug(ctx, slug)
		if err != nil {
			return pageView{}, err
		}
		if current == slug {
			return pageView{}, errNotFound
		}
		return pageView{}, redirect{url: articleURL(current), code: http.StatusMovedPermanently}
	}
	if err != nil {
		return pageView{}, err
	}
	now := s.now()
	if !visible(p, now) {
		return pageView{}, errNotFound
	}
	related, err := s.store.RelatedTeasers(ctx, p, now, relatedCount)
	if err != nil {
		return pageView{}, err
	}

	title := p.SEOTitle
	lv, err := s.layout(r, p.Title)
	if err != nil {
		return pageView{}, err
	}
	if title != "" {
		lv.Title = title
	}
	lv.Description = p.SEODescription
	if lv.Description == "" {
		lv.Description = p.Summary()
	}
	if p.CanonicalURL != "" {
		lv.Canonical = p.CanonicalURL
	}
	lv.OG.Type = "article"
	s.setImage(&lv, p.Image)
	lv.OG.Published = newDateView(p.PublishedAt).ISO
	if !p.UpdatedAt.IsZero() && p.UpdatedAt.After(p.PublishedAt) {
		lv.OG.Modified = newDateView(p.UpdatedAt).ISO
	}
	trail := []linkView{}
	if p.Section != nil {
		lv.OG.Section = p.Section.Name
		trail = append(trail, *sectionLink(p.Section))
	}
	for _, t := range p.Tags {
		lv.OG.Tags = append(lv.OG.Tags, t.Name)
	}
	trail = append(trail, linkView{Name: p.Title, URL: articleURL(p.Slug)})
	topicLinks, err := s.articleTopics(ctx, p.ID)
	if err != nil {
		return pageView{}, err
	}
	lv.JSONLD = append(lv.JSONLD,
		s.articleLD(p, lv.settings, lv.Canonical, lv.Description, s.aboutLD(topicLinks)),
		s.breadcrumbLD(lv.SiteName, trail))

	v := &articleView{
		layoutView: lv,
		Headline:   p.Title,
		Deck:       p.Deck,
		Section:    sectionLink(p.Section),
		Byline:     bylineLinks(p.Authors),
		Published:  newDateView(p.PublishedAt),
		Updated:    updatedView(p.PublishedAt, p.UpdatedAt),
		Image:      newImageView(p.Image),
		Topics:     topicLinks,
		// The headline is the page's only h1.
		BodyHTML: template.HTML(adjustBody(p.BodyHTML, 0, 2, "")),
	}
	if v.Image != nil {
		v.Image.CaptionHTML = template.HTML(content.RenderInline(p.Image.Caption))
		v.Image.Credit = p.Image.Credit
	}
	for _, c := range p.Corrections {
		v.Corrections = append(v.Corrections, correctionView{
			Date:     newDateView(c.Date),
			NoteHTML: template.HTML(content.RenderInline(c.Note)),
		})
	}
	for _, a := range p.Authors {
		v.Authors = append(v.Authors, newAuthorView(a))
	}
	if p.Section != nil {
		v.Tags = append(v.Tags, linkView{Name: p.Section.Name, URL: tagURL(p.Section.Slug)})
	}
	for _, t := range p.Tags {
		v.Tags = append(v.Tags, linkView{Name: t.Name, URL: tagURL(t.Slug)})
	}
	for _, rp := range related {
		e := entryView{
			ID:     "related-" + strconv.FormatInt(rp.ID, 10),
			URL:    articleURL(rp.Slug),
			Title:  rp.Title,
			Byline: bylineLinks(rp.Authors),
			Date:   newDateView(rp.PublishedAt),
			Image:  newImageView(rp.Image),
		}
		if e.Image != nil {
			e.Image.Lazy = true
		}
		v.Related = append(v.Related, e)
	}
	imgs := []*imageView{v.Image}
	for _, e := range v.Related {
		imgs = append(imgs, e.Image)
	}
	s.addRenditions(ctx, imgs)
	return pageView{"article", v}, nil
}
