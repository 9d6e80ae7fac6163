package desk

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"masthead/internal/content"
	"masthead/internal/editorial"
	"masthead/internal/newsletter"
	"masthead/internal/store"
)

type issueView struct {
	newsletter.IssueDetail
	StatusLabel string
	Editable    bool
	Article     bool // an article email rather than a round-up
	Groups      []issueGroup
	Recipients  int
	Progress    *progressView // once sending started
	Live        bool          // the progress can still change
	Text        string        // the plain-text version
	PreviewErr  string        // why there is no preview yet
	Query       string
	Results     []store.DeskPost // published articles to add
	ScheduleAt  string           // datetime-local value in the site's timezone
	Timezone    string
	MyEmail     string
}

// issueGroup is a section of the issue as the email shows it.
type issueGroup struct {
	Index       int
	Name        string
	First, Last bool
	Items       []issueItem
}

type issueItem struct {
	Post        content.Post
	First, Last bool // within its section
}

// newsletterIssue is the issue screen: its subject and introduction, its
// articles by section with buttons to reorder and remove them, articles
// to add, the previews, and sending, scheduling and progress.
func (d *Desk) newsletterIssue(w http.ResponseWriter, r *http.Request, req *request) error {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	is, err := d.news.Issue(ctx, id)
	if err != nil {
		return newsletterError(err, "The issue")
	}
	loc, err := d.svc.Location(ctx)
	if err != nil {
		return err
	}
	v := issueView{IssueDetail: is, StatusLabel: issueStatusLabel(is.Status), Editable: is.Status.Editable(), Article: is.Kind == store.IssueArticle,
		Timezone: loc.String(), MyEmail: req.actor.Email}
	v.Groups = issueGroups(is.Kind, is.Posts)
	if v.Recipients, err = d.news.Recipients(ctx, id); err != nil {
		return err
	}
	if !is.StartedAt.IsZero() {
		p, err := d.news.Progress(ctx, id)
		if err != nil {
			return err
		}
		pv := newProgressView(p)
		v.Progress = &pv
	}
	v.Live = is.Status == store.IssueSending || is.Status == store.IssueScheduled || is.Status == store.IssuePaused
	if rendered, err := d.news.Preview(ctx, id); err == nil {
		v.Text = rendered.Text
	} else if msg, ok := userMessage(err); ok {
		v.PreviewErr = msg
	} else {
		return err
	}
	if !is.ScheduledAt.IsZero() {
		v.ScheduleAt = is.ScheduledAt.In(loc).Format("2006-01-02T15:04")
	}
	if v.Editable && !v.Article {
		v.Query = strings.TrimSpace(r.URL.Query().Get("q"))
		found, err := d.svc.Posts(ctx, req.actor, editorial.PostList{Statuses: []content.Status{content.StatusPublished},
			Query: v.Query, Limit: 20})
		if err != nil {
			return err
		}
		for _, p := range found.Posts {
			if !slices.Contains(is.Items, p.ID) {
				v.Results = append(v.Results, p)
			}
		}
	}
	title := is.Subject
	if title == "" {
		title = fmt.Sprintf("Issue %d", id)
	}
	return d.render(w, r, req, http.StatusOK, "newsletter_issue", title, v)
}

// groupName is the heading an article appears under in an issue: its
// section in a round-up ("More" without one), none in an article email.
func groupName(kind store.IssueKind, p content.Post) string {
	if kind != store.IssueRoundup {
		return ""
	}
	if p.Section != nil {
		return p.Section.Name
	}
	return "More"
}

// groupPosts splits an issue's articles into sections the way the email
// does: each section where its first article is, its articles in their
// order.
func groupPosts(kind store.IssueKind, posts []content.Post) (names []string, groups [][]content.Post) {
	for _, p := range posts {
		name := groupName(kind, p)
		i := slices.Index(names, name)
		if i < 0 {
			names = append(names, name)
			groups = append(groups, nil)
			i = len(names) - 1
		}
		groups[i] = append(groups[i], p)
	}
	return names, groups
}

func flatten(groups [][]content.Post) []int64 {
	var ids []int64
	for _, g := range groups {
		for _, p := range g {
			ids = append(ids, p.ID)
		}
	}
	return ids
}

func issueGroups(kind store.IssueKind, posts []content.Post) []issueGroup {
	names, groups := groupPosts(kind, posts)
	out := make([]issueGroup, len(groups))
	for i, g := range groups {
		out[i] = issueGroup{Index: i, Name: names[i], First: i == 0, Last: i == len(groups)-1}
		for j, p := range g {
			out[i].Items = append(out[i].Items, issueItem{Post: p, First: j == 0, Last: j == len(g)-1})
		}
	}
	return out
}
