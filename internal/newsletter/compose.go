package newsletter

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
)

// ErrNoArticles is returned when there is nothing new to put in a
// round-up.
var ErrNoArticles error = &UserError{msg: "No article was published since the last round-up"}

// defaultPeriod is what the first round-up looks back on.
const defaultPeriod = 7 * 24 * time.Hour

// ComposeRoundup makes a draft round-up of the articles published after
// since and up to now: by section (in the order of the site's sections),
// newest first within each. A zero since means where the last round-up
// that went out (or is going out) ended, or a week ago for the first.
// With nothing published it returns ErrNoArticles and makes nothing.
func (s *Service) ComposeRoundup(ctx context.Context, since time.Time) (store.Issue, error) {
	now := s.now()
	if since.IsZero() {
		last, err := s.store.LastRoundup(ctx)
		switch {
		case errors.Is(err, store.ErrNotFound):
			since = now.Add(-defaultPeriod)
		case err != nil:
			return store.Issue{}, fmt.Errorf("newsletter: compose: %w", err)
		default:
			since = last.CoversUntil
		}
	}
	if !since.Before(now) {
		return store.Issue{}, ErrNoArticles
	}
	posts, err := s.publishedBetween(ctx, since, now)
	if err != nil {
		return store.Issue{}, err
	}
	if len(posts) == 0 {
		return store.Issue{}, ErrNoArticles
	}
	sections, err := s.store.Sections(ctx)
	if err != nil {
		return store.Issue{}, fmt.Errorf("newsletter: compose: %w", err)
	}
	rank := map[int64]int{}
	for i, t := range sections {
		rank[t.ID] = i
	}
	sectionRank := func(p content.Post) int {
		if p.Section == nil {
			return len(sections) + 1
		}
		if r, ok := rank[p.Section.ID]; ok {
			return r
		}
		return len(sections)
	}
	slices.SortStableFunc(posts, func(a, b content.Post) int {
		if c := cmp.Compare(sectionRank(a), sectionRank(b)); c != 0 {
			return c
		}
		return b.PublishedAt.Compare(a.PublishedAt) // newest first
	})
	items := make([]int64, len(posts))
	for i, p := range posts {
		items[i] = p.ID
	}
	site, err := s.setting(ctx, settingSiteName, defaultSiteName)
	if err != nil {
		return store.Issue{}, err
	}
	is := store.Issue{
		Kind:        store.IssueRoundup,
		Subject:     fmt.Sprintf("%s: the week in review, %s", site, now.In(s.location(ctx)).Format("2 January 2006")),
		Items:       items,
		CoversFrom:  since,
		CoversUntil: now,
		CreatedAt:   now,
	}
	if err := s.store.CreateIssue(ctx, &is); err != nil {
		return store.Issue{}, fmt.Errorf("newsletter: compose: %w", err)
	}
	return is, nil
}

// publishedBetween returns the posts readers can see whose publication
// time is after since and at or before until, newest first.
func (s *Service) publishedBetween(ctx context.Context, since, until time.Time) ([]content.Post, error) {
	var out []content.Post
	f := store.PublicFilter(until)
	f.Limit = 100
	for {
		page, err := s.store.Posts(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("newsletter: compose: %w", err)
		}
		for _, p := range page.Posts {
			if !p.PublishedAt.After(since) {
				return out, nil
			}
			out = append(out, p)
		}
		f.Offset += len(page.Posts)
		if len(page.Posts) == 0 || f.Offset >= page.Total {
			return out, nil
		}
	}
}

// IssueDetail is an issue with the posts it shows, for the desk.
type IssueDetail struct {
	store.Issue
	// Posts are the issue's items in order; those no longer published are
	// listed in Missing instead.
	Posts   []content.Post
	Missing []int64
}

// Issues lists issues, newest first.
func (s *Service) Issues(ctx context.Context, f store.IssueFilter) (store.IssuePage, error) {
	page, err := s.store.Issues(ctx, f)
	if err != nil {
		return store.IssuePage{}, fmt.Errorf("newsletter: %w", err)
	}
	return page, nil
}

// Issue returns one issue with its posts.
func (s *Service) Issue(ctx context.Context, id int64) (IssueDetail, error) {
	is, err := s.store.IssueByID(ctx, id)
	if err != nil {
		return IssueDetail{}, fmt.Errorf("newsletter: %w", err)
	}
	posts, err := s.issuePosts(ctx, is.Items, s.now())
	if err != nil {
		return IssueDetail{}, err
	}
	d := IssueDetail{Issue: is, Posts: posts}
	have := map[int64]bool{}
	for _, p := range posts {
		have[p.ID] = true
	}
	for _, id := range is.Items {
		if !have[id] {
			d.Missing = append(d.Missing, id)
		}
	}
	return d, nil
}

// editIssue applies change to a draft or scheduled issue.
func (s *Service) editIssue(ctx context.Context, id int64, change func(*store.Issue) error) (store.Issue, error) {
	is, err := s.store.IssueByID(ctx, id)
	if err != nil {
		return store.Issue{}, fmt.Errorf("newsletter: %w", err)
	}
	if !is.Status.Editable() {
		return store.Issue{}, userError("This issue is "+string(is.Status)+" and can no longer be changed", store.ErrConflict)
	}
	if err := change(&is); err != nil {
		return store.Issue{}, err
	}
	if err := s.store.UpdateIssueContent(ctx, is); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return store.Issue{}, userError("This issue can no longer be changed", err)
		}
		return store.Issue{}, fmt.Errorf("newsletter: %w", err)
	}
	return is, nil
}

// SetSubject changes the subject of a draft or scheduled issue.
func (s *Service) SetSubject(ctx context.Context, id int64, subject string) (store.Issue, error) {
	subject = strings.TrimSpace(subject)
	switch {
	case subject == "":
		return store.Issue{}, userError("Give the issue a subject", nil)
	case strings.ContainsAny(subject, "\r\n\x00"):
		return store.Issue{}, userError("The subject cannot contain line breaks", nil)
	case len([]rune(subject)) > maxSubjectLength:
		return store.Issue{}, userError(fmt.Sprintf("Shorten the subject to %d characters", maxSubjectLength), nil)
	}
	return s.editIssue(ctx, id, func(is *store.Issue) error { is.Subject = subject; return nil })
}

// SetIntro sets the editor's introduction (Markdown) of a draft or
// scheduled issue; empty removes it.
func (s *Service) SetIntro(ctx context.Context, id int64, intro string) (store.Issue, error) {
	return s.editIssue(ctx, id, func(is *store.Issue) error { is.Intro = strings.TrimSpace(intro); return nil })
}

// SetItems replaces the articles of a draft or scheduled issue, in order:
// the desk reorders, removes and adds with it. Every post must be
// published.
func (s *Service) SetItems(ctx context.Context, id int64, items []int64) (store.Issue, error) {
	seen := map[int64]bool{}
	for _, pid := range items {
		if seen[pid] {
			return store.Issue{}, userError("An article is listed twice", nil)
		}
		seen[pid] = true
	}
	posts, err := s.issuePosts(ctx, items, s.now())
	if err != nil {
		return store.Issue{}, err
	}
	if len(posts) != len(items) {
		return store.Issue{}, userError("Only published articles can go in an issue", nil)
	}
	return s.editIssue(ctx, id, func(is *store.Issue) error {
		if is.Kind == store.IssueArticle && (len(items) != 1 || items[0] != is.PostID) {
			return userError("An article email holds its article only", nil)
		}
		is.Items = slices.Clone(items)
		return nil
	})
}

// RemoveItem takes one article out of a draft or scheduled issue.
func (s *Service) RemoveItem(ctx context.Context, id, postID int64) (store.Issue, error) {
	return s.editIssue(ctx, id, func(is *store.Issue) error {
		if is.Kind == store.IssueArticle {
			return userError("An article email holds its article only", nil)
		}
		i := slices.Index(is.Items, postID)
		if i < 0 {
			return userError("That article is not in the issue", nil)
		}
		is.Items = slices.Delete(is.Items, i, i+1)
		return nil
	})
}

// MoveItem moves one article of a draft or scheduled issue to position to
// (from 0; past the end means last).
func (s *Service) MoveItem(ctx context.Context, id, postID int64, to int) (store.Issue, error) {
	return s.editIssue(ctx, id, func(is *store.Issue) error {
		i := slices.Index(is.Items, postID)
		if i < 0 {
			return userError("That article is not in the issue", nil)
		}
		is.Items = slices.Delete(is.Items, i, i+1)
		to = min(max(to, 0), len(is.Items))
		is.Items = slices.Insert(is.Items, to, postID)
		return nil
	})
}

// DeleteIssue removes a draft, or a cancelled issue that never started.
func (s *Service) DeleteIssue(ctx context.Context, id int64) error {
	if err := s.store.DeleteIssue(ctx, id); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return userError("Only drafts and issues cancelled before sending can be deleted", err)
		}
		return fmt.Errorf("newsletter: %w", err)
	}
	return nil
}

// previewToken stands in previews and tests for a subscriber's link: it
// opens nobody's preferences.
const previewToken = "preview"

// Preview renders an issue as subscribers will get it: the content as it
// now stands for a draft or scheduled issue, the content as sent for the
// others. The desk shows the HTML in a frame at phone and desktop widths.
func (s *Service) Preview(ctx context.Context, id int64) (Rendered, error) {
	is, err := s.store.IssueByID(ctx, id)
	if err != nil {
		return Rendered{}, fmt.Errorf("newsletter: %w", err)
	}
	var r Rendered
	if is.Status.Editable() {
		if r, err = s.render(ctx, is); err != nil {
			return Rendered{}, err
		}
	} else {
		r = Rendered{Subject: is.Subject, HTML: is.HTML, Text: is.Text}
	}
	return r.Personal(previewToken), nil
}

// SendTest sends an issue, as Preview renders it, to one address (an
// editor's own), with "[Test]" before the subject. It records no
// delivery.
func (s *Service) SendTest(ctx context.Context, id int64, to string) error {
	addr, err := NormalizeAddress(to)
	if err != nil {
		return err
	}
	r, err := s.Preview(ctx, id)
	if err != nil {
		return err
	}
	from, err := s.sender(ctx)
	if err != nil {
		return err
	}
	m := s.issueMessage(r, from, "[Test] "+r.Subject, id, 0)
	m.To = addr
	m.Headers = s.listHeaders(ctx, s.unsubscribeURL(previewToken))
	m.Kind = "newsletter.test"
	if err := s.mail.Send(ctx, m); err != nil {
		if IsInvalid(err) {
			return userError("The issue cannot be sent as it is", err)
		}
		return fmt.Errorf("newsletter: send test of issue %d: %w", id, err)
	}
	return nil
}
