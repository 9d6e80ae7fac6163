package desk

import (
	"net/http"

	"masthead/internal/content"
	"masthead/internal/editorial"
	"masthead/internal/store"
)

type dashboardView struct {
	Name      string
	MyDrafts  store.DeskPostPage
	Review    store.DeskPostPage
	Scheduled store.DeskPostPage
	Published store.DeskPostPage
	Editor    bool
}

// dashboard is the desk's front page: one's own drafts, the review queue
// for editors, what is scheduled and what went out lately.
func (d *Desk) dashboard(w http.ResponseWriter, r *http.Request, req *request) error {
	ctx := r.Context()
	v := dashboardView{Name: req.name, Editor: editorial.Can(req.actor.Account, editorial.ReviewQueue, editorial.Target{}) == nil}
	var err error
	list := func(l editorial.PostList, into *store.DeskPostPage) {
		if err == nil {
			*into, err = d.svc.Posts(ctx, req.actor, l)
		}
	}
	list(editorial.PostList{Statuses: []content.Status{content.StatusDraft, content.StatusReview}, Mine: true, Limit: 10}, &v.MyDrafts)
	if v.Editor {
		list(editorial.PostList{Statuses: []content.Status{content.StatusReview}, Limit: 20}, &v.Review)
	}
	list(editorial.PostList{Statuses: []content.Status{content.StatusScheduled}, Limit: 10}, &v.Scheduled)
	list(editorial.PostList{Statuses: []content.Status{content.StatusPublished}, Limit: 10}, &v.Published)
	if err != nil {
		return err
	}
	return d.render(w, r, req, http.StatusOK, "dashboard", "Home", v)
}
