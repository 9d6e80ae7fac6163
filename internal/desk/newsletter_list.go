package desk

import (
	"net/http"
	"strconv"

	"masthead/internal/newsletter"
	"masthead/internal/store"
)

type newsletterListView struct {
	Issues     []issueRow
	Status     store.IssueStatus
	Statuses   []issueStatusView
	Confirmed  int
	Recipients int // of a round-up, were it sent now
	PrevURL    string
	NextURL    string
}

// issueRow is one issue in the list, with how far its sending came.
type issueRow struct {
	store.Issue
	Label    string
	Progress *newsletter.Progress // nil for issues that never started
}

const issuesPerPage = 30

// newsletterList lists the round-ups and article emails, newest first.
func (d *Desk) newsletterList(w http.ResponseWriter, r *http.Request, req *request) error {
	ctx := r.Context()
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	f := store.IssueFilter{Limit: issuesPerPage, Offset: (page - 1) * issuesPerPage}
	var v newsletterListView
	if st := store.IssueStatus(q.Get("status")); st.Valid() {
		f.Statuses = []store.IssueStatus{st}
		v.Status = st
	}
	for _, st := range []store.IssueStatus{store.IssueDraft, store.IssueScheduled, store.IssueSending, store.IssuePaused,
		store.IssueSent, store.IssueCancelled} {
		v.Statuses = append(v.Statuses, issueStatusView{Status: st, Label: issueStatusLabel(st), Current: st == v.Status})
	}
	issues, err := d.news.Issues(ctx, f)
	if err != nil {
		return err
	}
	for _, is := range issues.Issues {
		row := issueRow{Issue: is, Label: issueStatusLabel(is.Status)}
		if !is.Status.Editable() && !is.StartedAt.IsZero() {
			p, err := d.news.Progress(ctx, is.ID)
			if err != nil {
				return err
			}
			row.Progress = &p
		}
		v.Issues = append(v.Issues, row)
	}
	counts, err := d.news.SubscriberCounts(ctx)
	if err != nil {
		return err
	}
	v.Confirmed = counts[store.SubscriberConfirmed]
	if v.Recipients, err = d.news.KindRecipients(ctx, store.IssueRoundup); err != nil {
		return err
	}
	base := "/desk/newsletter?"
	if v.Status != "" {
		base += "status=" + string(v.Status) + "&"
	}
	if page > 1 {
		v.PrevURL = base + "page=" + strconv.Itoa(page-1)
	}
	if page*issuesPerPage < issues.Total {
		v.NextURL = base + "page=" + strconv.Itoa(page+1)
	}
	return d.render(w, r, req, http.StatusOK, "newsletter", "Round-up", v)
}

type issueStatusView struct {
	Status  store.IssueStatus
	Label   string
	Current bool
}

func issueStatusLabel(s store.IssueStatus) string {
	switch s {
	case store.IssueDraft:
		return "Draft"
	case store.IssueScheduled:
		return "Scheduled"
	case store.IssueSending:
		return "Sending"
	case store.IssuePaused:
		return "Paused"
	case store.IssueSent:
		return "Sent"
	case store.IssueCancelled:
		return "Cancelled"
	}
	return string(s)
}
