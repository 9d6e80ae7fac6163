package desk

import (
	"context"
	"net/http"

	"masthead/internal/content"
	"masthead/internal/editorial"
)

// postSchedule sets a post to go out at the time given in the site's
// timezone.
func (d *Desk) postSchedule(w http.ResponseWriter, r *http.Request, req *request) error {
	return d.transition(w, r, req, editorial.PostSchedule, "Scheduled. It will go out at the time you chose.",
		func(ctx context.Context, p content.Post) (content.Post, error) {
			at, err := d.svc.ParseLocalTime(ctx, r.PostFormValue("publish_at"))
			if err != nil {
				return p, err
			}
			return d.svc.Schedule(ctx, req.actor, p.ID, at)
		})
}
