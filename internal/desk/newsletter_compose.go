package desk

import (
	"errors"
	"net/http"
	"time"

	"masthead/internal/newsletter"
)

// newsletterCompose makes a round-up now of what was published since the
// last one, and opens it.
func (d *Desk) newsletterCompose(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	is, err := d.news.ComposeRoundup(r.Context(), time.Time{})
	if errors.Is(err, newsletter.ErrNoArticles) {
		return redirect(w, r, "/desk/newsletter", "error", "Nothing was published since the last round-up, so there is nothing to compose.")
	}
	if err != nil {
		if msg, ok := userMessage(err); ok {
			return redirect(w, r, "/desk/newsletter", "error", msg)
		}
		return err
	}
	d.audit(r.Context(), req, "newsletter.compose", issueTarget(is.ID), is.Subject)
	return redirect(w, r, issueURL(is.ID), "ok", "A round-up was composed from the latest articles. Check it, then send or schedule it.")
}
