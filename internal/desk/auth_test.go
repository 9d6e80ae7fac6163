package desk_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"masthead/internal/desk"
	"masthead/internal/editorial"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

func TestPasswordResetOverHTTP(t *testing.T) {
	t.Parallel()
	r := newRig(t, 0)
	old, _ := r.signIn("ann@example.org", store.RoleAuthor)
	b := r.browser()
	p := b.post("/desk/forgot", url.Values{"email": {"ann@example.org"}})
	if p.status != 200 || !strings.Contains(p.body, "Check your email") {
		t.Fatalf("forgot: %d", p.status)
	}
	// An unknown address gets the same page.
	if q := b.post("/desk/forgot", url.Values{"email": {"nobody@example.org"}}); !strings.Contains(q.body, "Check your email") {
		t.Errorf("unknown address: %d", q.status)
	}
	msgs, _ := r.st.OutboxMessages(r.ctx, store.OutboxFilter{To: "ann@example.org", Kind: "reset"})
	if msgs.Total != 1 {
		t.Fatalf("reset messages: %d", msgs.Total)
	}
	link := regexp.MustCompile(`/desk/reset/[A-Za-z0-9_-]+`).FindString(msgs.Messages[0].Text)
	if p := b.get(link); p.status != 200 || !strings.Contains(p.body, "ann@example.org") {
		t.Fatalf("reset page: %d", p.status)
	}
	p = b.post(link, url.Values{"password": {"new password here"}, "confirm": {"different password"}})
	if p.status != http.StatusUnprocessableEntity || fieldError(p.body, "confirm") == "" {
		t.Errorf("differing passwords: %d", p.status)
	}
	p = b.post(link, url.Values{"password": {"new password here"}, "confirm": {"new password here"}})
	if p.status != http.StatusSeeOther || p.location != "/desk/home" {
		t.Fatalf("reset: %d %s\n%.1000s", p.status, p.location, p.body)
	}
	// The old browser's session has ended; the link is spent.
	if q := old.get("/desk/home"); q.status != http.StatusSeeOther {
		t.Errorf("old session after reset: %d", q.status)
	}
	if q := r.browser().get(link); q.status != http.StatusBadRequest || !strings.Contains(q.body, "already been used") {
		t.Errorf("used link: %d", q.status)
	}
	if q := r.browser().get("/desk/reset/not-a-token"); q.status != http.StatusNotFound {
		t.Errorf("made-up link: %d", q.status)
	}
}

func TestSignInThrottledOverHTTP(t *testing.T) {
	t.Parallel()
	r := newRig(t, 0)
	if _, err := r.svc.CreateAccount(r.ctx, editorial.NewAccount{Email: "ann@example.org", Role: store.RoleAuthor, Password: password}); err != nil {
		t.Fatal(err)
	}
	b := r.browser()
	var p page
	for range 6 {
		p = b.post("/desk/signin", url.Values{"email": {"ann@example.org"}, "password": {"guessing wrong"}})
	}
	p = b.post("/desk/signin", url.Values{"email": {"ann@example.org"}, "password": {password}})
	if p.status != http.StatusTooManyRequests || !strings.Contains(p.body, "Too many attempts; try again in") {
		t.Errorf("throttled sign-in: %d\n%.1000s", p.status, p.body)
	}
}

func TestSecureCookieOnHTTPS(t *testing.T) {
	t.Parallel()
	st := storetest.OpenSQLite(t)
	svc, err := editorial.New(editorial.Options{Store: st, BaseURL: "https://mag.example.org"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := desk.New(desk.Options{Editorial: svc, BaseURL: "https://mag.example.org"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateAccount(context.Background(), editorial.NewAccount{Email: "ann@example.org", Role: store.RoleOwner, Password: password}); err != nil {
		t.Fatal(err)
	}
	form := url.Values{"email": {"ann@example.org"}, "password": {password}}
	req := httptest.NewRequest(http.MethodPost, "https://mag.example.org/desk/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	d.Handler().ServeHTTP(w, req)
	if c := w.Header().Get("Set-Cookie"); w.Code != http.StatusSeeOther || !strings.Contains(c, "Secure") || !strings.Contains(c, "HttpOnly") {
		t.Errorf("sign-in on https: %d, cookie %q", w.Code, c)
	}
}
