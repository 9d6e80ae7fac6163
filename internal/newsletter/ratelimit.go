package newsletter

import (
	"context"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"masthead/internal/store"
)

// networkLimiter limits subscription attempts per network: one IPv4
// address, or one IPv6 /64 (what one household or office is usually
// given), SubscribeBurst at once, then one every SubscribeEvery. That is
// enough to stop a script from signing up lists of strangers; the
// per-address limit is kept with the subscriber (Subscriber.ConfirmSentAt).
type networkLimiter interface {
	// take spends one attempt of ip's network at now, or says how long
	// until one is free. An error means the limit could not be checked.
	take(ctx context.Context, ip string, now time.Time) (wait time.Duration, err error)
}

// newNetworkLimiter keeps the counts in memory on SQLite, where one
// process serves every request, and in the database on PostgreSQL, where
// several app nodes behind a load balancer must see each other's counts.
func newNetworkLimiter(st *store.Store, burst int, every time.Duration) networkLimiter {
	if st.Dialect() == "postgres" {
		return newSharedIPLimiter(st, burst, every)
	}
	return newIPLimiter(burst, every)
}

// ipLimiter is the network limit of one process, in memory: a restart
// forgives everyone.
type ipLimiter struct {
	burst int
	every time.Duration

	mu   sync.Mutex
	keys map[string]*ipEntry
}

type ipEntry struct {
	lim  *rate.Limiter
	last time.Time
}

// pruneAbove bounds the memory a spray of addresses can take.
const pruneAbove = 10000

func newIPLimiter(burst int, every time.Duration) *ipLimiter {
	return &ipLimiter{burst: burst, every: every, keys: map[string]*ipEntry{}}
}

func (l *ipLimiter) take(_ context.Context, ip string, now time.Time) (time.Duration, error) {
	_, wait := l.allow(ip, now)
	return wait, nil
}

// allow takes one attempt for ip at now, or reports how long to wait.
func (l *ipLimiter) allow(ip string, now time.Time) (bool, time.Duration) {
	key := networkOf(ip)
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.keys) > pruneAbove {
		// An entry idle long enough to have refilled is no different
		// from a new one.
		full := l.every * time.Duration(l.burst)
		for k, e := range l.keys {
			if now.Sub(e.last) > full {
				delete(l.keys, k)
			}
		}
	}
	e := l.keys[key]
	if e == nil {
		e = &ipEntry{lim: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.keys[key] = e
	}
	e.last = now
	r := e.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// networkOf is the key an address is limited under.
func networkOf(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return "unknown"
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, err := a.Prefix(64)
	if err != nil {
		return "unknown"
	}
	return p.String()
}
