package newsletter_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/jobs"
	"masthead/internal/newsletter"
	"masthead/internal/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// magazine publishes a week of articles around t0 and returns them by
// slug.
func magazine(r *rig) map[string]content.Post {
	r.t.Helper()
	ctx := r.ctx
	world := content.Tag{Slug: "world", Name: "World", IsSection: true, Position: 1}
	economy := content.Tag{Slug: "economy", Name: "Economy", IsSection: true, Position: 2}
	for _, tag := range []*content.Tag{&world, &economy} {
		if err := r.st.SaveTag(ctx, tag); err != nil {
			r.t.Fatal(err)
		}
	}
	var authors []content.Author
	for _, a := range []content.Author{{Slug: "leila", Name: "Leila Sarrafian"}, {Slug: "oskar", Name: "Oskar Vellamo"}, {Slug: "mara", Name: "Mara Oyelaran"}} {
		if err := r.st.SaveAuthor(ctx, &a); err != nil {
			r.t.Fatal(err)
		}
		authors = append(authors, a)
	}
	posts := r.publish(
		content.Post{Slug: "ports", Title: "The Ports Redrawing the Map of Trade", Deck: "Cranes, canals & the new geography",
			Body:        "Container ships are getting bigger, and the ports that can take them are few.\n\nMore follows.",
			PublishedAt: t0.Add(-2 * 24 * time.Hour), Section: &economy, Authors: authors[:1],
			Image: content.Image{Key: "images/ports.jpg", Width: 1600, Height: 900, Alt: "Cranes at dusk"}},
		content.Post{Slug: "strait", Title: "The Strait After the Ceasefire", Deck: "Shipping returns, slowly",
			Body: "The first tankers went through on Tuesday.", PublishedAt: t0.Add(-26 * time.Hour), Section: &world,
			Authors: authors[1:]},
		content.Post{Slug: "swaps", Title: "The Quiet Architecture of Currency Swaps", Body: "Central banks lend to each other `<quietly>`.",
			PublishedAt: t0.Add(-5 * time.Hour), Section: &economy, Authors: authors},
		content.Post{Slug: "long-meeting", Title: "In Praise of the Long Meeting", Body: "Diplomacy takes time.",
			PublishedAt: t0.Add(-3 * 24 * time.Hour)},
		content.Post{Slug: "old", Title: "Last Month's News", Body: "Old.", PublishedAt: t0.Add(-30 * 24 * time.Hour), Section: &world},
		content.Post{Slug: "draft", Title: "Not Yet", Body: "Draft.", Status: content.StatusDraft, Section: &world},
		content.Post{Slug: "tomorrow", Title: "Tomorrow's Piece", Body: "Soon.", Status: content.StatusScheduled,
			PublishedAt: t0.Add(24 * time.Hour), Section: &world},
	)
	out := map[string]content.Post{}
	for _, p := range posts {
		out[p.Slug] = p
	}
	return out
}

func slugsOf(t *testing.T, r *rig, ids []int64) []string {
	t.Helper()
	var out []string
	for _, id := range ids {
		p, err := r.st.PostByID(r.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Slug)
	}
	return out
}

func TestComposeRoundup(t *testing.T) {
	t.Parallel()
	r, c := clockRig(t, nil)
	posts := magazine(r)
	is, err := r.svc.ComposeRoundup(r.ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	// By section in the site's order, newest first in each; articles
	// without a section last; nothing older than a week, unpublished or
	// in the future.
	if got, want := slugsOf(t, r, is.Items), []string{"strait", "swaps", "ports", "long-meeting"}; !slices.Equal(got, want) {
		t.Errorf("items %v, want %v", got, want)
	}
	if is.Status != store.IssueDraft || is.Kind != store.IssueRoundup || !is.CoversUntil.Equal(t0) ||
		!is.CoversFrom.Equal(t0.Add(-7*24*time.Hour)) || is.Subject != "The Review: the week in review, 7 March 2025" {
		t.Errorf("composed issue: %+v", is)
	}

	// Once it goes out, the next round-up starts where it ended.
	if _, err := r.svc.SendNow(r.ctx, is.ID); err != nil {
		t.Fatal(err)
	}
	c.Advance(24 * time.Hour)
	if _, err := r.svc.ComposeRoundup(r.ctx, time.Time{}); !errors.Is(err, newsletter.ErrNoArticles) {
		t.Errorf("compose with nothing new = %v, want ErrNoArticles", err)
	}
	r.publish(content.Post{Slug: "new", Title: "A New Piece", PublishedAt: t0.Add(20 * time.Hour), Section: posts["strait"].Section})
	next, err := r.svc.ComposeRoundup(r.ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if got := slugsOf(t, r, next.Items); !slices.Equal(got, []string{"new"}) {
		t.Errorf("second round-up: %v", got)
	}
	if !next.CoversFrom.Equal(t0) {
		t.Errorf("second round-up covers from %v, want %v", next.CoversFrom, t0)
	}
}

func TestRenderedRoundupGolden(t *testing.T) {
	t.Parallel()
	r, _ := clockRig(t, nil)
	magazine(r)
	is, err := r.svc.ComposeRoundup(r.ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.SetIntro(r.ctx, is.ID, "Dear readers,\n\nthis week: ports, straits and *swaps*. <script>alert(1)</script>"); err != nil {
		t.Fatal(err)
	}
	got, err := r.svc.Preview(r.ctx, is.ID)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "roundup.golden.html", got.HTML)
	golden(t, "roundup.golden.txt", got.Text)
	if strings.Contains(got.HTML, "<script") || !strings.Contains(got.HTML, "&lt;quietly&gt;") {
		t.Error("markup from content reached the HTML unescaped")
	}
	for _, want := range []string{
		`https://review.example/articles/ports`, `https://review.example/media/images/ports.jpg`, `height="306"`,
		`By Leila Sarrafian, Oskar Vellamo and Mara Oyelaran`, `https://review.example/preferences/preview`,
		`https://review.example/unsubscribe/preview`, `<em>swaps</em>`,
	} {
		if !strings.Contains(got.HTML, want) {
			t.Errorf("HTML lacks %s", want)
		}
	}
	for _, line := range strings.Split(got.Text, "\n") {
		if len([]rune(line)) > 72 && !strings.Contains(line, "https://") {
			t.Errorf("text line longer than 72 characters: %q", line)
		}
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the rendering (run with -update after checking):\n%s", path, got)
	}
}

func TestEditIssue(t *testing.T) {
	t.Parallel()
	r, _ := clockRig(t, nil)
	posts := magazine(r)
	is, err := r.svc.ComposeRoundup(r.ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	id := is.ID
	ids := func(slugs ...string) []int64 {
		var out []int64
		for _, s := range slugs {
			out = append(out, posts[s].ID)
		}
		return out
	}
	if is, err = r.svc.MoveItem(r.ctx, id, posts["long-meeting"].ID, 0); err != nil {
		t.Fatal(err)
	}
	if got := slugsOf(t, r, is.Items); !slices.Equal(got, []string{"long-meeting", "strait", "swaps", "ports"}) {
		t.Errorf("after MoveItem: %v", got)
	}
	if is, err = r.svc.RemoveItem(r.ctx, id, posts["swaps"].ID); err != nil {
		t.Fatal(err)
	}
	if got := slugsOf(t, r, is.Items); !slices.Equal(got, []string{"long-meeting", "strait", "ports"}) {
		t.Errorf("after RemoveItem: %v", got)
	}
	if is, err = r.svc.SetItems(r.ctx, id, ids("ports", "strait")); err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]int64{
		"a draft":         ids("draft"),
		"a future piece":  ids("tomorrow"),
		"a repeated item": ids("ports", "ports"),
		"a missing post":  {posts["ports"].ID + 1000},
	} {
		if _, err := r.svc.SetItems(r.ctx, id, bad); userMessage(err) == "" {
			t.Errorf("SetItems with %s = %v", name, err)
		}
	}
	if _, err := r.svc.RemoveItem(r.ctx, id, posts["swaps"].ID); userMessage(err) == "" {
		t.Errorf("removing an article not in the issue = %v", err)
	}
	for name, bad := range map[string]string{"empty": "  ", "CRLF": "A\r\nBcc: x@example.org", "too long": strings.Repeat("x", 201)} {
		if _, err := r.svc.SetSubject(r.ctx, id, bad); userMessage(err) == "" {
			t.Errorf("SetSubject(%s) = %v", name, err)
		}
	}
	if is, err = r.svc.SetSubject(r.ctx, id, "  Ports and straits  "); err != nil || is.Subject != "Ports and straits" {
		t.Errorf("SetSubject = %+v, %v", is, err)
	}
	d, err := r.svc.Issue(r.ctx, id)
	if err != nil || len(d.Posts) != 2 || d.Posts[0].Slug != "ports" || len(d.Missing) != 0 {
		t.Errorf("Issue = %+v, %v", d, err)
	}

	// Once sending starts the content is fixed.
	if _, err := r.svc.SendNow(r.ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.SetIntro(r.ctx, id, "Too late"); userMessage(err) == "" {
		t.Errorf("editing a sending issue = %v", err)
	}
	preview, err := r.svc.Preview(r.ctx, id)
	if err != nil || !strings.Contains(preview.Text, "The Ports Redrawing") || strings.Contains(preview.Text, "Currency Swaps") {
		t.Errorf("preview of the sent content: %v\n%s", err, preview.Text)
	}
	if err := r.svc.DeleteIssue(r.ctx, id); userMessage(err) == "" {
		t.Errorf("deleting a started issue = %v", err)
	}
}

func TestNextRoundup(t *testing.T) {
	t.Parallel()
	r, _ := clockRig(t, nil)
	if _, ok, err := r.svc.NextRoundup(r.ctx, t0); ok || err != nil {
		t.Errorf("without a day: ok %v, %v", ok, err)
	}
	for k, v := range map[string]string{newsletter.SettingDay: "Friday", newsletter.SettingTime: "08:00", "site.timezone": "Europe/Berlin"} {
		if err := r.st.SetSetting(r.ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct{ after, want time.Time }{
		// t0 is Friday 7 March, 09:00 UTC = 10:00 in Berlin: this week's
		// slot has passed.
		{t0, time.Date(2025, 3, 14, 7, 0, 0, 0, time.UTC)},
		{time.Date(2025, 3, 7, 6, 59, 0, 0, time.UTC), time.Date(2025, 3, 7, 7, 0, 0, 0, time.UTC)},
		{time.Date(2025, 3, 7, 7, 0, 0, 0, time.UTC), time.Date(2025, 3, 14, 7, 0, 0, 0, time.UTC)},
		{time.Date(2025, 3, 2, 12, 0, 0, 0, time.UTC), time.Date(2025, 3, 7, 7, 0, 0, 0, time.UTC)},
		// Summer time begins on 30 March: 08:00 in Berlin is 06:00 UTC.
		{time.Date(2025, 3, 29, 0, 0, 0, 0, time.UTC), time.Date(2025, 4, 4, 6, 0, 0, 0, time.UTC)},
	} {
		got, ok, err := r.svc.NextRoundup(r.ctx, tt.after)
		if err != nil || !ok || !got.Equal(tt.want) {
			t.Errorf("NextRoundup(%v) = %v, %v, %v; want %v", tt.after, got, ok, err, tt.want)
		}
	}
	if err := r.st.SetSetting(r.ctx, newsletter.SettingDay, "Caturday"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.svc.NextRoundup(r.ctx, t0); err == nil {
		t.Error("an unknown weekday was accepted")
	}
}

func TestComposeJob(t *testing.T) {
	t.Parallel()
	r, _ := clockRig(t, nil)
	magazine(r)
	r.subscribers(3, nil)
	for k, v := range map[string]string{newsletter.SettingDay: "friday", newsletter.SettingTime: "09:00", newsletter.SettingAutoSend: "true"} {
		if err := r.st.SetSetting(r.ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.svc.ScheduleRoundups(r.ctx); err != nil {
		t.Fatal(err)
	}
	j, err := r.st.JobByUniqueKey(r.ctx, newsletter.KindCompose)
	if err != nil || !j.RunAt.Equal(time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("compose job: %+v, %v", j, err)
	}
	// The job's time has come (the test calls the handler itself).
	ctx := jobs.WithClock(r.ctx, func() time.Time { return t0 })
	compose := r.svc.Handlers()[newsletter.KindCompose]
	if err := compose(ctx, nil); err != nil {
		t.Fatal(err)
	}
	page, _ := r.st.Issues(r.ctx, store.IssueFilter{Kind: store.IssueRoundup})
	if page.Total != 1 || page.Issues[0].Status != store.IssueSending {
		t.Fatalf("after the compose job: %+v", page)
	}
	if j, _ := r.st.JobByUniqueKey(r.ctx, newsletter.KindCompose); !j.RunAt.Equal(time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("next compose job at %v", j.RunAt)
	}
	if j, err := r.st.JobByUniqueKey(r.ctx, newsletter.SendKey(page.Issues[0].ID)); err != nil || j.Status != store.JobPending {
		t.Errorf("the automatic send's job: %+v, %v", j, err)
	}
	// Run twice for one slot, it composes once.
	if err := r.st.SetSetting(r.ctx, newsletter.SettingAutoSend, "false"); err != nil {
		t.Fatal(err)
	}
	if err := compose(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := compose(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if page, _ := r.st.Issues(r.ctx, store.IssueFilter{Kind: store.IssueRoundup}); page.Total != 1 {
		t.Errorf("%d round-ups after composing with nothing new", page.Total)
	}
	// Turning the day off takes the job off the queue.
	if err := r.st.SetSetting(r.ctx, newsletter.SettingDay, ""); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.ScheduleRoundups(r.ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := r.st.JobByUniqueKey(r.ctx, newsletter.KindCompose); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("compose job after turning it off: %v", err)
	}
}

func TestStartTurnsTheBoxOnOnce(t *testing.T) {
	t.Parallel()
	r, _ := clockRig(t, nil)
	if err := r.svc.Start(r.ctx); err != nil {
		t.Fatal(err)
	}
	if v, _ := r.st.Setting(r.ctx, newsletter.SettingEnabled); v != "true" {
		t.Errorf("newsletter.enabled = %q after Start", v)
	}
	if err := r.st.SetSetting(r.ctx, newsletter.SettingEnabled, "false"); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.Start(r.ctx); err != nil {
		t.Fatal(err)
	}
	if v, _ := r.st.Setting(r.ctx, newsletter.SettingEnabled); v != "false" {
		t.Errorf("Start turned the box back on: %q", v)
	}
}
