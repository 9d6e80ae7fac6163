package desk

import (
	"context"
	"net/http"
)

// newsletterResume continues a paused send where it stopped.
func (d *Desk) newsletterResume(w http.ResponseWriter, r *http.Request, req *request) error {
	return d.issueAction(w, r, req, func(ctx context.Context, id int64) (string, error) {
		if _, err := d.news.Resume(ctx, id); err != nil {
			return "", err
		}
		d.audit(ctx, req, "newsletter.resume", issueTarget(id), "")
		return "Sending again.", nil
	})
}
