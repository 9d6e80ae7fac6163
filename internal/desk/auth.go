package desk

import (
	"errors"
	"net"
	"net/http"
	"time"

	"masthead/internal/editorial"
)

const sessionCookie = "masthead_session"

// request is what the desk knows of the person making a request.
type request struct {
	actor editorial.Actor // zero when nobody is signed in
	token string          // the session token from the cookie
	name  string          // the signed-in person's byline name
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func client(r *http.Request) editorial.Client {
	return editorial.Client{IP: clientIP(r), UserAgent: r.UserAgent()}
}

// identify reads the session cookie. A stale cookie is cleared and the
// request goes on as nobody's.
func (d *Desk) identify(w http.ResponseWriter, r *http.Request) (*request, error) {
	req := &request{actor: editorial.Actor{IP: clientIP(r)}}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return req, nil
	}
	se, acc, err := d.svc.Authenticate(r.Context(), c.Value)
	if errors.Is(err, editorial.ErrUnauthenticated) {
		clearSession(w, d.secure)
		return req, nil
	}
	if err != nil {
		return nil, err
	}
	req.actor.Account = acc
	req.token = c.Value
	// The session slides forward on use; so does the cookie.
	d.startSession(w, editorial.SignedIn{Token: c.Value, Expires: se.ExpiresAt})
	req.name = acc.Email
	if acc.AuthorID != 0 {
		if a, err := d.svc.Author(r.Context(), acc.AuthorID); err == nil {
			req.name = a.Name
		}
	}
	return req, nil
}

// startSession gives the browser its session cookie: unreadable by
// scripts, sent only to the desk, not on cross-site subrequests, and only
// over HTTPS when the site is served so.
func (d *Desk) startSession(w http.ResponseWriter, signed editorial.SignedIn) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: signed.Token, Path: "/desk",
		Expires: signed.Expires, MaxAge: max(1, int(time.Until(signed.Expires).Seconds())),
		HttpOnly: true, Secure: d.secure, SameSite: http.SameSiteLaxMode,
	})
}

func clearSession(w http.ResponseWriter, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/desk", MaxAge: -1, HttpOnly: true, Secure: secure,
		SameSite: http.SameSiteLaxMode})
}
