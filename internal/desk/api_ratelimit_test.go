package desk

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"masthead/internal/editorial"
	"masthead/internal/mail"
	"masthead/internal/media"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// limitRig is a desk on st with a way to make API tokens.
type limitRig struct {
	t    *testing.T
	st   *store.Store
	svc  *editorial.Service
	desk *Desk
}

func newLimitRig(t *testing.T, st *store.Store) *limitRig {
	t.Helper()
	m, err := media.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	svc, err := editorial.New(editorial.Options{Store: st, Media: m, Mail: &mail.Outbox{Store: st, From: "desk@example.org"},
		BaseURL: "http://desk.test"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(Options{Editorial: svc, BaseURL: "http://desk.test"})
	if err != nil {
		t.Fatal(err)
	}
	return &limitRig{t: t, st: st, svc: svc, desk: d}
}

// token makes an editor's account with an API token.
func (r *limitRig) token(email string) string {
	r.t.Helper()
	ctx := context.Background()
	acc, err := r.svc.CreateAccount(ctx, editorial.NewAccount{Email: email, Name: "Eda Editor", Role: store.RoleEditor,
		Password: "a long enough password"})
	if err != nil {
		r.t.Fatal(err)
	}
	tok, hash, err := store.NewToken()
	if err != nil {
		r.t.Fatal(err)
	}
	if err := r.st.CreateAPIToken(ctx, &store.APIToken{AccountID: acc.ID, Name: "script", TokenHash: hash}); err != nil {
		r.t.Fatal(err)
	}
	return tok
}

func call(h http.Handler, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", apiPrefix+"/posts", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestAPIRateLimitAnswer(t *testing.T) {
	t.Parallel()
	r := newLimitRig(t, storetest.Open(t))
	ann, bob := r.token("ann@example.org"), r.token("bob@example.org")
	// An hour between calls: the clock cannot refill a bucket while the
	// test runs.
	h := r.desk.api(newMemTokenLimiter(store.RatePolicy{Every: time.Hour, Burst: 2}),
		func(w http.ResponseWriter, r *http.Request, a editorial.Actor) error {
			return writeJSON(w, http.StatusOK, map[string]string{"who": a.Account.Email})
		})
	for i := range 2 {
		if w := call(h, ann); w.Code != http.StatusOK {
			t.Fatalf("call %d: %d %s", i+1, w.Code, w.Body)
		}
	}
	w := call(h, ann)
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("third call: %d %s, want 429", w.Code, w.Body)
	}
	if ra, err := strconv.Atoi(w.Header().Get("Retry-After")); err != nil || ra < 3500 || ra > 3600 {
		t.Errorf("Retry-After = %q, want about an hour in seconds", w.Header().Get("Retry-After"))
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	var body map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body["error"] != apiRateMessage || len(body) != 1 {
		t.Errorf("429 body = %s (%v), want the API's error object", w.Body, err)
	}
	// docs/api.md shows this answer in a block the docs test cannot run.
	if doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "api.md")); err != nil || !strings.Contains(string(doc), `"error": "`+apiRateMessage+`"`) {
		t.Errorf("docs/api.md does not show the 429 message (%v)", err)
	}
	// Each token has its own allowance; a bad token is refused before it
	// is counted.
	if w := call(h, bob); w.Code != http.StatusOK {
		t.Errorf("another token: %d %s", w.Code, w.Body)
	}
	if w := call(h, "not-a-token"); w.Code != http.StatusUnauthorized {
		t.Errorf("a bad token: %d, want 401", w.Code)
	}
}

// The desk's own API routes are limited: a token calling as fast as it
// can is refused soon after its burst.
func TestAPIRateLimitRoutes(t *testing.T) {
	t.Parallel()
	r := newLimitRig(t, storetest.Open(t))
	tok := r.token("ann@example.org")
	h := r.desk.Handler()
	ok := 0
	for range 1000 {
		w := call(h, tok)
		if w.Code == http.StatusTooManyRequests {
			if w.Header().Get("Retry-After") != "1" {
				t.Errorf("Retry-After = %q, want 1", w.Header().Get("Retry-After"))
			}
			break
		}
		if w.Code != http.StatusOK {
			t.Fatalf("call %d: %d %s", ok+1, w.Code, w.Body)
		}
		ok++
	}
	if ok < apiRateBurst || ok == 1000 {
		t.Errorf("%d calls went through before the first 429, want the burst of %d and a few more at most", ok, apiRateBurst)
	}
}

func TestMemTokenLimiter(t *testing.T) {
	t.Parallel()
	l := newMemTokenLimiter(apiRatePolicy)
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	ctx := context.Background()
	for i := range apiRateBurst {
		if w, _ := l.take(ctx, 1, now); w != 0 {
			t.Fatalf("call %d: wait %v", i+1, w)
		}
	}
	if w, _ := l.take(ctx, 1, now); w != apiRateEvery {
		t.Errorf("call past the burst: wait %v, want %v", w, apiRateEvery)
	}
	if w, _ := l.take(ctx, 1, now.Add(apiRateEvery)); w != 0 {
		t.Errorf("a refill later: wait %v", w)
	}
	if w, _ := l.take(ctx, 2, now); w != 0 {
		t.Errorf("another token: wait %v", w)
	}
	// A minute allows the burst and 600 more.
	for i := range 600 {
		if w, _ := l.take(ctx, 3, now.Add(time.Duration(i)*apiRateEvery)); w != 0 {
			t.Fatalf("call %d of a steady 600 a minute: wait %v", i+1, w)
		}
	}
	if got := retryAfter(apiRateEvery); got != "1" {
		t.Errorf("Retry-After for %v = %q, want 1", apiRateEvery, got)
	}
	if got := retryAfter(90 * time.Second); got != "90" {
		t.Errorf("Retry-After for 90s = %q", got)
	}
}

// Two app nodes on one PostgreSQL database give a token one allowance.
func TestAPIRateLimitSharedAcrossNodes(t *testing.T) {
	t.Parallel()
	url := storetest.PostgresURL(t)
	open := func() *store.Store {
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
	p := store.RatePolicy{Every: time.Minute, Burst: 3}
	a, b := newTokenLimiter(open(), p), newTokenLimiter(open(), p)
	if _, ok := a.(*sharedTokenLimiter); !ok {
		t.Fatalf("limiter on PostgreSQL is a %T, want the shared one", a)
	}
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for i, l := range []tokenLimiter{a, b, a} {
		if w, err := l.take(ctx, 7, now); err != nil || w != 0 {
			t.Fatalf("call %d: wait %v, %v", i+1, w, err)
		}
	}
	if w, err := b.take(ctx, 7, now); err != nil || w != time.Minute {
		t.Fatalf("fourth call, on the other node: wait %v, %v; want 1m", w, err)
	}
	if w, _ := b.take(ctx, 8, now); w != 0 {
		t.Errorf("another token: wait %v", w)
	}
	if w, _ := b.take(ctx, 7, now.Add(time.Minute)); w != 0 {
		t.Errorf("a minute later: wait %v", w)
	}
	if w, _ := a.take(ctx, 7, now.Add(time.Minute)); w != time.Minute {
		t.Errorf("second call a minute later: wait %v, want 1m", w)
	}
}

func TestNewTokenLimiterOnSQLite(t *testing.T) {
	t.Parallel()
	l := newTokenLimiter(storetest.OpenSQLite(t), apiRatePolicy)
	if _, ok := l.(*memTokenLimiter); !ok {
		t.Errorf("limiter on SQLite is a %T, want the in-memory one", l)
	}
}
