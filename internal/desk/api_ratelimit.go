package desk

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"masthead/internal/store"
)

// Each API token may make apiRateBurst calls at once, then one every
// apiRateEvery (600 a minute): more than any import script needs, while a
// runaway loop cannot keep the server from the people using the desk.
const (
	apiRateEvery = 100 * time.Millisecond
	apiRateBurst = 60
)

var apiRatePolicy = store.RatePolicy{Every: apiRateEvery, Burst: apiRateBurst}

var apiRateMessage = fmt.Sprintf("Too many calls with this token: the API takes %d a minute per token, in bursts of up to %d. Wait the number of seconds in the Retry-After header and try again.",
	int(time.Minute/apiRateEvery), apiRateBurst)

// tokenLimiter limits the calls of each API token.
type tokenLimiter interface {
	// take spends one call of token id at now, or says how long until
	// one is free. An error means the limit could not be checked.
	take(ctx context.Context, id int64, now time.Time) (wait time.Duration, err error)
}

// newTokenLimiter keeps the counts in memory on SQLite, where one process
// serves every call, and in the database on PostgreSQL, so that a token
// gets one allowance however many app nodes its calls are spread over.
func newTokenLimiter(st *store.Store, p store.RatePolicy) tokenLimiter {
	if st.Dialect() == "postgres" {
		return &sharedTokenLimiter{store: st, policy: p}
	}
	return newMemTokenLimiter(p)
}

// apiLimit refuses a call of token id when its allowance is spent. When
// the limit cannot be checked the call goes ahead: it needs the database
// anyway, and the limit guards against floods, not intruders.
func (d *Desk) apiLimit(ctx context.Context, lim tokenLimiter, id int64) error {
	wait, err := lim.take(ctx, id, time.Now())
	if err != nil {
		d.log.WarnContext(ctx, "desk: API rate limit unavailable", "token", id, "err", err)
	}
	if wait <= 0 {
		return nil
	}
	return &apiError{Status: http.StatusTooManyRequests, Message: apiRateMessage, RetryAfter: wait}
}

// retryAfter is a wait as a Retry-After header: whole seconds, rounded up.
func retryAfter(wait time.Duration) string {
	return strconv.FormatInt(int64((wait+time.Second-1)/time.Second), 10)
}

// memTokenLimiter is the limit of one process.
type memTokenLimiter struct {
	policy store.RatePolicy

	mu      sync.Mutex
	buckets map[int64]*tokenBucket
}

type tokenBucket struct {
	lim  *rate.Limiter
	last time.Time
}

// pruneTokensAbove bounds the map; only tokens that authenticated get an
// entry, so it is rarely reached.
const pruneTokensAbove = 1000

func newMemTokenLimiter(p store.RatePolicy) *memTokenLimiter {
	return &memTokenLimiter{policy: p, buckets: map[int64]*tokenBucket{}}
}

func (l *memTokenLimiter) take(_ context.Context, id int64, now time.Time) (time.Duration, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buckets) > pruneTokensAbove {
		// A bucket idle long enough to have refilled is no different
		// from a new one.
		full := l.policy.Every * time.Duration(l.policy.Burst)
		for k, b := range l.buckets {
			if now.Sub(b.last) > full {
				delete(l.buckets, k)
			}
		}
	}
	b := l.buckets[id]
	if b == nil {
		b = &tokenBucket{lim: rate.NewLimiter(rate.Every(l.policy.Every), l.policy.Burst)}
		l.buckets[id] = b
	}
	b.last = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d, nil
	}
	return 0, nil
}

// sharedTokenLimiter keeps the limit in the store's throttles table, under
// the key "api-token:ID".
type sharedTokenLimiter struct {
	store  *store.Store
	policy store.RatePolicy

	mu      sync.Mutex
	sweptAt time.Time
}

// apiSweepEvery is how often a node clears the table of tokens whose
// allowance is whole again.
const apiSweepEvery = 10 * time.Minute

func (l *sharedTokenLimiter) take(ctx context.Context, id int64, now time.Time) (time.Duration, error) {
	wait, err := l.store.RateTake(ctx, now, l.policy, "api-token:"+strconv.FormatInt(id, 10))
	if err != nil {
		return 0, fmt.Errorf("desk: API rate limit: %w", err)
	}
	if l.sweepDue(now) {
		if _, err := l.store.RateSweep(ctx, now); err != nil {
			return wait, fmt.Errorf("desk: API rate limit: %w", err)
		}
	}
	return wait, nil
}

// sweepDue reports whether this node should sweep now, and if so counts
// it as done.
func (l *sharedTokenLimiter) sweepDue(now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.sweptAt) < apiSweepEvery && !now.Before(l.sweptAt) {
		return false
	}
	l.sweptAt = now
	return true
}
