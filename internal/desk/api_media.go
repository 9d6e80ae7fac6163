package desk

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"masthead/internal/editorial"
	"masthead/internal/store"
)

type apiRendition struct {
	Key    string `json:"key"`
	URL    string `json:"url"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Format string `json:"format"`
}

// apiMedia is an image of the media library as the API shows it.
type apiMedia struct {
	ID              int64          `json:"id"`
	Key             string         `json:"key"`
	URL             string         `json:"url"`
	Format          string         `json:"format"`
	Width           int            `json:"width"`
	Height          int            `json:"height"`
	Bytes           int64          `json:"bytes"`
	Alt             string         `json:"alt"`
	Caption         string         `json:"caption"`
	Credit          string         `json:"credit"`
	UploadedBy      int64          `json:"uploaded_by"`
	CreatedAt       apiTime        `json:"created_at"`
	RenditionStatus string         `json:"rendition_status"`
	Renditions      []apiRendition `json:"renditions"`
}

func mediaJSON(m store.MediaItem) apiMedia {
	v := apiMedia{ID: m.ID, Key: m.Key, URL: "/media/" + m.Key, Format: m.Format, Width: m.Width, Height: m.Height, Bytes: m.Bytes,
		Alt: m.Alt, Caption: m.Caption, Credit: m.Credit, UploadedBy: m.UploadedBy, CreatedAt: apiTime(m.CreatedAt),
		RenditionStatus: string(m.RenditionStatus), Renditions: []apiRendition{}}
	for _, r := range m.Renditions {
		v.Renditions = append(v.Renditions, apiRendition{Key: r.Key, URL: "/media/" + r.Key, Width: r.Width, Height: r.Height, Format: r.Format})
	}
	return v
}

// apiMediaList pages through the library, newest first; ?q= matches the
// key, alt text, caption or credit.
func (d *Desk) apiMediaList(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error {
	limit, offset, err := paging(r, 30, 200)
	if err != nil {
		return err
	}
	page, err := d.svc.MediaItems(r.Context(), actor, store.MediaFilter{Query: strings.TrimSpace(r.URL.Query().Get("q")), Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	v := struct {
		Media  []apiMedia `json:"media"`
		Total  int        `json:"total"`
		Limit  int        `json:"limit"`
		Offset int        `json:"offset"`
	}{Media: []apiMedia{}, Total: page.Total, Limit: limit, Offset: offset}
	for _, m := range page.Items {
		v.Media = append(v.Media, mediaJSON(m))
	}
	return writeJSON(w, http.StatusOK, v)
}

func (d *Desk) apiMediaGet(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error {
	id, err := apiID(r)
	if err != nil {
		return err
	}
	m, err := d.svc.MediaItem(r.Context(), actor, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, mediaJSON(m))
}

// apiMediaUpload adds an image: either a multipart form with the file in
// "file" and the text in "alt", "caption" and "credit", or the image
// itself as the body with its own Content-Type, the file name and text in
// the query string. The type is read from the content either way.
func (d *Desk) apiMediaUpload(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error {
	max := d.svc.MaxUploadBytes()
	tooBig := &apiError{Status: http.StatusRequestEntityTooLarge,
		Message: fmt.Sprintf("The file was not uploaded: it is larger than the %s upload limit.", sizeWords(max))}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var (
		name string
		body io.Reader
		text editorial.MediaText
	)
	switch {
	case mt == "multipart/form-data":
		r.Body = http.MaxBytesReader(w, r.Body, max+maxFormBytes)
		var mbe *http.MaxBytesError
		if err := r.ParseMultipartForm(8 << 20); errors.As(err, &mbe) {
			return tooBig
		} else if err != nil {
			return badRequest("The multipart form could not be read: %v.", err)
		}
		defer r.MultipartForm.RemoveAll()
		text = editorial.MediaText{Alt: r.PostFormValue("alt"), Caption: r.PostFormValue("caption"), Credit: r.PostFormValue("credit")}
		files := r.MultipartForm.File["file"]
		if len(files) == 0 {
			return editorial.FieldErrors{"file": "Send the image in the form field “file”."}
		}
		if files[0].Size > max {
			return tooBig
		}
		f, err := files[0].Open()
		if err != nil {
			return err
		}
		defer f.Close()
		name, body = files[0].Filename, f
	case strings.HasPrefix(mt, "image/") || mt == "application/octet-stream":
		if r.ContentLength > max {
			return tooBig
		}
		q := r.URL.Query()
		text = editorial.MediaText{Alt: q.Get("alt"), Caption: q.Get("caption"), Credit: q.Get("credit")}
		name = q.Get("filename")
		if name == "" {
			if _, params, err := mime.ParseMediaType(r.Header.Get("Content-Disposition")); err == nil {
				name = params["filename"]
			}
		}
		if name == "" {
			name = "image"
		}
		// Reading past the limit fails with a MaxBytesError, which is 413.
		body = http.MaxBytesReader(w, r.Body, max)
	default:
		return &apiError{Status: http.StatusUnsupportedMediaType,
			Message: "Send the image as multipart/form-data (field “file”) or as the body with its image Content-Type, such as image/jpeg."}
	}
	item, err := d.svc.Upload(r.Context(), actor, name, body, text)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooBig
	}
	if err != nil {
		return err
	}
	w.Header().Set("Location", apiPrefix+"/media/"+itoa(item.ID))
	return writeJSON(w, http.StatusCreated, mediaJSON(item))
}

// apiMediaPatch changes an image's alt text, caption or credit; fields
// left out keep their value.
func (d *Desk) apiMediaPatch(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error {
	id, err := apiID(r)
	if err != nil {
		return err
	}
	var body struct {
		Alt     *string `json:"alt"`
		Caption *string `json:"caption"`
		Credit  *string `json:"credit"`
	}
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	m, err := d.svc.MediaItem(r.Context(), actor, id)
	if err != nil {
		return err
	}
	text := editorial.MediaText{Alt: m.Alt, Caption: m.Caption, Credit: m.Credit}
	if body.Alt != nil {
		text.Alt = *body.Alt
	}
	if body.Caption != nil {
		text.Caption = *body.Caption
	}
	if body.Credit != nil {
		text.Credit = *body.Credit
	}
	if m, err = d.svc.UpdateMediaText(r.Context(), actor, id, text); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, mediaJSON(m))
}
