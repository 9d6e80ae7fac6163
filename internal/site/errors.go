package site

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"

	"masthead/internal/media"
	"masthead/internal/store"
)

// errNotFound is the site's own "no such page"; store.ErrNotFound and
// media.ErrNotFound are treated the same way.
var errNotFound = errors.New("site: not found")

// badRequest is an error whose message is safe to show to the reader.
type badRequest struct{ msg string }

func (e badRequest) Error() string { return "site: bad request: " + e.msg }

// redirect sends the reader elsewhere; handlers return it as an error so
// that they keep one exit path.
type redirect struct {
	url  string
	code int
}

func (e redirect) Error() string { return "site: redirect to " + e.url }

// handle adapts a handler that returns an error.
func (s *Site) handle(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// errorView is the page shown for 400, 404, 410 and 500 answers.
type errorView struct {
	layoutView
	Status  int
	Heading string
	Message string
}

// fail answers with the status and page that fit err. Internal detail goes
// to the log only.
func (s *Site) fail(w http.ResponseWriter, r *http.Request, err error) {
	var rd redirect
	if errors.As(err, &rd) {
		http.Redirect(w, r, rd.url, rd.code)
		return
	}
	v := errorView{Status: http.StatusInternalServerError}
	var br badRequest
	switch {
	case errors.As(err, &br):
		v.Status, v.Heading, v.Message = http.StatusBadRequest, "Bad request", br.msg+"."
	case errors.Is(err, errNotFound), errors.Is(err, store.ErrNotFound), errors.Is(err, media.ErrNotFound):
		v.Status, v.Heading = http.StatusNotFound, "Page not found"
		v.Message = "There is nothing at this address. It may have been mistyped, or the page may have moved."
	case errors.Is(err, store.ErrGone):
		v.Status, v.Heading = http.StatusGone, "This article was removed"
		v.Message = "The article that was published at this address is no longer available."
	default:
		if r.Context().Err() != nil && errors.Is(err, context.Canceled) {
			return // the reader left; nobody is waiting for an answer
		}
		s.log.Error("site: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		v.Heading = "Something went wrong"
		v.Message = "We could not show this page. Please try again in a moment."
	}
	// The layout is best effort here: when the database is the problem, the
	// error page still renders with default settings.
	v.layoutView = s.layoutOrDefaults(r, v.Heading)
	v.NoIndex = true
	var buf bytes.Buffer
	if err := s.pages["error"].ExecuteTemplate(&buf, "layout", v); err != nil {
		s.log.Error("site: render error page", "status", v.Status, "err", err)
		http.Error(w, strconv.Itoa(v.Status)+" "+http.StatusText(v.Status), v.Status)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(v.Status)
	w.Write(buf.Bytes())
}
