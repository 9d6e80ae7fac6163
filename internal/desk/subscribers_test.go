package desk_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"masthead/internal/store"
)

func TestSubscriberSearchFilterAndPages(t *testing.T) {
	t.Parallel()
	n := newNewsRig(t, -1)
	ed, _ := n.signIn("eddie@example.org", store.RoleEditor)
	// 60 imported (confirmed) subscribers and a few in other states.
	var rows []string
	rows = append(rows, "email,name")
	for i := range 60 {
		rows = append(rows, fmt.Sprintf("reader%02d@example.org,Reader %02d", i, i))
	}
	if _, err := n.news.ImportCSV(n.ctx, strings.NewReader(strings.Join(rows, "\n"))); err != nil {
		t.Fatal(err)
	}
	for _, s := range []store.Subscriber{{Email: "pending@example.org", Status: store.SubscriberPending},
		{Email: "gone@example.org", Status: store.SubscriberUnsubscribed}, {Email: "bounced@example.org", Status: store.SubscriberBounced}} {
		if err := n.st.CreateSubscriber(n.ctx, &s); err != nil {
			t.Fatal(err)
		}
	}

	p := ed.get("/desk/subscribers")
	if p.status != http.StatusOK || !strings.Contains(p.body, "63 on the list") || !strings.Contains(p.body, "1–50 of 63") {
		t.Fatalf("first page: %d\n%.3000s", p.status, p.body)
	}
	if strings.Count(p.body, `<a href="/desk/subscribers/`) != 50 || !strings.Contains(p.body, `href="/desk/subscribers?page=2"`) {
		t.Errorf("first page rows or next link wrong")
	}
	p = ed.get("/desk/subscribers?page=2")
	if !strings.Contains(p.body, "51–63 of 63") || strings.Count(p.body, `<a href="/desk/subscribers/`) != 13 {
		t.Errorf("second page: %.3000s", p.body)
	}
	// Search by a part of the address or the name.
	p = ed.get("/desk/subscribers?q=" + url.QueryEscape("READER07"))
	if !strings.Contains(p.body, "reader07@example.org") || strings.Contains(p.body, "reader08@example.org") || !strings.Contains(p.body, "1–1 of 1") {
		t.Errorf("search: %.3000s", p.body)
	}
	p = ed.get("/desk/subscribers?q=" + url.QueryEscape("Reader 1"))
	if !strings.Contains(p.body, "1–10 of 10") {
		t.Errorf("search by name: %.3000s", p.body)
	}
	// Wildcards are searched for as themselves.
	if p = ed.get("/desk/subscribers?q=%25"); !strings.Contains(p.body, "No subscriber matches") {
		t.Errorf("search for %%: %.3000s", p.body)
	}
	// Filter by state, with the counts on the tabs.
	p = ed.get("/desk/subscribers?status=bounced")
	if !strings.Contains(p.body, "bounced@example.org") || strings.Contains(p.body, "reader00@example.org") ||
		!strings.Contains(p.body, `href="/desk/subscribers/export.csv?status=bounced"`) {
		t.Errorf("filter: %.3000s", p.body)
	}
	for _, want := range []string{`confirmed <span class="count">60</span>`, `pending <span class="count">1</span>`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("tabs lack %s", want)
		}
	}
	// An unknown state shows everyone rather than failing.
	if p = ed.get("/desk/subscribers?status=nonsense&page=-4"); p.status != http.StatusOK || !strings.Contains(p.body, "1–50 of 63") {
		t.Errorf("bad filter: %d", p.status)
	}
}

func TestSubscriberImportExportAndErase(t *testing.T) {
	t.Parallel()
	n := newNewsRig(t, -1)
	ed, _ := n.signIn("eddie@example.org", store.RoleEditor)
	n.subscribe("already@example.org", true, false)

	// A file with bad rows: the good ones are added, each bad one shown
	// with its line.
	file := "email,name\nann@example.org,Ann Lee\nnot-an-address,Bob\nALREADY@example.org,\nann@example.org,Ann again\n\ncem@example.org,=SUM(A1)\n"
	p := ed.postMultipart("/desk/subscribers/import", nil, "file", "list.csv", []byte(file))
	if p.status != http.StatusOK {
		t.Fatalf("import: %d\n%.3000s", p.status, p.body)
	}
	for _, want := range []string{"Import of list.csv", "5 rows read: <strong>2 added</strong>, 2 already on the list or repeated in the file, 1 left out",
		"<td>3</td><td><code>not-an-address</code></td><td>not a valid email address</td>"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("import report lacks %q\n%.4000s", want, p.body)
		}
	}
	// Windows-1252 is read as such and said so.
	p = ed.postMultipart("/desk/subscribers/import", nil, "file", "latin.csv", []byte("email,name\ndora@example.org,Dor\xe9e\n"))
	if !strings.Contains(p.body, "read as Windows-1252") || !strings.Contains(p.body, "1 added") {
		t.Errorf("Windows-1252 import: %.3000s", p.body)
	}
	if page, _ := n.news.Subscribers(n.ctx, store.SubscriberFilter{Query: "dora"}); page.Total != 1 || page.Subscribers[0].Name != "Dorée" {
		t.Errorf("Windows-1252 name: %+v", page.Subscribers)
	}
	// A file that is not CSV at all, or no file, loses nothing and says why.
	p = ed.follow(ed.postMultipart("/desk/subscribers/import", nil, "file", "broken.csv", []byte("email\n\"unterminated\n")))
	if !strings.Contains(p.body, "broken.csv: The file is not valid CSV") {
		t.Errorf("broken file: %.3000s", p.body)
	}
	p = ed.follow(ed.postMultipart("/desk/subscribers/import", nil, "", "", nil))
	if !strings.Contains(p.body, "Choose a CSV file to import") {
		t.Errorf("no file: %.3000s", p.body)
	}
	if page, _ := n.news.Subscribers(n.ctx, store.SubscriberFilter{}); page.Total != 4 {
		t.Errorf("%d subscribers after the imports, want 4", page.Total)
	}

	// Export: a CSV download, formula-like values defused.
	p = ed.get("/desk/subscribers/export.csv")
	if p.status != http.StatusOK || !strings.HasPrefix(p.header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(p.header.Get("Content-Disposition"), `attachment; filename="subscribers-`) {
		t.Fatalf("export: %d %q %q", p.status, p.header.Get("Content-Type"), p.header.Get("Content-Disposition"))
	}
	recs, err := csv.NewReader(strings.NewReader(p.body)).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v\n%s", err, p.body)
	}
	if len(recs) != 5 || recs[0][0] != "email" {
		t.Fatalf("export rows: %v", recs)
	}
	var cem []string
	for _, r := range recs {
		if r[0] == "cem@example.org" {
			cem = r
		}
	}
	if cem == nil || cem[1] != `'=SUM(A1)` {
		t.Errorf("formula in the export: %v", cem)
	}
	if p := ed.get("/desk/subscribers/export.csv?status=pending"); strings.Count(strings.TrimSpace(p.body), "\n") != 0 {
		t.Errorf("export of nobody pending: %q", p.body)
	}
	if p := ed.get("/desk/subscribers/export.csv?status=nonsense"); p.status != http.StatusNotFound {
		t.Errorf("export with a bad state: %d", p.status)
	}

	// Erase: the subscriber page asks, the post erases for good.
	page, _ := n.news.Subscribers(n.ctx, store.SubscriberFilter{Query: "ann@"})
	ann := page.Subscribers[0]
	p = ed.get(fmt.Sprintf("/desk/subscribers/%d", ann.ID))
	if p.status != http.StatusOK || !strings.Contains(p.body, "Ann Lee") || !strings.Contains(p.body, "import") ||
		!strings.Contains(p.body, `data-confirm="Erase ann@example.org`) {
		t.Fatalf("subscriber page: %d\n%.3000s", p.status, p.body)
	}
	p = ed.post(fmt.Sprintf("/desk/subscribers/%d/erase", ann.ID), nil)
	if p.status != http.StatusSeeOther || p.location != "/desk/subscribers" {
		t.Fatalf("erase: %d %s", p.status, p.location)
	}
	if p = ed.follow(p); !strings.Contains(p.body, "were erased") || strings.Contains(p.body, "ann@example.org") {
		t.Errorf("after erasing: %.3000s", p.body)
	}
	if _, err := n.news.Subscriber(n.ctx, ann.ID); err == nil {
		t.Errorf("erased subscriber still there")
	}
	if p := ed.post(fmt.Sprintf("/desk/subscribers/%d/erase", ann.ID), nil); p.status != http.StatusNotFound {
		t.Errorf("erase twice: %d", p.status)
	}
	log, _ := n.svc.AuditLog(n.ctx, n.owner, store.AuditFilter{Limit: 50})
	var all []string
	for _, e := range log.Entries {
		all = append(all, e.Action+" "+e.Target+" "+e.Detail)
	}
	joined := strings.Join(all, "\n")
	for _, want := range []string{fmt.Sprintf("subscriber.erase subscriber %d", ann.ID), "subscribers.import list.csv 5 rows, 2 added",
		"subscribers.export"} {
		if !strings.Contains(joined, want) {
			t.Errorf("audit log lacks %q:\n%s", want, joined)
		}
	}
	if strings.Contains(joined, "ann@example.org") {
		t.Errorf("the audit log keeps the erased address")
	}
}
