package desk

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"masthead/internal/editorial"
)

type autosaveAnswer struct {
	OK      bool                  `json:"ok"`
	Saved   string                `json:"saved,omitempty"` // the time, for "Saved at 10:42"
	Errors  editorial.FieldErrors `json:"errors,omitempty"`
	Message string                `json:"message,omitempty"`
}

// postAutosave saves a draft while the writer types, for the editor's
// script; it answers JSON.
func (d *Desk) postAutosave(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	answer := func(status int, a autosaveAnswer) error {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		return json.NewEncoder(w).Encode(a)
	}
	p, err := d.svc.SavePost(r.Context(), req.actor, id, postInputFrom(r), editorial.SaveOptions{Autosave: true})
	if err != nil {
		var fe editorial.FieldErrors
		var ref *editorial.Refusal
		switch {
		case errors.As(err, &fe):
			return answer(http.StatusUnprocessableEntity, autosaveAnswer{Errors: fe, Message: "Not saved: check the marked fields."})
		case errors.As(err, &ref):
			status := http.StatusConflict
			if errors.Is(err, editorial.ErrForbidden) {
				status = http.StatusForbidden
			}
			return answer(status, autosaveAnswer{Message: ref.Message})
		}
		return err
	}
	loc, err := d.svc.Location(r.Context())
	if err != nil {
		loc = time.UTC
	}
	return answer(http.StatusOK, autosaveAnswer{OK: true, Saved: p.ModifiedAt.In(loc).Format("15:04:05")})
}
