package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"masthead/internal/store"
)

func TestThrottles(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		// Two free failures, then a lock-out of as many seconds as
		// failures beyond them.
		p := store.ThrottlePolicy{ForgetAfter: time.Hour, Lockout: func(n int) time.Duration {
			return time.Duration(max(0, n-2)) * time.Second
		}}
		now := t0
		for i := 1; i <= 2; i++ {
			d, err := s.ThrottleFail(ctx, now, p, "account:a@example.org", "ip:192.0.2.1")
			if err != nil || d != 0 {
				t.Fatalf("failure %d: lock-out %v, %v; want none", i, d, err)
			}
		}
		d, err := s.ThrottleFail(ctx, now, p, "account:a@example.org", "ip:192.0.2.1")
		if err != nil || d != time.Second {
			t.Fatalf("third failure: lock-out %v, %v; want 1s", d, err)
		}
		if w, err := s.ThrottleWait(ctx, now.Add(300*time.Millisecond), "ip:192.0.2.1"); err != nil || w != 700*time.Millisecond {
			t.Errorf("wait = %v, %v; want 700ms", w, err)
		}
		if w, err := s.ThrottleWait(ctx, now.Add(time.Second), "account:a@example.org"); err != nil || w != 0 {
			t.Errorf("wait when the lock-out ended = %v, %v", w, err)
		}
		if w, err := s.ThrottleWait(ctx, now, "account:other@example.org"); err != nil || w != 0 {
			t.Errorf("wait of an unknown key = %v, %v", w, err)
		}

		// Clearing one key leaves the other.
		if err := s.ThrottleClear(ctx, "account:a@example.org"); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.ThrottleFailures(ctx, "account:a@example.org"); n != 0 {
			t.Errorf("cleared key has %d failures", n)
		}
		if n, _ := s.ThrottleFailures(ctx, "ip:192.0.2.1"); n != 3 {
			t.Errorf("other key has %d failures, want 3", n)
		}

		// A key quiet for longer than ForgetAfter starts afresh, and is
		// swept by the next failure of any key.
		later := now.Add(2 * time.Hour)
		if d, err := s.ThrottleFail(ctx, later, p, "ip:198.51.100.7"); err != nil || d != 0 {
			t.Fatalf("failure of a new key: %v, %v", d, err)
		}
		if n, _ := s.ThrottleFailures(ctx, "ip:192.0.2.1"); n != 0 {
			t.Errorf("forgotten key still has %d failures", n)
		}

		// Failures from many nodes at once all count.
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				if _, err := s.ThrottleFail(ctx, later, p, "ip:203.0.113.9", "account:b@example.org"); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n, _ := s.ThrottleFailures(ctx, "account:b@example.org"); n != 10 {
			t.Errorf("concurrent failures counted %d, want 10", n)
		}
		if w, _ := s.ThrottleWait(ctx, later, "account:b@example.org"); w != 8*time.Second {
			t.Errorf("lock-out after 10 failures = %v, want 8s", w)
		}
	})
}
