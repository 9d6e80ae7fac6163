package desk

import (
	"net/http"
	"strconv"
)

// subscriberErase deletes a subscriber and the record of what was sent to
// them, when they ask for their personal data to be removed. The audit
// log keeps that it happened, not the address.
func (d *Desk) subscriberErase(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	if _, err := d.news.Subscriber(r.Context(), id); err != nil {
		return newsletterError(err, "The subscriber")
	}
	if err := d.news.EraseSubscriber(r.Context(), id); err != nil {
		return newsletterError(err, "The subscriber")
	}
	d.audit(r.Context(), req, "subscriber.erase", "subscriber "+strconv.FormatInt(id, 10), "")
	return redirect(w, r, "/desk/subscribers", "ok", "The subscriber and everything recorded about them were erased.")
}
