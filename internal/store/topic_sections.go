package store

import (
	"context"
	"database/sql"
	"fmt"
)

// AcceptedTopicsOf returns the accepted topics of each of the posts, by
// post, each post's topics in slug order. Posts without one are absent.
func (s *Store) AcceptedTopicsOf(ctx context.Context, postIDs []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	if len(postIDs) == 0 {
		return out, nil
	}
	err := s.reader().each(ctx, `SELECT post_id, topic FROM post_topics WHERE status = ? AND post_id IN (`+
		placeholders(len(postIDs))+`) ORDER BY post_id, topic`, append([]any{string(TopicAccepted)}, anys(postIDs)...),
		func(rows *sql.Rows) error {
			var id int64
			var topic string
			if err := rows.Scan(&id, &topic); err != nil {
				return err
			}
			out[id] = append(out[id], topic)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("store: accepted topics of posts: %w", err)
	}
	return out, nil
}

// RoundupFollows returns, for every confirmed subscriber who follows any
// of the topics for the weekly round-up (not as instant alerts), which of
// them they follow, in slug order. One query serves a whole send, so that
// personalising each message costs no query of its own.
func (s *Store) RoundupFollows(ctx context.Context, topics []string) (map[int64][]string, error) {
	out := map[int64][]string{}
	if len(topics) == 0 {
		return out, nil
	}
	q := `SELECT st.subscriber_id, st.topic FROM subscriber_topics st, subscribers sub
		WHERE sub.id = st.subscriber_id AND sub.status = ? AND st.instant = ? AND st.topic IN (` + placeholders(len(topics)) + `)
		ORDER BY st.subscriber_id, st.topic`
	args := append([]any{string(SubscriberConfirmed), false}, anys(topics)...)
	err := s.reader().each(ctx, q, args, func(rows *sql.Rows) error {
		var id int64
		var topic string
		if err := rows.Scan(&id, &topic); err != nil {
			return err
		}
		out[id] = append(out[id], topic)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: round-up followers of topics: %w", err)
	}
	return out, nil
}
