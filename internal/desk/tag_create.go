package desk

import "net/http"

// tagCreate adds a tag or section.
func (d *Desk) tagCreate(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	in := tagInputFrom(r)
	if _, err := d.svc.SaveTag(r.Context(), req.actor, 0, in); err != nil {
		fe, _, ferr := formErrors(err)
		if ferr != nil || fe == nil {
			return err
		}
		return d.renderTags(w, r, req, tagListView{New: in, Errors: fe}, http.StatusUnprocessableEntity)
	}
	return redirect(w, r, "/desk/tags", "ok", "“"+in.Name+"” added.")
}
