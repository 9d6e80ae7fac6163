package desk

import (
	"net/http"

	"masthead/internal/editorial"
	"masthead/internal/store"
)

type mediaEditView struct {
	Item    store.MediaItem
	Text    editorial.MediaText
	Errors  editorial.FieldErrors
	CanEdit bool
}

// mediaEdit shows one image with its renditions and text.
func (d *Desk) mediaEdit(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	item, err := d.svc.MediaItem(r.Context(), req.actor, id)
	if err != nil {
		return err
	}
	return d.render(w, r, req, http.StatusOK, "media_edit", "Image", mediaEditView{Item: item,
		Text:    editorial.MediaText{Alt: item.Alt, Caption: item.Caption, Credit: item.Credit},
		CanEdit: editorial.Can(req.actor.Account, editorial.MediaEdit, editorial.Target{UploadedBy: item.UploadedBy}) == nil})
}
