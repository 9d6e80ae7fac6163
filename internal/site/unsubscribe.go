package site

import (
	"net/http"
	"net/url"
)

// unsubscribeForm is where the unsubscribe link in an email's footer
// leads: one button.
func (s *Site) unsubscribeForm(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	sub, err := s.newsletter.Preferences(r.Context(), token)
	if err != nil {
		return s.invalidLink(w, r, err)
	}
	v := newsletterView{Mode: "unsubscribe", Email: sub.Email, Action: "/unsubscribe/" + url.PathEscape(token),
		PreferencesURL: preferencesURL(token)}
	if sub.Status != "confirmed" {
		v.Mode = "unsubscribed"
	}
	return s.newsletterPage(w, r, http.StatusOK, "Unsubscribe", v)
}

// unsubscribe takes the subscriber off the list at once. It is both the
// page's button and the RFC 8058 one-click POST that mail providers send
// to the List-Unsubscribe address (with the body
// "List-Unsubscribe=One-Click"), so it needs nothing but the token.
func (s *Site) unsubscribe(w http.ResponseWriter, r *http.Request) error {
	// The body says nothing the address does not; it is read only so
	// that the connection can be reused.
	if err := parseForm(w, r); err != nil {
		return err
	}
	token := r.PathValue("token")
	sub, err := s.newsletter.Unsubscribe(r.Context(), token)
	if err != nil {
		return s.invalidLink(w, r, err)
	}
	return s.newsletterPage(w, r, http.StatusOK, "You are unsubscribed",
		newsletterView{Mode: "unsubscribed", Email: sub.Email, PreferencesURL: preferencesURL(token)})
}
