package newsletter

import (
	"context"
	"fmt"
	"sync"
	"time"

	"masthead/internal/store"
)

// sharedIPLimiter keeps the network limit in the store's throttles table,
// under the key "subscribe:NETWORK", so that every node counts every
// attempt.
type sharedIPLimiter struct {
	store  *store.Store
	policy store.RatePolicy

	mu      sync.Mutex
	sweptAt time.Time
}

// sweepEvery is how often a node clears the table of networks whose
// allowance is whole again; their rows say nothing an absent row doesn't.
const sweepEvery = 10 * time.Minute

func newSharedIPLimiter(st *store.Store, burst int, every time.Duration) *sharedIPLimiter {
	return &sharedIPLimiter{store: st, policy: store.RatePolicy{Every: every, Burst: burst}}
}

func (l *sharedIPLimiter) take(ctx context.Context, ip string, now time.Time) (time.Duration, error) {
	wait, err := l.store.RateTake(ctx, now, l.policy, "subscribe:"+networkOf(ip))
	if err != nil {
		return 0, fmt.Errorf("newsletter: subscribe limit: %w", err)
	}
	if l.sweepDue(now) {
		if _, err := l.store.RateSweep(ctx, now); err != nil {
			return wait, fmt.Errorf("newsletter: subscribe limit: %w", err)
		}
	}
	return wait, nil
}

// sweepDue reports whether this node should sweep now, and if so counts
// it as done.
func (l *sharedIPLimiter) sweepDue(now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.sweptAt) < sweepEvery && !now.Before(l.sweptAt) {
		return false
	}
	l.sweptAt = now
	return true
}
