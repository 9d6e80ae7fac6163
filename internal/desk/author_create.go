package desk

import (
	"net/http"
	"strconv"
)

// authorCreate adds a guest author.
func (d *Desk) authorCreate(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	in := authorInputFrom(r)
	a, err := d.svc.SaveAuthor(r.Context(), req.actor, 0, in)
	if err != nil {
		fe, _, ferr := formErrors(err)
		if ferr != nil || fe == nil {
			return err
		}
		return d.renderAuthor(w, r, req, authorEditView{New: true, In: in, Errors: fe, Action: "/desk/authors"}, http.StatusUnprocessableEntity)
	}
	return redirect(w, r, "/desk/authors/"+strconv.FormatInt(a.ID, 10), "ok", "Guest author added; choose them in a post's byline.")
}
