package editorial_test

import (
	"errors"
	"testing"
	"time"

	"masthead/internal/editorial"
	"masthead/internal/store/storetest"
)

// TestSignInLockoutSharedByNodes runs two services, as two app nodes would,
// on one PostgreSQL database: failures on one lock the account out on the
// other, and success on the other clears it for both.
func TestSignInLockoutSharedByNodes(t *testing.T) {
	t.Parallel()
	st := storetest.OpenPostgres(t)
	a := newRig(t, st)
	// The second node shares the first's clock, as nodes share the time.
	b2, err := editorial.New(editorial.Options{Store: st, Now: a.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	setupOwner(t, a)
	for i := range 6 { // five free failures, then a one-second lock-out
		svc := a.svc
		if i%2 == 1 {
			svc = b2
		}
		if _, err := svc.SignIn(a.ctx, "owner@example.org", "wrong password", client); !errors.Is(err, editorial.ErrInvalid) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	_, err = b2.SignIn(a.ctx, "owner@example.org", goodPassword, editorial.Client{IP: "203.0.113.9"})
	var ref *editorial.Refusal
	if !errors.Is(err, editorial.ErrTooManyAttempts) || !errors.As(err, &ref) || ref.RetryAfter != time.Second {
		t.Fatalf("the other node during the lock-out: %v", err)
	}
	a.clock.Advance(time.Second)
	if _, err := b2.SignIn(a.ctx, "owner@example.org", goodPassword, editorial.Client{IP: "203.0.113.9"}); err != nil {
		t.Fatalf("after the lock-out: %v", err)
	}
	// The success cleared the account's count on every node: one more
	// failure on the first costs nothing.
	if _, err := a.svc.SignIn(a.ctx, "owner@example.org", "wrong password", editorial.Client{IP: "203.0.113.10"}); !errors.Is(err, editorial.ErrInvalid) {
		t.Fatalf("after success: %v", err)
	}
	if _, err := a.svc.SignIn(a.ctx, "owner@example.org", goodPassword, editorial.Client{IP: "203.0.113.10"}); err != nil {
		t.Fatalf("sign in after one new failure: %v", err)
	}
}
