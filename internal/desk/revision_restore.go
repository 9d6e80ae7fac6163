package desk

import (
	"net/http"
)

// revisionRestore brings back an old revision as a new save.
func (d *Desk) revisionRestore(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rev, err := pathID(r, "rev")
	if err != nil {
		return err
	}
	if _, err := d.svc.RestoreRevision(r.Context(), req.actor, id, rev); err != nil {
		fe, msg, err := formErrors(err)
		if err != nil {
			return err
		}
		for _, m := range fe {
			msg += " " + m
		}
		return redirect(w, r, "/desk/posts/"+r.PathValue("id")+"/revisions", "error", "The revision was not restored. "+msg)
	}
	return redirect(w, r, editURL(id), "ok", "The revision is restored, and kept as a new revision.")
}
