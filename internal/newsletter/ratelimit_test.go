package newsletter_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"masthead/internal/newsletter"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// openNode opens a store on url as one more app node would, migrating the
// schema when it is the first.
func openNode(t *testing.T, url string) *store.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := store.Open(ctx, store.Options{DatabaseURL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}

// Two app nodes on one PostgreSQL database count a network's attempts
// together: a script cannot get twice the allowance by landing on both.
func TestSubscribeRateLimitSharedAcrossNodes(t *testing.T) {
	t.Parallel()
	url := storetest.PostgresURL(t)
	c := &clock{t: t0}
	limit := func(o *newsletter.Options) {
		o.Now = c.Now
		o.SubscribeBurst, o.SubscribeEvery = 3, time.Minute
	}
	a := newRig(t, rigOptions{store: openNode(t, url), options: limit})
	b := newRig(t, rigOptions{store: openNode(t, url), smtp: a.smtp, options: limit})
	try := func(r *rig, ip, who string) error {
		return r.svc.Subscribe(r.ctx, who+"@example.org", "", ip, "")
	}

	for i, r := range []*rig{a, b, a} {
		if err := try(r, "192.0.2.5", string(rune('a'+i))); err != nil {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	var rl *newsletter.RateLimitError
	err := try(b, "192.0.2.5", "d")
	if !errors.As(err, &rl) || rl.RetryAfter() != time.Minute {
		t.Fatalf("fourth attempt, on the other node = %v, want a RateLimitError with a minute to wait", err)
	}
	if _, err := b.st.SubscriberByEmail(b.ctx, "d@example.org"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the refused attempt was stored: %v", err)
	}
	// One IPv6 /64 is one network on every node too.
	for i, r := range []*rig{a, b, b} {
		if err := try(r, "2001:db8:1:2::"+string(rune('a'+i)), "v6"+string(rune('a'+i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := try(a, "2001:db8:1:2:ffff::1", "v6d"); !errors.As(err, &rl) {
		t.Errorf("a fourth address of one /64 = %v, want a RateLimitError", err)
	}
	if err := try(a, "192.0.2.6", "e"); err != nil {
		t.Errorf("another network: %v", err)
	}

	c.Advance(time.Minute)
	if err := try(b, "192.0.2.5", "f"); err != nil {
		t.Errorf("after a minute: %v", err)
	}
	if err := try(a, "192.0.2.5", "g"); !errors.As(err, &rl) {
		t.Errorf("second attempt after a minute = %v, want a RateLimitError", err)
	}
}
