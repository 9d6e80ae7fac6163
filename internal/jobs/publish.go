package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
)

// KindPublishPost publishes a scheduled post at its time. Its payload is
// {"post_id": N}.
const KindPublishPost = "post.publish"

// publishPayload is the payload of a KindPublishPost job.
type publishPayload struct {
	PostID int64 `json:"post_id"`
}

// PublishKey is the unique key of a post's publishing job: a post has at
// most one.
func PublishKey(postID int64) string { return fmt.Sprintf("%s:%d", KindPublishPost, postID) }

// SchedulePublish enqueues the job that publishes a post at at, replacing
// any earlier schedule of that post. Call it with the Store of the
// transaction that saves the post as scheduled, then Wake the runner.
func SchedulePublish(ctx context.Context, st *store.Store, postID int64, at time.Time) error {
	if postID <= 0 {
		return fmt.Errorf("jobs: schedule publishing: post %d: %w", postID, store.ErrInvalid)
	}
	payload, err := json.Marshal(publishPayload{PostID: postID})
	if err != nil {
		return fmt.Errorf("jobs: schedule publishing of post %d: %w", postID, err)
	}
	j := store.Job{Kind: KindPublishPost, Payload: payload, RunAt: at, UniqueKey: PublishKey(postID)}
	if err := st.EnqueueJob(ctx, &j); err != nil {
		return fmt.Errorf("jobs: schedule publishing of post %d: %w", postID, err)
	}
	return nil
}

// CancelPublish withdraws a post's pending publishing job, as when it goes
// back to draft.
func CancelPublish(ctx context.Context, st *store.Store, postID int64) error {
	if _, err := st.CancelJob(ctx, PublishKey(postID)); err != nil {
		return fmt.Errorf("jobs: cancel publishing of post %d: %w", postID, err)
	}
	return nil
}

// KindTopicAlerts emails a newly published article to the subscribers
// who follow one of its topics with instant alerts. Its payload is
// {"post_id": N}; the newsletter handles it. Running it again for a post
// alerts only followers not alerted yet.
const KindTopicAlerts = "newsletter.topic-alerts"

// topicAlertAttempts is how often a topic alert job may fail (the
// database away, say) before it gives up.
const topicAlertAttempts = 10

// TopicAlertsKey is the unique key of a post's topic alert job.
func TopicAlertsKey(postID int64) string { return fmt.Sprintf("%s:%d", KindTopicAlerts, postID) }

// EnqueueTopicAlerts enqueues the topic alerts of a post, as when it is
// published or an editor accepts one more of its topics. Call it with the
// Store of the transaction that makes the change, then Wake the runner.
func EnqueueTopicAlerts(ctx context.Context, st *store.Store, postID int64) error {
	payload, err := json.Marshal(publishPayload{PostID: postID})
	if err != nil {
		return fmt.Errorf("jobs: topic alerts of post %d: %w", postID, err)
	}
	j := store.Job{Kind: KindTopicAlerts, Payload: payload, UniqueKey: TopicAlertsKey(postID), MaxAttempts: topicAlertAttempts}
	if err := st.EnqueueJob(ctx, &j); err != nil {
		return fmt.Errorf("jobs: topic alerts of post %d: %w", postID, err)
	}
	return nil
}

// PublishScheduled returns the handler of KindPublishPost jobs. It
// publishes the post when it is still scheduled and its PublishedAt (the
// scheduled time) has come, and then calls onPublish (may be nil), with
// which the server drops its page cache, and enqueues the post's topic
// alerts. A post deleted or taken off the schedule meanwhile is left
// alone. A job that runs early — another node's clock, a schedule moved
// later — puts itself back for the post's time.
func PublishScheduled(st *store.Store, onPublish func()) Handler {
	return func(ctx context.Context, payload []byte) error {
		var p publishPayload
		if err := json.Unmarshal(payload, &p); err != nil {
			return Permanent(fmt.Errorf("jobs: publish: bad payload %q: %w", payload, err))
		}
		if p.PostID <= 0 {
			return Permanent(fmt.Errorf("jobs: publish: bad payload %q: no post_id", payload))
		}
		now := Now(ctx)
		post, published, err := st.PublishDue(ctx, p.PostID, now)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return nil // deleted: nothing to publish
		case err != nil:
			return err
		case published:
			if onPublish != nil {
				onPublish()
			}
			if err := EnqueueTopicAlerts(ctx, st, p.PostID); err != nil {
				return err
			}
			// The audit log says who published what; here nobody did, the
			// schedule did. A failure is returned, but the retry finds the
			// post published and does not write the entry again.
			return st.AppendAudit(ctx, &store.AuditEntry{At: now, Action: "post.publish",
				Target: fmt.Sprintf("post %d “%s”", post.ID, post.Title), Detail: "at the scheduled time"})
		case post.Status == content.StatusPublished && !post.PublishedAt.After(now):
			// Published by an earlier run whose alerts were not enqueued,
			// or by hand: alerting again sends nobody a second copy.
			return EnqueueTopicAlerts(ctx, st, p.PostID)
		case post.Status == content.StatusScheduled && post.PublishedAt.After(now):
			return SchedulePublish(ctx, st, p.PostID, post.PublishedAt)
		}
		return nil
	}
}
