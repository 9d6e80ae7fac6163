package desk

import (
	"context"

	"masthead/internal/content"
	"masthead/internal/editorial"
	"masthead/internal/store"
)

// mayEmailArticle checks, before anything is published, that the actor
// may also email the article to subscribers.
func (d *Desk) mayEmailArticle(req *request) error {
	if !editorial.AtLeast(req.actor.Role, store.RoleEditor) {
		return &editorial.Refusal{Reason: editorial.ErrForbidden, Message: "Only editors can email an article to subscribers."}
	}
	if d.news == nil {
		return &editorial.Refusal{Reason: editorial.ErrConflict, Message: "The newsletter is not set up, so the article cannot be emailed."}
	}
	return nil
}

// emailArticle sends a post that was just published to the subscribers
// of every new article. The post stays published whatever happens here;
// a failure is told to the editor in the editor, and its cause logged.
func (d *Desk) emailArticle(ctx context.Context, req *request, p content.Post) error {
	is, err := d.news.SendArticle(ctx, p.ID)
	if err == nil {
		d.audit(ctx, req, "newsletter.send", issueTarget(is.ID), "article: "+p.Title)
		return nil
	}
	msg, ok := userMessage(err)
	if !ok {
		d.log.ErrorContext(ctx, "desk: email article", "post", p.ID, "err", err)
		msg = "Something went wrong on our side; the problem has been logged."
	}
	return &editorial.Refusal{Reason: editorial.ErrConflict,
		Message: "Published. It is on the site now, but it was not emailed to subscribers: " + msg}
}
