package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"masthead/internal/media"
	"masthead/internal/metrics"
	"masthead/internal/store"
)

// checkMedia makes sure remote media storage answers and its bucket
// exists, so that a wrong setting stops the server at start instead of
// failing every upload.
func checkMedia(ctx context.Context, m media.Storage) error {
	c, ok := m.(interface{ Check(context.Context) error })
	if !ok {
		return nil
	}
	if err := c.Check(ctx); err != nil {
		return fmt.Errorf("media storage: %w", err)
	}
	return nil
}

// watchContent drops this node's page cache whenever another node (or
// this one) commits a change readers can see, as PostgreSQL announces it,
// until ctx ends. The cache's own check of the content version every
// second stays as the safety net for a notification lost in a reconnect.
// On SQLite there is nothing to listen to.
func (a *App) watchContent(ctx context.Context) {
	if a.Store.Dialect() != "postgres" {
		return
	}
	err := a.Store.WatchContent(ctx, store.ContentWatch{
		Changed: a.site.Invalidate,
		Lost: func(err error) {
			a.log.Warn("content change notifications lost; listening again", "err", err)
		},
	})
	if err != nil {
		a.log.Error("content change notifications stopped", "err", err)
	}
}

// publicMedia sends readers to the public address of media objects when
// the storage has one (a bucket or CDN URL), so that the bytes do not pass
// through the app; otherwise it returns false and the site serves them.
// The redirect is permanent because keys name their content.
func (a *App) publicMedia(w http.ResponseWriter, r *http.Request) bool {
	p, ok := a.Media.(interface{ PublicURL(key string) string })
	if !ok || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return false
	}
	key, ok := strings.CutPrefix(r.URL.Path, "/media/")
	if !ok || !media.Public(key) {
		return false
	}
	u := p.PublicURL(key)
	if u == "" {
		return false
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.Redirect(w, r, u, http.StatusMovedPermanently)
	return true
}

// openMetrics registers the metrics when the configuration asks for them.
func (a *App) openMetrics() *metrics.Metrics {
	if a.cfg.MetricsAddr == "" && a.cfg.MetricsToken == "" {
		return nil
	}
	return metrics.New(metrics.Options{Store: a.Store, Cache: a.site.CacheCounts, Logger: a.log})
}

// clientAddr is the address of the client behind the trusted reverse
// proxies: when the connection comes from one, the right-most address of
// X-Forwarded-For that is not a trusted proxy (those left of it could be
// made up by the client). Sign-in lock-outs and subscription limits count
// by it, so that one reader's guesses do not lock out everyone behind the
// load balancer.
func clientAddr(r *http.Request, trusted []netip.Prefix) string {
	host, port, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	isTrusted := func(a netip.Addr) bool {
		a = a.Unmap()
		for _, p := range trusted {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !isTrusted(peer) {
		return r.RemoteAddr
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a garbled hop: trust nothing further left
		}
		client = a.Unmap()
		if !isTrusted(client) {
			break
		}
	}
	return net.JoinHostPort(client.String(), port)
}

// withOperations puts in front of the application what operators need:
// the redirect of media to its public address, the client's address as
// the trusted proxies report it, /metrics for a bearer of the metrics
// token, and the counting and timing of requests.
func (a *App) withOperations(app http.HandlerFunc) http.Handler {
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.publicMedia(w, r) {
			return
		}
		if len(a.cfg.TrustedProxies) > 0 {
			r.RemoteAddr = clientAddr(r, a.cfg.TrustedProxies)
		}
		app(w, r)
	})
	if a.metrics == nil {
		return h
	}
	h = a.metrics.Instrument(h)
	if a.cfg.MetricsToken == "" {
		return h
	}
	scrape := a.metrics.Handler(a.cfg.MetricsToken)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" {
			scrape.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// serveMetrics serves the metrics on a listener of their own when one is
// configured, until ctx ends. A token, when set, is asked there too.
func (a *App) serveMetrics(ctx context.Context, background *sync.WaitGroup) error {
	if a.metrics == nil || a.cfg.MetricsAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", a.cfg.MetricsAddr)
	if err != nil {
		return fmt.Errorf("metrics: listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.metrics.Handler(a.cfg.MetricsToken))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second,
		ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
	a.log.Info("serving metrics", "addr", ln.Addr().String())
	background.Go(func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("metrics listener stopped", "err", err)
		}
	})
	background.Go(func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	})
	return nil
}
