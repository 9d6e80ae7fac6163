package desk

import (
	"net/http"
	"strconv"

	"masthead/internal/store"
)

type auditView struct {
	Log     store.AuditPage
	PrevURL string
	NextURL string
}

const auditPerPage = 100

// auditLog shows who did what and when; admins only.
func (d *Desk) auditLog(w http.ResponseWriter, r *http.Request, req *request) error {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	log, err := d.svc.AuditLog(r.Context(), req.actor, store.AuditFilter{Limit: auditPerPage, Offset: (page - 1) * auditPerPage})
	if err != nil {
		return err
	}
	v := auditView{Log: log}
	if page > 1 {
		v.PrevURL = "/desk/audit?page=" + strconv.Itoa(page-1)
	}
	if page*auditPerPage < log.Total {
		v.NextURL = "/desk/audit?page=" + strconv.Itoa(page+1)
	}
	return d.render(w, r, req, http.StatusOK, "audit", "Audit log", v)
}
