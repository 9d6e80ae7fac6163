package desk

import (
	"net/http"

	"masthead/internal/editorial"
	"masthead/internal/mail"
)

// mailSettingsRoutes mounts the mail server settings, for admins.
func (d *Desk) mailSettingsRoutes(mux *http.ServeMux) {
	mux.Handle("GET /desk/settings/mail", d.handle(signedIn, d.mailSettingsForm))
	mux.Handle("POST /desk/settings/mail", d.handle(signedIn, d.mailSettingsSave))
	mux.Handle("POST /desk/settings/mail/test", d.handle(signedIn, d.mailSettingsTest))
}

type mailSettingsView struct {
	Available   bool   // a mail sender is wired to the desk
	Source      string // mail.SourceEnvironment, SourceDesk or SourceOutbox
	FromEnv     bool   // the environment names the server: read-only here
	In          mail.SMTPSettings
	HasPassword bool
	Errors      map[string]string
	TestTo      string
	Test        *mailTestResult
}

// mailTestResult is the outcome of a test message, in the server's words.
type mailTestResult struct {
	OK      bool
	Message string
}

// canEditMail lets admins in, as for the other site settings.
func canEditMail(req *request) error {
	return editorial.Can(req.actor.Account, editorial.SettingsEdit, editorial.Target{})
}

// mailSettingsForm shows the mail server in use; admins only.
func (d *Desk) mailSettingsForm(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := canEditMail(req); err != nil {
		return err
	}
	v := mailSettingsView{TestTo: req.actor.Email}
	if err := d.fillMailStatus(r, &v, true); err != nil {
		return err
	}
	return d.renderMailSettings(w, r, req, v, http.StatusOK)
}

// fillMailStatus sets where the mail server comes from and, when withForm
// is set or the environment names it, the settings shown.
func (d *Desk) fillMailStatus(r *http.Request, v *mailSettingsView, withForm bool) error {
	if d.mail == nil {
		return nil
	}
	v.Available = true
	st, err := d.mail.Status(r.Context())
	if err != nil {
		return err
	}
	v.Source, v.FromEnv, v.HasPassword = st.Source, d.mail.FromEnvironment(), st.HasPassword
	if withForm || v.FromEnv {
		v.In = st.Settings
	}
	return nil
}

func (d *Desk) renderMailSettings(w http.ResponseWriter, r *http.Request, req *request, v mailSettingsView, status int) error {
	// The password is never sent back to the browser.
	v.In.Password = ""
	return d.render(w, r, req, status, "settings_mail", "Mail server", v)
}

// mailSettingsInput reads the form; an empty port means the usual one.
func mailSettingsInput(r *http.Request) (mail.SMTPSettings, bool, map[string]string) {
	f := r.PostForm
	in := mail.SMTPSettings{Host: f.Get("host"), TLS: f.Get("tls"), Username: f.Get("username"),
		Password: f.Get("password"), From: f.Get("from")}
	var errs map[string]string
	if p := f.Get("port"); p != "" {
		n, ok := parsePort(p)
		if !ok {
			errs = map[string]string{"port": "Give a port from 1 to 65535, or leave it empty for the usual one"}
		}
		in.Port = n
	}
	return in.Normalize(), f.Get("clear_password") != "", errs
}

func parsePort(s string) (int, bool) {
	n := 0
	if s == "" || len(s) > 5 {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n >= 1 && n <= 65535
}
