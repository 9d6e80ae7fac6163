package desk

import (
	"context"
	"net/http"
	"slices"

	"masthead/internal/content"
	"masthead/internal/editorial"
)

// newsletterItemMove moves an article one place up or down within its
// section: the buttons of the issue screen, which work without scripts.
func (d *Desk) newsletterItemMove(w http.ResponseWriter, r *http.Request, req *request) error {
	return d.issueAction(w, r, req, func(ctx context.Context, id int64) (string, error) {
		postID, err := pathID(r, "post")
		if err != nil {
			return "", err
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
		for _, g := range groups {
			i := slices.IndexFunc(g, func(p content.Post) bool { return p.ID == postID })
			if i < 0 {
				continue
			}
			j := i + step
			if j < 0 || j >= len(g) {
				return "", &editorial.Refusal{Reason: editorial.ErrInvalid, Message: "The article is already at the edge of its section."}
			}
			g[i], g[j] = g[j], g[i]
			if _, err := d.news.SetItems(ctx, id, flatten(groups)); err != nil {
				return "", err
			}
			return "Article moved.", nil
		}
		return "", &editorial.Refusal{Reason: editorial.ErrInvalid, Message: "That article is not in the issue."}
	})
}

// direction reads an up/down button as -1 or +1.
func direction(s string) (int, error) {
	switch s {
	case "up":
		return -1, nil
	case "down":
		return 1, nil
	}
	return 0, &editorial.Refusal{Reason: editorial.ErrInvalid, Message: "Choose to move up or down."}
}

// shown are the ids of the articles an issue shows, in order; articles no
// longer published drop out when the order is saved.
func shown(posts []content.Post) []int64 {
	ids := make([]int64, len(posts))
	for i, p := range posts {
		ids[i] = p.ID
	}
	return ids
}
