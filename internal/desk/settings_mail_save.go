package desk

import (
	"errors"
	"net/http"

	"masthead/internal/mail"
)

// mailSettingsSave stores the mail server settings; the running server
// sends the next message through them.
func (d *Desk) mailSettingsSave(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := canEditMail(req); err != nil {
		return err
	}
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	if d.mail == nil || d.mail.FromEnvironment() {
		return redirect(w, r, "/desk/settings/mail", "error",
			"The mail server is set by the MASTHEAD_SMTP_* environment variables and cannot be changed here.")
	}
	in, clear, ferrs := mailSettingsInput(r)
	err := d.mail.Save(r.Context(), in, clear, req.actor.ID, clientIP(r))
	var se *mail.SettingsError
	if invalid := errors.As(err, &se); invalid || ferrs != nil {
		v := mailSettingsView{In: in, Errors: ferrs, TestTo: req.actor.Email}
		if se != nil {
			if v.Errors == nil {
				v.Errors = map[string]string{}
			}
			for k, msg := range se.Fields {
				v.Errors[k] = msg
			}
		}
		if err := d.fillMailStatus(r, &v, false); err != nil {
			return err
		}
		return d.renderMailSettings(w, r, req, v, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	msg := "Mail server saved: the next message goes through it."
	if in.Host == "" {
		msg = "Mail server removed: messages are kept in the outbox."
	}
	return redirect(w, r, "/desk/settings/mail", "ok", msg)
}
