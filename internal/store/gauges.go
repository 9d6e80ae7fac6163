package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// JobGauge is how many jobs of one kind stand in one state; Due counts
// the pending ones whose time has come (the queue a node works through).
type JobGauge struct {
	Kind   string
	Status JobStatus
	Count  int
	Due    int
}

// JobGauges counts the jobs that are not done, by kind and state, at now.
// Done jobs are left out: they only pile up until pruned.
func (s *Store) JobGauges(ctx context.Context, now time.Time) ([]JobGauge, error) {
	r := s.reader()
	var out []JobGauge
	err := r.each(ctx, `SELECT kind, status, COUNT(*), SUM(CASE WHEN status = ? AND run_at <= ? THEN 1 ELSE 0 END)
		FROM jobs WHERE status <> ? GROUP BY kind, status ORDER BY kind, status`,
		[]any{string(JobPending), r.timeArg(now), string(JobDone)}, func(rows *sql.Rows) error {
			var g JobGauge
			var status string
			err := rows.Scan(&g.Kind, &status, &g.Count, &g.Due)
			g.Status = JobStatus(status)
			out = append(out, g)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("store: job gauges: %w", err)
	}
	return out, nil
}

// SendGauge is how many deliveries of an issue that is being sent stand
// in one state.
type SendGauge struct {
	IssueID int64
	Status  DeliveryStatus
	Count   int
}

// SendGauges counts the deliveries of every issue now sending or paused,
// by state.
func (s *Store) SendGauges(ctx context.Context) ([]SendGauge, error) {
	var out []SendGauge
	err := s.reader().each(ctx, `SELECT d.issue_id, d.status, COUNT(*) FROM deliveries d
		JOIN newsletter_issues i ON i.id = d.issue_id WHERE i.status IN (?, ?)
		GROUP BY d.issue_id, d.status ORDER BY d.issue_id, d.status`,
		[]any{string(IssueSending), string(IssuePaused)}, func(rows *sql.Rows) error {
			var g SendGauge
			var status string
			err := rows.Scan(&g.IssueID, &status, &g.Count)
			g.Status = DeliveryStatus(status)
			out = append(out, g)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("store: send gauges: %w", err)
	}
	return out, nil
}
