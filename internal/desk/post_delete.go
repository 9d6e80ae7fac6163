package desk

import (
	"net/http"
)

// postDelete deletes a post for good.
func (d *Desk) postDelete(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := d.svc.Post(r.Context(), req.actor, id)
	if err != nil {
		return err
	}
	if err := d.svc.DeletePost(r.Context(), req.actor, id); err != nil {
		if _, msg, ferr := formErrors(err); ferr == nil && msg != "" {
			return redirect(w, r, editURL(id), "error", msg)
		}
		return err
	}
	return redirect(w, r, "/desk/posts", "ok", "“"+p.Title+"” was deleted.")
}
