// Package desk is the editorial desk at /desk: the browser interface in
// which a newsroom signs in, writes, reviews, schedules and publishes, and
// runs the publication. Handlers parse the request, call the editorial
// services (which enforce every rule) and render a page.
package desk

import (
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"masthead/internal/editorial"
	"masthead/internal/mail"
	"masthead/internal/media"
	"masthead/internal/newsletter"
	"masthead/web"
)

// Options configures the desk.
type Options struct {
	Editorial *editorial.Service
	// Newsletter runs the round-up and the subscriber list; without it
	// those screens say that the newsletter is not available.
	Newsletter *newsletter.Service
	// Mail is the mail sender whose SMTP settings admins edit; without it
	// the mail settings page says that they cannot be changed here.
	Mail *mail.Switch
	// BaseURL is the public URL of the site; an https URL makes the
	// session cookie Secure.
	BaseURL string
	Logger  *slog.Logger
	// Media is where images are kept; the export reads their originals.
	// Without it the desk offers no export.
	Media media.Storage
}

// Desk serves /desk.
type Desk struct {
	svc     *editorial.Service
	news    *newsletter.Service
	mail    *mail.Switch
	media   media.Storage
	baseURL string
	secure  bool
	log     *slog.Logger
	assets  *assets
	pages   map[string]*template.Template
	handler http.Handler
	imports importProgress // of the imports running on this node
}

// New parses the templates and hashes the static files; a missing or
// broken one is an error here, not on a request.
func New(opts Options) (*Desk, error) {
	tmpl, err := fs.Sub(web.DeskTemplates, "desk/templates")
	if err != nil {
		return nil, fmt.Errorf("desk: templates: %w", err)
	}
	static, err := fs.Sub(web.DeskStatic, "desk/static")
	if err != nil {
		return nil, fmt.Errorf("desk: static files: %w", err)
	}
	return newDesk(opts, tmpl, static)
}

func newDesk(opts Options, tmpl, static fs.FS) (*Desk, error) {
	if opts.Editorial == nil {
		return nil, errors.New("desk: no editorial service")
	}
	d := &Desk{
		svc:     opts.Editorial,
		news:    opts.Newsletter,
		mail:    opts.Mail,
		media:   opts.Media,
		baseURL: strings.TrimRight(opts.BaseURL, "/"),
		secure:  strings.HasPrefix(opts.BaseURL, "https://"),
		log:     opts.Logger,
	}
	if d.log == nil {
		d.log = slog.Default()
	}
	var err error
	if d.assets, err = loadAssets(static); err != nil {
		return nil, err
	}
	if d.pages, err = parseTemplates(tmpl, d.assets); err != nil {
		return nil, err
	}
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, apiPrefix+"/") {
			// A browser on another site; programs send no Origin or
			// Sec-Fetch-Site header and are never refused here.
			writeAPIError(w, http.StatusForbidden, "Cross-origin requests from browsers are refused; call the API from a program or script.", nil)
			return
		}
		d.renderError(w, r, nil, http.StatusForbidden, "This form was sent from another site, so it was refused. Open the desk and try again.")
	}))
	d.handler = securityHeaders(csrf.Handler(d.routes()))
	return d, nil
}

// Handler serves every route under /desk.
func (d *Desk) Handler() http.Handler { return d.handler }

// Levels of access a route needs before its handler runs; finer rules
// are the editorial services'.
const (
	public   = iota // anyone: sign-in, setup, password reset, invitations
	signedIn        // any enabled account
)

func (d *Desk) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /desk/static/{path...}", http.HandlerFunc(d.serveStatic))

	mux.Handle("GET /desk", d.handle(public, d.root))
	mux.Handle("GET /desk/{$}", d.handle(public, d.root))
	mux.Handle("GET /desk/setup", d.handle(public, d.setupForm))
	mux.Handle("POST /desk/setup", d.handle(public, d.setup))
	mux.Handle("GET /desk/signin", d.handle(public, d.signInForm))
	mux.Handle("POST /desk/signin", d.handle(public, d.signIn))
	mux.Handle("POST /desk/signout", d.handle(signedIn, d.signOut))
	mux.Handle("POST /desk/signout-everywhere", d.handle(signedIn, d.signOutEverywhere))
	mux.Handle("GET /desk/forgot", d.handle(public, d.forgotForm))
	mux.Handle("POST /desk/forgot", d.handle(public, d.forgot))
	mux.Handle("GET /desk/reset/{token}", d.handle(public, d.resetForm))
	mux.Handle("POST /desk/reset/{token}", d.handle(public, d.reset))
	mux.Handle("GET /desk/invite/{token}", d.handle(public, d.acceptForm))
	mux.Handle("POST /desk/invite/{token}", d.handle(public, d.accept))

	mux.Handle("GET /desk/home", d.handle(signedIn, d.dashboard))
	mux.Handle("GET /desk/account", d.handle(signedIn, d.accountPage))
	mux.Handle("POST /desk/account/password", d.handle(signedIn, d.changePassword))
	mux.Handle("POST /desk/account/tokens", d.handle(signedIn, d.apiTokenCreate))
	mux.Handle("POST /desk/account/tokens/{id}/revoke", d.handle(signedIn, d.apiTokenRevoke))

	mux.Handle("GET /desk/posts", d.handle(signedIn, d.postList))
	mux.Handle("GET /desk/posts/new", d.handle(signedIn, d.postNew))
	mux.Handle("POST /desk/posts", d.handle(signedIn, d.postCreate))
	mux.Handle("GET /desk/posts/{id}", d.handle(signedIn, d.postEdit))
	mux.Handle("POST /desk/posts/{id}", d.handle(signedIn, d.postSave))
	mux.Handle("POST /desk/posts/{id}/autosave", d.handle(signedIn, d.postAutosave))
	mux.Handle("POST /desk/posts/{id}/submit", d.handle(signedIn, d.postSubmit))
	mux.Handle("POST /desk/posts/{id}/publish", d.handle(signedIn, d.postPublish))
	mux.Handle("POST /desk/posts/{id}/schedule", d.handle(signedIn, d.postSchedule))
	mux.Handle("POST /desk/posts/{id}/unpublish", d.handle(signedIn, d.postUnpublish))
	mux.Handle("POST /desk/posts/{id}/archive", d.handle(signedIn, d.postArchive))
	mux.Handle("POST /desk/posts/{id}/reopen", d.handle(signedIn, d.postReopen))
	mux.Handle("POST /desk/posts/{id}/delete", d.handle(signedIn, d.postDelete))
	mux.Handle("POST /desk/posts/{id}/corrections", d.handle(signedIn, d.postCorrection))
	mux.Handle("POST /desk/posts/{id}/topics", d.handle(signedIn, d.postTopicDecide))
	mux.Handle("GET /desk/posts/{id}/revisions", d.handle(signedIn, d.revisions))
	mux.Handle("POST /desk/posts/{id}/revisions/{rev}/restore", d.handle(signedIn, d.revisionRestore))
	mux.Handle("POST /desk/preview", d.handle(signedIn, d.preview))

	mux.Handle("GET /desk/media", d.handle(signedIn, d.mediaList))
	mux.Handle("POST /desk/media", d.handle(signedIn, d.mediaUpload))
	mux.Handle("GET /desk/media/{id}", d.handle(signedIn, d.mediaEdit))
	mux.Handle("POST /desk/media/{id}", d.handle(signedIn, d.mediaSave))

	mux.Handle("GET /desk/authors", d.handle(signedIn, d.authorList))
	mux.Handle("GET /desk/authors/new", d.handle(signedIn, d.authorNew))
	mux.Handle("POST /desk/authors", d.handle(signedIn, d.authorCreate))
	mux.Handle("GET /desk/authors/{id}", d.handle(signedIn, d.authorEdit))
	mux.Handle("POST /desk/authors/{id}", d.handle(signedIn, d.authorSave))

	mux.Handle("GET /desk/tags", d.handle(signedIn, d.tagList))
	mux.Handle("POST /desk/tags", d.handle(signedIn, d.tagCreate))
	mux.Handle("POST /desk/tags/{id}", d.handle(signedIn, d.tagSave))
	mux.Handle("GET /desk/topics", d.handle(signedIn, d.topicList))
	mux.Handle("POST /desk/topics", d.handle(signedIn, d.topicAdd))
	mux.Handle("GET /desk/topics/{slug}", d.handle(signedIn, d.topicEdit))
	mux.Handle("POST /desk/topics/{slug}", d.handle(signedIn, d.topicSave))
	mux.Handle("POST /desk/topics/{slug}/remove", d.handle(signedIn, d.topicRemove))

	mux.Handle("GET /desk/accounts", d.handle(signedIn, d.accountList))
	mux.Handle("POST /desk/accounts/invite", d.handle(signedIn, d.accountInvite))
	mux.Handle("POST /desk/accounts/invitations/{id}/withdraw", d.handle(signedIn, d.invitationWithdraw))
	mux.Handle("POST /desk/accounts/{id}/role", d.handle(signedIn, d.accountRole))
	mux.Handle("POST /desk/accounts/{id}/disable", d.handle(signedIn, d.accountDisable))
	mux.Handle("POST /desk/accounts/{id}/enable", d.handle(signedIn, d.accountEnable))
	mux.Handle("POST /desk/accounts/{id}/author", d.handle(signedIn, d.accountAuthor))
	mux.Handle("GET /desk/accounts/{id}/delete", d.handle(signedIn, d.accountDeleteConfirm))
	mux.Handle("POST /desk/accounts/{id}/delete", d.handle(signedIn, d.accountDelete))

	mux.Handle("GET /desk/settings", d.handle(signedIn, d.settingsForm))
	mux.Handle("POST /desk/settings", d.handle(signedIn, d.settingsSave))
	mux.Handle("POST /desk/export", d.handle(signedIn, d.exportDownload))
	mux.Handle("GET /desk/import", d.handle(signedIn, d.importPage))
	mux.Handle("POST /desk/import", d.handle(signedIn, d.importStart))
	mux.Handle("GET /desk/import/{id}", d.handle(signedIn, d.importStatus))
	mux.Handle("GET /desk/import/{id}/progress", d.handle(signedIn, d.importProgressJSON))
	mux.Handle("GET /desk/audit", d.handle(signedIn, d.auditLog))
	mux.Handle("GET /desk/outbox", d.handle(signedIn, d.outbox))
	mux.Handle("GET /desk/outbox/{id}", d.handle(signedIn, d.outboxMessage))
	d.newsletterRoutes(mux)
	d.mailSettingsRoutes(mux)

	d.apiRoutes(mux)

	mux.Handle("/desk/", d.handle(public, func(w http.ResponseWriter, r *http.Request, req *request) error {
		return errPageNotFound
	}))
	return mux
}

const contentSecurityPolicy = "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// securityHeaders applies to every desk response: no inline scripts or
// styles, no framing, no sniffing, no caching of pages that hold drafts
// and personal data, and no token-bearing URL leaking as a referrer.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}
