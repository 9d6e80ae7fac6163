package importer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"masthead/internal/media"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

var siteNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestParseSubscribers(t *testing.T) {
	csv := "email,name,status,wants_roundup,wants_every_article,paused,consent_source,consent_ip,consent_at,confirmed_at,unsubscribed_at,created_at\n" +
		"Reader@Example.org,Ada,confirmed,true,false,false,subscribe form,192.0.2.1,2026-01-01T10:00:00.5Z,2026-01-01T10:05:00Z,,2026-01-01T10:00:00Z\n" +
		"x@example.org,'=SUM(A1),unsubscribed,false,true,true,'@form,,2025-01-01T00:00:00Z,,2025-06-01T00:00:00Z,2025-01-01T00:00:00Z\n" +
		"\n" +
		"not-an-address,,,,,,,,,,,\n" +
		"reader@example.org,Dup,,,,,,,,,,\n" +
		"y@example.org,,gone,maybe,,,,,yesterday,,,\n"
	rows, probs := parseSubscribers(strings.NewReader(csv), siteNow)
	want := []Problem{
		{SubscribersFile, 5, `"not-an-address" is not an email address`},
		{SubscribersFile, 6, "reader@example.org is also on line 2"},
		{SubscribersFile, 7, `status "gone" is not one of pending, confirmed, unsubscribed, bounced`},
		{SubscribersFile, 7, `wants_roundup must be true or false, not "maybe"`},
		{SubscribersFile, 7, `consent_at "yesterday" is not an RFC 3339 time`},
	}
	if !reflect.DeepEqual(probs, want) {
		t.Errorf("problems:\n%v\nwant\n%v", probs, want)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows: %+v", len(rows), rows)
	}
	a := rows[0].sub
	if a.Email != "reader@example.org" || a.Status != store.SubscriberConfirmed || a.ConsentIP != "192.0.2.1" ||
		!a.ConsentAt.Equal(time.Date(2026, 1, 1, 10, 0, 0, 5e8, time.UTC)) || a.WantsEveryArticle {
		t.Errorf("first row: %+v", a)
	}
	b := rows[1].sub
	if b.Name != "=SUM(A1)" || b.ConsentSource != "@form" || !b.Paused || b.WantsRoundup || !b.WantsEveryArticle ||
		b.Status != store.SubscriberUnsubscribed || b.UnsubscribedAt.IsZero() {
		t.Errorf("second row: %+v", b)
	}

	// A bare list, as people keep them, is vouched for now.
	rows, probs = parseSubscribers(strings.NewReader("Email,Name\nz@example.org,Zed\n"), siteNow)
	if len(probs) != 0 || len(rows) != 1 {
		t.Fatalf("bare list: %v %v", rows, probs)
	}
	if z := rows[0].sub; z.Status != store.SubscriberConfirmed || !z.WantsRoundup || z.ConsentSource != "import" ||
		!z.ConsentAt.Equal(siteNow) || !z.ConfirmedAt.Equal(siteNow) || !z.CreatedAt.Equal(siteNow) {
		t.Errorf("bare list: %+v", z)
	}

	if _, probs := parseSubscribers(strings.NewReader("name\nAda\n"), siteNow); len(probs) != 1 || probs[0].Line != 1 {
		t.Errorf("no email column: %v", probs)
	}
	if _, probs := parseSubscribers(strings.NewReader("email\n\"open\n"), siteNow); len(probs) != 1 || !strings.Contains(probs[0].Msg, "not valid CSV") {
		t.Errorf("broken CSV: %v", probs)
	}
}

func TestParseSettings(t *testing.T) {
	got, probs := parseSettings([]byte("{\n  \"site.name\": \" Latitude \",\n  \"site.nmae\": \"x\",\n  \"site.timezone\": \"Mars/Olympus\",\n  \"newsletter.enabled\": true,\n  \"newsletter.roundup_time\": \"25:00\"\n}\n"))
	want := []Problem{
		{SettingsFile, 5, `setting "newsletter.enabled" must be text`},
		{SettingsFile, 6, `setting "newsletter.roundup_time": "25:00" is not a time such as 08:00`},
		{SettingsFile, 3, `unknown setting "site.nmae" (did you mean "site.name"?)`},
		{SettingsFile, 4, `setting "site.timezone": "Mars/Olympus" is not a known timezone`},
	}
	if !reflect.DeepEqual(probs, want) {
		t.Errorf("problems:\n%v\nwant\n%v", probs, want)
	}
	if !reflect.DeepEqual(got, map[string]string{"site.name": "Latitude"}) {
		t.Errorf("settings: %v", got)
	}
	if _, probs := parseSettings([]byte("{\n\"site.name\": }")); len(probs) != 1 || probs[0].Line != 2 {
		t.Errorf("broken JSON: %v", probs)
	}
}

func TestParseTagAndOldSlugs(t *testing.T) {
	tag, probs, _ := parseTag("tags/archives.md", []byte("---\nname: Archives\nsection: true\nposition: 4\n---\nFrom the *archive*.\n"))
	if len(probs) != 0 || tag.slug != "archives" || !tag.isSection || tag.position != 4 || tag.desc != "From the *archive*." {
		t.Errorf("tag: %+v %v", tag, probs)
	}
	_, probs, _ = parseTag("tags/x.md", []byte("---\nname: X\nsection: yes please\nposition: first\n---\n"))
	want := []Problem{
		{"tags/x.md", 3, `section must be true or false, not "yes please"`},
		{"tags/x.md", 4, `position must be a whole number, not "first"`},
	}
	if !reflect.DeepEqual(probs, want) {
		t.Errorf("problems:\n%v\nwant\n%v", probs, want)
	}

	post, probs, _ := parsePost("posts/p.md", []byte("---\ntitle: P\nstatus: draft\nold_slugs: [old-p, Bad Slug, p, old-p]\n---\n"))
	want = []Problem{
		{"posts/p.md", 4, `old slug "Bad Slug" is not valid: use lower-case letters, digits and single hyphens`},
		{"posts/p.md", 4, `old slug "p" is the post's own slug`},
		{"posts/p.md", 4, `old slug "old-p" is listed twice`},
	}
	if !reflect.DeepEqual(probs, want) {
		t.Errorf("problems:\n%v\nwant\n%v", probs, want)
	}
	if len(post.oldSlugs) != 1 || post.oldSlugs[0].slug != "old-p" || len(post.authors) != 0 {
		t.Errorf("post: %+v", post)
	}
}

// TestImportSiteFiles imports tag files, old slugs, subscribers and
// settings, and reports problems across files.
func TestImportSiteFiles(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t)
	files, err := media.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	write := func(dir string, fs map[string]string) {
		for name, text := range fs {
			p := filepath.Join(dir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	good := t.TempDir()
	write(good, map[string]string{
		"authors/ada.md":  "---\nname: Ada\n---\n",
		"tags/power.md":   "---\nname: Power\nsection: true\nposition: 7\n---\nAll about power.\n",
		"tags/power-2.md": "---\nname: Power\n---\n",
		"posts/p.md":      "---\ntitle: P\ndate: 2026-01-01\nauthors: [ada]\nsection: power\ntags: [power-2]\nold_slugs: [old-p]\n---\nBody\n",
		"subscribers.csv": "email,name\nreader@example.org,Reader\n",
		"settings.json":   "{\"site.name\": \"Power Weekly\"}\n",
	})
	opts := Options{Now: func() time.Time { return siteNow }}
	rep, err := ImportMarkdownDir(ctx, st, files, good, opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.TagsCreated != 2 || rep.SubscribersAdded != 1 || rep.SettingsChanged != 1 || rep.PostsCreated != 1 {
		t.Errorf("report: %+v", rep)
	}
	p, err := st.PostBySlug(ctx, "p")
	if err != nil {
		t.Fatal(err)
	}
	if p.Section == nil || p.Section.Slug != "power" || !p.Section.IsSection || p.Section.Position != 7 ||
		p.Section.Description != "All about power." || len(p.Tags) != 1 || p.Tags[0].Slug != "power-2" {
		t.Errorf("post tags: %+v %+v", p.Section, p.Tags)
	}
	if slug, err := st.RedirectSlug(ctx, "old-p"); err != nil || slug != "p" {
		t.Errorf("old slug leads to %q, %v", slug, err)
	}
	if name, _ := st.Setting(ctx, "site.name"); name != "Power Weekly" {
		t.Errorf("site name %q", name)
	}
	rep, err = ImportMarkdownDir(ctx, st, files, good, opts)
	if err != nil || rep.PostsUnchanged != 1 || rep.TagsCreated+rep.TagsUpdated+rep.SubscribersAdded+rep.SettingsChanged != 0 {
		t.Errorf("again: %+v, %v", rep, err)
	}

	bad := t.TempDir()
	write(bad, map[string]string{
		"authors/ada.md":  "---\nname: Ada\n---\n",
		"tags/a.md":       "---\nname: Same\n---\n",
		"tags/b.md":       "---\nname: Same\n---\n",
		"posts/q.md":      "---\ntitle: Q\ndate: 2026-01-01\nauthors: [ada]\ntags: [Same]\nold_slugs: [p, r]\n---\n",
		"posts/r.md":      "---\ntitle: R\ndate: 2026-01-01\nauthors: [ada]\n---\n",
		"subscribers.csv": "email\nbroken\n",
	})
	_, err = ImportMarkdownDir(ctx, st, files, bad, opts)
	var errs *Errors
	if !asErrors(err, &errs) {
		t.Fatalf("bad import: %v", err)
	}
	wantProbs := []string{
		`posts/q.md:5: "Same" is the name of several tag files (a, b): name the tag by its slug`,
		`posts/q.md:6: old slug "p" is the slug of a post already stored`,
		`posts/q.md:6: old slug "r" is the slug of posts/r.md`,
		`subscribers.csv:2: "broken" is not an email address`,
	}
	var got []string
	for _, p := range errs.Problems {
		got = append(got, p.String())
	}
	if !reflect.DeepEqual(got, wantProbs) {
		t.Errorf("problems:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantProbs, "\n"))
	}
}

func asErrors(err error, target **Errors) bool {
	e, ok := errors.AsType[*Errors](err)
	*target = e
	return ok
}

func FuzzParseSubscribers(f *testing.F) {
	f.Add("email,name,status,consent_at\na@example.org,A,confirmed,2026-01-01T00:00:00Z\n")
	f.Add("email\n\"x\n")
	f.Add("name;email\n'=x;y@z\n")
	f.Fuzz(func(t *testing.T, s string) {
		rows, probs := parseSubscribers(strings.NewReader(s), siteNow)
		for _, r := range rows {
			if !plausibleEmail(r.sub.Email) || !r.sub.Status.Valid() && len(probs) == 0 {
				t.Fatalf("accepted %+v without a problem", r.sub)
			}
		}
		for _, p := range probs {
			if p.Line < 1 {
				t.Fatalf("problem without a line: %v", p)
			}
		}
	})
}

func FuzzParseSettings(f *testing.F) {
	f.Add(`{"site.name": "A"}`)
	f.Add(`{"site.timezone": "Europe/Berlin", "x": 1}`)
	f.Add(`[`)
	f.Fuzz(func(t *testing.T, s string) {
		got, probs := parseSettings([]byte(s))
		for k := range got {
			if checkSetting(k, got[k]) != "" {
				t.Fatalf("accepted %s=%q", k, got[k])
			}
		}
		for _, p := range probs {
			if p.Line < 1 {
				t.Fatalf("problem without a line: %v", p)
			}
		}
	})
}

func FuzzParseTag(f *testing.F) {
	f.Add("---\nname: A\nsection: true\nposition: 3\n---\nText\n")
	f.Add("---\nname: [\n---\n")
	f.Fuzz(func(t *testing.T, s string) {
		tag, probs, _ := parseTag("tags/x.md", []byte(s))
		if len(probs) == 0 && (tag.name == "" || tag.slug == "") {
			t.Fatalf("no problem, yet %+v", tag)
		}
	})
}
