package newsletter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"masthead/internal/content"
	"masthead/internal/jobs"
	"masthead/internal/store"
)

// Topic alerts.
//
// A subscriber who follows a topic "right away by email" gets a new
// article on it as an email of its own. The alert is the article's
// per-article issue, the same one the editor's "email this article" sends:
// a subscriber has at most one delivery of it, whether they follow the
// topic, want every article, or both, so nobody gets an article twice.
// The alert starts the issue for the followers alone; the editor's send
// later adds the subscribers who want every article.

// AlertWindow is how long after its publication an article is still news
// to its topics' followers: a topic accepted later than that alerts
// nobody, nor does an old article published again.
const AlertWindow = 48 * time.Hour

type topicAlertsPayload struct {
	PostID int64 `json:"post_id"`
}

func (s *Service) topicAlertsHandler(ctx context.Context, payload []byte) error {
	var p topicAlertsPayload
	if err := json.Unmarshal(payload, &p); err != nil || p.PostID <= 0 {
		return jobs.Permanent(fmt.Errorf("newsletter: topic alerts: bad payload %q", payload))
	}
	_, err := s.SendTopicAlerts(ctx, p.PostID)
	var ue *UserError
	if errors.As(err, &ue) {
		// The article cannot be sent as it stands; trying again will not
		// change that.
		s.log.ErrorContext(ctx, "newsletter: topic alerts cannot be sent", "post", p.PostID, "err", err)
		return jobs.Permanent(err)
	}
	return err
}

// SendTopicAlerts emails a published article, less than AlertWindow old,
// to the confirmed subscribers who follow any of its accepted topics with
// instant alerts and have not had it yet. It returns how many alerts it
// added; an article that is not news, or that no follower awaits, adds
// none and is no error.
func (s *Service) SendTopicAlerts(ctx context.Context, postID int64) (int, error) {
	p, err := s.store.PostByID(ctx, postID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil // deleted meanwhile
	}
	if err != nil {
		return 0, fmt.Errorf("newsletter: topic alerts of post %d: %w", postID, err)
	}
	now := s.now()
	if p.Status != content.StatusPublished || p.PublishedAt.After(now) || now.Sub(p.PublishedAt) >= AlertWindow {
		return 0, nil
	}
	// Most articles have no instant follower: they get no issue.
	if waiting, err := s.hasAlertFollowers(ctx, postID); err != nil || !waiting {
		return 0, err
	}
	is, err := s.store.IssueByPost(ctx, postID)
	if errors.Is(err, store.ErrNotFound) {
		is = store.Issue{Kind: store.IssueArticle, PostID: postID, Subject: strings.TrimSpace(p.Title), Items: []int64{postID},
			CreatedAt: now}
		if err := s.store.CreateIssue(ctx, &is); err != nil {
			if !errors.Is(err, store.ErrConflict) {
				return 0, fmt.Errorf("newsletter: topic alerts of post %d: %w", postID, err)
			}
			// Made meanwhile, by the editor or another node.
			if is, err = s.store.IssueByPost(ctx, postID); err != nil {
				return 0, fmt.Errorf("newsletter: topic alerts of post %d: %w", postID, err)
			}
		}
	} else if err != nil {
		return 0, fmt.Errorf("newsletter: topic alerts of post %d: %w", postID, err)
	}
	if is.Status == store.IssueCancelled {
		return 0, nil // an editor withdrew the article's email
	}
	var r Rendered
	if is.Status == store.IssueDraft {
		if r, err = s.prepare(ctx, is); err != nil {
			return 0, err
		}
	}
	var added int
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		if added, err = tx.AddTopicAlertDeliveries(ctx, is.ID, postID); err != nil || added == 0 {
			return err
		}
		cur, err := tx.IssueByID(ctx, is.ID)
		if err != nil {
			return err
		}
		switch cur.Status {
		case store.IssueDraft:
			if _, err := tx.StartIssueForAlerts(ctx, is.ID, r.HTML, r.Text, now); err != nil {
				return err
			}
		case store.IssueSent:
			if _, err := tx.SetIssueStatus(ctx, is.ID, store.IssueSending, now, "", store.IssueSent); err != nil {
				return err
			}
		default:
			// Scheduled: the alerts go with the issue at its time.
			// Sending: its job finishes only when no delivery remains.
			// Paused: they wait for the editor to resume.
			return nil
		}
		return enqueueSend(ctx, tx, is.ID, now)
	})
	if err != nil {
		// An issue started or cancelled between reading and adding
		// (ErrConflict) is seen as it is when the job runs again.
		return 0, fmt.Errorf("newsletter: topic alerts of post %d: %w", postID, err)
	}
	if added > 0 {
		s.log.InfoContext(ctx, "newsletter: topic alerts", "post", postID, "issue", is.ID, "alerts", added)
		s.wakeJobs()
	}
	return added, nil
}

// hasAlertFollowers says whether any confirmed subscriber follows one of
// the post's accepted topics with instant alerts.
func (s *Service) hasAlertFollowers(ctx context.Context, postID int64) (bool, error) {
	pts, err := s.store.PostTopics(ctx, postID)
	if err != nil {
		return false, fmt.Errorf("newsletter: topic alerts of post %d: %w", postID, err)
	}
	var accepted []string
	for _, t := range pts {
		if t.Status == store.TopicAccepted {
			accepted = append(accepted, t.Topic)
		}
	}
	followers, err := s.store.TopicFollowers(ctx, accepted, true)
	if err != nil {
		return false, fmt.Errorf("newsletter: topic alerts of post %d: %w", postID, err)
	}
	return len(followers) > 0, nil
}

// addAudience sends an article issue started for topic alerts only to the
// subscribers who want every article as well.
func (s *Service) addAudience(ctx context.Context, is store.Issue) (store.Issue, error) {
	now := s.now()
	var cur store.Issue
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		n, err := tx.AddIssueAudience(ctx, is.ID)
		if err != nil {
			return err
		}
		if cur, err = tx.IssueByID(ctx, is.ID); err != nil {
			return err
		}
		if n == 0 || cur.Status != store.IssueSent {
			return nil // a sending issue's job takes them; a paused one's waits
		}
		if cur, err = tx.SetIssueStatus(ctx, is.ID, store.IssueSending, now, "", store.IssueSent); err != nil {
			return err
		}
		return enqueueSend(ctx, tx, is.ID, now)
	})
	if errors.Is(err, store.ErrConflict) {
		// Pressed twice, or from two desks at once.
		cur, gerr := s.store.IssueByID(ctx, is.ID)
		if gerr != nil {
			return store.Issue{}, fmt.Errorf("newsletter: %w", gerr)
		}
		return cur, ErrAlreadySent
	}
	if err != nil {
		return store.Issue{}, fmt.Errorf("newsletter: send article %d: %w", is.PostID, err)
	}
	s.log.InfoContext(ctx, "newsletter: article sent to its audience after topic alerts", "issue", is.ID, "post", is.PostID)
	s.wakeJobs()
	return cur, nil
}
