// Package server assembles a running Masthead: it opens the store and media
// storage named by the configuration, mounts the public site, the editorial
// desk at /desk and the health probes, runs the background jobs, and serves
// HTTP until told to stop.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"masthead/internal/config"
	"masthead/internal/desk"
	"masthead/internal/editorial"
	"masthead/internal/jobs"
	"masthead/internal/mail"
	"masthead/internal/media"
	"masthead/internal/metrics"
	"masthead/internal/newsletter"
	"masthead/internal/site"
	"masthead/internal/store"
)

// App is an opened Masthead instance.
type App struct {
	cfg    config.Config
	log    *slog.Logger
	Store  *store.Store
	Media  media.Storage
	site   *site.Site
	health *http.ServeMux

	editorial *editorial.Service
	desk      *desk.Desk
	jobs      *jobs.Runner
	news      *newsletter.Service
	metrics   *metrics.Metrics // nil when metrics are off
	pprof     net.Listener     // the profiler's; nil when it is off
	mail      *mail.Switch

	// Limits are the HTTP server's protections against slow clients;
	// Serve applies them, and tests shorten them before it.
	Limits Limits
}

// OpenStore opens the database the configuration names, creating the data
// directory for SQLite, and brings the schema up to date when migrate is
// true; otherwise it refuses a schema that does not match this binary.
func OpenStore(ctx context.Context, cfg config.Config, migrate bool, log *slog.Logger) (*store.Store, error) {
	opts := store.Options{DatabaseURL: cfg.DatabaseURL}
	if cfg.DatabaseURL == "" {
		if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		opts.SQLitePath = cfg.SQLitePath()
	}
	st, err := store.Open(ctx, opts)
	if err != nil {
		return nil, err
	}
	if migrate {
		n, err := st.Migrate(ctx)
		if err != nil {
			st.Close()
			return nil, err
		}
		if n > 0 {
			log.Info("database schema migrated", "applied", n, "dialect", st.Dialect())
		}
	}
	if err := st.CheckSchema(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// OpenMedia opens the media storage the configuration names.
func OpenMedia(cfg config.Config) (media.Storage, error) {
	if cfg.S3 != nil {
		return media.NewS3(*cfg.S3)
	}
	return media.NewLocal(cfg.MediaDir())
}

// Open opens everything the configuration names.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	st, err := OpenStore(ctx, cfg, cfg.AutoMigrate, log)
	if err != nil {
		return nil, err
	}
	m, err := OpenMedia(cfg)
	if err == nil {
		err = checkMedia(ctx, m)
	}
	if err != nil {
		st.Close()
		return nil, err
	}
	// Mail goes to the SMTP server of the environment, else to the one an
	// admin saved in the desk (a change applies without a restart), else
	// to the outbox, readable in the desk.
	sender, err := mail.NewSwitch(ctx, mail.SwitchOptions{Store: st, Env: cfg.SMTP, Logger: log,
		Base: mail.SMTPConfig{From: defaultSender(cfg.BaseURL), MaxConns: max(cfg.NewsletterConcurrency, 4),
			Timeout: smtpTimeout(cfg.JobLease)}})
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("smtp: %w", err)
	}
	news, err := newsletter.New(newsletter.Options{Store: st, Mail: sender, BaseURL: cfg.BaseURL, Logger: log,
		Rate: cfg.NewsletterRate, Concurrency: cfg.NewsletterConcurrency})
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("start newsletter: %w", err)
	}
	s, err := site.New(site.Options{Store: st, Media: m, BaseURL: cfg.BaseURL, Logger: log, Newsletter: news})
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("start site: %w", err)
	}
	ed, err := editorial.New(editorial.Options{Store: st, Media: m, Mail: sender, BaseURL: cfg.BaseURL,
		Invalidate: s.Invalidate, Logger: log})
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("start editorial services: %w", err)
	}
	handlers := map[string]jobs.Handler{
		jobs.KindPublishPost:     jobs.PublishScheduled(st, s.Invalidate),
		editorial.KindRenditions: ed.RenditionsHandler(),
	}
	for kind, h := range news.Handlers() {
		handlers[kind] = h
	}
	runner := &jobs.Runner{Store: st, Logger: log, Workers: 2, Handlers: handlers, Lease: cfg.JobLease}
	ed.SetWakeJobs(runner.Wake)
	news.SetWake(runner.Wake)
	dk, err := desk.New(desk.Options{Editorial: ed, Media: m, Newsletter: news, Mail: sender, BaseURL: cfg.BaseURL, Logger: log})
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("start desk: %w", err)
	}
	// The runner reads its handlers when it starts, after this.
	handlers[desk.KindImport] = dk.ImportJobHandler()
	dk.SetWakeJobs(runner.Wake)
	a := &App{cfg: cfg, log: log, Store: st, Media: m, site: s, editorial: ed, desk: dk, jobs: runner, news: news, mail: sender}
	a.metrics = a.openMetrics()
	a.Limits = DefaultLimits()
	if err := a.listenPprof(); err != nil {
		a.Close()
		return nil, err
	}
	a.health = http.NewServeMux()
	a.health.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprintln(w, "ok")
	})
	a.health.HandleFunc("GET /readyz", a.ready)
	return a, nil
}

// ready answers 200 while the database answers, 503 otherwise, so a load
// balancer stops sending readers to a node that cannot serve them.
func (a *App) ready(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.Store.Ping(ctx); err != nil {
		a.log.Warn("readiness check failed", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "database unavailable")
		return
	}
	fmt.Fprintln(w, "ready")
}

// defaultSender is the From of emails when the publication has not set a
// newsletter sender: an address at the site's host.
func defaultSender(baseURL string) string {
	host := "localhost"
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	if strings.Contains(host, ":") { // an IPv6 address is no mail domain
		host = "localhost"
	}
	from := "Masthead <noreply@" + host + ">"
	if _, err := mail.ParseAddress(from); err != nil {
		return "Masthead <noreply@localhost>"
	}
	return from
}

// smtpTimeout bounds connecting and each message to a third of the job
// lease, and to 30 s: a newsletter message must be accepted and recorded
// before the lease on its delivery ends.
func smtpTimeout(lease time.Duration) time.Duration {
	if lease <= 0 {
		return 30 * time.Second
	}
	return min(30*time.Second, lease/3)
}

// Newsletter returns the newsletter service.
func (a *App) Newsletter() *newsletter.Service { return a.news }

// Mail returns the mail sender in use.
func (a *App) Mail() *mail.Switch { return a.mail }

// Site returns the public site.
func (a *App) Site() *site.Site { return a.site }

// Editorial returns the editorial services the desk uses.
func (a *App) Editorial() *editorial.Service { return a.editorial }

// Handler routes the health probes, the desk under /desk and everything
// else to the site.
func (a *App) Handler() http.Handler {
	siteHandler := a.site.Handler()
	deskHandler := site.Compress(a.desk.Handler())
	return a.withOperations(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case p == "/healthz" || p == "/readyz":
			a.health.ServeHTTP(w, r)
		case p == "/desk" || strings.HasPrefix(p, "/desk/"):
			deskHandler.ServeHTTP(w, r)
		default:
			siteHandler.ServeHTTP(w, r)
		}
	})
}

// Serve answers HTTP on ln until ctx is cancelled, then lets requests in
// flight finish for up to the configured shutdown timeout.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := a.httpServer()
	runCtx, stopRun := context.WithCancel(context.WithoutCancel(ctx))
	var background sync.WaitGroup
	// The background work stops after the last request: a job in hand
	// is given back, to be run again at the next start.
	defer func() {
		stopRun()
		background.Wait()
	}()
	background.Go(func() {
		if err := a.site.Run(runCtx); err != nil && !errors.Is(err, context.Canceled) {
			a.log.Error("site cache refresh stopped", "err", err)
		}
	})
	background.Go(func() { a.watchContent(runCtx) })
	a.servePprof(runCtx, &background)
	if err := a.serveMetrics(runCtx, &background); err != nil {
		return err
	}
	if err := a.news.Start(runCtx); err != nil {
		return fmt.Errorf("start newsletter schedule: %w", err)
	}
	background.Go(func() {
		if err := a.jobs.Run(runCtx); err != nil {
			a.log.Error("background jobs stopped", "err", err)
		}
	})

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down", "timeout", a.cfg.ShutdownTimeout)
	shutCtx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close releases the database.
func (a *App) Close() error {
	var errs []error
	errs = append(errs, a.mail.Close())
	if a.pprof != nil {
		a.pprof.Close() // closed already when Serve ran
	}
	errs = append(errs, a.Store.Close())
	return errors.Join(errs...)
}
