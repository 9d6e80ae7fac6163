package desk

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"masthead/internal/newsletter"
	"masthead/internal/store"
)

// progressView is how far a send has come, as the progress bar and its
// JSON show it.
type progressView struct {
	Status      string  `json:"status"`
	PauseReason string  `json:"pause_reason,omitempty"`
	Total       int     `json:"total"`
	Sent        int     `json:"sent"`
	Failed      int     `json:"failed"`
	Skipped     int     `json:"skipped"`
	Remaining   int     `json:"remaining"`
	Done        int     `json:"done"`    // sent, failed or skipped
	Percent     int     `json:"percent"` // of Done in Total, rounded down
	Rate        float64 `json:"rate"`    // messages per second lately
	RateText    string  `json:"rate_text"`
	ETASeconds  int     `json:"eta_seconds"`
	ETAText     string  `json:"eta_text"`
}

func newProgressView(p newsletter.Progress) progressView {
	v := progressView{Status: string(p.Status), PauseReason: p.PauseReason, Total: p.Total, Sent: p.Sent, Failed: p.Failed,
		Skipped: p.Skipped, Remaining: p.Remaining, Rate: p.Rate, ETASeconds: int(p.ETA.Seconds())}
	v.Done = p.Sent + p.Failed + p.Skipped
	switch {
	case p.Total > 0:
		v.Percent = v.Done * 100 / p.Total
	case p.Status == store.IssueSent:
		v.Percent = 100 // sent to nobody: done all the same
	}
	v.RateText = "—"
	if p.Rate > 0 {
		v.RateText = fmt.Sprintf("%.1f per second", p.Rate)
	}
	switch {
	case p.Remaining == 0:
		v.ETAText = "none"
	case p.ETA > 0:
		v.ETAText = roughDuration(p.ETA)
	default:
		v.ETAText = "unknown"
	}
	return v
}

// roughDuration says a wait the way people do: "about 3 minutes".
func roughDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d seconds", max(1, int(d.Seconds())))
	case d < time.Hour:
		m := int(d.Round(time.Minute).Minutes())
		if m == 1 {
			return "about a minute"
		}
		return fmt.Sprintf("about %d minutes", m)
	}
	h, m := int(d.Hours()), int(d.Round(time.Minute).Minutes())%60
	return fmt.Sprintf("about %d h %02d min", h, m)
}

// newsletterProgress answers the progress bar's polling with the numbers
// the issue screen shows.
func (d *Desk) newsletterProgress(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := d.news.Progress(r.Context(), id)
	if err != nil {
		return newsletterError(err, "The issue")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	return json.NewEncoder(w).Encode(newProgressView(p))
}
