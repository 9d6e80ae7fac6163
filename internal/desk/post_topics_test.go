package desk_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"masthead/internal/editorial"
	"masthead/internal/store"
)

// topicsBox reads the editor's topics section: for each topic shown, the
// list it is in (chips, topic-suggestions or rejected) and the decisions
// its buttons offer.
func topicsBox(t *testing.T, body string) map[string]string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	attr := func(n *html.Node, key string) string {
		for _, a := range n.Attr {
			if a.Key == key {
				return a.Val
			}
		}
		return ""
	}
	out := map[string]string{}
	var walk func(n *html.Node, list string, inTopics bool)
	walk = func(n *html.Node, list string, inTopics bool) {
		if n.Type == html.ElementNode {
			if attr(n, "id") == "topics" {
				inTopics = true
			}
			if cls := attr(n, "class"); n.Data == "ul" && cls != "" {
				list = cls
			}
			if n.Data == "details" {
				list = "rejected"
			}
			if slug := attr(n, "data-topic"); slug != "" && inTopics {
				var buttons []string
				var find func(*html.Node)
				find = func(c *html.Node) {
					if c.Type == html.ElementNode && c.Data == "button" {
						buttons = append(buttons, attr(c, "value"))
					}
					for k := c.FirstChild; k != nil; k = k.NextSibling {
						find(k)
					}
				}
				find(n)
				out[slug] = list + ":" + strings.Join(buttons, ",")
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, list, inTopics)
		}
	}
	walk(doc, "", false)
	return out
}

func TestEditorTopicSuggestionsAcceptRejectRemove(t *testing.T) {
	t.Parallel()
	r := newRig(t, 0)
	ed, _ := r.signIn("editor@example.org", store.RoleEditor)
	writer, _ := r.signIn("writer@example.org", store.RoleAuthor)

	// Saving the article through the editor form finds its topics.
	p := writer.post("/desk/posts", url.Values{"title": {"Tehran and the IAEA"},
		"body": {"Iran's envoy met NATO officials. Iran said the Iranian talks would go on.\n"}})
	m := idRE.FindStringSubmatch(p.location)
	if p.status != http.StatusSeeOther || m == nil {
		t.Fatalf("create: %d %s\n%.2000s", p.status, p.location, p.body)
	}
	edit := "/desk/posts/" + m[1]

	// A writer sees the suggestions but no buttons; the editor gets them.
	page := writer.get(edit)
	box := topicsBox(t, page.body)
	if box["iran"] != "topic-suggestions:" || !strings.Contains(page.body, "Editors accept and reject topics") {
		t.Errorf("writer's view of the topics: %v", box)
	}
	page = ed.get(edit)
	box = topicsBox(t, page.body)
	for _, slug := range []string{"iran", "nato", "iaea"} {
		if box[slug] != "topic-suggestions:accept,reject" {
			t.Errorf("editor's view of %q: %q (all %v)", slug, box[slug], box)
		}
	}
	if !strings.Contains(page.body, "4 mentions") {
		t.Errorf("the count of Iran's mentions is not shown:\n%.3000s", page.body)
	}

	// A writer's decision is refused and changes nothing.
	if p := writer.post(edit+"/topics", url.Values{"topic": {"iran"}, "decision": {"accept"}}); p.status != http.StatusForbidden {
		t.Errorf("writer accepting: %d", p.status)
	}
	// A request from another site is refused.
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+edit+"/topics", strings.NewReader("topic=iran&decision=accept"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if p := ed.do(req); p.status != http.StatusForbidden {
		t.Errorf("cross-site accept: %d", p.status)
	}

	for _, d := range []struct{ topic, decision string }{{"iran", "accept"}, {"nato", "reject"}, {"iaea", "accept"}} {
		p := ed.post(edit+"/topics", url.Values{"topic": {d.topic}, "decision": {d.decision}})
		if p.status != http.StatusSeeOther || p.location != edit+"#topics" {
			t.Fatalf("%s %s: %d %s", d.decision, d.topic, p.status, p.location)
		}
	}
	box = topicsBox(t, ed.get(edit).body)
	want := map[string]string{"iran": "chips:remove", "iaea": "chips:remove", "nato": "rejected:remove"}
	for k, v := range want {
		if box[k] != v {
			t.Errorf("after deciding, %q is %q, want %q (all %v)", k, box[k], v, box)
		}
	}
	// A topic the text does not name is added from the list, which offers
	// only topics the post does not have.
	page = ed.get(edit)
	if !strings.Contains(page.body, `<option value="france">France</option>`) || strings.Contains(page.body, `<option value="iran">`) {
		t.Errorf("the list of topics to add is wrong")
	}
	if p := ed.post(edit+"/topics", url.Values{"topic": {"france"}, "decision": {"accept"}}); p.status != http.StatusSeeOther {
		t.Fatalf("add france: %d", p.status)
	}
	if box = topicsBox(t, ed.get(edit).body); box["france"] != "chips:remove" {
		t.Errorf("after adding France: %q", box["france"])
	}
	// Removing a chip makes the topic a suggestion again.
	ed.post(edit+"/topics", url.Values{"topic": {"iaea"}, "decision": {"remove"}})
	if box = topicsBox(t, ed.get(edit).body); box["iaea"] != "topic-suggestions:accept,reject" {
		t.Errorf("after removing: %q", box["iaea"])
	}

	// Bad input: an unknown topic or decision comes back as a message.
	for _, form := range []url.Values{{"topic": {"atlantis"}, "decision": {"accept"}}, {"topic": {"iran"}, "decision": {"maybe"}}} {
		p := ed.post(edit+"/topics", form)
		if p.status != http.StatusSeeOther {
			t.Fatalf("bad decision %v: %d", form, p.status)
		}
		if got := ed.follow(p); !strings.Contains(got.body, "flash-error") {
			t.Errorf("bad decision %v shows no error", form)
		}
	}
	if p := ed.post("/desk/posts/99999/topics", url.Values{"topic": {"iran"}, "decision": {"accept"}}); p.status != http.StatusNotFound {
		t.Errorf("missing post: %d", p.status)
	}
	got, err := r.st.PostTopics(r.ctx, editorial.ParseID(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]store.PostTopicStatus{}
	for _, tp := range got {
		status[tp.Topic] = tp.Status
	}
	if status["iran"] != store.TopicAccepted || status["nato"] != store.TopicRejected || status["iaea"] != store.TopicSuggested {
		t.Errorf("stored: %+v", got)
	}
}
