package desk

import (
	"context"
	"fmt"
	"net/http"
)

// newsletterSend starts sending an issue to its subscribers, once the
// editor confirmed on the page that says how many they are.
func (d *Desk) newsletterSend(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	if r.PostForm.Get("confirm") != "send" {
		http.Redirect(w, r, issueURL(id)+"/send", http.StatusSeeOther)
		return nil
	}
	return d.issueAction(w, r, req, func(ctx context.Context, id int64) (string, error) {
		is, err := d.news.SendNow(ctx, id)
		if err != nil {
			return "", err
		}
		n, err := d.news.Recipients(ctx, id)
		if err != nil {
			return "", err
		}
		d.audit(ctx, req, "newsletter.send", issueTarget(id), fmt.Sprintf("%s; %d recipients", is.Subject, n))
		return fmt.Sprintf("Sending to %d subscribers has started.", n), nil
	})
}
