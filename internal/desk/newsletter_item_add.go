package desk

import (
	"context"
	"net/http"
	"slices"

	"masthead/internal/editorial"
)

// newsletterItemAdd puts a published article into a round-up; the email
// shows it in its section.
func (d *Desk) newsletterItemAdd(w http.ResponseWriter, r *http.Request, req *request) error {
	return d.issueAction(w, r, req, func(ctx context.Context, id int64) (string, error) {
		postID := editorial.ParseID(r.PostForm.Get("post_id"))
		if postID == 0 {
			return "", &editorial.Refusal{Reason: editorial.ErrInvalid, Message: "Choose an article to add."}
		}
		is, err := d.news.Issue(ctx, id)
		if err != nil {
			return "", err
		}
		if slices.Contains(is.Items, postID) {
			return "", &editorial.Refusal{Reason: editorial.ErrInvalid, Message: "That article is already in the issue."}
		}
		if _, err := d.news.SetItems(ctx, id, append(shown(is.Posts), postID)); err != nil {
			return "", err
		}
		return "Article added.", nil
	})
}
