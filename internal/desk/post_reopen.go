package desk

import (
	"context"
	"net/http"

	"masthead/internal/content"
	"masthead/internal/editorial"
)

// postReopen brings an archived post back as a draft.
func (d *Desk) postReopen(w http.ResponseWriter, r *http.Request, req *request) error {
	return d.transition(w, r, req, editorial.PostEdit, "Reopened as a draft.",
		func(ctx context.Context, p content.Post) (content.Post, error) {
			return d.svc.Reopen(ctx, req.actor, p.ID)
		})
}
