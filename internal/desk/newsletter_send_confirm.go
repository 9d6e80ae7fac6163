package desk

import (
	"net/http"

	"masthead/internal/store"
)

type sendConfirmView struct {
	Issue      store.Issue
	Recipients int
}

// newsletterSendConfirm asks before an issue goes out, saying to how many
// subscribers; the desk's "Send now" leads here.
func (d *Desk) newsletterSendConfirm(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	is, err := d.news.Issue(r.Context(), id)
	if err != nil {
		return newsletterError(err, "The issue")
	}
	if !is.Status.Editable() {
		return redirect(w, r, issueURL(id), "error", "This issue is "+string(is.Status)+"; it cannot be sent again.")
	}
	n, err := d.news.Recipients(r.Context(), id)
	if err != nil {
		return err
	}
	return d.render(w, r, req, http.StatusOK, "newsletter_send", "Send "+is.Subject, sendConfirmView{Issue: is.Issue, Recipients: n})
}
