package desk

import (
	"net/http"
	"strconv"

	"masthead/internal/content"
	"masthead/internal/editorial"
	"masthead/internal/store"
)

type revisionsView struct {
	Post      content.Post
	Revisions []store.Revision
	From, To  int64
	Diff      *editorial.RevisionDiff
	Hunks     []editorial.DiffHunk
	CanEdit   bool
}

// revisions lists a post's revisions and shows the difference between two
// of them: by default the newest and the one before.
func (d *Desk) revisions(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, revs, err := d.svc.Revisions(r.Context(), req.actor, id)
	if err != nil {
		return err
	}
	v := revisionsView{Post: p, Revisions: revs,
		CanEdit: editorial.Can(req.actor.Account, editorial.PostEdit, editorial.Target{Post: &p}) == nil}
	q := r.URL.Query()
	v.From, _ = strconv.ParseInt(q.Get("from"), 10, 64)
	v.To, _ = strconv.ParseInt(q.Get("to"), 10, 64)
	if v.From == 0 && v.To == 0 && len(revs) >= 2 {
		v.From, v.To = revs[1].ID, revs[0].ID
	}
	if v.From != 0 && v.To != 0 {
		diff, err := d.svc.DiffRevisions(r.Context(), req.actor, id, v.From, v.To)
		if err != nil {
			return err
		}
		v.Diff = &diff
		v.Hunks = editorial.Hunks(diff.Body, 3)
	}
	return d.render(w, r, req, http.StatusOK, "revisions", "Revisions: "+p.Title, v)
}
