package desk

import "net/http"

// tagSave renames a tag, makes it a section or not, and sets its place in
// the navigation.
func (d *Desk) tagSave(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	t, err := d.svc.SaveTag(r.Context(), req.actor, id, tagInputFrom(r))
	if err != nil {
		fe, _, ferr := formErrors(err)
		if ferr != nil || fe == nil {
			return err
		}
		return d.renderTags(w, r, req, tagListView{Errors: fe, ErrorTag: id}, http.StatusUnprocessableEntity)
	}
	return redirect(w, r, "/desk/tags", "ok", "“"+t.Name+"” saved.")
}
