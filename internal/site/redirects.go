package site

import (
	"errors"
	"net/http"

	"masthead/internal/store"
)

// oldAddress answers an address none of the site's pages has: when it is
// the permalink of an article imported from another site (a WordPress
// /2019/03/slug/, say), a permanent redirect to the article; when that
// article was deleted, 410; otherwise 404.
func (s *Site) oldAddress(r *http.Request) error {
	slug, err := s.store.RedirectTarget(r.Context(), store.RedirectPath(r.URL.Path, r.URL.Query()))
	if err != nil {
		return err
	}
	return redirect{url: articleURL(slug), code: http.StatusMovedPermanently}
}

// oldHomeQuery handles the home page's address with a query naming an
// article, as WordPress's /?p=123 does: it returns the redirect (or 410) for
// a known one and nil for anything else, which shows the home page.
func (s *Site) oldHomeQuery(r *http.Request) error {
	q := r.URL.Query()
	if !q.Has("p") && !q.Has("page_id") {
		return nil
	}
	err := s.oldAddress(r)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}
