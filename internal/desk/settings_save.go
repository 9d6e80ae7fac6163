package desk

import (
	"net/http"

	"masthead/internal/editorial"
)

// settingsSave stores the site settings.
func (d *Desk) settingsSave(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	in := editorial.SiteSettings{Name: f.Get("name"), Description: f.Get("description"), Logo: f.Get("logo"),
		Timezone: f.Get("timezone"), Language: f.Get("language"), Sender: f.Get("sender")}
	if err := d.svc.SaveSettings(r.Context(), req.actor, in); err != nil {
		fe, _, ferr := formErrors(err)
		if ferr != nil || fe == nil {
			return err
		}
		return d.renderSettings(w, r, req, settingsView{In: in, Errors: fe}, http.StatusUnprocessableEntity)
	}
	return redirect(w, r, "/desk/settings", "ok", "Settings saved.")
}
