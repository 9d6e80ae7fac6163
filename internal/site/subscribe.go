package site

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// subscribeForm is the page with the subscription form.
func (s *Site) subscribeForm(w http.ResponseWriter, r *http.Request) error {
	return s.newsletterPage(w, r, http.StatusOK, "Subscribe", newsletterView{Mode: "form"})
}

// subscribe takes the form, from this page or from the box on every page,
// and answers the same whether or not the address was known.
func (s *Site) subscribe(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	email, name := strings.TrimSpace(r.PostForm.Get("email")), strings.TrimSpace(r.PostForm.Get("name"))
	err := s.newsletter.Subscribe(r.Context(), email, name, clientIP(r), r.PostForm.Get("website"))
	if err == nil {
		return s.newsletterPage(w, r, http.StatusOK, "Check your inbox", newsletterView{Mode: "sent", Email: email})
	}
	msg := readerMessage(err)
	if msg == "" {
		return err
	}
	status := http.StatusBadRequest
	var down interface{ Unavailable() bool }
	if errors.As(err, &down) && down.Unavailable() {
		status = http.StatusServiceUnavailable
	}
	if wait := retryAfter(err); wait > 0 {
		status = http.StatusTooManyRequests
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds()+0.5)))
	}
	return s.newsletterPage(w, r, status, "Subscribe", newsletterView{Mode: "form", Email: email, Name: name, Error: msg})
}
