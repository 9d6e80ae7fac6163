package desk

import (
	"context"
	"net/http"
)

// newsletterPause stops a send; the messages in flight still go.
func (d *Desk) newsletterPause(w http.ResponseWriter, r *http.Request, req *request) error {
	return d.issueAction(w, r, req, func(ctx context.Context, id int64) (string, error) {
		if _, err := d.news.Pause(ctx, id); err != nil {
			return "", err
		}
		d.audit(ctx, req, "newsletter.pause", issueTarget(id), "")
		return "Paused. Resume to send to the rest.", nil
	})
}
