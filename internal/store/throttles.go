package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Throttles count failed attempts (sign-ins) by key, such as
// "account:EMAIL" or "ip:ADDR", in the database, so that every app node
// sees every failure and a lock-out holds whichever node the next attempt
// reaches.

// ThrottlePolicy says how failures turn into lock-outs.
type ThrottlePolicy struct {
	// ForgetAfter is how long after its last failure a key starts afresh.
	ForgetAfter time.Duration
	// Lockout is the lock-out a key carries after its failures-th failure
	// in a row; zero for none.
	Lockout func(failures int) time.Duration
}

// ThrottleWait returns how long the longest lock-out among keys still runs
// at now; zero means an attempt may go ahead.
func (s *Store) ThrottleWait(ctx context.Context, now time.Time, keys ...string) (time.Duration, error) {
	if len(keys) == 0 {
		return 0, nil
	}
	r := s.reader()
	var until time.Time
	err := r.queryRow(ctx, `SELECT MAX(locked_until) FROM throttles WHERE key IN (`+placeholders(len(keys))+`)
		AND locked_until > ?`, append(anys(keys), r.timeArg(now))...).Scan(timeDest{&until})
	if err != nil {
		return 0, fmt.Errorf("store: throttle wait: %w", err)
	}
	if until.IsZero() {
		return 0, nil
	}
	return until.Sub(now), nil
}

// ThrottleFail records a failure at now for each key and returns the
// longest lock-out the keys now carry. Concurrent failures from several
// nodes all count: the count is increased in the database, not read and
// written back. Keys quiet for long are swept on the way.
func (s *Store) ThrottleFail(ctx context.Context, now time.Time, p ThrottlePolicy, keys ...string) (time.Duration, error) {
	if p.Lockout == nil || p.ForgetAfter <= 0 {
		return 0, fmt.Errorf("store: throttle fail: incomplete policy: %w", ErrInvalid)
	}
	if len(keys) == 0 {
		return 0, nil
	}
	// One order for every caller, so that two transactions locking the
	// same rows cannot wait for each other.
	keys = slices.Clone(keys)
	slices.Sort(keys)
	keys = slices.Compact(keys)
	var longest time.Duration
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		forgotten := r.timeArg(now.Add(-p.ForgetAfter))
		if _, err := r.exec(ctx, `DELETE FROM throttles WHERE last_failure < ? AND (locked_until IS NULL OR locked_until <= ?)`,
			forgotten, r.timeArg(now)); err != nil {
			return err
		}
		for _, k := range keys {
			var failures int
			err := r.queryRow(ctx, `INSERT INTO throttles (key, failures, locked_until, last_failure) VALUES (?, 1, NULL, ?)
				ON CONFLICT (key) DO UPDATE SET
					failures = CASE WHEN throttles.last_failure < ? THEN 1 ELSE throttles.failures + 1 END,
					last_failure = excluded.last_failure
				RETURNING failures`, k, r.timeArg(now), forgotten).Scan(&failures)
			if err != nil {
				return err
			}
			d := p.Lockout(failures)
			var until any
			if d > 0 {
				until = r.timeArg(now.Add(d))
				longest = max(longest, d)
			}
			if _, err := r.exec(ctx, `UPDATE throttles SET locked_until = ? WHERE key = ?`, until, k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: throttle fail: %w", err)
	}
	return longest, nil
}

// ThrottleClear forgets the failures of keys.
func (s *Store) ThrottleClear(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	err := s.InTx(ctx, func(tx *Store) error {
		_, err := tx.txRunner().exec(ctx, `DELETE FROM throttles WHERE key IN (`+placeholders(len(keys))+`)`, anys(keys)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: throttle clear: %w", err)
	}
	return nil
}

// ThrottleFailures returns how many failures in a row key has on record,
// 0 when none.
func (s *Store) ThrottleFailures(ctx context.Context, key string) (int, error) {
	var n int
	err := s.reader().queryRow(ctx, `SELECT failures FROM throttles WHERE key = ?`, key).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: throttle failures: %w", err)
	}
	return n, nil
}

// Rate limits share the table with failure counts: a key such as
// "subscribe:NETWORK" or "api-token:ID" is a token bucket, kept as the one
// time at which its bucket is full again (in locked_until; the generic
// cell rate algorithm). Its failures stay 0, which tells its rows from
// those of failed sign-ins, whose count starts at 1. A row whose bucket is
// full is no different from no row, so either sweep may delete it.

// RatePolicy is a token bucket: Burst requests at once, then one every
// Every.
type RatePolicy struct {
	Every time.Duration
	Burst int
}

// RateTake spends one request of key at now and returns zero; or, when
// key's bucket is empty, spends nothing and returns how long until a
// request is free. Requests from several nodes at once are counted one
// after another: the row is locked for the read and the write.
func (s *Store) RateTake(ctx context.Context, now time.Time, p RatePolicy, key string) (time.Duration, error) {
	if p.Every <= 0 || p.Burst < 1 {
		return 0, fmt.Errorf("store: rate take: bad policy %+v: %w", p, ErrInvalid)
	}
	now = normTime(now)
	var wait time.Duration
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		// The upsert takes the row's lock (PostgreSQL) or the write lock
		// (SQLite) before the bucket is read.
		var full time.Time
		err := r.queryRow(ctx, `INSERT INTO throttles (key, failures, locked_until, last_failure) VALUES (?, 0, NULL, ?)
			ON CONFLICT (key) DO UPDATE SET last_failure = excluded.last_failure
			RETURNING locked_until`, key, r.timeArg(now)).Scan(timeDest{&full})
		if err != nil {
			return err
		}
		if full.Before(now) {
			full = now
		}
		next := full.Add(p.Every)
		if over := next.Sub(now) - time.Duration(p.Burst)*p.Every; over > 0 {
			wait = over
			return nil
		}
		_, err = r.exec(ctx, `UPDATE throttles SET locked_until = ? WHERE key = ?`, r.timeArg(next), key)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: rate take %q: %w", key, err)
	}
	return wait, nil
}

// RateSweep deletes the rate-limit rows whose bucket is full at now and
// returns how many it deleted.
func (s *Store) RateSweep(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		res, err := r.exec(ctx, `DELETE FROM throttles WHERE failures = 0 AND locked_until <= ?`, r.timeArg(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: rate sweep: %w", err)
	}
	return n, nil
}
