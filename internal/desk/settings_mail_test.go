package desk_test

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"masthead/internal/desk"
	"masthead/internal/editorial"
	"masthead/internal/mail"
	"masthead/internal/mail/smtptest"
	"masthead/internal/media"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// mailRig is a desk whose mail goes through a mail.Switch, as in the
// server; env, when set, is the environment's SMTP server.
func mailRig(t *testing.T, env *mail.SMTPConfig) (*rig, *mail.Switch) {
	t.Helper()
	st := storetest.Open(t)
	m, err := media.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	sw, err := mail.NewSwitch(context.Background(), mail.SwitchOptions{Store: st, Env: env,
		Base: mail.SMTPConfig{From: "Desk <desk@example.org>"}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sw.Close() })
	svc, err := editorial.New(editorial.Options{Store: st, Media: m, Mail: sw, BaseURL: "http://desk.test"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := desk.New(desk.Options{Editorial: svc, Mail: sw, BaseURL: "http://desk.test"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d.Handler())
	t.Cleanup(srv.Close)
	return &rig{t: t, ctx: context.Background(), st: st, svc: svc, srv: srv}, sw
}

func mailForm(srv *smtptest.Server, extra ...string) url.Values {
	f := url.Values{"host": {srv.Host}, "port": {strconv.Itoa(srv.Port)}, "tls": {"none"}, "from": {"Desk <desk@example.org>"}}
	for i := 0; i+1 < len(extra); i += 2 {
		f.Set(extra[i], extra[i+1])
	}
	return f
}

func TestMailSettingsAreForAdmins(t *testing.T) {
	t.Parallel()
	r, _ := mailRig(t, nil)
	editor, _ := r.signIn("ed@example.org", store.RoleEditor)
	if p := editor.get("/desk/settings/mail"); p.status != http.StatusForbidden {
		t.Errorf("editor GET: %d", p.status)
	}
	if p := editor.post("/desk/settings/mail", url.Values{"host": {"evil.example"}}); p.status != http.StatusForbidden {
		t.Errorf("editor POST: %d", p.status)
	}
	if p := editor.post("/desk/settings/mail/test", url.Values{"host": {"evil.example"}}); p.status != http.StatusForbidden {
		t.Errorf("editor test: %d", p.status)
	}
	if _, err := r.st.Setting(r.ctx, mail.SettingSMTP); err == nil {
		t.Error("an editor changed the mail server")
	}
	admin, _ := r.signIn("admin@example.org", store.RoleAdmin)
	p := admin.get("/desk/settings/mail")
	if p.status != http.StatusOK || !strings.Contains(p.body, "kept in the") || !strings.Contains(p.body, `href="/desk/settings/mail" aria-current="page"`) {
		t.Errorf("admin GET: %d\n%.3000s", p.status, p.body)
	}
	// Another site's form is refused.
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+"/desk/settings/mail", strings.NewReader("host=evil.example"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if p := admin.do(req); p.status != http.StatusForbidden {
		t.Errorf("cross-site POST: %d", p.status)
	}
}

func TestMailSettingsSaveTestAndSwitch(t *testing.T) {
	t.Parallel()
	r, _ := mailRig(t, nil)
	admin, acc := r.signIn("admin@example.org", store.RoleAdmin)
	srv := smtptest.Start(t, smtptest.Options{STARTTLS: true, Username: "desk", Password: "pa55-word-secret"})

	// A test with a wrong password: the server's own words come back, and
	// nothing is saved.
	p := admin.post("/desk/settings/mail/test", mailForm(srv, "tls", "none", "username", "desk", "password", "wrong"))
	if p.status != http.StatusOK || !strings.Contains(html.UnescapeString(p.body), "does not support SMTP AUTH") {
		t.Errorf("test with auth over plain text: %d\n%.3000s", p.status, p.body)
	}
	if _, err := r.st.Setting(r.ctx, mail.SettingSMTP); err == nil {
		t.Error("a test saved the settings")
	}

	// The server refuses the recipient: its 550 reply is shown.
	plain := smtptest.Start(t, smtptest.Options{})
	plain.OnRcpt(func(rcpt string, n int) error { return smtptest.Refuse(550, "mailbox unavailable here") })
	p = admin.post("/desk/settings/mail/test", mailForm(plain, "test_to", "nobody@example.org"))
	body := html.UnescapeString(p.body)
	if !strings.Contains(body, "550") || !strings.Contains(body, "mailbox unavailable here") || !strings.Contains(body, `id="test-result"`) {
		t.Errorf("refused test: %d\n%.3000s", p.status, p.body)
	}
	plain.OnRcpt(nil)
	p = admin.post("/desk/settings/mail/test", mailForm(plain))
	if !strings.Contains(p.body, "The server accepted the test message to admin@example.org") || plain.Count("admin@example.org") != 1 {
		t.Errorf("good test: %d %v\n%.3000s", p.status, plain.Counts(), p.body)
	}

	// Bad values: every field says what is wrong, and nothing is saved.
	p = admin.post("/desk/settings/mail", url.Values{"host": {"smtp://x:25"}, "port": {"99999"}, "tls": {"ssl"}, "from": {"nobody"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad values: %d", p.status)
	}
	for _, id := range []string{"host", "port", "tls", "from"} {
		if fieldError(p.body, id) == "" {
			t.Errorf("no error shown for %s", id)
		}
	}

	// Saved: the desk's next email (an invitation) goes to that server,
	// without a restart.
	p = admin.post("/desk/settings/mail", mailForm(plain, "username", "", "password", ""))
	if p.status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%.3000s", p.status, p.body)
	}
	if _, err := r.svc.Invite(r.ctx, actor(acc), "new@example.org", store.RoleAuthor); err != nil {
		t.Fatal(err)
	}
	if plain.Count("new@example.org") != 1 {
		t.Errorf("the invitation did not go to the saved server: %v", plain.Counts())
	}
	p = admin.get("/desk/settings/mail")
	if !strings.Contains(p.body, `value="`+plain.Host+`"`) || !strings.Contains(p.body, "Emails go to the SMTP server below") {
		t.Errorf("saved settings not shown:\n%.3000s", p.body)
	}
}

func TestMailSettingsNeverShowThePassword(t *testing.T) {
	t.Parallel()
	r, sw := mailRig(t, nil)
	admin, _ := r.signIn("admin@example.org", store.RoleAdmin)
	if err := sw.Save(r.ctx, mail.SMTPSettings{Host: "smtp.example.org", Username: "desk", Password: "hunter2-very-secret"}, false, 0, ""); err != nil {
		t.Fatal(err)
	}
	p := admin.get("/desk/settings/mail")
	if strings.Contains(p.body, "hunter2") || !strings.Contains(p.body, "a password is saved and never shown") {
		t.Errorf("password page:\n%.3000s", p.body)
	}
	// A failed save shows the form again, without the password typed.
	p = admin.post("/desk/settings/mail", url.Values{"host": {"smtp.example.org"}, "username": {"desk"}, "password": {"typed-secret"}, "port": {"x"}})
	if p.status != http.StatusUnprocessableEntity || strings.Contains(p.body, "typed-secret") {
		t.Errorf("failed save: %d, password echoed: %v", p.status, strings.Contains(p.body, "typed-secret"))
	}
	// Pointing the settings at another server does not take the saved
	// password along.
	p = admin.post("/desk/settings/mail", url.Values{"host": {"attacker.example"}, "username": {"desk"}, "tls": {"starttls"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("save: %d", p.status)
	}
	if got, _ := mail.LoadSMTPSettings(r.ctx, r.st); got.Password != "" {
		t.Errorf("the password followed the settings to another host")
	}
}

func TestMailSettingsFromTheEnvironmentAreReadOnly(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{})
	r, _ := mailRig(t, &mail.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: mail.TLSNone})
	admin, _ := r.signIn("admin@example.org", store.RoleAdmin)
	p := admin.get("/desk/settings/mail")
	if !strings.Contains(p.body, `id="env-note"`) || strings.Contains(p.body, `name="host"`) || !strings.Contains(p.body, srv.Host) {
		t.Errorf("environment page:\n%.3000s", p.body)
	}
	p = admin.post("/desk/settings/mail", url.Values{"host": {"other.example"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("save under environment settings: %d", p.status)
	}
	if _, err := r.st.Setting(r.ctx, mail.SettingSMTP); err == nil {
		t.Error("saved over the environment's settings")
	}
	// The test goes through the environment's server.
	p = admin.post("/desk/settings/mail/test", url.Values{"test_to": {"check@example.org"}, "host": {"ignored.example"}})
	if !strings.Contains(p.body, "The server accepted") || srv.Count("check@example.org") != 1 {
		t.Errorf("test under environment settings: %v\n%.3000s", srv.Counts(), p.body)
	}
}
