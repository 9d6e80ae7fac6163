package site

import (
	"net/http"

	"masthead/internal/store"
)

// home is the river of everything published, newest first.
func (s *Site) home(r *http.Request) (pageView, error) {
	if err := s.oldHomeQuery(r); err != nil {
		return pageView{}, err
	}
	lv, err := s.layout(r, "")
	if err != nil {
		return pageView{}, err
	}
	v := &riverView{layoutView: lv, Heading: "Latest", HeadingHidden: true}
	if err := s.river(r, v, store.PublicFilter(s.now()), "/"); err != nil {
		return pageView{}, err
	}
	return pageView{"river", v}, nil
}
