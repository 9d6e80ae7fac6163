package desk

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"masthead/internal/editorial"
)

// mediaUpload adds an image to the library. Its renditions are made in the
// background; the page does not wait for them.
func (d *Desk) mediaUpload(w http.ResponseWriter, r *http.Request, req *request) error {
	var tooBig *http.MaxBytesError
	if err := d.parseForm(w, r); errors.As(err, &tooBig) {
		return d.renderMedia(w, r, req, mediaListView{Error: fmt.Sprintf("The file was not uploaded: it is larger than the %d MB upload limit.",
			d.svc.MaxUploadBytes()>>20)}, http.StatusRequestEntityTooLarge)
	} else if err != nil {
		return err
	}
	text := editorial.MediaText{Alt: r.PostFormValue("alt"), Caption: r.PostFormValue("caption"), Credit: r.PostFormValue("credit")}
	v := mediaListView{Text: text}
	if r.MultipartForm == nil || len(r.MultipartForm.File["file"]) == 0 || r.MultipartForm.File["file"][0].Filename == "" {
		v.Errors = editorial.FieldErrors{"file": "Choose an image file to upload."}
		return d.renderMedia(w, r, req, v, http.StatusUnprocessableEntity)
	}
	fh := r.MultipartForm.File["file"][0]
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	item, err := d.svc.Upload(r.Context(), req.actor, fh.Filename, f, text)
	if err != nil {
		fe, msg, err := formErrors(err)
		if err != nil {
			return err
		}
		v.Errors, v.Error = fe, msg
		return d.renderMedia(w, r, req, v, http.StatusUnprocessableEntity)
	}
	return redirect(w, r, "/desk/media/"+strconv.FormatInt(item.ID, 10), "ok",
		"Uploaded. The sizes for phones and wide screens are being made; the image can be used right away.")
}
