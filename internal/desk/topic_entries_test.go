package desk_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"masthead/internal/store"
)

func TestTopicsScreen(t *testing.T) {
	t.Parallel()
	r := newRig(t, 0)
	ed, _ := r.signIn("editor@example.org", store.RoleEditor)

	// The list by region, searchable by name, alias and kind.
	p := ed.get("/desk/topics")
	if p.status != http.StatusOK || !strings.Contains(p.body, `href="/desk/topics/iran"`) || !strings.Contains(p.body, `href="/desk/topics"`) {
		t.Fatalf("list: %d\n%.1500s", p.status, p.body)
	}
	p = ed.get("/desk/topics?q=tehran")
	if !strings.Contains(p.body, `href="/desk/topics/iran"`) || strings.Contains(p.body, `href="/desk/topics/france"`) {
		t.Errorf("search by alias: %.3000s", p.body)
	}
	p = ed.get("/desk/topics?kind=organisation")
	if !strings.Contains(p.body, `href="/desk/topics/nato"`) || strings.Contains(p.body, `href="/desk/topics/iran"`) {
		t.Error("filter by kind")
	}
	p = ed.get("/desk/topics?region=Europe")
	if !strings.Contains(p.body, `href="/desk/topics/france"`) || strings.Contains(p.body, `href="/desk/topics/iran"`) {
		t.Error("filter by region")
	}

	// Adding a person with aliases.
	p = ed.post("/desk/topics", url.Values{"name": {"Abbas Araghchi"}, "kind": {"person"}, "aliases": {"Araghchi\n\nAraqchi"}})
	if p.status != http.StatusSeeOther || p.location != "/desk/topics/abbas-araghchi" {
		t.Fatalf("add: %d %s\n%.2000s", p.status, p.location, p.body)
	}
	p = ed.get("/desk/topics/abbas-araghchi")
	if p.status != http.StatusOK || !strings.Contains(p.body, "Araghchi\nAraqchi</textarea>") {
		t.Fatalf("edit form: %d\n%.2000s", p.status, p.body)
	}

	// Refusals are shown at their field and lose nothing typed.
	for _, c := range []struct {
		name, form, field, want string
		in                      url.Values
	}{
		{"duplicate alias", "/desk/topics", "new-aliases", "already points to Iran",
			url.Values{"name": {"Ali Khamenei"}, "kind": {"person"}, "aliases": {"Khamenei\nTehran"}}},
		{"alias is another entry's name", "/desk/topics", "new-aliases", "is the name of France",
			url.Values{"name": {"Emmanuel Macron"}, "kind": {"person"}, "aliases": {"France"}}},
		{"name is another entry's alias", "/desk/topics", "new-name", "already an alias of Iran",
			url.Values{"name": {"Persia"}, "kind": {"other"}, "aliases": {""}}},
		{"kind of a country", "/desk/topics", "new-kind", "Choose a person",
			url.Values{"name": {"Atlantis"}, "kind": {"country"}}},
		{"bad alias notation", "/desk/topics", "new-aliases", "line 2",
			url.Values{"name": {"Hezbollah"}, "kind": {"group"}, "aliases": {"Hizbullah\nHezbollah~2"}}},
		{"edit built-in alias into a loop", "/desk/topics/nato", "aliases", "is the name of Iran",
			url.Values{"aliases": {"North Atlantic Treaty Organization\nIran"}}},
		{"edit custom alias taken", "/desk/topics/abbas-araghchi", "aliases", "already points to Iran",
			url.Values{"name": {"Abbas Araghchi"}, "kind": {"person"}, "aliases": {"Araghchi\nIranian"}}},
	} {
		p := ed.post(c.form, c.in)
		msg := html.UnescapeString(fieldError(p.body, c.field))
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(msg, c.want) {
			t.Errorf("%s: %d, field %s says %q, want %q", c.name, p.status, c.field, msg, c.want)
			continue
		}
		if a := c.in.Get("aliases"); a != "" && !strings.Contains(html.UnescapeString(p.body), a+"</textarea>") {
			t.Errorf("%s: the aliases typed are lost", c.name)
		}
	}
	if entries, err := r.st.TopicEntries(r.ctx); err != nil || len(entries) != 1 {
		t.Errorf("refused edits were stored: %+v, %v", entries, err)
	}

	// Editing a built-in entry's aliases keeps its name and region.
	p = ed.post("/desk/topics/nato", url.Values{"name": {"Something else"}, "kind": {"person"},
		"aliases": {"North Atlantic Treaty Organization\nAtlantic Alliance"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("save built-in: %d\n%.2000s", p.status, p.body)
	}
	p = ed.get("/desk/topics?q=atlantic+alliance")
	if !strings.Contains(p.body, `href="/desk/topics/nato">NATO</a>`) {
		t.Errorf("edited alias not found:\n%.3000s", p.body)
	}
	// Built-in entries cannot be removed; custom ones can.
	p = ed.post("/desk/topics/nato/remove", nil)
	if p.status != http.StatusSeeOther || p.location != "/desk/topics/nato" {
		t.Errorf("remove built-in: %d %s", p.status, p.location)
	}
	if p = ed.get("/desk/topics/nato"); p.status != http.StatusOK {
		t.Errorf("NATO gone after a refused removal: %d", p.status)
	}
	p = ed.post("/desk/topics/abbas-araghchi/remove", nil)
	if p.status != http.StatusSeeOther || p.location != "/desk/topics" {
		t.Fatalf("remove: %d %s", p.status, p.location)
	}
	if p = ed.get("/desk/topics/abbas-araghchi"); p.status != http.StatusNotFound {
		t.Errorf("removed entry: %d", p.status)
	}

	// Only editors manage topics.
	writer, _ := r.signIn("writer@example.org", store.RoleAuthor)
	if p := writer.get("/desk/topics"); p.status != http.StatusForbidden {
		t.Errorf("author sees the topics: %d", p.status)
	}
	if p := writer.post("/desk/topics", url.Values{"name": {"Someone"}, "kind": {"person"}}); p.status != http.StatusForbidden {
		t.Errorf("author adds a topic: %d", p.status)
	}
}
