package site

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"masthead/internal/store"
)

// Newsletter is what the subscription pages ask of the newsletter. Links
// from emails carry a token; a bad one is refused with an error that has
// a UserMessage. Errors with a UserMessage() string are shown to the
// reader, with 400 Bad Request; 429 Too Many Requests when they also have
// a RetryAfter() time.Duration, 503 when an Unavailable() bool says true.
type Newsletter interface {
	// Subscribe answers the same whether or not the address is known; a
	// filled-in honeypot is silently ignored.
	Subscribe(ctx context.Context, email, name, ip, honeypot string) error
	// Confirmation checks a confirmation link without using it.
	Confirmation(ctx context.Context, token string) (store.Subscriber, error)
	Confirm(ctx context.Context, token string) (store.Subscriber, error)
	Preferences(ctx context.Context, token string) (store.Subscriber, error)
	UpdatePreferences(ctx context.Context, token string, roundup, everyArticle, paused bool) (store.Subscriber, error)
	Unsubscribe(ctx context.Context, token string) (store.Subscriber, error)
	Resubscribe(ctx context.Context, token, ip string) (store.Subscriber, error)
}

// newsletterRoutes adds the subscription pages when there is a
// newsletter. Every POST but the one-click unsubscribe comes from the
// site's own forms; the one-click POST (RFC 8058) comes from mail
// providers, without cookies or a page.
func (s *Site) newsletterRoutes(mux *http.ServeMux) {
	if s.newsletter == nil {
		return
	}
	mux.Handle("GET /subscribe", s.handle(s.subscribeForm))
	mux.Handle("POST /subscribe", s.handle(s.subscribe))
	mux.Handle("GET /subscribe/confirm/{token}", s.handle(s.confirmForm))
	mux.Handle("POST /subscribe/confirm/{token}", s.handle(s.confirm))
	mux.Handle("GET /preferences/{token}", s.handle(s.preferencesForm))
	mux.Handle("POST /preferences/{token}", s.handle(s.savePreferences))
	mux.Handle("GET /unsubscribe/{token}", s.handle(s.unsubscribeForm))
	mux.Handle("POST /unsubscribe/{token}", s.handle(s.unsubscribe))
}

// newsletterView is every subscription page; Mode picks which.
type newsletterView struct {
	layoutView
	Mode           string // form, sent, confirm, confirmed, preferences, unsubscribe, unsubscribed, invalid
	Email, Name    string
	Error, Notice  string
	Action         string // where the page's form posts
	PreferencesURL string
	Subscribed     bool
	Roundup        bool
	EveryArticle   bool
	Paused         bool
	// Topics are the topics a subscriber may follow, on the preferences
	// page.
	Topics []topicChoice
}

// maxFormBytes bounds what a subscription form may post.
const maxFormBytes = 16 << 10

// newsletterPage renders a subscription page. These pages are personal
// (their address holds a token), so they are neither cached, indexed nor
// given as referrer to other sites.
func (s *Site) newsletterPage(w http.ResponseWriter, r *http.Request, status int, title string, v newsletterView) error {
	lv, err := s.layout(r, title)
	if err != nil {
		return err
	}
	lv.NoIndex, lv.Canonical = true, ""
	v.layoutView = lv
	var buf bytes.Buffer
	if err := s.pages["subscribe"].ExecuteTemplate(&buf, "layout", v); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex")
	w.WriteHeader(status)
	_, err = w.Write(buf.Bytes())
	return err
}

// readerMessage is the message of an error meant for the reader, or "".
func readerMessage(err error) string {
	var ue interface{ UserMessage() string }
	if errors.As(err, &ue) {
		return ue.UserMessage()
	}
	return ""
}

// retryAfter is how long a rate-limited reader should wait, or 0.
func retryAfter(err error) time.Duration {
	var rl interface{ RetryAfter() time.Duration }
	if errors.As(err, &rl) {
		return max(rl.RetryAfter(), time.Second)
	}
	return 0
}

// invalidLink answers a link that does not work with a page saying so,
// or returns err when it is not the reader's.
func (s *Site) invalidLink(w http.ResponseWriter, r *http.Request, err error) error {
	msg := readerMessage(err)
	if msg == "" {
		return err
	}
	return s.newsletterPage(w, r, http.StatusBadRequest, "Link not valid", newsletterView{Mode: "invalid", Error: msg})
}

// clientIP is the address the request came from, as the server sees it.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// parseForm reads a posted form of bounded size.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return badRequest{"the form could not be read"}
	}
	return nil
}
