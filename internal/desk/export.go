package desk

import (
	"fmt"
	"net/http"
	"time"

	"masthead/internal/content"
	"masthead/internal/editorial"
	"masthead/internal/exporter"
)

// exportDownload streams the whole publication as a zip file of the
// export format, which `masthead import` reads once unpacked. Admins only:
// it holds every draft and the subscribers' addresses.
func (d *Desk) exportDownload(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := editorial.Can(req.actor.Account, editorial.SettingsEdit, editorial.Target{}); err != nil {
		return err
	}
	if d.media == nil {
		return &editorial.Refusal{Reason: editorial.ErrNotFound, Message: "Exporting is not available on this server; use masthead export on the command line."}
	}
	ctx := r.Context()
	ss, err := d.svc.Settings(ctx)
	if err != nil {
		return err
	}
	base := content.Slugify(ss.Name)
	if base == "" {
		base = "masthead"
	}
	folder := fmt.Sprintf("%s-export-%s", base, time.Now().UTC().Format("2006-01-02"))
	d.svc.RecordAudit(ctx, req.actor, "site.export", "", "")

	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.zip"`, folder))
	sw := &startedWriter{w: w}
	_, err = exporter.WriteZip(ctx, d.svc.Store(), d.media, sw, folder, exporter.Options{BaseURL: d.baseURL})
	if err == nil {
		return nil
	}
	if !sw.started {
		h.Del("Content-Type")
		h.Del("Content-Disposition")
		return err
	}
	// Half a zip file is already on its way: cutting the connection makes
	// the browser report a failed download rather than keep a broken file.
	d.log.ErrorContext(ctx, "desk: export failed while streaming", "err", err)
	panic(http.ErrAbortHandler)
}

// startedWriter notes whether anything was written, after which the status
// can no longer change.
type startedWriter struct {
	w       http.ResponseWriter
	started bool
}

func (s *startedWriter) Write(p []byte) (int, error) {
	s.started = true
	return s.w.Write(p)
}
