package desk

import (
	"context"
	"net/http"
)

// newsletterCancel withdraws an issue for good; what was sent stays sent.
func (d *Desk) newsletterCancel(w http.ResponseWriter, r *http.Request, req *request) error {
	return d.issueAction(w, r, req, func(ctx context.Context, id int64) (string, error) {
		if _, err := d.news.Cancel(ctx, id); err != nil {
			return "", err
		}
		d.audit(ctx, req, "newsletter.cancel", issueTarget(id), "")
		return "Cancelled. Nobody else will get this issue.", nil
	})
}
