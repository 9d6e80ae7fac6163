package newsletter_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strings"
	"testing"

	"masthead/internal/newsletter"
	"masthead/internal/store"
)

func TestImportCSV(t *testing.T) {
	t.Parallel()
	r, _ := clockRig(t, nil)
	left := store.Subscriber{Email: "left@example.org", Status: store.SubscriberUnsubscribed}
	if err := r.st.CreateSubscriber(r.ctx, &left); err != nil {
		t.Fatal(err)
	}
	in := "Name,E-mail,Notes\n" +
		"Ann Lee,ann@example.org,first\n" +
		",ANN@example.org,again\n" +
		"Bob,bob@example\n" +
		"\n" +
		"Left,left@example.org,\n" +
		"\"=HYPERLINK(\"\"x\"\")\",formula@example.org\n" +
		"Cy,cy@example.org\n"
	rep, err := r.svc.ImportCSV(r.ctx, strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 6 || rep.Added != 3 || rep.Duplicates != 2 || len(rep.Problems) != 1 || rep.Converted {
		t.Errorf("report: %+v", rep)
	}
	if p := rep.Problems[0]; p.Line != 4 || p.Value != "bob@example" {
		t.Errorf("problem: %+v", p)
	}
	ann, err := r.st.SubscriberByEmail(r.ctx, "ann@example.org")
	if err != nil || ann.Status != store.SubscriberConfirmed || ann.Name != "Ann Lee" || ann.ConsentSource != newsletter.SourceImport ||
		!ann.ConsentAt.Equal(t0) || !ann.WantsRoundup {
		t.Errorf("imported: %+v, %v", ann, err)
	}
	// An import never brings back someone who left.
	if s, _ := r.st.SubscriberByEmail(r.ctx, "left@example.org"); s.Status != store.SubscriberUnsubscribed {
		t.Errorf("left@example.org is %s after the import", s.Status)
	}

	// A Windows spreadsheet's file: Windows-1252, semicolons, no header.
	win := []byte("zo\xeb@example.org;Zo\xeb \xd8rsted\r\nzoe@example.org;Zo\xeb \xd8rsted\r\n")
	rep, err = r.svc.ImportCSV(r.ctx, bytes.NewReader(win))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Converted || rep.Added != 1 || len(rep.Problems) != 1 {
		t.Errorf("Windows-1252 report: %+v", rep)
	}
	if s, err := r.st.SubscriberByEmail(r.ctx, "zoe@example.org"); err != nil || s.Name != "Zoë Ørsted" {
		t.Errorf("converted name: %+v, %v", s, err)
	}

	// Columns the header does not name are not taken for names.
	if _, err := r.svc.ImportCSV(r.ctx, strings.NewReader("email,notes\ndi@example.org,call back\n")); err != nil {
		t.Fatal(err)
	}
	if s, _ := r.st.SubscriberByEmail(r.ctx, "di@example.org"); s.Name != "" {
		t.Errorf("a note became the name %q", s.Name)
	}
	for name, bad := range map[string]string{
		"empty":          "",
		"no address":     "Name,Notes\nAnn,hello\n",
		"broken quoting": "email\n\"ann@example.org\n",
		"a line break":   "email,name\nx@example.org,\"A\nB\"\n",
	} {
		rep, err := r.svc.ImportCSV(r.ctx, strings.NewReader(bad))
		if name == "a line break" {
			if err != nil || rep.Added != 0 || len(rep.Problems) != 1 {
				t.Errorf("%s: %+v, %v", name, rep, err)
			}
			continue
		}
		if userMessage(err) == "" {
			t.Errorf("%s: %v, want an error for the editor", name, err)
		}
	}

	var out bytes.Buffer
	if err := r.svc.ExportCSV(r.ctx, &out, store.SubscriberConfirmed); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 6 || rows[0][0] != "email" {
		t.Fatalf("export: %v", rows)
	}
	for _, row := range rows {
		if row[0] == "formula@example.org" && row[1] != `'=HYPERLINK("x")` {
			t.Errorf("a formula was exported as is: %q", row[1])
		}
		if row[0] == "left@example.org" {
			t.Error("the export of confirmed subscribers holds an unsubscribed one")
		}
	}

	if err := r.svc.EraseSubscriber(r.ctx, ann.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := r.st.SubscriberByEmail(r.ctx, "ann@example.org"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after erasure: %v", err)
	}
}
