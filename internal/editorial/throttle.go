package editorial

import (
	"context"
	"log/slog"
	"time"

	"masthead/internal/store"
)

// signinThrottle counts failed sign-ins by key and locks keys out (see
// limiter for the rules). On SQLite the one process keeps the counts in
// memory; on PostgreSQL, where several app nodes share the database, they
// are kept in it, so that a guesser cannot spread attempts over the nodes
// behind a load balancer.
type signinThrottle interface {
	wait(now time.Time, keys ...string) time.Duration
	fail(now time.Time, keys ...string) time.Duration
	succeed(keys ...string)
}

func newSigninThrottle(st *store.Store, log *slog.Logger) signinThrottle {
	if st.Dialect() == "postgres" {
		return &sharedLimiter{store: st, log: log}
	}
	return newLimiter()
}

// sharedLimiter keeps the counts in the store's throttles table.
type sharedLimiter struct {
	store *store.Store
	log   *slog.Logger
}

// throttleTimeout bounds the database calls of a sign-in's throttle.
const throttleTimeout = 5 * time.Second

var throttlePolicy = store.ThrottlePolicy{ForgetAfter: forgetAfter, Lockout: lockoutAfter}

// lockoutAfter is the lock-out after the failures-th failure in a row,
// by the same rule as the in-memory limiter.
func lockoutAfter(failures int) time.Duration {
	over := failures - freeAttempts
	switch {
	case over <= 0:
		return 0
	case over > 20: // 1 s · 2^20 is far past the cap already
		return maxLockout
	}
	return min(firstLockout<<(over-1), maxLockout)
}

// wait lets the attempt go ahead when the database cannot say: signing in
// needs the database anyway, and an outage must not lock everyone out
// once it is over.
func (l *sharedLimiter) wait(now time.Time, keys ...string) time.Duration {
	ctx, cancel := context.WithTimeout(context.Background(), throttleTimeout)
	defer cancel()
	d, err := l.store.ThrottleWait(ctx, now, keys...)
	if err != nil {
		l.log.Warn("editorial: sign-in throttle unavailable", "err", err)
		return 0
	}
	return d
}

func (l *sharedLimiter) fail(now time.Time, keys ...string) time.Duration {
	ctx, cancel := context.WithTimeout(context.Background(), throttleTimeout)
	defer cancel()
	d, err := l.store.ThrottleFail(ctx, now, throttlePolicy, keys...)
	if err != nil {
		l.log.Warn("editorial: record a failed sign-in", "err", err)
	}
	return d
}

func (l *sharedLimiter) succeed(keys ...string) {
	ctx, cancel := context.WithTimeout(context.Background(), throttleTimeout)
	defer cancel()
	if err := l.store.ThrottleClear(ctx, keys...); err != nil {
		l.log.Warn("editorial: clear sign-in failures", "err", err)
	}
}
