package desk

import (
	"net/http"

	"masthead/internal/store"
)

type outboxView struct {
	Page store.OutboxPage
}

// outbox lists the emails the desk has sent, so that until mail delivery
// is set up an administrator can pass an invitation link on by hand.
func (d *Desk) outbox(w http.ResponseWriter, r *http.Request, req *request) error {
	page, err := d.svc.Outbox(r.Context(), req.actor, store.OutboxFilter{Limit: 100})
	if err != nil {
		return err
	}
	return d.render(w, r, req, http.StatusOK, "outbox", "Outbox", outboxView{Page: page})
}
