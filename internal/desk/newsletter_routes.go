package desk

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"masthead/internal/editorial"
	"masthead/internal/newsletter"
	"masthead/internal/store"
)

// newsletterRoutes are the round-up and subscriber screens; every one of
// them is for editors and above.
func (d *Desk) newsletterRoutes(mux *http.ServeMux) {
	ed := func(h handlerFunc) http.Handler { return d.handle(signedIn, d.editorsOnly(h)) }
	mux.Handle("GET /desk/newsletter", ed(d.newsletterList))
	mux.Handle("POST /desk/newsletter", ed(d.newsletterCompose))
	mux.Handle("GET /desk/newsletter/{id}", ed(d.newsletterIssue))
	mux.Handle("POST /desk/newsletter/{id}", ed(d.newsletterSave))
	mux.Handle("POST /desk/newsletter/{id}/items", ed(d.newsletterItemAdd))
	mux.Handle("POST /desk/newsletter/{id}/order", ed(d.newsletterOrder))
	mux.Handle("POST /desk/newsletter/{id}/items/{post}/remove", ed(d.newsletterItemRemove))
	mux.Handle("POST /desk/newsletter/{id}/items/{post}/move", ed(d.newsletterItemMove))
	mux.Handle("POST /desk/newsletter/{id}/sections/{index}/move", ed(d.newsletterSectionMove))
	mux.Handle("GET /desk/newsletter/{id}/preview.html", ed(d.newsletterPreviewHTML))
	mux.Handle("GET /desk/newsletter/{id}/preview.txt", ed(d.newsletterPreviewText))
	mux.Handle("POST /desk/newsletter/{id}/test", ed(d.newsletterSendTest))
	mux.Handle("GET /desk/newsletter/{id}/send", ed(d.newsletterSendConfirm))
	mux.Handle("POST /desk/newsletter/{id}/send", ed(d.newsletterSend))
	mux.Handle("POST /desk/newsletter/{id}/schedule", ed(d.newsletterSchedule))
	mux.Handle("POST /desk/newsletter/{id}/unschedule", ed(d.newsletterUnschedule))
	mux.Handle("POST /desk/newsletter/{id}/pause", ed(d.newsletterPause))
	mux.Handle("POST /desk/newsletter/{id}/resume", ed(d.newsletterResume))
	mux.Handle("POST /desk/newsletter/{id}/cancel", ed(d.newsletterCancel))
	mux.Handle("POST /desk/newsletter/{id}/delete", ed(d.newsletterDelete))
	mux.Handle("GET /desk/newsletter/{id}/progress", ed(d.newsletterProgress))

	mux.Handle("GET /desk/subscribers", ed(d.subscriberList))
	mux.Handle("GET /desk/subscribers/export.csv", ed(d.subscriberExport))
	mux.Handle("POST /desk/subscribers/import", ed(d.subscriberImport))
	mux.Handle("GET /desk/subscribers/{id}", ed(d.subscriberPage))
	mux.Handle("POST /desk/subscribers/{id}/erase", ed(d.subscriberErase))
}

// editorsOnly refuses the newsletter screens to writers below editor:
// sending to every subscriber and reading their addresses is the
// editors' business.
func (d *Desk) editorsOnly(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, req *request) error {
		if !editorial.AtLeast(req.actor.Role, store.RoleEditor) {
			return &editorial.Refusal{Reason: editorial.ErrForbidden, Message: "Only editors can work on the newsletter and its subscribers."}
		}
		if d.news == nil {
			return &editorial.Refusal{Reason: editorial.ErrNotFound, Message: "The newsletter is not set up on this installation."}
		}
		return h(w, r, req)
	}
}

func issueURL(id int64) string { return "/desk/newsletter/" + strconv.FormatInt(id, 10) }

// userMessage returns the message of a refusal meant for the editor, and
// false for a failure of the system.
func userMessage(err error) (string, bool) {
	var ue *newsletter.UserError
	var fe editorial.FieldErrors
	var ref *editorial.Refusal
	switch {
	case errors.As(err, &ue):
		return sentence(ue.UserMessage()), true
	case errors.As(err, &fe):
		var msgs []string
		for _, m := range fe {
			msgs = append(msgs, m)
		}
		return strings.Join(msgs, " "), true
	case errors.As(err, &ref) && !errors.Is(err, editorial.ErrNotFound):
		return ref.Message, true
	}
	return "", false
}

// sentence ends a message with a full stop.
func sentence(s string) string {
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "!") {
		return s
	}
	return s + "."
}

// newsletterError turns a newsletter error into what the desk answers: a
// missing issue or subscriber is not found, a refusal keeps its message,
// anything else is a failure for the log.
func newsletterError(err error, what string) error {
	if errors.Is(err, store.ErrNotFound) {
		return &editorial.Refusal{Reason: editorial.ErrNotFound, Message: what + " does not exist."}
	}
	if msg, ok := userMessage(err); ok {
		return &editorial.Refusal{Reason: editorial.ErrConflict, Message: msg}
	}
	return err
}

// issueAction runs one button of the issue screen and returns to the
// screen with what happened: the editor's mistakes as a message there, a
// missing issue as not found.
func (d *Desk) issueAction(w http.ResponseWriter, r *http.Request, req *request,
	do func(ctx context.Context, id int64) (string, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	ok, err := do(r.Context(), id)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return newsletterError(err, "The issue")
		}
		if msg, isUser := userMessage(err); isUser {
			return redirect(w, r, issueURL(id), "error", msg)
		}
		return err
	}
	return redirect(w, r, issueURL(id), "ok", ok)
}

// audit records a newsletter action in the desk's audit log.
func (d *Desk) audit(ctx context.Context, req *request, action, target, detail string) {
	d.svc.RecordAudit(ctx, req.actor, action, target, detail)
}

func issueTarget(id int64) string { return "newsletter issue " + strconv.FormatInt(id, 10) }
