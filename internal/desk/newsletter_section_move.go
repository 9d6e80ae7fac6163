package desk

import (
	"context"
	"net/http"
	"strconv"

	"masthead/internal/editorial"
)

// newsletterSectionMove moves a whole section of a round-up one place up
// or down.
func (d *Desk) newsletterSectionMove(w http.ResponseWriter, r *http.Request, req *request) error {
	return d.issueAction(w, r, req, func(ctx context.Context, id int64) (string, error) {
		index, err := strconv.Atoi(r.PathValue("index"))
		if err != nil {
			return "", errPageNotFound
		}
		step, err := direction(r.PostForm.Get("direction"))
		if err != nil {
			return "", err
		}
		is, err := d.news.Issue(ctx, id)
		if err != nil {
			return "", err
		}
		_, groups := groupPosts(is.Kind, is.Posts)
		j := index + step
		if index < 0 || index >= len(groups) || j < 0 || j >= len(groups) {
			return "", &editorial.Refusal{Reason: editorial.ErrInvalid, Message: "That section cannot move further."}
		}
		groups[index], groups[j] = groups[j], groups[index]
		if _, err := d.news.SetItems(ctx, id, flatten(groups)); err != nil {
			return "", err
		}
		return "Section moved.", nil
	})
}
