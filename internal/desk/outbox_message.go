package desk

import "net/http"

// outboxMessage shows one stored email as text.
func (d *Desk) outboxMessage(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := d.svc.OutboxMessage(r.Context(), req.actor, id)
	if err != nil {
		return err
	}
	return d.render(w, r, req, http.StatusOK, "outbox_message", m.Subject, m)
}
