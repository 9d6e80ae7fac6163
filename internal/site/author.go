package site

import (
	"net/http"

	"masthead/internal/content"
	"masthead/internal/store"
)

// author is an author's profile followed by the river of their articles.
func (s *Site) author(r *http.Request) (pageView, error) {
	a, err := s.store.AuthorBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return pageView{}, err
	}
	lv, err := s.layout(r, a.Name)
	if err != nil {
		return pageView{}, err
	}
	s.addFeeds(&lv, authorURL(a.Slug), a.Name)
	lv.OG.Type = "profile"
	s.setImage(&lv, a.Photo)
	lv.JSONLD = append(lv.JSONLD, s.personLD(a),
		s.breadcrumbLD(lv.SiteName, []linkView{{Name: a.Name, URL: authorURL(a.Slug)}}))
	av := newAuthorView(a)
	v := &riverView{layoutView: lv, Heading: a.Name, Author: &av}
	if bio := content.PlainText(a.BioHTML); bio != "" {
		v.Description = clip(bio, 300)
	}
	f := store.PublicFilter(s.now())
	f.AuthorSlug = a.Slug
	if err := s.river(r, v, f, authorURL(a.Slug)); err != nil {
		return pageView{}, err
	}
	return pageView{"river", v}, nil
}
