package desk

import (
	"errors"
	"net/http"

	"masthead/internal/store"
)

// newsletterDelete throws away a draft, or a cancelled issue that never
// went out.
func (d *Desk) newsletterDelete(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	if err := d.news.DeleteIssue(r.Context(), id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return newsletterError(err, "The issue")
		}
		if msg, ok := userMessage(err); ok {
			return redirect(w, r, issueURL(id), "error", msg)
		}
		return err
	}
	d.audit(r.Context(), req, "newsletter.delete", issueTarget(id), "")
	return redirect(w, r, "/desk/newsletter", "ok", "The issue was deleted.")
}
