package desk

import (
	"net/http"

	"masthead/internal/content"
	"masthead/internal/editorial"
)

// postNew shows an empty editor.
func (d *Desk) postNew(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := editorial.Can(req.actor.Account, editorial.PostCreate, editorial.Target{}); err != nil {
		return err
	}
	var in editorial.PostInput
	if req.actor.AuthorID != 0 {
		in.AuthorIDs = []int64{req.actor.AuthorID}
	}
	return d.renderEditor(w, r, req, content.Post{Status: content.StatusDraft}, in, nil, "", http.StatusOK)
}
