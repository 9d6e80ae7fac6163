package desk

import (
	"net/http"
	"net/url"
	"strconv"

	"masthead/internal/content"
	"masthead/internal/editorial"
	"masthead/internal/store"
)

type tabView struct {
	Label   string
	URL     string
	Count   int
	Current bool
}

type postListView struct {
	Tabs    []tabView
	Query   string
	Status  content.Status
	Page    store.DeskPostPage
	Mine    bool
	PrevURL string
	NextURL string
	Editor  bool
}

const postsPerPage = 50

// postList lists posts by state, with a title search.
func (d *Desk) postList(w http.ResponseWriter, r *http.Request, req *request) error {
	ctx := r.Context()
	q := r.URL.Query()
	status := content.Status(q.Get("status"))
	if !status.Valid() {
		status = ""
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	v := postListView{Query: q.Get("q"), Status: status, Editor: editorial.AtLeast(req.actor.Role, store.RoleEditor)}
	l := editorial.PostList{Query: v.Query, Limit: postsPerPage, Offset: (page - 1) * postsPerPage}
	if status != "" {
		l.Statuses = []content.Status{status}
	}
	var err error
	if v.Page, err = d.svc.Posts(ctx, req.actor, l); err != nil {
		return err
	}
	counts, err := d.svc.StatusCounts(ctx, req.actor, false)
	if err != nil {
		return err
	}
	link := func(st content.Status, p int) string {
		vals := url.Values{}
		if st != "" {
			vals.Set("status", string(st))
		}
		if v.Query != "" {
			vals.Set("q", v.Query)
		}
		if p > 1 {
			vals.Set("page", strconv.Itoa(p))
		}
		if len(vals) == 0 {
			return "/desk/posts"
		}
		return "/desk/posts?" + vals.Encode()
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	v.Tabs = append(v.Tabs, tabView{Label: "All", URL: link("", 1), Count: total, Current: status == ""})
	for _, st := range []content.Status{content.StatusDraft, content.StatusReview, content.StatusScheduled, content.StatusPublished, content.StatusArchived} {
		v.Tabs = append(v.Tabs, tabView{Label: statusLabel(st), URL: link(st, 1), Count: counts[st], Current: status == st})
	}
	if page > 1 {
		v.PrevURL = link(status, page-1)
	}
	if page*postsPerPage < v.Page.Total {
		v.NextURL = link(status, page+1)
	}
	return d.render(w, r, req, http.StatusOK, "posts", "Posts", v)
}
