package site

import (
	"net/http"

	"masthead/internal/store"
)

// tag is the river of posts carrying a tag, as section or as tag.
func (s *Site) tag(r *http.Request) (pageView, error) {
	t, err := s.store.TagBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return pageView{}, err
	}
	lv, err := s.layout(r, t.Name)
	if err != nil {
		return pageView{}, err
	}
	s.addFeeds(&lv, tagURL(t.Slug), t.Name)
	lv.JSONLD = append(lv.JSONLD, s.breadcrumbLD(lv.SiteName, []linkView{{Name: t.Name, URL: tagURL(t.Slug)}}))
	v := &riverView{layoutView: lv, Heading: t.Name, Intro: t.Description}
	if t.Description != "" {
		v.Description = t.Description
	}
	f := store.PublicFilter(s.now())
	f.TagSlug = t.Slug
	if err := s.river(r, v, f, tagURL(t.Slug)); err != nil {
		return pageView{}, err
	}
	return pageView{"river", v}, nil
}
