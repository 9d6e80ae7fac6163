package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"masthead/internal/store"
)

func TestRateTake(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := store.RatePolicy{Every: time.Minute, Burst: 3}
		for i := range 3 {
			if w, err := s.RateTake(ctx, t0, p, "subscribe:192.0.2.1"); err != nil || w != 0 {
				t.Fatalf("request %d: wait %v, %v; want none", i+1, w, err)
			}
		}
		if w, err := s.RateTake(ctx, t0.Add(15*time.Second), p, "subscribe:192.0.2.1"); err != nil || w != 45*time.Second {
			t.Fatalf("fourth request: wait %v, %v; want 45s", w, err)
		}
		// A refused request spends nothing: the next one is free when the
		// first wait said.
		if w, err := s.RateTake(ctx, t0.Add(time.Minute), p, "subscribe:192.0.2.1"); err != nil || w != 0 {
			t.Fatalf("after a minute: wait %v, %v; want none", w, err)
		}
		if w, _ := s.RateTake(ctx, t0.Add(time.Minute), p, "subscribe:192.0.2.1"); w != time.Minute {
			t.Errorf("second request after a minute: wait %v, want 1m", w)
		}
		if w, err := s.RateTake(ctx, t0, p, "subscribe:192.0.2.2"); err != nil || w != 0 {
			t.Errorf("another key: wait %v, %v", w, err)
		}
		if _, err := s.RateTake(ctx, t0, store.RatePolicy{Every: time.Second}, "k"); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("a policy without a burst = %v, want ErrInvalid", err)
		}

		// Rate rows and sign-in failures live side by side; a sweep takes
		// only the rate rows whose bucket is full.
		fp := store.ThrottlePolicy{ForgetAfter: 24 * time.Hour, Lockout: func(int) time.Duration { return 0 }}
		if _, err := s.ThrottleFail(ctx, t0, fp, "account:a@example.org"); err != nil {
			t.Fatal(err)
		}
		n, err := s.RateSweep(ctx, t0.Add(2*time.Minute))
		if err != nil || n != 1 {
			t.Fatalf("sweep at +2m deleted %d, %v; want the one full bucket", n, err)
		}
		if n, _ := s.ThrottleFailures(ctx, "account:a@example.org"); n != 1 {
			t.Errorf("the sweep touched a sign-in key: %d failures", n)
		}
		if w, _ := s.RateTake(ctx, t0.Add(2*time.Minute), p, "subscribe:192.0.2.1"); w != 0 {
			t.Errorf("a key whose bucket was not full was swept: wait %v", w)
		}
		if w, _ := s.RateTake(ctx, t0.Add(2*time.Minute), p, "subscribe:192.0.2.1"); w != time.Minute {
			t.Errorf("bucket after the sweep: wait %v, want 1m (one left, now spent)", w)
		}

		// Requests from many nodes at once all count, and no more than
		// the burst goes through.
		var wg sync.WaitGroup
		var mu sync.Mutex
		allowed := 0
		for range 10 {
			wg.Go(func() {
				w, err := s.RateTake(ctx, t0, store.RatePolicy{Every: time.Hour, Burst: 4}, "api-token:7")
				if err != nil {
					t.Error(err)
					return
				}
				if w == 0 {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if allowed != 4 {
			t.Errorf("%d of 10 concurrent requests went through, want the burst of 4", allowed)
		}
	})
}
