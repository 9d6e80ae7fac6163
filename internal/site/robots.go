package site

import "net/http"

// robots tells crawlers where the sitemap is, and keeps them out of the
// search results, which are endless and say nothing new.
func (s *Site) robots(*http.Request) (document, error) {
	body := "User-agent: *\nDisallow: /search\n\nSitemap: " + s.baseURL + "/sitemap.xml\n"
	return document{ctype: "text/plain; charset=utf-8", body: []byte(body)}, nil
}
