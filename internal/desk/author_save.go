package desk

import (
	"net/http"
	"strconv"

	"masthead/internal/editorial"
)

func authorInputFrom(r *http.Request) editorial.AuthorInput {
	f := r.PostForm
	return editorial.AuthorInput{Name: f.Get("name"), Slug: f.Get("slug"), Role: f.Get("role"), Bio: f.Get("bio"),
		PhotoKey: f.Get("photo"), Links: f.Get("links")}
}

// authorSave stores an author profile.
func (d *Desk) authorSave(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	in := authorInputFrom(r)
	a, err := d.svc.SaveAuthor(r.Context(), req.actor, id, in)
	if err != nil {
		fe, _, ferr := formErrors(err)
		if ferr != nil || fe == nil {
			return err
		}
		cur, lerr := d.svc.Author(r.Context(), id)
		if lerr != nil {
			return lerr
		}
		return d.renderAuthor(w, r, req, authorEditView{Author: cur, In: in, Errors: fe, Action: r.URL.Path}, http.StatusUnprocessableEntity)
	}
	return redirect(w, r, "/desk/authors/"+strconv.FormatInt(a.ID, 10), "ok", "Profile saved.")
}
