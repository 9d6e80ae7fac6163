package desk

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"masthead/internal/editorial"
	"masthead/internal/importer"
	"masthead/internal/store"
)

// archiveImportView is one import as the import screens show it.
type archiveImportView struct {
	store.Import
	Progress archiveProgressView
	Report   *importer.Report // nil until done
	Problems []string         // the lines of Error
}

// archiveImportsView is the import screen: the upload form and the latest
// imports.
type archiveImportsView struct {
	Available bool
	MaxMB     int
	Recent    []store.Import
}

// canImport admits admins only: an import can replace any article.
func canImport(req *request) error {
	return editorial.Can(req.actor.Account, editorial.SettingsEdit, editorial.Target{})
}

// importPage shows the upload form and the latest imports.
func (d *Desk) importPage(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := canImport(req); err != nil {
		return err
	}
	recent, err := d.svc.Store().RecentImports(r.Context(), 10)
	if err != nil {
		return err
	}
	return d.render(w, r, req, http.StatusOK, "import", "Import", archiveImportsView{
		Available: d.media != nil, MaxMB: maxImportUpload >> 20, Recent: recent})
}

// importStatus shows one import: its progress bar while it runs, its
// report when done.
func (d *Desk) importStatus(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := canImport(req); err != nil {
		return err
	}
	v, err := d.archiveImport(r, "id")
	if err != nil {
		return err
	}
	title := "Import of " + v.Filename
	if v.DryRun {
		title = "Dry run of " + v.Filename
	}
	return d.render(w, r, req, http.StatusOK, "import_run", title, v)
}

// importProgressJSON answers the progress bar's polling.
func (d *Desk) importProgressJSON(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := canImport(req); err != nil {
		return err
	}
	v, err := d.archiveImport(r, "id")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	return json.NewEncoder(w).Encode(v.Progress)
}

func (d *Desk) archiveImport(r *http.Request, param string) (archiveImportView, error) {
	id, err := pathID(r, param)
	if err != nil {
		return archiveImportView{}, err
	}
	im, err := d.svc.Store().ImportByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return archiveImportView{}, &editorial.Refusal{Reason: editorial.ErrNotFound, Message: "There is no such import."}
	}
	if err != nil {
		return archiveImportView{}, err
	}
	v := archiveImportView{Import: im}
	if im.Report != "" {
		var rep importer.Report
		if err := json.Unmarshal([]byte(im.Report), &rep); err != nil {
			return v, err
		}
		v.Report = &rep
	}
	if im.Error != "" {
		v.Problems = strings.Split(im.Error, "\n")
	}
	step := importStep{Phase: im.Phase, Done: im.Done, Total: im.Total}
	if live, ok := d.imports.get(im.ID); ok && !im.Status.Finished() {
		step = live
	}
	v.Progress = newArchiveProgressView(im.Status, step)
	return v, nil
}

// archiveProgressView is the JSON the progress bar polls; desk.js reloads
// the page when the status changes.
type archiveProgressView struct {
	Status    string `json:"status"`
	Phase     string `json:"phase"`
	PhaseText string `json:"phase_text"`
	Done      int    `json:"done"`
	Total     int    `json:"total"`
	Percent   int    `json:"percent"`
}

var importPhaseText = map[string]string{
	"":        "Waiting to start",
	"reading": "Reading the file",
	"images":  "Loading images",
	"posts":   "Writing posts",
}

func newArchiveProgressView(status store.ImportStatus, s importStep) archiveProgressView {
	v := archiveProgressView{Status: string(status), Phase: s.Phase, PhaseText: importPhaseText[s.Phase], Done: s.Done, Total: s.Total}
	switch {
	case status.Finished():
		v.Percent, v.PhaseText = 100, "Finished"
		if status == store.ImportFailed {
			v.PhaseText = "Failed"
		}
	case s.Total > 0:
		v.Percent = min(s.Done*100/s.Total, 99)
	}
	return v
}
