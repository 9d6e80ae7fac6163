package desk

import (
	"context"
	"net/http"
)

// newsletterUnschedule turns a scheduled issue back into a draft.
func (d *Desk) newsletterUnschedule(w http.ResponseWriter, r *http.Request, req *request) error {
	return d.issueAction(w, r, req, func(ctx context.Context, id int64) (string, error) {
		if _, err := d.news.Unschedule(ctx, id); err != nil {
			return "", err
		}
		d.audit(ctx, req, "newsletter.unschedule", issueTarget(id), "")
		return "No longer scheduled; the issue is a draft again.", nil
	})
}
