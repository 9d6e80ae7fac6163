package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// IssueKind says what a newsletter issue is.
type IssueKind string

// The kinds of issue.
const (
	IssueRoundup IssueKind = "roundup" // the weekly round-up, to subscribers who want it
	IssueArticle IssueKind = "article" // one article, to subscribers who want every article
)

// Valid reports whether k is a known kind.
func (k IssueKind) Valid() bool { return k == IssueRoundup || k == IssueArticle }

// IssueStatus is where a newsletter issue stands.
type IssueStatus string

// The states of an issue.
const (
	IssueDraft     IssueStatus = "draft"     // being edited
	IssueScheduled IssueStatus = "scheduled" // to be sent at ScheduledAt
	IssueSending   IssueStatus = "sending"   // deliveries under way
	IssuePaused    IssueStatus = "paused"    // deliveries stopped until resumed; PauseReason says why
	IssueSent      IssueStatus = "sent"      // every delivery is done
	IssueCancelled IssueStatus = "cancelled" // withdrawn; what was sent stays sent
)

// Valid reports whether s is a known state.
func (s IssueStatus) Valid() bool {
	switch s {
	case IssueDraft, IssueScheduled, IssueSending, IssuePaused, IssueSent, IssueCancelled:
		return true
	}
	return false
}

// Editable reports whether an issue in this state may still change.
func (s IssueStatus) Editable() bool { return s == IssueDraft || s == IssueScheduled }

// Issue is one newsletter email, sent to many subscribers.
type Issue struct {
	ID      int64
	Kind    IssueKind
	PostID  int64 // the article of an IssueArticle; 0 otherwise
	Status  IssueStatus
	Subject string
	Intro   string  // the editor's introduction, Markdown; may be empty
	Items   []int64 // post ids in the order the issue shows them

	// CoversFrom and CoversUntil bound the publication times of the posts
	// a round-up was composed from; the next round-up starts where this
	// one ends.
	CoversFrom  time.Time
	CoversUntil time.Time

	ScheduledAt time.Time // when a scheduled issue goes out
	StartedAt   time.Time // when sending first started
	FinishedAt  time.Time // when it was sent or cancelled
	PauseReason string    // why a paused issue stopped, for the editor

	// AudienceAdded says whether an article issue went to the subscribers
	// who want every article; one started only for topic alerts has not.
	AudienceAdded bool

	// HTML and Text are the issue as sent, fixed when sending starts; the
	// per-subscriber links in them are placeholders filled for each
	// delivery. Listings leave them empty.
	HTML string
	Text string

	CreatedAt time.Time
	UpdatedAt time.Time
}

const issueListColumns = `ni.id, ni.kind, ni.post_id, ni.status, ni.subject, ni.intro, ni.items, ni.covers_from,
	ni.covers_until, ni.scheduled_at, ni.started_at, ni.finished_at, ni.pause_reason, ni.created_at, ni.updated_at, ni.audience_added`

const issueColumns = issueListColumns + `, ni.html, ni.text_body`

func scanIssue(sc rowScanner, bodies bool) (Issue, error) {
	var is Issue
	var kind, status, items string
	var post sql.NullInt64
	dest := []any{&is.ID, &kind, &post, &status, &is.Subject, &is.Intro, &items, timeDest{&is.CoversFrom},
		timeDest{&is.CoversUntil}, timeDest{&is.ScheduledAt}, timeDest{&is.StartedAt}, timeDest{&is.FinishedAt},
		&is.PauseReason, timeDest{&is.CreatedAt}, timeDest{&is.UpdatedAt}, &is.AudienceAdded}
	if bodies {
		dest = append(dest, &is.HTML, &is.Text)
	}
	if err := sc.Scan(dest...); err != nil {
		return is, err
	}
	is.Kind, is.Status, is.PostID = IssueKind(kind), IssueStatus(status), post.Int64
	if err := json.Unmarshal([]byte(items), &is.Items); err != nil {
		return is, fmt.Errorf("issue %d: bad stored items: %w", is.ID, err)
	}
	return is, nil
}

func itemsJSON(items []int64) (string, error) {
	seen := make(map[int64]bool, len(items))
	for _, id := range items {
		if id <= 0 {
			return "", fmt.Errorf("item %d is not a post id: %w", id, ErrInvalid)
		}
		if seen[id] {
			return "", fmt.Errorf("post %d is listed twice: %w", id, ErrInvalid)
		}
		seen[id] = true
	}
	if items == nil {
		items = []int64{}
	}
	b, err := json.Marshal(items)
	return string(b), err
}

func checkIssue(is *Issue) error {
	if !is.Kind.Valid() {
		return fmt.Errorf("unknown issue kind %q: %w", is.Kind, ErrInvalid)
	}
	if !is.Status.Valid() {
		return fmt.Errorf("unknown issue status %q: %w", is.Status, ErrInvalid)
	}
	if (is.Kind == IssueArticle) != (is.PostID > 0) {
		return fmt.Errorf("an article issue names its post, a round-up none: %w", ErrInvalid)
	}
	if strings.ContainsAny(is.Subject, "\r\n\x00") {
		return fmt.Errorf("subject holds a line break: %w", ErrInvalid)
	}
	for _, t := range []*time.Time{&is.CoversFrom, &is.CoversUntil, &is.ScheduledAt, &is.StartedAt, &is.FinishedAt,
		&is.CreatedAt, &is.UpdatedAt} {
		if !validTime(*t) {
			return fmt.Errorf("time out of range: %w", ErrInvalid)
		}
		*t = normTime(*t)
	}
	return nil
}

// CreateIssue inserts is and sets its ID (CreatedAt and UpdatedAt default
// to now, Status to draft). A second issue for one post is ErrConflict; a
// post that does not exist is ErrInvalid.
func (s *Store) CreateIssue(ctx context.Context, is *Issue) error {
	n := *is
	if n.Status == "" {
		n.Status = IssueDraft
	}
	if n.CreatedAt.IsZero() {
		n.CreatedAt = time.Now()
	}
	if n.UpdatedAt.IsZero() {
		n.UpdatedAt = n.CreatedAt
	}
	if err := checkIssue(&n); err != nil {
		return fmt.Errorf("store: create issue: %w", err)
	}
	items, err := itemsJSON(n.Items)
	if err != nil {
		return fmt.Errorf("store: create issue: %w", err)
	}
	err = s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		if n.PostID > 0 {
			if err := r.checkExist(ctx, "posts", "post", []int64{n.PostID}); err != nil {
				return err
			}
		}
		return r.queryRow(ctx, `INSERT INTO newsletter_issues (kind, post_id, status, subject, intro, items, covers_from,
				covers_until, scheduled_at, started_at, finished_at, pause_reason, created_at, updated_at, html, text_body,
				audience_added)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			string(n.Kind), nullID(n.PostID), string(n.Status), n.Subject, n.Intro, items, r.timeArg(n.CoversFrom),
			r.timeArg(n.CoversUntil), r.timeArg(n.ScheduledAt), r.timeArg(n.StartedAt), r.timeArg(n.FinishedAt),
			n.PauseReason, r.timeArg(n.CreatedAt), r.timeArg(n.UpdatedAt), n.HTML, n.Text, n.AudienceAdded).Scan(&n.ID)
	})
	if err != nil {
		return fmt.Errorf("store: create issue: %w", conflict(err))
	}
	if n.Items == nil {
		n.Items = []int64{}
	}
	*is = n
	return nil
}

// IssueByID returns one issue, with its bodies, or ErrNotFound.
func (s *Store) IssueByID(ctx context.Context, id int64) (Issue, error) {
	is, err := scanIssue(s.reader().queryRow(ctx, `SELECT `+issueColumns+` FROM newsletter_issues ni WHERE ni.id = ?`, id), true)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Issue{}, fmt.Errorf("store: issue %d: %w", id, err)
	}
	return is, nil
}

// IssueByPost returns the per-article issue of a post or ErrNotFound.
func (s *Store) IssueByPost(ctx context.Context, postID int64) (Issue, error) {
	is, err := scanIssue(s.reader().queryRow(ctx, `SELECT `+issueColumns+` FROM newsletter_issues ni WHERE ni.post_id = ?`, postID), true)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Issue{}, fmt.Errorf("store: issue of post %d: %w", postID, err)
	}
	return is, nil
}

// LastRoundup returns the newest round-up that went out or is going out
// (scheduled, sending, paused or sent), by the end of what it covers, or
// ErrNotFound.
func (s *Store) LastRoundup(ctx context.Context) (Issue, error) {
	is, err := scanIssue(s.reader().queryRow(ctx, `SELECT `+issueColumns+` FROM newsletter_issues ni
		WHERE ni.kind = ? AND ni.status IN (?, ?, ?, ?) AND ni.covers_until IS NOT NULL
		ORDER BY ni.covers_until DESC, ni.id DESC LIMIT 1`,
		string(IssueRoundup), string(IssueScheduled), string(IssueSending), string(IssuePaused), string(IssueSent)), true)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Issue{}, fmt.Errorf("store: last round-up: %w", err)
	}
	return is, nil
}

// IssueFilter selects issues. Zero fields do not filter.
type IssueFilter struct {
	Kind     IssueKind
	Statuses []IssueStatus
	Limit    int // 0 means 50; at most 500
	Offset   int
}

// IssuePage is one page of issues, newest first, without their bodies.
type IssuePage struct {
	Issues []Issue
	Total  int // issues matching the filter, ignoring Limit and Offset
}

// Issues returns one page of issues, most recently created first. HTML and
// Text are left empty.
func (s *Store) Issues(ctx context.Context, f IssueFilter) (IssuePage, error) {
	r := s.reader()
	var conds []string
	var args []any
	if f.Kind != "" {
		conds = append(conds, `ni.kind = ?`)
		args = append(args, string(f.Kind))
	}
	if len(f.Statuses) > 0 {
		conds = append(conds, `ni.status IN (`+placeholders(len(f.Statuses))+`)`)
		for _, st := range f.Statuses {
			args = append(args, string(st))
		}
	}
	where := ""
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, ` AND `)
	}
	limit, offset := pageBounds(f.Limit, f.Offset, 50, 500)
	var page IssuePage
	if err := r.queryRow(ctx, `SELECT COUNT(*) FROM newsletter_issues ni`+where, args...).Scan(&page.Total); err != nil {
		return IssuePage{}, fmt.Errorf("store: issues: %w", err)
	}
	if offset >= page.Total {
		return page, nil
	}
	err := r.each(ctx, `SELECT `+issueListColumns+` FROM newsletter_issues ni`+where+` ORDER BY ni.id DESC LIMIT ? OFFSET ?`,
		append(args, limit, offset), func(rows *sql.Rows) error {
			is, err := scanIssue(rows, false)
			page.Issues = append(page.Issues, is)
			return err
		})
	if err != nil {
		return IssuePage{}, fmt.Errorf("store: issues: %w", err)
	}
	return page, nil
}

// UpdateIssueContent stores the editable fields of is (Subject, Intro,
// Items, CoversFrom, CoversUntil) while the issue is a draft or scheduled;
// afterwards the content is fixed and the update is ErrConflict.
func (s *Store) UpdateIssueContent(ctx context.Context, is Issue) error {
	if strings.ContainsAny(is.Subject, "\r\n\x00") {
		return fmt.Errorf("store: update issue %d: subject holds a line break: %w", is.ID, ErrInvalid)
	}
	if !validTime(is.CoversFrom) || !validTime(is.CoversUntil) {
		return fmt.Errorf("store: update issue %d: time out of range: %w", is.ID, ErrInvalid)
	}
	items, err := itemsJSON(is.Items)
	if err != nil {
		return fmt.Errorf("store: update issue %d: %w", is.ID, err)
	}
	err = s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		if _, err := r.issueStatus(ctx, is.ID, IssueDraft, IssueScheduled); err != nil {
			return err
		}
		_, err := r.exec(ctx, `UPDATE newsletter_issues SET subject = ?, intro = ?, items = ?, covers_from = ?,
			covers_until = ?, updated_at = ? WHERE id = ?`,
			is.Subject, is.Intro, items, r.timeArg(is.CoversFrom), r.timeArg(is.CoversUntil), r.timeArg(time.Now()), is.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: update issue %d: %w", is.ID, err)
	}
	return nil
}

// issueStatus locks the issue's row for the transaction and returns its
// status; one not among allowed (when any are given) is ErrConflict.
func (r runner) issueStatus(ctx context.Context, id int64, allowed ...IssueStatus) (IssueStatus, error) {
	lock := ""
	if r.dialect == dialectPostgres {
		lock = ` FOR UPDATE`
	}
	var st string
	err := r.queryRow(ctx, `SELECT status FROM newsletter_issues WHERE id = ?`+lock, id).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", err
	}
	if len(allowed) > 0 && !slices.Contains(allowed, IssueStatus(st)) {
		return IssueStatus(st), fmt.Errorf("issue is %s: %w", st, ErrConflict)
	}
	return IssueStatus(st), nil
}

// SetIssueStatus moves an issue to status to at the time at, provided it
// is in one of the states from; otherwise it changes nothing and returns
// ErrConflict. Scheduling records at as ScheduledAt (a scheduled issue
// moved back to draft forgets it); sending records the first start;
// sent and cancelled record FinishedAt; pausing keeps reason for the
// editor, and every other move clears it. It returns the issue as it now
// stands.
func (s *Store) SetIssueStatus(ctx context.Context, id int64, to IssueStatus, at time.Time, reason string, from ...IssueStatus) (Issue, error) {
	if !to.Valid() || len(from) == 0 {
		return Issue{}, fmt.Errorf("store: set issue %d %s: bad move: %w", id, to, ErrInvalid)
	}
	if at.IsZero() || !validTime(at) {
		return Issue{}, fmt.Errorf("store: set issue %d %s: time missing or out of range: %w", id, to, ErrInvalid)
	}
	var is Issue
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		if _, err := r.issueStatus(ctx, id, from...); err != nil {
			return err
		}
		set := `status = ?, updated_at = ?, pause_reason = ?`
		args := []any{string(to), r.timeArg(at), ""}
		switch to {
		case IssueDraft:
			set += `, scheduled_at = NULL`
		case IssueScheduled:
			set += `, scheduled_at = ?`
			args = append(args, r.timeArg(at))
		case IssueSending:
			set += `, started_at = COALESCE(started_at, ?)`
			args = append(args, r.timeArg(at))
		case IssuePaused:
			args[2] = reason
		case IssueSent, IssueCancelled:
			set += `, finished_at = ?`
			args = append(args, r.timeArg(at))
		}
		if _, err := r.exec(ctx, `UPDATE newsletter_issues SET `+set+` WHERE id = ?`, append(args, id)...); err != nil {
			return err
		}
		var err error
		is, err = scanIssue(r.queryRow(ctx, `SELECT `+issueColumns+` FROM newsletter_issues ni WHERE ni.id = ?`, id), true)
		return err
	})
	if err != nil {
		return Issue{}, fmt.Errorf("store: set issue %d %s: %w", id, to, err)
	}
	return is, nil
}

// StartIssue begins sending a draft or scheduled issue: it fixes the
// issue's HTML and text, marks it sending at at, and creates a pending
// delivery for every subscriber the issue is for (confirmed, not paused,
// and wanting round-ups or every article, by the issue's kind). It
// returns the issue and how many deliveries it created. Deliveries that
// exist are left as they are, so starting again never sends twice.
func (s *Store) StartIssue(ctx context.Context, id int64, html, text string, at time.Time) (Issue, int, error) {
	return s.startIssue(ctx, id, html, text, at, true)
}

// StartIssueForAlerts begins sending a draft or scheduled article issue
// like StartIssue, but creates no deliveries: its recipients are the
// topic followers AddTopicAlertDeliveries adds, and the subscribers who
// want every article come only when an editor sends the article
// (AddIssueAudience).
func (s *Store) StartIssueForAlerts(ctx context.Context, id int64, html, text string, at time.Time) (Issue, error) {
	is, _, err := s.startIssue(ctx, id, html, text, at, false)
	return is, err
}

func (s *Store) startIssue(ctx context.Context, id int64, html, text string, at time.Time, audience bool) (Issue, int, error) {
	if at.IsZero() || !validTime(at) {
		return Issue{}, 0, fmt.Errorf("store: start issue %d: time missing or out of range: %w", id, ErrInvalid)
	}
	if strings.TrimSpace(text) == "" {
		return Issue{}, 0, fmt.Errorf("store: start issue %d: no text body: %w", id, ErrInvalid)
	}
	var is Issue
	var created int
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		if _, err := r.issueStatus(ctx, id, IssueDraft, IssueScheduled); err != nil {
			return err
		}
		if _, err := r.exec(ctx, `UPDATE newsletter_issues SET status = ?, html = ?, text_body = ?,
				started_at = COALESCE(started_at, ?), updated_at = ?, pause_reason = '', audience_added = ? WHERE id = ?`,
			string(IssueSending), html, text, r.timeArg(at), r.timeArg(at), audience, id); err != nil {
			return err
		}
		var err error
		if is, err = scanIssue(r.queryRow(ctx, `SELECT `+issueColumns+` FROM newsletter_issues ni WHERE ni.id = ?`, id), true); err != nil {
			return err
		}
		if !audience {
			if is.Kind != IssueArticle {
				return fmt.Errorf("only an article issue is sent for topic alerts: %w", ErrInvalid)
			}
			return nil
		}
		wants := `wants_roundup`
		if is.Kind == IssueArticle {
			wants = `wants_every_article`
		}
		res, err := r.exec(ctx, `INSERT INTO deliveries (issue_id, subscriber_id, status)
			SELECT ?, id, ? FROM subscribers WHERE status = ? AND paused = ? AND `+wants+` = ?
			ORDER BY id
			ON CONFLICT (issue_id, subscriber_id) DO NOTHING`,
			id, string(DeliveryPending), string(SubscriberConfirmed), false, true)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		created = int(n)
		return err
	})
	if err != nil {
		return Issue{}, 0, fmt.Errorf("store: start issue %d: %w", id, err)
	}
	return is, created, nil
}

// DeleteIssue removes a draft or cancelled issue that never started
// sending; any other is ErrConflict.
func (s *Store) DeleteIssue(ctx context.Context, id int64) error {
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		if _, err := r.issueStatus(ctx, id, IssueDraft, IssueCancelled); err != nil {
			return err
		}
		res, err := r.exec(ctx, `DELETE FROM newsletter_issues WHERE id = ? AND started_at IS NULL`, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("the issue was sent to some subscribers: %w", ErrConflict)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: delete issue %d: %w", id, err)
	}
	return nil
}
