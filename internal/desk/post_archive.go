package desk

import (
	"context"
	"net/http"

	"masthead/internal/content"
	"masthead/internal/editorial"
)

// postArchive takes a post off the site and keeps it in the archive.
func (d *Desk) postArchive(w http.ResponseWriter, r *http.Request, req *request) error {
	return d.transition(w, r, req, editorial.PostArchive, "Archived.",
		func(ctx context.Context, p content.Post) (content.Post, error) {
			return d.svc.Archive(ctx, req.actor, p.ID)
		})
}
