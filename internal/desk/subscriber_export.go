package desk

import (
	"bufio"
	"net/http"
	"time"

	"masthead/internal/store"
)

// subscriberExport downloads the subscribers, all or those in one state,
// as CSV with their consent.
func (d *Desk) subscriberExport(w http.ResponseWriter, r *http.Request, req *request) error {
	status := store.SubscriberStatus(r.URL.Query().Get("status"))
	if status != "" && !status.Valid() {
		return errPageNotFound
	}
	name := "subscribers"
	if status != "" {
		name += "-" + string(status)
	}
	name += "-" + time.Now().UTC().Format("2006-01-02") + ".csv"
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := d.news.ExportCSV(r.Context(), bw, status); err != nil {
		// The download has begun; the log keeps the reason and the
		// browser sees a cut-off file rather than a page in its place.
		d.log.ErrorContext(r.Context(), "desk: subscriber export", "err", err)
		return nil
	}
	if err := bw.Flush(); err != nil {
		return nil // the browser went away
	}
	d.audit(r.Context(), req, "subscribers.export", "subscribers", string(status))
	return nil
}
