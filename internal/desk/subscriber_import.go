package desk

import (
	"errors"
	"fmt"
	"net/http"

	"masthead/internal/newsletter"
)

type importView struct {
	Report   newsletter.ImportReport
	FileName string
}

// subscriberImport adds the subscribers of an uploaded CSV file and shows
// what became of every row.
func (d *Desk) subscriberImport(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	f, fh, err := r.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return redirect(w, r, "/desk/subscribers", "error", "Choose a CSV file to import.")
	}
	if err != nil {
		return fmt.Errorf("desk: import subscribers: %w", err)
	}
	defer f.Close()
	rep, err := d.news.ImportCSV(r.Context(), f)
	if err != nil {
		if msg, ok := userMessage(err); ok {
			return redirect(w, r, "/desk/subscribers", "error", fh.Filename+": "+msg)
		}
		return err
	}
	d.audit(r.Context(), req, "subscribers.import", fh.Filename,
		fmt.Sprintf("%d rows, %d added, %d duplicates, %d left out", rep.Rows, rep.Added, rep.Duplicates, len(rep.Problems)))
	return d.render(w, r, req, http.StatusOK, "subscriber_import", "Import of "+fh.Filename, importView{Report: rep, FileName: fh.Filename})
}
