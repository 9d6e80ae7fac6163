package desk

import (
	"context"
	"net/http"

	"masthead/internal/content"
	"masthead/internal/editorial"
)

// postPublish publishes a post now and, when an editor ticked the box,
// emails it to the subscribers of every new article.
func (d *Desk) postPublish(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	email := r.PostForm.Get("email_subscribers") != ""
	ok := "Published. It is on the site now."
	if email {
		if err := d.mayEmailArticle(req); err != nil {
			return err
		}
		ok = "Published. It is on the site now, and it is being emailed to the subscribers of every new article."
	}
	return d.transition(w, r, req, editorial.PostPublish, ok,
		func(ctx context.Context, p content.Post) (content.Post, error) {
			p, err := d.svc.Publish(ctx, req.actor, p.ID)
			if err != nil || !email {
				return p, err
			}
			return p, d.emailArticle(ctx, req, p)
		})
}
