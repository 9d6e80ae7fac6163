package desk

import (
	"errors"
	"net/http"

	"masthead/internal/editorial"
	"masthead/internal/store"
)

// topicDecisions maps the editor's buttons to a topic's new state:
// removing an accepted topic or restoring a rejected one makes it a
// suggestion again.
var topicDecisions = map[string]store.PostTopicStatus{
	"accept": store.TopicAccepted,
	"reject": store.TopicRejected,
	"remove": store.TopicSuggested,
}

// postTopicDecide accepts, rejects or removes one topic of a post.
func (d *Desk) postTopicDecide(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	status, ok := topicDecisions[r.PostFormValue("decision")]
	if !ok {
		return redirect(w, r, editURL(id)+"#topics", "error", "Choose to accept, reject or remove the topic.")
	}
	err = d.svc.DecidePostTopic(r.Context(), req.actor, id, r.PostFormValue("topic"), status)
	var ref *editorial.Refusal
	if errors.As(err, &ref) && errors.Is(err, editorial.ErrInvalid) {
		return redirect(w, r, editURL(id)+"#topics", "error", ref.Message)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, editURL(id)+"#topics", "", "")
}
