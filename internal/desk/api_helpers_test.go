package desk_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"masthead/internal/desk"
	"masthead/internal/editorial"
	"masthead/internal/mail"
	"masthead/internal/media"
	"masthead/internal/store"
)

// newRigOn is newRig on a given store, with the service's clock at now
// when it is not zero.
func newRigOn(t *testing.T, st *store.Store, maxUpload int64, now time.Time) *rig {
	t.Helper()
	m, err := media.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	opts := editorial.Options{Store: st, Media: m, Mail: &mail.Outbox{Store: st, From: "desk@example.org"},
		BaseURL: "http://desk.test", MaxUploadBytes: maxUpload, RenditionWidths: []int{32}}
	if !now.IsZero() {
		opts.Now = func() time.Time { return now }
	}
	svc, err := editorial.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	d, err := desk.New(desk.Options{Editorial: svc, BaseURL: "http://desk.test"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d.Handler())
	t.Cleanup(srv.Close)
	return &rig{t: t, ctx: t.Context(), st: st, svc: svc, srv: srv}
}

// tokenFor creates an account of role with an API token, the way the
// desk's account page does, and returns both.
func (r *rig) tokenFor(email, name string, role store.Role) (string, store.Account) {
	r.t.Helper()
	acc, err := r.svc.CreateAccount(r.ctx, editorial.NewAccount{Email: email, Name: name, Role: role, Password: password})
	if err != nil {
		r.t.Fatal(err)
	}
	token, hash, err := store.NewToken()
	if err != nil {
		r.t.Fatal(err)
	}
	if err := r.st.CreateAPIToken(r.ctx, &store.APIToken{AccountID: acc.ID, Name: "test", TokenHash: hash}); err != nil {
		r.t.Fatal(err)
	}
	return token, acc
}

type apiAnswer struct {
	status int
	header http.Header
	body   string
	json   map[string]any
}

// call sends an API request with token (none when empty) and a body: a
// string is sent as it is, anything else as JSON.
func (r *rig) call(token, method, path string, body any) apiAnswer {
	r.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			r.t.Fatal(err)
		}
		rd, ct = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, r.srv.URL+path, rd)
	if err != nil {
		r.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return r.send(req)
}

func (r *rig) send(req *http.Request) apiAnswer {
	r.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := apiAnswer{status: resp.StatusCode, header: resp.Header, body: string(b)}
	if len(b) > 0 {
		if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			r.t.Fatalf("%s %s: Content-Type %q, body %.500s", req.Method, req.URL.Path, ct, b)
		}
		if err := json.Unmarshal(b, &a.json); err != nil {
			r.t.Fatalf("%s %s: answer is not a JSON object: %v\n%.500s", req.Method, req.URL.Path, err, b)
		}
	}
	return a
}

// want fails unless the answer has status.
func (a apiAnswer) want(t *testing.T, status int) apiAnswer {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d\n%.1500s", a.status, status, a.body)
	}
	return a
}

func (a apiAnswer) str(key string) string { s, _ := a.json[key].(string); return s }

func (a apiAnswer) num(key string) int64 { n, _ := a.json[key].(float64); return int64(n) }

func (a apiAnswer) fieldError(field string) string {
	errs, _ := a.json["errors"].(map[string]any)
	s, _ := errs[field].(string)
	return s
}

func pngFile(t *testing.T, w, h int) []byte {
	t.Helper()
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.Set(x, y, color.NRGBA{uint8(x * 5), 120, uint8(y * 4), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
