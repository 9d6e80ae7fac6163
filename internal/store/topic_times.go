package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// TopicPublishTimes returns when each post matching f that has the topic
// accepted was published, oldest first. A timeline in the site's own
// timezone needs the instants: months in UTC (TopicTimeline) put a piece
// published late on the last evening of a month in the next one.
func (s *Store) TopicPublishTimes(ctx context.Context, topic string, f PostFilter) ([]time.Time, error) {
	r := s.reader()
	conds, args := r.postConditions(f)
	conds, args = append(conds, acceptedIn, `p.published_at IS NOT NULL`), append(args, topic)
	var out []time.Time
	err := r.each(ctx, `SELECT p.published_at FROM posts p`+whereClause(conds)+` ORDER BY p.published_at`, args,
		func(rows *sql.Rows) error {
			var t time.Time
			if err := rows.Scan(timeDest{&t}); err != nil {
				return err
			}
			out = append(out, t)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("store: publish times of topic %q: %w", topic, err)
	}
	return out, nil
}
