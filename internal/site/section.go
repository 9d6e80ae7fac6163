package site

import (
	"net/http"

	"masthead/internal/store"
)

// section is the river of a section: posts whose primary section it is.
func (s *Site) section(r *http.Request) (pageView, error) {
	t, err := s.store.TagBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return pageView{}, err
	}
	if !t.IsSection {
		return pageView{}, errNotFound
	}
	lv, err := s.layout(r, t.Name)
	if err != nil {
		return pageView{}, err
	}
	s.addFeeds(&lv, sectionURL(t.Slug), t.Name)
	lv.JSONLD = append(lv.JSONLD, s.breadcrumbLD(lv.SiteName, []linkView{{Name: t.Name, URL: sectionURL(t.Slug)}}))
	v := &riverView{layoutView: lv, Heading: t.Name, Intro: t.Description}
	if t.Description != "" {
		v.Description = t.Description
	}
	f := store.PublicFilter(s.now())
	f.SectionSlug = t.Slug
	if err := s.river(r, v, f, sectionURL(t.Slug)); err != nil {
		return pageView{}, err
	}
	return pageView{"river", v}, nil
}
