package desk

import (
	"net/http"

	"masthead/internal/editorial"
	"masthead/internal/store"
)

type settingsView struct {
	In     editorial.SiteSettings
	Errors editorial.FieldErrors
	Media  []store.MediaItem
}

// commonZones are offered in the timezone field; any IANA name works.
var commonZones = []string{"UTC", "Europe/London", "Europe/Paris", "Europe/Berlin", "America/New_York",
	"America/Chicago", "America/Los_Angeles", "America/Sao_Paulo", "Africa/Lagos", "Africa/Nairobi",
	"Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney"}

// settingsForm shows the site settings; admins only.
func (d *Desk) settingsForm(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := editorial.Can(req.actor.Account, editorial.SettingsEdit, editorial.Target{}); err != nil {
		return err
	}
	ss, err := d.svc.Settings(r.Context())
	if err != nil {
		return err
	}
	return d.renderSettings(w, r, req, settingsView{In: ss}, http.StatusOK)
}

func (d *Desk) renderSettings(w http.ResponseWriter, r *http.Request, req *request, v settingsView, status int) error {
	page, err := d.svc.MediaItems(r.Context(), req.actor, store.MediaFilter{Limit: 100})
	if err != nil {
		return err
	}
	v.Media = page.Items
	return d.render(w, r, req, status, "settings", "Settings", struct {
		settingsView
		Zones []string
	}{v, commonZones})
}
