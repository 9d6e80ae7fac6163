package desk

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"masthead/internal/mail"
)

// mailSettingsTest sends a test message through the settings in the form
// (or the environment's, which win) without saving them, and shows what
// the server answered, word for word.
func (d *Desk) mailSettingsTest(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := canEditMail(req); err != nil {
		return err
	}
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	if d.mail == nil {
		return errPageNotFound
	}
	in, clear, ferrs := mailSettingsInput(r)
	v := mailSettingsView{In: in, Errors: ferrs, TestTo: strings.TrimSpace(r.PostForm.Get("test_to"))}
	if v.TestTo == "" {
		v.TestTo = req.actor.Email
	}
	if err := d.fillMailStatus(r, &v, false); err != nil {
		return err
	}
	if ferrs != nil {
		return d.renderMailSettings(w, r, req, v, http.StatusUnprocessableEntity)
	}
	if _, err := mail.ParseAddress(v.TestTo); err != nil {
		v.Errors = map[string]string{"test_to": "Give one email address"}
		return d.renderMailSettings(w, r, req, v, http.StatusUnprocessableEntity)
	}

	site := "Masthead"
	if ss, err := d.svc.Settings(r.Context()); err == nil && ss.Name != "" {
		site = ss.Name
	}
	var settings *mail.SMTPSettings
	server := "the mail server set in the environment"
	if !v.FromEnv {
		settings = &in
		server = "the outbox"
		if in.Host != "" {
			server = fmt.Sprintf("%s (port %s, %s)", in.Host, portText(in), tlsText(in.TLS))
		}
	}
	m := mail.Message{To: v.TestTo, Kind: "test",
		Subject: "Test message from " + site,
		Text: fmt.Sprintf("This message was sent from the %s desk by %s to check the mail server settings.\n\nServer: %s\n",
			site, req.actor.Email, server)}
	err := d.mail.SendTest(r.Context(), settings, !clear, m)
	var se *mail.SettingsError
	switch {
	case errors.As(err, &se):
		v.Errors = se.Fields
		return d.renderMailSettings(w, r, req, v, http.StatusUnprocessableEntity)
	case err != nil:
		d.log.WarnContext(r.Context(), "desk: test message failed", "err", err)
		v.Test = &mailTestResult{Message: "The test message was not sent: " + err.Error()}
	case settings != nil && in.Host == "":
		v.Test = &mailTestResult{OK: true, Message: "No mail server is given, so the test message was kept in the outbox."}
	default:
		v.Test = &mailTestResult{OK: true, Message: fmt.Sprintf("The server accepted the test message to %s.", v.TestTo)}
	}
	return d.renderMailSettings(w, r, req, v, http.StatusOK)
}

func portText(s mail.SMTPSettings) string {
	if s.Port != 0 {
		return fmt.Sprint(s.Port)
	}
	switch s.TLS {
	case mail.TLSNone:
		return "25"
	case mail.TLSImplicit:
		return "465"
	}
	return "587"
}

func tlsText(mode string) string {
	switch mode {
	case mail.TLSNone:
		return "no TLS"
	case mail.TLSImplicit:
		return "TLS"
	}
	return "STARTTLS"
}
