package desk

import (
	"net/http"
	"strings"

	"masthead/internal/editorial"
	"masthead/internal/topics"
)

type topicListView struct {
	Entries  []topicRow
	Filter   editorial.TopicEntryFilter
	Kinds    []topics.Kind
	Addable  []topics.Kind
	Regions  []string
	New      editorial.TopicEntryInput
	Errors   editorial.FieldErrors
	Filtered bool
}

type topicRow struct {
	topics.Entry
	Aliases string // as the list shows them
}

// topicList shows the gazetteer by region, with a search, and the form to
// add a person, armed group or organisation.
func (d *Desk) topicList(w http.ResponseWriter, r *http.Request, req *request) error {
	return d.renderTopics(w, r, req, topicListView{New: editorial.TopicEntryInput{Kind: topics.KindPerson}}, http.StatusOK)
}

func (d *Desk) renderTopics(w http.ResponseWriter, r *http.Request, req *request, v topicListView, status int) error {
	q := r.URL.Query()
	v.Filter = editorial.TopicEntryFilter{Query: q.Get("q"), Kind: topics.Kind(q.Get("kind")), Region: q.Get("region")}
	v.Filtered = v.Filter != (editorial.TopicEntryFilter{})
	entries, err := d.svc.GazetteerEntries(r.Context(), req.actor, v.Filter)
	if err != nil {
		return err
	}
	for _, e := range entries {
		v.Entries = append(v.Entries, topicRow{Entry: e, Aliases: aliasSummary(e.Aliases)})
	}
	v.Kinds, v.Addable, v.Regions = topics.Kinds(), editorial.AddableTopicKinds(), topics.Regions()
	return d.render(w, r, req, status, "topic_list", "Topics", v)
}

// aliasSummary lists the alias texts, shortened for a table cell.
func aliasSummary(as []topics.Alias) string {
	texts := make([]string, 0, len(as))
	n := 0
	for _, a := range as {
		if n += len(a.Text) + 2; n > 160 {
			texts = append(texts, "…")
			break
		}
		texts = append(texts, a.Text)
	}
	return strings.Join(texts, ", ")
}
