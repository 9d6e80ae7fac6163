package desk

import (
	"context"
	"net/http"

	"masthead/internal/content"
	"masthead/internal/editorial"
)

// transition runs a workflow button of the editor: it checks that the
// actor may do action before anything else, saves the form that came with
// the button (when it did and the actor may edit), then calls do. Problems
// with the form or the request are shown in the editor; success returns
// to the editor with ok as the message.
func (d *Desk) transition(w http.ResponseWriter, r *http.Request, req *request, action editorial.Action, ok string,
	do func(ctx context.Context, p content.Post) (content.Post, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	p, err := d.svc.Post(r.Context(), req.actor, id)
	if err != nil {
		return err
	}
	if err := editorial.Can(req.actor.Account, action, editorial.Target{Post: &p}); err != nil {
		return err
	}
	if r.PostForm.Has("title") && editorial.Can(req.actor.Account, editorial.PostEdit, editorial.Target{Post: &p}) == nil {
		if handled, err := d.saveForm(w, r, req, p); handled || err != nil {
			return err
		}
	}
	if _, err := do(r.Context(), p); err != nil {
		fe, msg, err := formErrors(err)
		if err != nil {
			return err
		}
		fresh, lerr := d.svc.Post(r.Context(), req.actor, id)
		if lerr != nil {
			return lerr
		}
		return d.renderEditor(w, r, req, fresh, editorial.InputOf(fresh), fe, msg, http.StatusUnprocessableEntity)
	}
	return redirect(w, r, editURL(id), "ok", ok)
}
