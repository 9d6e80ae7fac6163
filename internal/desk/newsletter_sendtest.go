package desk

import (
	"context"
	"net/http"
)

// newsletterSendTest sends the issue as it stands to the signed-in
// editor's own address.
func (d *Desk) newsletterSendTest(w http.ResponseWriter, r *http.Request, req *request) error {
	return d.issueAction(w, r, req, func(ctx context.Context, id int64) (string, error) {
		if err := d.news.SendTest(ctx, id, req.actor.Email); err != nil {
			return "", err
		}
		return "A test was sent to " + req.actor.Email + ".", nil
	})
}
