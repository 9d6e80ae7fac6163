package desk

import (
	"context"
	"net/http"

	"masthead/internal/editorial"
)

// newsletterOrder saves a whole new order of a round-up's articles, as
// dragging them on the issue screen sends it.
func (d *Desk) newsletterOrder(w http.ResponseWriter, r *http.Request, req *request) error {
	return d.issueAction(w, r, req, func(ctx context.Context, id int64) (string, error) {
		var ids []int64
		for _, v := range r.PostForm["item"] {
			pid := editorial.ParseID(v)
			if pid == 0 {
				return "", &editorial.Refusal{Reason: editorial.ErrInvalid, Message: "The new order names an article that does not exist."}
			}
			ids = append(ids, pid)
		}
		is, err := d.news.Issue(ctx, id)
		if err != nil {
			return "", err
		}
		if !sameSet(ids, shown(is.Posts)) {
			return "", &editorial.Refusal{Reason: editorial.ErrConflict,
				Message: "The issue changed while you were reordering it; here it is as it is now."}
		}
		if _, err := d.news.SetItems(ctx, id, ids); err != nil {
			return "", err
		}
		return "New order saved.", nil
	})
}

// sameSet reports whether a and b hold the same ids, each once.
func sameSet(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	seen := make(map[int64]int, len(a))
	for _, id := range a {
		seen[id]++
	}
	for _, id := range b {
		if seen[id] != 1 {
			return false
		}
		seen[id] = 0
	}
	return true
}
