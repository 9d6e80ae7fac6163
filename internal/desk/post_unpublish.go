package desk

import (
	"context"
	"net/http"

	"masthead/internal/content"
	"masthead/internal/editorial"
)

// postUnpublish takes a post off the site (or off the schedule) back to
// draft.
func (d *Desk) postUnpublish(w http.ResponseWriter, r *http.Request, req *request) error {
	return d.transition(w, r, req, editorial.PostUnpublish, "Unpublished. The post is a draft again.",
		func(ctx context.Context, p content.Post) (content.Post, error) {
			return d.svc.Unpublish(ctx, req.actor, p.ID)
		})
}
