package desk

import (
	"context"
	"net/http"
)

// newsletterSchedule sets an issue to go out at a time given in the
// site's timezone.
func (d *Desk) newsletterSchedule(w http.ResponseWriter, r *http.Request, req *request) error {
	return d.issueAction(w, r, req, func(ctx context.Context, id int64) (string, error) {
		at, err := d.svc.ParseLocalTime(ctx, r.PostForm.Get("send_at"))
		if err != nil {
			return "", err
		}
		is, err := d.news.Schedule(ctx, id, at)
		if err != nil {
			return "", err
		}
		loc, err := d.svc.Location(ctx)
		if err != nil {
			return "", err
		}
		when := is.ScheduledAt.In(loc).Format("2 January 2006, 15:04 MST")
		d.audit(ctx, req, "newsletter.schedule", issueTarget(id), when)
		return "Scheduled for " + when + ". Until then you can still change it.", nil
	})
}
