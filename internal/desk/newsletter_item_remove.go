package desk

import (
	"context"
	"net/http"
)

// newsletterItemRemove takes an article out of a round-up.
func (d *Desk) newsletterItemRemove(w http.ResponseWriter, r *http.Request, req *request) error {
	return d.issueAction(w, r, req, func(ctx context.Context, id int64) (string, error) {
		postID, err := pathID(r, "post")
		if err != nil {
			return "", err
		}
		if _, err := d.news.RemoveItem(ctx, id, postID); err != nil {
			return "", err
		}
		return "Article removed from the issue.", nil
	})
}
