package desk

import (
	"context"
	"net/http"

	"masthead/internal/content"
	"masthead/internal/editorial"
)

// postPublish publishes a post now.
func (d *Desk) postPublish(w http.ResponseWriter, r *http.Request, req *request) error {
	return d.transition(w, r, req, editorial.PostPublish, "Published. It is on the site now.",
		func(ctx context.Context, p content.Post) (content.Post, error) {
			return d.svc.Publish(ctx, req.actor, p.ID)
		})
}
