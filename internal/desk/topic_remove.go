package desk

import "net/http"

// topicRemove removes an entry the desk added; articles keep the topic's
// slug but it is no longer suggested or shown.
func (d *Desk) topicRemove(w http.ResponseWriter, r *http.Request, req *request) error {
	slug := r.PathValue("slug")
	e, err := d.svc.RemoveTopicEntry(r.Context(), req.actor, slug)
	if err != nil {
		_, msg, ferr := formErrors(err)
		if ferr != nil || msg == "" {
			return err
		}
		return redirect(w, r, "/desk/topics/"+slug, "error", msg)
	}
	return redirect(w, r, "/desk/topics", "ok", "“"+e.Name+"” removed from the topics.")
}
