package desk

import (
	"net/http"
	"strconv"

	"masthead/internal/editorial"
)

// mediaSave stores an image's alt text, caption and credit.
func (d *Desk) mediaSave(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	text := editorial.MediaText{Alt: r.PostFormValue("alt"), Caption: r.PostFormValue("caption"), Credit: r.PostFormValue("credit")}
	item, err := d.svc.UpdateMediaText(r.Context(), req.actor, id, text)
	if err != nil {
		fe, _, ferr := formErrors(err)
		if ferr != nil || fe == nil {
			return err
		}
		return d.render(w, r, req, http.StatusUnprocessableEntity, "media_edit", "Image",
			mediaEditView{Item: item, Text: text, Errors: fe, CanEdit: true})
	}
	return redirect(w, r, "/desk/media/"+strconv.FormatInt(id, 10), "ok", "Saved. Posts that already use the image keep their own text.")
}
