package desk

import (
	"net/http"

	"masthead/internal/store"
)

// subscriberPage shows what the list holds about one subscriber, with the
// button that erases it.
func (d *Desk) subscriberPage(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	sub, err := d.news.Subscriber(r.Context(), id)
	if err != nil {
		return newsletterError(err, "The subscriber")
	}
	return d.render(w, r, req, http.StatusOK, "subscriber", sub.Email, struct{ Sub store.Subscriber }{sub})
}
