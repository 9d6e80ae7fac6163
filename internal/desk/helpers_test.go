package desk_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"masthead/internal/desk"
	"masthead/internal/editorial"
	"masthead/internal/mail"
	"masthead/internal/media"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

const password = "a long enough password"

type rig struct {
	t   *testing.T
	ctx context.Context
	st  *store.Store
	svc *editorial.Service
	srv *httptest.Server
}

func newRig(t *testing.T, maxUpload int64) *rig {
	t.Helper()
	st := storetest.Open(t)
	m, err := media.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	svc, err := editorial.New(editorial.Options{Store: st, Media: m, Mail: &mail.Outbox{Store: st, From: "desk@example.org"},
		BaseURL: "http://desk.test", MaxUploadBytes: maxUpload, RenditionWidths: []int{32}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := desk.New(desk.Options{Editorial: svc, BaseURL: "http://desk.test"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d.Handler())
	t.Cleanup(srv.Close)
	return &rig{t: t, ctx: context.Background(), st: st, svc: svc, srv: srv}
}

// browser is a client with its own cookies that does not follow
// redirects, so tests see them.
type browser struct {
	r *rig
	c *http.Client
}

func (r *rig) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{r: r, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type page struct {
	status   int
	location string
	body     string
	header   http.Header
}

func (b *browser) do(req *http.Request) page {
	b.r.t.Helper()
	// A browser posting a form of the desk to the desk.
	if req.Method == http.MethodPost && req.Header.Get("Sec-Fetch-Site") == "" && req.Header.Get("Origin") == "" {
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.r.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(body), header: resp.Header}
}

func (b *browser) get(path string) page {
	b.r.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.r.srv.URL+path, nil)
	return b.do(req)
}

// follow GETs the page a redirect points to.
func (b *browser) follow(p page) page {
	b.r.t.Helper()
	if p.status != http.StatusSeeOther && p.status != http.StatusFound {
		b.r.t.Fatalf("not a redirect: %d\n%.3000s", p.status, p.body)
	}
	return b.get(p.location)
}

func (b *browser) post(path string, form url.Values) page {
	b.r.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.r.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// postMultipart posts fields and one file.
func (b *browser) postMultipart(path string, form url.Values, fileField, fileName string, file []byte) page {
	b.r.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if fileField != "" {
		fw, _ := mw.CreateFormFile(fileField, fileName)
		fw.Write(file)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.r.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// signIn signs the browser in as a new account of role.
func (r *rig) signIn(email string, role store.Role) (*browser, store.Account) {
	r.t.Helper()
	acc, err := r.svc.CreateAccount(r.ctx, editorial.NewAccount{Email: email, Role: role, Password: password})
	if err != nil {
		r.t.Fatal(err)
	}
	b := r.browser()
	p := b.post("/desk/signin", url.Values{"email": {email}, "password": {password}})
	if p.status != http.StatusSeeOther || p.location != "/desk/home" {
		r.t.Fatalf("sign in as %s: %d %s\n%.2000s", email, p.status, p.location, p.body)
	}
	return b, acc
}

func jpegFile(t *testing.T) []byte {
	m := image.NewRGBA(image.Rect(0, 0, 120, 80))
	for y := range 80 {
		for x := range 120 {
			m.Set(x, y, color.RGBA{uint8(x * 2), uint8(y * 3), 90, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var idRE = regexp.MustCompile(`^/desk/posts/(\d+)$`)

// fieldError returns the error message shown after the field with id.
func fieldError(body, id string) string {
	re := regexp.MustCompile(`(?s)id="` + regexp.QuoteMeta(id) + `"[^>]*>.*?<p class="field-error" role="alert">([^<]*)</p>`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}
