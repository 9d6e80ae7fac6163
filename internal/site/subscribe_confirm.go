package site

import (
	"net/http"
	"net/url"
)

func confirmAction(token string) string { return "/subscribe/confirm/" + url.PathEscape(token) }

// confirmForm is where a confirmation link leads: a page with a button.
// Opening it confirms nothing, because mail scanners open links too.
func (s *Site) confirmForm(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	sub, err := s.newsletter.Confirmation(r.Context(), token)
	if err != nil {
		return s.invalidLink(w, r, err)
	}
	return s.newsletterPage(w, r, http.StatusOK, "Confirm your subscription",
		newsletterView{Mode: "confirm", Email: sub.Email, Action: confirmAction(token)})
}

// confirm is the button's POST. Pressing it twice is harmless.
func (s *Site) confirm(w http.ResponseWriter, r *http.Request) error {
	sub, err := s.newsletter.Confirm(r.Context(), r.PathValue("token"))
	if err != nil {
		return s.invalidLink(w, r, err)
	}
	return s.newsletterPage(w, r, http.StatusOK, "You are subscribed", newsletterView{Mode: "confirmed", Email: sub.Email})
}
