package desk

import (
	"net/http"
	"strings"

	"masthead/internal/editorial"
	"masthead/internal/topics"
)

type topicEditView struct {
	Entry   topics.Entry
	In      editorial.TopicEntryInput
	Addable []topics.Kind
	Rules   []string
	Errors  editorial.FieldErrors
}

// topicEdit shows the form of one gazetteer entry.
func (d *Desk) topicEdit(w http.ResponseWriter, r *http.Request, req *request) error {
	e, err := d.svc.GazetteerEntry(r.Context(), req.actor, r.PathValue("slug"))
	if err != nil {
		return err
	}
	in := editorial.TopicEntryInput{Name: e.Name, Kind: e.Kind, Aliases: strings.Join(topics.FormatAliases(e.Aliases), "\n")}
	return d.renderTopic(w, r, req, topicEditView{Entry: e, In: in}, http.StatusOK)
}

func (d *Desk) renderTopic(w http.ResponseWriter, r *http.Request, req *request, v topicEditView, status int) error {
	v.Addable, v.Rules = editorial.AddableTopicKinds(), topics.RuleNames()
	return d.render(w, r, req, status, "topic_edit", v.Entry.Name, v)
}
