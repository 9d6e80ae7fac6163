package desk

import (
	"context"
	"net/http"
)

// newsletterSave stores the subject and introduction of a draft or
// scheduled issue.
func (d *Desk) newsletterSave(w http.ResponseWriter, r *http.Request, req *request) error {
	return d.issueAction(w, r, req, func(ctx context.Context, id int64) (string, error) {
		if _, err := d.news.SetSubject(ctx, id, r.PostForm.Get("subject")); err != nil {
			return "", err
		}
		if _, err := d.news.SetIntro(ctx, id, r.PostForm.Get("intro")); err != nil {
			return "", err
		}
		return "Saved.", nil
	})
}
