package desk

import (
	"errors"
	"net/http"
	"strings"

	"masthead/internal/editorial"
)

// maxFormBytes bounds a form without files.
const maxFormBytes = 4 << 20

// parseForm reads a url-encoded or multipart form of bounded size; files
// are allowed up to the upload limit.
func (d *Desk) parseForm(w http.ResponseWriter, r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		r.Body = http.MaxBytesReader(w, r.Body, d.svc.MaxUploadBytes()+maxFormBytes)
		return r.ParseMultipartForm(8 << 20)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	return r.ParseForm()
}

// formErrors splits a service error into the messages a form shows: by
// field, or one for the whole form. Other errors come back to be handled
// as failures.
func formErrors(err error) (editorial.FieldErrors, string, error) {
	var fe editorial.FieldErrors
	if errors.As(err, &fe) {
		return fe, "", nil
	}
	var ref *editorial.Refusal
	if errors.As(err, &ref) && !errors.Is(err, editorial.ErrForbidden) && !errors.Is(err, editorial.ErrNotFound) {
		return nil, ref.Message, nil
	}
	return nil, "", err
}

// safeNext keeps a post-sign-in redirect inside the desk.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/desk/") && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return "/desk/home"
}
