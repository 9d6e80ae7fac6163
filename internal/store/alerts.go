package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// articleIssue locks an article issue for the transaction and returns its
// post, status and whether its every-article audience was added. A
// round-up is ErrInvalid; a cancelled issue ErrConflict, since nothing is
// added to what an editor withdrew.
func (r runner) articleIssue(ctx context.Context, id int64) (postID int64, status IssueStatus, audience bool, err error) {
	if _, err := r.issueStatus(ctx, id, IssueDraft, IssueScheduled, IssueSending, IssuePaused, IssueSent); err != nil {
		return 0, "", false, err
	}
	var kind, st string
	var post sql.NullInt64
	err = r.queryRow(ctx, `SELECT kind, post_id, status, audience_added FROM newsletter_issues WHERE id = ?`, id).
		Scan(&kind, &post, &st, &audience)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", false, ErrNotFound
	}
	if err != nil {
		return 0, "", false, err
	}
	if IssueKind(kind) != IssueArticle || !post.Valid {
		return 0, "", false, fmt.Errorf("issue %d is not an article's: %w", id, ErrInvalid)
	}
	return post.Int64, IssueStatus(st), audience, nil
}

// AddTopicAlertDeliveries adds to the article issue of post postID a
// pending delivery, with reason ReasonTopic, for every confirmed and
// unpaused subscriber who follows, with instant alerts, any topic an
// editor accepted for the post. A subscriber who already has a delivery of
// the issue, for whatever reason, keeps it and gets no second, so running
// it again adds only the followers who are new. It returns how many
// deliveries it added.
func (s *Store) AddTopicAlertDeliveries(ctx context.Context, issueID, postID int64) (int, error) {
	var added int
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		post, _, _, err := r.articleIssue(ctx, issueID)
		if err != nil {
			return err
		}
		if post != postID {
			return fmt.Errorf("the issue is post %d's, not %d's: %w", post, postID, ErrInvalid)
		}
		res, err := r.exec(ctx, `INSERT INTO deliveries (issue_id, subscriber_id, status, reason)
			SELECT ?, sb.id, ?, ? FROM subscribers sb
			WHERE sb.status = ? AND sb.paused = ? AND EXISTS (
				SELECT 1 FROM subscriber_topics st JOIN post_topics pt ON pt.topic = st.topic
				WHERE st.subscriber_id = sb.id AND st.instant = ? AND pt.post_id = ? AND pt.status = ?)
			ORDER BY sb.id
			ON CONFLICT (issue_id, subscriber_id) DO NOTHING`,
			issueID, string(DeliveryPending), string(ReasonTopic), string(SubscriberConfirmed), false, true, postID,
			string(TopicAccepted))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		added = int(n)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: add topic alerts to issue %d: %w", issueID, err)
	}
	return added, nil
}

// AddIssueAudience adds the subscribers who want every article to an
// article issue that was started for topic alerts only, and records that
// they were added. Subscribers already alerted keep their one delivery.
// An issue whose audience was added before, or that was never started, is
// ErrConflict. It returns how many deliveries it added.
func (s *Store) AddIssueAudience(ctx context.Context, issueID int64) (int, error) {
	var added int
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		_, status, audience, err := r.articleIssue(ctx, issueID)
		if err != nil {
			return err
		}
		if audience || status == IssueDraft || status == IssueScheduled {
			return fmt.Errorf("issue is %s and went to its subscribers: %w", status, ErrConflict)
		}
		res, err := r.exec(ctx, `INSERT INTO deliveries (issue_id, subscriber_id, status)
			SELECT ?, id, ? FROM subscribers WHERE status = ? AND paused = ? AND wants_every_article = ?
			ORDER BY id
			ON CONFLICT (issue_id, subscriber_id) DO NOTHING`,
			issueID, string(DeliveryPending), string(SubscriberConfirmed), false, true)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		added = int(n)
		_, err = r.exec(ctx, `UPDATE newsletter_issues SET audience_added = ? WHERE id = ?`, true, issueID)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: add audience to issue %d: %w", issueID, err)
	}
	return added, nil
}

// FinishIssue marks a sending issue sent at at, provided no delivery of it
// remains to be tried, and reports whether it did. Checking and marking
// in one transaction, under the issue's lock, keeps deliveries added
// meanwhile (topic alerts, say) from being left in an issue marked sent.
// An issue that is not sending is ErrConflict.
func (s *Store) FinishIssue(ctx context.Context, id int64, at time.Time) (bool, error) {
	done := false
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		if _, err := r.issueStatus(ctx, id, IssueSending); err != nil {
			return err
		}
		var remaining int
		if err := r.queryRow(ctx, `SELECT COUNT(*) FROM deliveries WHERE issue_id = ? AND status IN (?, ?)`,
			id, string(DeliveryPending), string(DeliveryFailedTemp)).Scan(&remaining); err != nil {
			return err
		}
		if remaining > 0 {
			return nil
		}
		if _, err := tx.SetIssueStatus(ctx, id, IssueSent, at, "", IssueSending); err != nil {
			return err
		}
		done = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: finish issue %d: %w", id, err)
	}
	return done, nil
}
