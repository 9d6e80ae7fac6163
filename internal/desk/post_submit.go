package desk

import (
	"context"
	"net/http"

	"masthead/internal/content"
	"masthead/internal/editorial"
)

// postSubmit sends a draft to the editors' review queue.
func (d *Desk) postSubmit(w http.ResponseWriter, r *http.Request, req *request) error {
	return d.transition(w, r, req, editorial.PostSubmit, "Submitted for review. An editor will look at it.",
		func(ctx context.Context, p content.Post) (content.Post, error) {
			return d.svc.SubmitForReview(ctx, req.actor, p.ID)
		})
}
