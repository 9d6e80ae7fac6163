package desk

import "net/http"

// topicSave changes a gazetteer entry's aliases (and, for one the desk
// added, its name and kind).
func (d *Desk) topicSave(w http.ResponseWriter, r *http.Request, req *request) error {
	slug := r.PathValue("slug")
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	in := topicInputFrom(r)
	e, err := d.svc.SaveTopicEntry(r.Context(), req.actor, slug, in)
	if err != nil {
		fe, _, ferr := formErrors(err)
		if ferr != nil || fe == nil {
			return err
		}
		current, gerr := d.svc.GazetteerEntry(r.Context(), req.actor, slug)
		if gerr != nil {
			return gerr
		}
		return d.renderTopic(w, r, req, topicEditView{Entry: current, In: in, Errors: fe}, http.StatusUnprocessableEntity)
	}
	return redirect(w, r, "/desk/topics/"+e.Slug, "ok", "“"+e.Name+"” saved.")
}
