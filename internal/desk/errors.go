package desk

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"masthead/internal/editorial"
)

// errPageNotFound answers 404 for a path the desk does not have.
var errPageNotFound = &editorial.Refusal{Reason: editorial.ErrNotFound, Message: "There is no such page in the desk."}

// handlerFunc is a desk handler: it returns an error instead of writing
// one, and handle turns it into the right page.
type handlerFunc func(w http.ResponseWriter, r *http.Request, req *request) error

// handle applies the access level, then runs h and answers its error: a
// refusal with its own message and status, a missing session with the
// sign-in page, anything else with a plain apology (the detail goes to the
// log).
func (d *Desk) handle(level int, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := d.identify(w, r)
		if err != nil {
			d.fail(w, r, nil, err)
			return
		}
		if level == signedIn && req.actor.ID == 0 {
			d.toSignIn(w, r)
			return
		}
		if err := h(w, r, req); err != nil {
			d.fail(w, r, req, err)
		}
	})
}

// toSignIn sends someone without a session to the sign-in page, or to the
// owner setup on a new installation.
func (d *Desk) toSignIn(w http.ResponseWriter, r *http.Request) {
	if need, err := d.svc.NeedsSetup(r.Context()); err == nil && need {
		http.Redirect(w, r, "/desk/setup", http.StatusSeeOther)
		return
	}
	target := "/desk/signin"
	if r.Method == http.MethodGet && r.URL.Path != "/desk/home" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (d *Desk) fail(w http.ResponseWriter, r *http.Request, req *request, err error) {
	var ref *editorial.Refusal
	var fe editorial.FieldErrors
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, editorial.ErrUnauthenticated):
		clearSession(w, d.secure)
		d.toSignIn(w, r)
	case errors.As(err, &tooBig):
		d.renderError(w, r, req, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("What you sent is larger than the %d MB the desk accepts.", tooBig.Limit>>20))
	case errors.As(err, &ref):
		d.renderError(w, r, req, refusalStatus(w, ref, http.StatusBadRequest), ref.Message)
	case errors.As(err, &fe):
		var msgs []string
		for _, m := range fe {
			msgs = append(msgs, m)
		}
		d.renderError(w, r, req, http.StatusUnprocessableEntity, strings.Join(msgs, " "))
	default:
		d.log.ErrorContext(r.Context(), "desk: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		d.renderError(w, r, req, http.StatusInternalServerError, "Something went wrong on our side; the problem has been logged. Try again in a moment.")
	}
}

type messageView struct {
	Status  int
	Heading string
	Message string
}

func (d *Desk) renderError(w http.ResponseWriter, r *http.Request, req *request, status int, msg string) {
	heading := http.StatusText(status)
	switch status {
	case http.StatusForbidden:
		heading = "Not allowed"
	case http.StatusNotFound:
		heading = "Not found"
	case http.StatusTooManyRequests:
		heading = "Too many attempts"
	case http.StatusInternalServerError:
		heading = "Something went wrong"
	}
	if err := d.render(w, r, req, status, "message", heading, messageView{Status: status, Heading: heading, Message: msg}); err != nil {
		d.log.ErrorContext(r.Context(), "desk: render error page", "err", err)
		http.Error(w, msg, status)
	}
}

// pathID reads a numeric path value; a malformed one is not found.
func pathID(r *http.Request, name string) (int64, error) {
	id := editorial.ParseID(r.PathValue(name))
	if id == 0 {
		return 0, errPageNotFound
	}
	return id, nil
}

// refusalStatus is the HTTP status of a refusal of the editorial services,
// in the browser and in the API alike; other refusals get fallback. A
// refusal to try again later also sets Retry-After.
func refusalStatus(w http.ResponseWriter, ref *editorial.Refusal, fallback int) int {
	switch {
	case errors.Is(ref, editorial.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(ref, editorial.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(ref, editorial.ErrConflict):
		return http.StatusConflict
	case errors.Is(ref, editorial.ErrTooManyAttempts):
		w.Header().Set("Retry-After", retryAfter(ref.RetryAfter))
		return http.StatusTooManyRequests
	}
	return fallback
}
