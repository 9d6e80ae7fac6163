// Package site serves the public magazine: the home river, section, tag and
// author pages, articles, media and static files, with a page cache that
// follows the store's content version.
package site

import (
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"masthead/internal/media"
	"masthead/internal/store"
	"masthead/internal/topics/topicstore"
	"masthead/web"
)

// Options configures a Site.
type Options struct {
	Store   *store.Store
	Media   media.Storage
	BaseURL string // absolute, e.g. "http://localhost:8080"; used for canonical links
	Logger  *slog.Logger
	Now     func() time.Time // nil means time.Now
	// Newsletter serves the subscription pages (/subscribe, confirm,
	// preferences, unsubscribe); nil leaves them out.
	Newsletter Newsletter
}

// Site is the public site. Its handler is safe for concurrent use.
type Site struct {
	store   *store.Store
	media   media.Storage
	baseURL string
	log     *slog.Logger
	now     func() time.Time

	// sitemapSize is how many articles one sitemap lists: sitemapURLs,
	// fewer in tests.
	sitemapSize int

	pages  map[string]*template.Template
	assets *assets
	cache  *pageCache
	// renders bounds and shares the renders of uncached pages.
	renders *renderGroup
	// fragments keeps rendered river entries across content changes.
	fragments *fragmentCache
	mux       *http.ServeMux

	// wake asks Run to re-read the content version now rather than at the
	// next tick; Invalidate sends on it without blocking.
	wake chan struct{}

	newsletter Newsletter // nil without the newsletter

	// topics keeps the compiled gazetteer of the topic pages.
	topics topicstore.Cache
}

// pageNames are the page templates under templates/pages/; each is parsed
// together with the layout and the partials.
var pageNames = []string{"river", "article", "search", "error", "subscribe", "topics", "topic"}

// New parses the templates and hashes the static files. A missing or broken
// template or asset is an error here rather than on a request.
func New(opts Options) (*Site, error) {
	tmpl, err := fs.Sub(web.Templates, "templates")
	if err != nil {
		return nil, fmt.Errorf("site: templates: %w", err)
	}
	static, err := fs.Sub(web.Static, "static")
	if err != nil {
		return nil, fmt.Errorf("site: static files: %w", err)
	}
	return newSite(opts, tmpl, static)
}

func newSite(opts Options, tmpl, static fs.FS) (*Site, error) {
	if opts.Store == nil {
		return nil, errors.New("site: no store")
	}
	base := strings.TrimRight(opts.BaseURL, "/")
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		return nil, fmt.Errorf("site: base URL %q is not an absolute http(s) URL", opts.BaseURL)
	}
	s := &Site{
		store:       opts.Store,
		media:       opts.Media,
		baseURL:     base,
		log:         opts.Logger,
		now:         opts.Now,
		cache:       newPageCache(maxCacheEntries, maxCacheBytes),
		renders:     newRenderGroup(renderSlots()),
		fragments:   newFragmentCache(maxFragments, maxFragmentBytes),
		sitemapSize: sitemapURLs,
		wake:        make(chan struct{}, 1),
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	var err error
	if s.assets, err = loadAssets(static); err != nil {
		return nil, err
	}
	if s.pages, err = parseTemplates(tmpl, s.assets); err != nil {
		return nil, err
	}
	s.newsletter = opts.Newsletter
	s.mux = s.routes()
	return s, nil
}

func (s *Site) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", s.page(s.home))
	mux.Handle("GET /sections/{slug}", s.page(s.section))
	mux.Handle("GET /tags/{slug}", s.page(s.tag))
	mux.Handle("GET /authors/{slug}", s.page(s.author))
	mux.Handle("GET /articles/{slug}", s.page(s.article))
	mux.Handle("GET /topics", s.page(s.topicIndex))
	mux.Handle("GET /topics/{slug}", s.page(s.topic))
	s.feedRoutes(mux)
	mux.Handle("GET /sitemap.xml", s.documentHandler(s.sitemapIndex))
	mux.Handle("GET /sitemaps/{file}", s.documentHandler(s.sitemap))
	mux.Handle("GET /robots.txt", s.documentHandler(s.robots))
	mux.Handle("GET /search", s.handle(s.limited(s.search)))
	mux.Handle("GET /search.json", s.handle(s.limited(s.searchJSON)))
	s.newsletterRoutes(mux)
	mux.Handle("GET /media/{key...}", s.handle(s.serveMedia))
	mux.Handle("GET /static/{path...}", s.handle(s.serveStatic))
	mux.Handle("GET /", s.handle(func(_ http.ResponseWriter, r *http.Request) error { return s.oldAddress(r) }))
	return mux
}

// Handler returns every public route with the security headers applied.
func (s *Site) Handler() http.Handler {
	return securityHeaders(Compress(s.mux))
}

const contentSecurityPolicy = "default-src 'self'; img-src 'self' https: data:; style-src 'self'; " +
	"script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		next.ServeHTTP(w, r)
	})
}
