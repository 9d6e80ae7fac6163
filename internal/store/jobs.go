package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// JobStatus is where a background job stands.
type JobStatus string

// The states of a job.
const (
	JobPending JobStatus = "pending" // waits for RunAt
	JobRunning JobStatus = "running" // claimed by a runner until LockedUntil
	JobDone    JobStatus = "done"
	JobFailed  JobStatus = "failed" // gave up after MaxAttempts; LastError says why
)

// Valid reports whether s is a known state.
func (s JobStatus) Valid() bool {
	switch s {
	case JobPending, JobRunning, JobDone, JobFailed:
		return true
	}
	return false
}

// DefaultMaxAttempts is how often a job is tried when it does not say.
const DefaultMaxAttempts = 5

// Job is a unit of durable background work.
type Job struct {
	ID          int64
	Kind        string          // selects the handler, e.g. "post.publish"
	Payload     json.RawMessage // JSON for the handler
	RunAt       time.Time       // not before
	Attempts    int             // claims so far, the current one included
	MaxAttempts int
	Status      JobStatus
	LockedUntil time.Time // the running claim's lease; zero unless running
	LastError   string
	// UniqueKey, when set, makes the job exist once: enqueueing another job
	// with the key replaces it (e.g. "post.publish:42" when a post is
	// rescheduled).
	UniqueKey string
	CreatedAt time.Time
	UpdatedAt time.Time
}

const jobColumns = `id, kind, payload, run_at, attempts, max_attempts, status, locked_until, last_error,
	unique_key, created_at, updated_at`

func scanJob(sc rowScanner) (Job, error) {
	var j Job
	var payload, status string
	var key sql.NullString
	err := sc.Scan(&j.ID, &j.Kind, &payload, timeDest{&j.RunAt}, &j.Attempts, &j.MaxAttempts, &status,
		timeDest{&j.LockedUntil}, &j.LastError, &key, timeDest{&j.CreatedAt}, timeDest{&j.UpdatedAt})
	j.Payload, j.Status, j.UniqueKey = json.RawMessage(payload), JobStatus(status), key.String
	return j, err
}

// EnqueueJob stores j as pending and sets its ID, Status and bookkeeping
// fields. RunAt defaults to now, MaxAttempts to DefaultMaxAttempts, an
// empty Payload to {}. When a job with j's UniqueKey exists, whatever its
// state, it is replaced: it becomes pending again with j's kind, payload,
// time and attempts, keeps its ID, and a runner still working on it loses
// its claim.
func (s *Store) EnqueueJob(ctx context.Context, j *Job) error {
	job := *j
	if strings.TrimSpace(job.Kind) == "" {
		return fmt.Errorf("store: enqueue job: no kind: %w", ErrInvalid)
	}
	if len(job.Payload) == 0 {
		job.Payload = json.RawMessage("{}")
	}
	if !json.Valid(job.Payload) {
		return fmt.Errorf("store: enqueue %s job: payload is not JSON: %w", job.Kind, ErrInvalid)
	}
	if job.MaxAttempts == 0 {
		job.MaxAttempts = DefaultMaxAttempts
	}
	if job.MaxAttempts < 0 {
		return fmt.Errorf("store: enqueue %s job: negative MaxAttempts: %w", job.Kind, ErrInvalid)
	}
	now := normTime(time.Now())
	if job.RunAt.IsZero() {
		job.RunAt = now
	}
	if !validTime(job.RunAt) {
		return fmt.Errorf("store: enqueue %s job: run time out of range: %w", job.Kind, ErrInvalid)
	}
	job.RunAt = normTime(job.RunAt)
	var key any
	if job.UniqueKey != "" {
		key = job.UniqueKey
	}
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		return r.queryRow(ctx, `INSERT INTO jobs (kind, payload, run_at, attempts, max_attempts, status, locked_until,
				last_error, unique_key, created_at, updated_at)
			VALUES (?, ?, ?, 0, ?, ?, NULL, '', ?, ?, ?)
			ON CONFLICT (unique_key) DO UPDATE SET kind = excluded.kind, payload = excluded.payload,
				run_at = excluded.run_at, attempts = 0, max_attempts = excluded.max_attempts, status = excluded.status,
				locked_until = NULL, last_error = '', updated_at = excluded.updated_at
			RETURNING id, created_at`,
			job.Kind, string(job.Payload), r.timeArg(job.RunAt), job.MaxAttempts, string(JobPending), key,
			r.timeArg(now), r.timeArg(now)).Scan(&job.ID, timeDest{&job.CreatedAt})
	})
	if err != nil {
		return fmt.Errorf("store: enqueue %s job: %w", job.Kind, err)
	}
	job.Status, job.Attempts, job.LockedUntil, job.LastError, job.UpdatedAt = JobPending, 0, time.Time{}, "", now
	*j = job
	return nil
}

// kindFilter is " AND kind IN (…)" with its arguments, or nothing for all
// kinds.
func kindFilter(kinds []string) (string, []any) {
	if len(kinds) == 0 {
		return "", nil
	}
	return ` AND kind IN (` + placeholders(len(kinds)) + `)`, anys(kinds)
}

// ClaimJob claims the job of one of kinds (none: any kind) that has been
// due the longest at now: a pending job whose RunAt has come, or a running
// one whose lease has expired because its runner died. The claim counts an
// attempt and holds the job until now+lease. It returns ErrNotFound when
// nothing is due.
//
// On PostgreSQL concurrent claims skip each other's rows (FOR UPDATE SKIP
// LOCKED), so several nodes can run jobs and none is claimed twice; on
// SQLite the single writer connection serialises claims.
//
// An expired job that has used all its attempts is marked failed instead.
func (s *Store) ClaimJob(ctx context.Context, now time.Time, lease time.Duration, kinds ...string) (Job, error) {
	if now.IsZero() || !validTime(now) || lease <= 0 {
		return Job{}, fmt.Errorf("store: claim job: needs a time and a positive lease: %w", ErrInvalid)
	}
	until := now.Add(lease)
	if !validTime(until) {
		return Job{}, fmt.Errorf("store: claim job: lease out of range: %w", ErrInvalid)
	}
	kf, kargs := kindFilter(kinds)
	if s.tx == nil {
		// Runners ask every second; most of the time nothing is due, and
		// finding that out needs no write transaction to queue behind the
		// desk's saves.
		r := s.reader()
		var id int64
		err := r.queryRow(ctx, `SELECT id FROM jobs
			WHERE ((status = ? AND run_at <= ?) OR (status = ? AND locked_until < ?))`+kf+` LIMIT 1`,
			append([]any{string(JobPending), r.timeArg(now), string(JobRunning), r.timeArg(now)}, kargs...)...).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return Job{}, fmt.Errorf("store: claim job: nothing due: %w", ErrNotFound)
		}
		if err != nil {
			return Job{}, fmt.Errorf("store: claim job: %w", err)
		}
	}
	var job Job
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		if _, err := r.exec(ctx, `UPDATE jobs SET status = ?, locked_until = NULL, updated_at = ?,
				last_error = 'lease expired: the runner stopped during the last attempt'
			WHERE status = ? AND locked_until < ? AND attempts >= max_attempts`+kf,
			append([]any{string(JobFailed), r.timeArg(now), string(JobRunning), r.timeArg(now)}, kargs...)...); err != nil {
			return err
		}
		lock := ""
		if r.dialect == dialectPostgres {
			lock = ` FOR UPDATE SKIP LOCKED`
		}
		args := []any{string(JobRunning), r.timeArg(until), r.timeArg(now),
			string(JobPending), r.timeArg(now), string(JobRunning), r.timeArg(now)}
		args = append(args, kargs...)
		var err error
		job, err = scanJob(r.queryRow(ctx, `UPDATE jobs SET status = ?, locked_until = ?, attempts = attempts + 1, updated_at = ?
			WHERE id = (SELECT id FROM jobs
				WHERE ((status = ? AND run_at <= ?) OR (status = ? AND locked_until < ?))`+kf+`
				ORDER BY run_at, id LIMIT 1`+lock+`)
			RETURNING `+jobColumns, args...))
		if errors.Is(err, sql.ErrNoRows) {
			// Nothing due; the jobs failed above still are.
			job = Job{}
			return nil
		}
		return err
	})
	if err != nil {
		return Job{}, fmt.Errorf("store: claim job: %w", err)
	}
	if job.ID == 0 {
		return Job{}, fmt.Errorf("store: claim job: nothing due: %w", ErrNotFound)
	}
	return job, nil
}

// claimed is the condition that the claim j still holds: nobody has
// re-enqueued, cancelled or re-claimed the job since.
const claimed = ` WHERE id = ? AND status = 'running' AND locked_until = ?`

// CompleteJob marks the job j, as returned by ClaimJob, done. When the
// claim no longer holds (the lease expired and another runner claimed the
// job, or it was re-enqueued or cancelled meanwhile) it changes nothing
// and returns ErrConflict.
func (s *Store) CompleteJob(ctx context.Context, j Job) error {
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		res, err := r.exec(ctx, `UPDATE jobs SET status = ?, locked_until = NULL, updated_at = ?`+claimed,
			string(JobDone), r.timeArg(time.Now()), j.ID, r.timeArg(j.LockedUntil))
		if err != nil {
			return err
		}
		return lostClaim(res)
	})
	if err != nil {
		return fmt.Errorf("store: complete job %d: %w", j.ID, err)
	}
	return nil
}

func lostClaim(res sql.Result) error {
	if err := mustAffect(res); errors.Is(err, ErrNotFound) {
		return fmt.Errorf("the claim no longer holds: %w", ErrConflict)
	} else if err != nil {
		return err
	}
	return nil
}

// FailJob records that the attempt of the claim j failed with cause. The
// job is tried again at retryAt unless it has used all its attempts or
// retryAt is zero, and then it is failed for good. It returns the job as it
// now stands; a claim that no longer holds is ErrConflict (see
// CompleteJob).
func (s *Store) FailJob(ctx context.Context, j Job, cause string, retryAt time.Time) (Job, error) {
	if !validTime(retryAt) {
		return Job{}, fmt.Errorf("store: fail job %d: retry time out of range: %w", j.ID, ErrInvalid)
	}
	var job Job
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		status, runAt := JobPending, r.timeArg(retryAt)
		if retryAt.IsZero() || j.Attempts >= j.MaxAttempts {
			status, runAt = JobFailed, nil
		}
		var err error
		job, err = scanJob(r.queryRow(ctx, `UPDATE jobs SET status = ?, run_at = COALESCE(?, run_at), locked_until = NULL,
			last_error = ?, updated_at = ?`+claimed+` RETURNING `+jobColumns,
			string(status), runAt, cause, r.timeArg(time.Now()), j.ID, r.timeArg(j.LockedUntil)))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("the claim no longer holds: %w", ErrConflict)
		}
		return err
	})
	if err != nil {
		return Job{}, fmt.Errorf("store: fail job %d: %w", j.ID, err)
	}
	return job, nil
}

// ReleaseJob gives the claim j back without counting its attempt: the job
// is due again at once, for this runner or another. A runner that stops
// before its handler finished uses it. A claim that no longer holds is
// ErrConflict (see CompleteJob).
func (s *Store) ReleaseJob(ctx context.Context, j Job) error {
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		res, err := r.exec(ctx, `UPDATE jobs SET status = ?, locked_until = NULL, attempts = attempts - 1, updated_at = ?`+claimed,
			string(JobPending), r.timeArg(time.Now()), j.ID, r.timeArg(j.LockedUntil))
		if err != nil {
			return err
		}
		return lostClaim(res)
	})
	if err != nil {
		return fmt.Errorf("store: release job %d: %w", j.ID, err)
	}
	return nil
}

// RenewJobLease extends the claim j, as returned by ClaimJob or an earlier
// renewal, to until, so that a handler running longer than one lease keeps
// its job. It returns the job with the new LockedUntil, which stands for the
// claim from then on. A claim that no longer holds is ErrConflict (see
// CompleteJob): the runner must stop working on the job, as another may be
// running it.
func (s *Store) RenewJobLease(ctx context.Context, j Job, until time.Time) (Job, error) {
	if until.IsZero() || !validTime(until) {
		return Job{}, fmt.Errorf("store: renew job %d: lease end missing or out of range: %w", j.ID, ErrInvalid)
	}
	var job Job
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		var err error
		job, err = scanJob(r.queryRow(ctx, `UPDATE jobs SET locked_until = ?, updated_at = ?`+claimed+` RETURNING `+jobColumns,
			r.timeArg(until), r.timeArg(time.Now()), j.ID, r.timeArg(j.LockedUntil)))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("the claim no longer holds: %w", ErrConflict)
		}
		return err
	})
	if err != nil {
		return Job{}, fmt.Errorf("store: renew job %d: %w", j.ID, err)
	}
	return job, nil
}

// RetryJob makes a failed or done job pending again at runAt with its
// attempts reset, as when an editor asks to try once more. A job that is
// pending or running is ErrConflict.
func (s *Store) RetryJob(ctx context.Context, id int64, runAt time.Time) error {
	if runAt.IsZero() || !validTime(runAt) {
		return fmt.Errorf("store: retry job %d: time missing or out of range: %w", id, ErrInvalid)
	}
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		var status string
		err := r.queryRow(ctx, `SELECT status FROM jobs WHERE id = ?`, id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if JobStatus(status) != JobFailed && JobStatus(status) != JobDone {
			return fmt.Errorf("job is %s: %w", status, ErrConflict)
		}
		_, err = r.exec(ctx, `UPDATE jobs SET status = ?, run_at = ?, attempts = 0, locked_until = NULL, updated_at = ?
			WHERE id = ?`, string(JobPending), r.timeArg(runAt), r.timeArg(time.Now()), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: retry job %d: %w", id, err)
	}
	return nil
}

// CancelJob deletes the pending or running job with this unique key and
// reports whether there was one. A runner working on it loses its claim.
// Finished jobs stay as a record.
func (s *Store) CancelJob(ctx context.Context, uniqueKey string) (bool, error) {
	if uniqueKey == "" {
		return false, fmt.Errorf("store: cancel job: no key: %w", ErrInvalid)
	}
	var n int64
	err := s.InTx(ctx, func(tx *Store) error {
		res, err := tx.txRunner().exec(ctx, `DELETE FROM jobs WHERE unique_key = ? AND status IN (?, ?)`,
			uniqueKey, string(JobPending), string(JobRunning))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: cancel job %q: %w", uniqueKey, err)
	}
	return n > 0, nil
}

// JobByID returns one job or ErrNotFound.
func (s *Store) JobByID(ctx context.Context, id int64) (Job, error) {
	j, err := scanJob(s.reader().queryRow(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Job{}, fmt.Errorf("store: job %d: %w", id, err)
	}
	return j, nil
}

// JobByUniqueKey returns the job with this key or ErrNotFound.
func (s *Store) JobByUniqueKey(ctx context.Context, key string) (Job, error) {
	j, err := scanJob(s.reader().queryRow(ctx, `SELECT `+jobColumns+` FROM jobs WHERE unique_key = ?`, key))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Job{}, fmt.Errorf("store: job %q: %w", key, err)
	}
	return j, nil
}

// JobFilter selects jobs for the desk. Zero fields do not filter.
type JobFilter struct {
	Statuses []JobStatus
	Kind     string
	Limit    int // 0 means 50; at most 500
	Offset   int
}

// JobPage is one page of jobs, newest first.
type JobPage struct {
	Jobs  []Job
	Total int // jobs matching the filter, ignoring Limit and Offset
}

// Jobs returns one page of jobs, most recently enqueued first.
func (s *Store) Jobs(ctx context.Context, f JobFilter) (JobPage, error) {
	r := s.reader()
	var conds []string
	var args []any
	if len(f.Statuses) > 0 {
		conds = append(conds, `status IN (`+placeholders(len(f.Statuses))+`)`)
		for _, st := range f.Statuses {
			args = append(args, string(st))
		}
	}
	if f.Kind != "" {
		conds = append(conds, `kind = ?`)
		args = append(args, f.Kind)
	}
	where := ""
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, ` AND `)
	}
	limit, offset := pageBounds(f.Limit, f.Offset, 50, 500)
	var page JobPage
	if err := r.queryRow(ctx, `SELECT COUNT(*) FROM jobs`+where, args...).Scan(&page.Total); err != nil {
		return JobPage{}, fmt.Errorf("store: jobs: %w", err)
	}
	if offset >= page.Total {
		return page, nil
	}
	err := r.each(ctx, `SELECT `+jobColumns+` FROM jobs`+where+` ORDER BY id DESC LIMIT ? OFFSET ?`,
		append(args, limit, offset), func(rows *sql.Rows) error {
			j, err := scanJob(rows)
			page.Jobs = append(page.Jobs, j)
			return err
		})
	if err != nil {
		return JobPage{}, fmt.Errorf("store: jobs: %w", err)
	}
	return page, nil
}

// NextJobRunAt returns when a job of one of kinds (none: any kind) is next
// due: the earliest RunAt of a pending job or lease end of a running one.
// It is the zero time when there is none. Runners sleep until then.
func (s *Store) NextJobRunAt(ctx context.Context, kinds ...string) (time.Time, error) {
	r := s.reader()
	kf, kargs := kindFilter(kinds)
	args := append([]any{string(JobPending)}, kargs...)
	args = append(args, string(JobRunning))
	args = append(args, kargs...)
	var next time.Time
	err := r.queryRow(ctx, `SELECT MIN(t) FROM (
			SELECT MIN(run_at) AS t FROM jobs WHERE status = ?`+kf+`
			UNION ALL
			SELECT MIN(locked_until) AS t FROM jobs WHERE status = ?`+kf+`
		) x`, args...).Scan(timeDest{&next})
	if err != nil {
		return time.Time{}, fmt.Errorf("store: next job: %w", err)
	}
	return next, nil
}

// PruneJobs deletes jobs that finished successfully before and returns how
// many. Failed jobs stay for someone to look at.
func (s *Store) PruneJobs(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		res, err := r.exec(ctx, `DELETE FROM jobs WHERE status = ? AND updated_at < ?`, string(JobDone), r.timeArg(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: prune jobs: %w", err)
	}
	return n, nil
}
