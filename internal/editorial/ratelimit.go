package editorial

import (
	"sync"
	"time"
)

// Sign-in throttling: the first freeAttempts failures in a row cost
// nothing; each further one locks the account (or address) out for twice
// as long as the one before, from a second up to maxLockout.
const (
	freeAttempts = 5
	firstLockout = time.Second
	maxLockout   = 15 * time.Minute
	// forgetAfter is how long after its last failure a quiet key starts
	// afresh: an office behind one address is not punished all day for
	// the morning's typos.
	forgetAfter = time.Hour
	// pruneAbove is the number of keys above which forgotten keys are
	// swept, bounding memory under a spray of addresses.
	pruneAbove = 10000
)

type attempts struct {
	failures int
	until    time.Time // locked out before this
	last     time.Time // last failure
}

// limiter counts failed sign-ins by key ("account:email", "ip:addr"). It
// lives in memory: a restart forgives everyone, which is acceptable for
// slowing guessing down.
type limiter struct {
	mu   sync.Mutex
	keys map[string]*attempts
}

func newLimiter() *limiter { return &limiter{keys: map[string]*attempts{}} }

// wait returns how long the keys remain locked out at now; zero means an
// attempt may go ahead.
func (l *limiter) wait(now time.Time, keys ...string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var longest time.Duration
	for _, k := range keys {
		if a, ok := l.keys[k]; ok && now.Before(a.until) {
			longest = max(longest, a.until.Sub(now))
		}
	}
	return longest
}

// fail records a failed attempt for each key and returns the lock-out it
// now carries (the longest of the keys).
func (l *limiter) fail(now time.Time, keys ...string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.keys) > pruneAbove {
		for k, a := range l.keys {
			if now.Sub(a.last) > forgetAfter && !now.Before(a.until) {
				delete(l.keys, k)
			}
		}
	}
	var longest time.Duration
	for _, k := range keys {
		a, ok := l.keys[k]
		if !ok || now.Sub(a.last) > forgetAfter {
			a = &attempts{}
			l.keys[k] = a
		}
		a.failures++
		a.last = now
		if over := a.failures - freeAttempts; over > 0 {
			d := maxLockout
			if over <= 20 { // 1 s · 2^20 is far past the cap already
				d = min(firstLockout<<(over-1), maxLockout)
			}
			a.until = now.Add(d)
			longest = max(longest, d)
		}
	}
	return longest
}

// succeed forgets the failures of the keys. Callers pass the account's
// key, not the address's: signing in to one's own account must not wipe
// the record of guesses at others' from the same address.
func (l *limiter) succeed(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		delete(l.keys, k)
	}
}
