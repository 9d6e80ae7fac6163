package desk

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"masthead/internal/store"
)

type subscribersView struct {
	Page     store.SubscriberPage
	Query    string
	Status   store.SubscriberStatus
	Statuses []statusCount
	All      int
	From, To int // the rows shown, from 1
	PrevURL  string
	NextURL  string
	Export   string // the download of what the filter selects
}

type statusCount struct {
	Status store.SubscriberStatus
	Count  int
	URL    string
}

const subscribersPerPage = 50

// subscriberList finds subscribers by address or name and state, a page
// at a time, with the import form and the export link.
func (d *Desk) subscriberList(w http.ResponseWriter, r *http.Request, req *request) error {
	ctx := r.Context()
	q := r.URL.Query()
	v := subscribersView{Query: strings.TrimSpace(q.Get("q"))}
	if st := store.SubscriberStatus(q.Get("status")); st.Valid() {
		v.Status = st
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	var err error
	v.Page, err = d.news.Subscribers(ctx, store.SubscriberFilter{Status: v.Status, Query: v.Query,
		Limit: subscribersPerPage, Offset: (page - 1) * subscribersPerPage})
	if err != nil {
		return err
	}
	counts, err := d.news.SubscriberCounts(ctx)
	if err != nil {
		return err
	}
	link := func(status store.SubscriberStatus, page int) string {
		p := url.Values{}
		if v.Query != "" {
			p.Set("q", v.Query)
		}
		if status != "" {
			p.Set("status", string(status))
		}
		if page > 1 {
			p.Set("page", strconv.Itoa(page))
		}
		if len(p) == 0 {
			return "/desk/subscribers"
		}
		return "/desk/subscribers?" + p.Encode()
	}
	for _, st := range []store.SubscriberStatus{store.SubscriberConfirmed, store.SubscriberPending,
		store.SubscriberUnsubscribed, store.SubscriberBounced} {
		v.Statuses = append(v.Statuses, statusCount{Status: st, Count: counts[st], URL: link(st, 0)})
		v.All += counts[st]
	}
	if n := len(v.Page.Subscribers); n > 0 {
		v.From = (page-1)*subscribersPerPage + 1
		v.To = v.From + n - 1
	}
	if page > 1 {
		v.PrevURL = link(v.Status, page-1)
	}
	if page*subscribersPerPage < v.Page.Total {
		v.NextURL = link(v.Status, page+1)
	}
	v.Export = "/desk/subscribers/export.csv"
	if v.Status != "" {
		v.Export += "?status=" + string(v.Status)
	}
	return d.render(w, r, req, http.StatusOK, "subscribers", "Subscribers", v)
}
