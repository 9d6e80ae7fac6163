package desk_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/editorial"
	"masthead/internal/store"
)

var issueRE = regexp.MustCompile(`^/desk/newsletter/(\d+)$`)

// compose presses "Compose now" and returns the new issue's path.
func compose(t *testing.T, b *browser) string {
	t.Helper()
	p := b.post("/desk/newsletter", nil)
	if p.status != http.StatusSeeOther || !issueRE.MatchString(p.location) {
		t.Fatalf("compose: %d %s\n%.2000s", p.status, p.location, p.body)
	}
	return p.location
}

// positions returns where each of the strings is in body, failing the
// test when one is missing.
func positions(t *testing.T, body string, subs ...string) []int {
	t.Helper()
	out := make([]int, len(subs))
	for i, s := range subs {
		if out[i] = strings.Index(body, s); out[i] < 0 {
			t.Fatalf("%q not on the page\n%.4000s", s, body)
		}
	}
	return out
}

func inOrder(t *testing.T, what, body string, subs ...string) {
	t.Helper()
	pos := positions(t, body, subs...)
	for i := 1; i < len(pos); i++ {
		if pos[i-1] > pos[i] {
			t.Errorf("%s: %q comes after %q", what, subs[i-1], subs[i])
		}
	}
}

func TestNewsletterScreensAreForEditors(t *testing.T) {
	t.Parallel()
	n := newNewsRig(t, -1)
	sub := n.subscribe("reader@example.org", true, false)
	n.publish("A piece", "Security")
	for _, role := range []store.Role{store.RoleContributor, store.RoleAuthor} {
		b, _ := n.signIn(string(role)+"@example.org", role)
		home := b.get("/desk/home")
		if strings.Contains(home.body, `href="/desk/newsletter"`) || strings.Contains(home.body, `href="/desk/subscribers"`) {
			t.Errorf("%s sees the newsletter in the navigation", role)
		}
		for _, path := range []string{"/desk/newsletter", "/desk/subscribers", "/desk/subscribers/export.csv",
			fmt.Sprintf("/desk/subscribers/%d", sub.ID)} {
			if p := b.get(path); p.status != http.StatusForbidden || !strings.Contains(p.body, "Only editors") {
				t.Errorf("%s GET %s: %d", role, path, p.status)
			}
		}
		if p := b.post("/desk/newsletter", nil); p.status != http.StatusForbidden {
			t.Errorf("%s composes: %d", role, p.status)
		}
		if p := b.post(fmt.Sprintf("/desk/subscribers/%d/erase", sub.ID), nil); p.status != http.StatusForbidden {
			t.Errorf("%s erases: %d", role, p.status)
		}
	}
	if page, _ := n.news.Issues(n.ctx, store.IssueFilter{}); page.Total != 0 {
		t.Errorf("%d issues composed by writers", page.Total)
	}
	if _, err := n.news.Subscriber(n.ctx, sub.ID); err != nil {
		t.Errorf("subscriber erased by a writer: %v", err)
	}

	ed, _ := n.signIn("eddie@example.org", store.RoleEditor)
	home := ed.get("/desk/home")
	for _, link := range []string{`href="/desk/newsletter">Round-up</a>`, `href="/desk/subscribers">Subscribers</a>`} {
		if !strings.Contains(home.body, link) {
			t.Errorf("editor's navigation lacks %s", link)
		}
	}
	if p := ed.get("/desk/newsletter"); p.status != http.StatusOK || !strings.Contains(p.body, "Compose now") {
		t.Errorf("editor's round-up list: %d", p.status)
	}
	// Without a session every screen leads to the sign-in.
	if p := n.browser().get("/desk/newsletter"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/desk/signin") {
		t.Errorf("anonymous: %d %s", p.status, p.location)
	}
	// A form posted from another site is refused and does nothing.
	req, _ := http.NewRequest(http.MethodPost, n.srv.URL+"/desk/newsletter", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if p := ed.do(req); p.status != http.StatusForbidden {
		t.Errorf("cross-site compose: %d", p.status)
	}
	req, _ = http.NewRequest(http.MethodPost, n.srv.URL+fmt.Sprintf("/desk/subscribers/%d/erase", sub.ID), nil)
	req.Header.Set("Origin", "https://evil.example")
	if p := ed.do(req); p.status != http.StatusForbidden {
		t.Errorf("cross-site erase: %d", p.status)
	}
	if page, _ := n.news.Issues(n.ctx, store.IssueFilter{}); page.Total != 0 {
		t.Errorf("%d issues composed by a cross-site form", page.Total)
	}
	if _, err := n.news.Subscriber(n.ctx, sub.ID); err != nil {
		t.Errorf("subscriber erased by a cross-site form: %v", err)
	}
	for _, path := range []string{"/desk/newsletter/999", "/desk/newsletter/999/preview.html", "/desk/newsletter/999/progress",
		"/desk/subscribers/999", "/desk/newsletter/x"} {
		if p := ed.get(path); p.status != http.StatusNotFound {
			t.Errorf("GET %s: %d", path, p.status)
		}
	}
	if p := ed.post("/desk/newsletter/999/send", url.Values{"confirm": {"send"}}); p.status != http.StatusNotFound {
		t.Errorf("send a missing issue: %d", p.status)
	}
}

func TestComposeEditAndPreviewRoundup(t *testing.T) {
	t.Parallel()
	n := newNewsRig(t, -1)
	ed, acc := n.signIn("eddie@example.org", store.RoleEditor)

	// Nothing published: nothing to compose, said plainly.
	p := ed.post("/desk/newsletter", nil)
	if p.status != http.StatusSeeOther || p.location != "/desk/newsletter" {
		t.Fatalf("compose with nothing: %d %s", p.status, p.location)
	}
	if p = ed.follow(p); !strings.Contains(p.body, "Nothing was published since the last round-up") {
		t.Errorf("no message for an empty compose\n%.2000s", p.body)
	}

	a := n.publish("Ships in the strait", "Security")
	b := n.publish("Drones over the border", "Security")
	c := n.publish("Grain prices fall", "Economy")
	other := n.publish("A ceasefire holds", "Security")
	path := compose(t, ed)
	p = ed.follow(ed.post(path, url.Values{"subject": {"The week: ships, drones and grain"}, "intro": {"Dear readers, **a busy week**."}}))
	if !strings.Contains(p.body, "Saved.") || !strings.Contains(p.body, "The week: ships, drones and grain") {
		t.Fatalf("save subject: %.3000s", p.body)
	}
	// Sections in the site's order, newest first within each.
	inOrder(t, "composed", p.body, "<h3>Security</h3>", other.Title, b.Title, a.Title, "<h3>Economy</h3>", c.Title)

	id := strings.TrimPrefix(path, "/desk/newsletter/")
	// Remove one article; it is offered to add again.
	p = ed.follow(ed.post(fmt.Sprintf("%s/items/%d/remove", path, other.ID), nil))
	if !strings.Contains(p.body, "Article removed") || strings.Contains(p.body, fmt.Sprintf(`data-id="%d"`, other.ID)) ||
		!strings.Contains(p.body, fmt.Sprintf(`name="post_id" value="%d"`, other.ID)) {
		t.Errorf("after removing: %.4000s", p.body)
	}
	// Move b below a within Security, then Economy above Security.
	p = ed.follow(ed.post(fmt.Sprintf("%s/items/%d/move", path, b.ID), url.Values{"direction": {"down"}}))
	inOrder(t, "after moving down", p.body, a.Title, b.Title, c.Title)
	p = ed.follow(ed.post(fmt.Sprintf("%s/items/%d/move", path, b.ID), url.Values{"direction": {"down"}}))
	if !strings.Contains(p.body, "already at the edge") {
		t.Errorf("moving the last article of a section down: %.2000s", p.body)
	}
	p = ed.follow(ed.post(path+"/sections/1/move", url.Values{"direction": {"up"}}))
	inOrder(t, "after moving the section", p.body, "<h3>Economy</h3>", c.Title, "<h3>Security</h3>", a.Title, b.Title)
	// Add the removed one back from a search.
	p = ed.get(path + "?q=ceasefire")
	if !strings.Contains(p.body, fmt.Sprintf(`name="post_id" value="%d"`, other.ID)) ||
		strings.Contains(p.body, fmt.Sprintf(`name="post_id" value="%d"`, a.ID)) {
		t.Errorf("search for articles to add: %.4000s", p.body)
	}
	p = ed.follow(ed.post(path+"/items", url.Values{"post_id": {fmt.Sprint(other.ID)}}))
	inOrder(t, "after adding", p.body, c.Title, a.Title, b.Title, other.Title)
	p = ed.follow(ed.post(path+"/items", url.Values{"post_id": {fmt.Sprint(other.ID)}}))
	if !strings.Contains(p.body, "already in the issue") {
		t.Errorf("adding twice: %.2000s", p.body)
	}
	// The whole order at once, as dragging sends it; a stale one is refused.
	p = ed.follow(ed.post(path+"/order", url.Values{"item": {fmt.Sprint(c.ID), fmt.Sprint(other.ID), fmt.Sprint(b.ID), fmt.Sprint(a.ID)}}))
	inOrder(t, "after dragging", p.body, c.Title, other.Title, b.Title, a.Title)
	p = ed.follow(ed.post(path+"/order", url.Values{"item": {fmt.Sprint(c.ID), fmt.Sprint(a.ID)}}))
	if !strings.Contains(p.body, "changed while you were reordering") {
		t.Errorf("stale order: %.2000s", p.body)
	}
	// A subject with a line break is refused with the reason.
	p = ed.follow(ed.post(path, url.Values{"subject": {"Bcc: x@example.org\r\nSubject: hi"}}))
	if !strings.Contains(p.body, "cannot contain line breaks") {
		t.Errorf("subject with a line break: %.2000s", p.body)
	}

	// Previews: the HTML may be framed by the desk only, with its styles.
	h := ed.get(path + "/preview.html")
	if h.status != http.StatusOK || !strings.Contains(h.body, "Ships in the strait") || !strings.Contains(h.body, "a busy week") {
		t.Fatalf("HTML preview: %d\n%.2000s", h.status, h.body)
	}
	if csp := h.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'self'") || !strings.Contains(csp, "sandbox") {
		t.Errorf("preview CSP %q", csp)
	}
	if xfo := h.header.Get("X-Frame-Options"); xfo != "SAMEORIGIN" {
		t.Errorf("preview X-Frame-Options %q", xfo)
	}
	txt := ed.get(path + "/preview.txt")
	if txt.status != http.StatusOK || !strings.HasPrefix(txt.header.Get("Content-Type"), "text/plain") ||
		!strings.Contains(txt.body, "Grain prices fall") {
		t.Errorf("text preview: %d %.1000s", txt.status, txt.body)
	}
	page := ed.get(path)
	for _, want := range []string{`width="375"`, `width="700"`, `src="` + path + `/preview.html"`, `id="preview-text"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("issue screen lacks %s", want)
		}
	}
	if strings.Contains(page.body, `X-Frame-Options`) || ed.get(path).header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("the issue screen itself may be framed")
	}

	// A test goes to the editor's own address only.
	p = ed.follow(ed.post(path+"/test", nil))
	if !strings.Contains(p.body, "A test was sent to "+acc.Email) {
		t.Errorf("send test: %.2000s", p.body)
	}
	if n.smtp.Count(acc.Email) != 1 || n.smtp.Total() != 1 {
		t.Errorf("test messages: %v", n.smtp.Counts())
	}
	if msgs := n.smtp.Messages(); len(msgs) == 1 && !strings.HasPrefix(msgs[0].Header.Get("Subject"), "=?") &&
		!strings.Contains(msgs[0].Header.Get("Subject"), "[Test]") {
		t.Errorf("test subject %q", msgs[0].Header.Get("Subject"))
	}

	// Scheduling: a past time is refused, a future one kept in the site's
	// timezone, and unscheduling makes a draft again.
	p = ed.follow(ed.post(path+"/schedule", url.Values{"send_at": {"2001-01-01T09:00"}}))
	if !strings.Contains(p.body, "Choose a time in the future") {
		t.Errorf("schedule in the past: %.2000s", p.body)
	}
	p = ed.follow(ed.post(path+"/schedule", url.Values{"send_at": {"yesterday"}}))
	if !strings.Contains(p.body, "YYYY-MM-DD HH:MM") {
		t.Errorf("schedule with a bad time: %.2000s", p.body)
	}
	at := time.Now().Add(48 * time.Hour).UTC().Format("2006-01-02T15:04")
	p = ed.follow(ed.post(path+"/schedule", url.Values{"send_at": {at}}))
	if !strings.Contains(p.body, "Scheduled for") || !strings.Contains(p.body, `value="`+at+`"`) || !strings.Contains(p.body, "Unschedule") {
		t.Errorf("schedule: %.3000s", p.body)
	}
	var issueID int64
	fmt.Sscan(id, &issueID)
	if is, _ := n.news.Issue(n.ctx, issueID); is.Status != store.IssueScheduled || is.ScheduledAt.UTC().Format("2006-01-02T15:04") != at {
		t.Errorf("scheduled issue: %s at %v", is.Status, is.ScheduledAt)
	}
	p = ed.follow(ed.post(path+"/unschedule", nil))
	if is, _ := n.news.Issue(n.ctx, issueID); is.Status != store.IssueDraft || !strings.Contains(p.body, "draft again") {
		t.Errorf("unschedule: %s", is.Status)
	}

	// The list shows it; deleting the draft removes it.
	list := ed.get("/desk/newsletter")
	if !strings.Contains(list.body, "The week: ships, drones and grain") || !strings.Contains(list.body, "Draft") {
		t.Errorf("list: %.3000s", list.body)
	}
	p = ed.post(path+"/delete", nil)
	if p.status != http.StatusSeeOther || p.location != "/desk/newsletter" {
		t.Errorf("delete: %d %s", p.status, p.location)
	}
	if _, err := n.news.Issue(n.ctx, issueID); err == nil {
		t.Errorf("deleted issue still there")
	}
	log, err := n.svc.AuditLog(n.ctx, n.owner, store.AuditFilter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range log.Entries {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{"newsletter.compose", "newsletter.schedule", "newsletter.unschedule", "newsletter.delete"} {
		if !strings.Contains(strings.Join(actions, " "), want) {
			t.Errorf("audit log lacks %s: %v", want, actions)
		}
	}
}

func TestSendRoundupWithProgressPauseAndCancel(t *testing.T) {
	t.Parallel()
	n := newNewsRig(t, -1)
	ed, _ := n.signIn("eddie@example.org", store.RoleEditor)
	n.publish("Ships in the strait", "Security")
	readers := []string{"ann@example.org", "bob@example.org", "cem@example.org"}
	for _, r := range readers {
		n.subscribe(r, true, false)
	}
	n.subscribe("articles-only@example.org", false, true)
	path := compose(t, ed)

	// "Send now" asks first, saying to how many.
	p := ed.get(path + "/send")
	if p.status != http.StatusOK || !strings.Contains(p.body, "<strong>3</strong> subscribers") || !strings.Contains(p.body, "Send to 3 subscribers") {
		t.Fatalf("confirmation: %d\n%.2000s", p.status, p.body)
	}
	if p := ed.post(path+"/send", nil); p.status != http.StatusSeeOther || p.location != path+"/send" {
		t.Errorf("send without confirming: %d %s", p.status, p.location)
	}
	// Confirmed while no jobs runner is working: the issue waits as
	// sending, so pause, resume and cancel are seen one by one.
	p = ed.follow(ed.post(path+"/send", url.Values{"confirm": {"send"}}))
	if !strings.Contains(p.body, "Sending to 3 subscribers has started") || !strings.Contains(p.body, `id="pause"`) ||
		!strings.Contains(p.body, `data-live="sending"`) {
		t.Fatalf("after sending: %.4000s", p.body)
	}
	if pr := ed.progress(path + "/progress"); pr.Status != "sending" || pr.Total != 3 || pr.Remaining != 3 || pr.Percent != 0 {
		t.Errorf("progress before delivery: %+v", pr)
	}
	if p := ed.get(path + "/send"); p.status != http.StatusSeeOther {
		t.Errorf("confirmation page of a sending issue: %d", p.status)
	}
	if p := ed.follow(ed.post(path, url.Values{"subject": {"Changed"}})); !strings.Contains(p.body, "can no longer be changed") {
		t.Errorf("editing a sending issue: %.2000s", p.body)
	}
	p = ed.follow(ed.post(path+"/pause", nil))
	if !strings.Contains(p.body, "Paused.") || !strings.Contains(p.body, `id="resume"`) || !strings.Contains(p.body, "Paused by an editor") {
		t.Errorf("pause: %.3000s", p.body)
	}
	p = ed.follow(ed.post(path+"/pause", nil))
	if !strings.Contains(p.body, "Only an issue that is sending can be paused") {
		t.Errorf("pause twice: %.2000s", p.body)
	}
	p = ed.follow(ed.post(path+"/resume", nil))
	if !strings.Contains(p.body, "Sending again.") {
		t.Errorf("resume: %.2000s", p.body)
	}

	// Now deliveries run; the progress reaches 100% and the page shows
	// the same numbers without scripts.
	n.runJobs()
	waitFor(t, "the send to finish", func() bool { return ed.progress(path+"/progress").Status == "sent" })
	pr := ed.progress(path + "/progress")
	if pr.Total != 3 || pr.Sent != 3 || pr.Done != 3 || pr.Percent != 100 || pr.Remaining != 0 || pr.ETAText != "none" {
		t.Errorf("progress at the end: %+v", pr)
	}
	for _, r := range readers {
		if n.smtp.Count(r) != 1 {
			t.Errorf("%s got %d copies", r, n.smtp.Count(r))
		}
	}
	if n.smtp.Count("articles-only@example.org") != 0 {
		t.Errorf("the round-up went to someone who wants only articles")
	}
	p = ed.get(path)
	for _, want := range []string{`<progress id="progress-bar" max="3" value="3"`, `<span data-field="percent">100</span>%`,
		`<dd data-field="sent">3</dd>`, `<dd data-field="remaining">0</dd>`, ">Sent</span>"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("finished issue screen lacks %s", want)
		}
	}
	if strings.Contains(p.body, "data-live") || strings.Contains(p.body, `id="send-now"`) || strings.Contains(p.body, `id="cancel"`) {
		t.Errorf("finished issue still offers to send, cancel or poll")
	}
	list := ed.get("/desk/newsletter")
	if !strings.Contains(list.body, "3 sent") {
		t.Errorf("list lacks the counts: %.3000s", list.body)
	}

	// A second issue is cancelled while it waits to be scheduled.
	n.publish("Drones over the border", "Security")
	path2 := compose(t, ed)
	ed.post(path2+"/schedule", url.Values{"send_at": {time.Now().Add(72 * time.Hour).UTC().Format("2006-01-02T15:04")}})
	p = ed.follow(ed.post(path2+"/cancel", nil))
	if !strings.Contains(p.body, "Cancelled.") || !strings.Contains(p.body, `id="delete"`) {
		t.Errorf("cancel: %.3000s", p.body)
	}
	p = ed.follow(ed.post(path2+"/resume", nil))
	if !strings.Contains(p.body, "Only a paused issue can be resumed") {
		t.Errorf("resume a cancelled issue: %.2000s", p.body)
	}
	log, _ := n.svc.AuditLog(n.ctx, n.owner, store.AuditFilter{Limit: 50})
	var actions []string
	for _, e := range log.Entries {
		actions = append(actions, e.Action+" "+e.Detail)
	}
	all := strings.Join(actions, "\n")
	for _, want := range []string{"newsletter.send The Review: the week in review", "3 recipients", "newsletter.pause", "newsletter.resume", "newsletter.cancel"} {
		if !strings.Contains(all, want) {
			t.Errorf("audit log lacks %q:\n%s", want, all)
		}
	}
}

func TestPublishAndEmailArticle(t *testing.T) {
	t.Parallel()
	n := newNewsRig(t, -1)
	n.runJobs()
	n.subscribe("every@example.org", false, true)
	n.subscribe("weekly@example.org", true, false)
	ed, _ := n.signIn("eddie@example.org", store.RoleEditor)
	draft := func(title string) int64 {
		t.Helper()
		p, err := n.svc.CreateDraft(n.ctx, n.owner, editorial.PostInput{Title: title, Body: "Text of " + title + ".\n",
			AuthorIDs: []int64{n.authorID}, SectionID: n.sections["Security"]})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	// The editor sees the box next to "Publish now"; an author does not.
	id := draft("Talks resume in Geneva")
	if p := ed.get(fmt.Sprintf("/desk/posts/%d", id)); !strings.Contains(p.body, `name="email_subscribers"`) {
		t.Errorf("editor's editor lacks the email box")
	}
	p := ed.post(fmt.Sprintf("/desk/posts/%d/publish", id), url.Values{"email_subscribers": {"on"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("publish and email: %d\n%.2000s", p.status, p.body)
	}
	if p = ed.follow(p); !strings.Contains(p.body, "being emailed to the subscribers of every new article") {
		t.Errorf("publish and email: %.2000s", p.body)
	}
	waitFor(t, "the article email", func() bool { return n.smtp.Count("every@example.org") == 1 })
	is, err := n.news.Issues(n.ctx, store.IssueFilter{Kind: store.IssueArticle})
	if err != nil || is.Total != 1 || is.Issues[0].PostID != id || is.Issues[0].Subject != "Talks resume in Geneva" {
		t.Fatalf("article issues: %+v %v", is, err)
	}
	waitFor(t, "the article issue to be sent", func() bool {
		d, err := n.news.Issue(n.ctx, is.Issues[0].ID)
		return err == nil && d.Status == store.IssueSent
	})
	if n.smtp.Count("weekly@example.org") != 0 {
		t.Errorf("the article went to a round-up-only subscriber")
	}
	// The article email has its own screen in the list, without the
	// round-up's reordering.
	if p := ed.get(fmt.Sprintf("/desk/newsletter/%d", is.Issues[0].ID)); !strings.Contains(p.body, "Article email") ||
		strings.Contains(p.body, "/items/") {
		t.Errorf("article issue screen: %.3000s", p.body)
	}

	// Published again after unpublishing: the post goes out, the email
	// does not, and the editor is told why.
	if p := ed.post(fmt.Sprintf("/desk/posts/%d/unpublish", id), nil); p.status != http.StatusSeeOther {
		t.Fatalf("unpublish: %d", p.status)
	}
	p = ed.post(fmt.Sprintf("/desk/posts/%d/publish", id), url.Values{"email_subscribers": {"on"}})
	if !strings.Contains(p.body, "Published. It is on the site now, but it was not emailed to subscribers: This article was already sent to subscribers.") {
		t.Errorf("second email of one article: %d %.3000s", p.status, p.body)
	}
	if post, _ := n.svc.Post(n.ctx, n.owner, id); post.Status != content.StatusPublished {
		t.Errorf("post %s after a refused email", post.Status)
	}
	if n.smtp.Count("every@example.org") != 1 {
		t.Errorf("the article was emailed %d times", n.smtp.Count("every@example.org"))
	}

	// Without the box, publishing sends nothing.
	quiet := draft("A quiet piece")
	if p := ed.follow(ed.post(fmt.Sprintf("/desk/posts/%d/publish", quiet), nil)); !strings.Contains(p.body, "Published. It is on the site now.") {
		t.Errorf("plain publish: %.2000s", p.body)
	}
	if is, _ := n.news.Issues(n.ctx, store.IssueFilter{Kind: store.IssueArticle}); is.Total != 1 {
		t.Errorf("%d article issues after a plain publish", is.Total)
	}

	// An author may publish their own post but not email it; asking to
	// is refused before anything is published.
	au, auAcc := n.signIn("ann@example.org", store.RoleAuthor)
	if err := n.svc.LinkAccountAuthor(n.ctx, n.owner, auAcc.ID, n.authorID); err != nil {
		t.Fatal(err)
	}
	own := draft("The author's own piece")
	if p := au.get(fmt.Sprintf("/desk/posts/%d", own)); p.status != http.StatusOK || strings.Contains(p.body, `name="email_subscribers"`) ||
		!strings.Contains(p.body, `id="publish"`) {
		t.Errorf("author's editor: %d, email box shown or no publish button", p.status)
	}
	if p := au.post(fmt.Sprintf("/desk/posts/%d/publish", own), url.Values{"email_subscribers": {"on"}}); p.status != http.StatusForbidden ||
		!strings.Contains(p.body, "Only editors can email an article") {
		t.Errorf("author emails: %d", p.status)
	}
	if post, _ := n.svc.Post(n.ctx, n.owner, own); post.Status != content.StatusDraft {
		t.Errorf("post %s after a refused publish", post.Status)
	}
}
