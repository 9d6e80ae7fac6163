package desk

import (
	"net/http"

	"masthead/internal/editorial"
	"masthead/internal/topics"
)

// topicAdd adds a person, armed group, organisation or other actor to the
// gazetteer.
func (d *Desk) topicAdd(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := d.parseForm(w, r); err != nil {
		return err
	}
	in := topicInputFrom(r)
	e, err := d.svc.AddTopicEntry(r.Context(), req.actor, in)
	if err != nil {
		fe, _, ferr := formErrors(err)
		if ferr != nil || fe == nil {
			return err
		}
		return d.renderTopics(w, r, req, topicListView{New: in, Errors: fe}, http.StatusUnprocessableEntity)
	}
	return redirect(w, r, "/desk/topics/"+e.Slug, "ok", "“"+e.Name+"” added to the topics.")
}

func topicInputFrom(r *http.Request) editorial.TopicEntryInput {
	return editorial.TopicEntryInput{Name: r.PostFormValue("name"), Kind: topics.Kind(r.PostFormValue("kind")),
		Aliases: r.PostFormValue("aliases")}
}
