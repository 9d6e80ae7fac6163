package desk_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
)

func TestFirstRunSetupThenSignIn(t *testing.T) {
	t.Parallel()
	r := newRig(t, 0)
	b := r.browser()
	if p := b.get("/desk/"); p.status != http.StatusSeeOther || p.location != "/desk/setup" {
		t.Fatalf("empty database: %d → %s", p.status, p.location)
	}
	p := b.get("/desk/setup")
	if p.status != 200 || !strings.Contains(p.body, "Create the owner account") {
		t.Fatalf("setup page: %d\n%.2000s", p.status, p.body)
	}
	p = b.post("/desk/setup", url.Values{"email": {"ed@example.org"}, "name": {"Edith Owner"}, "password": {"short"}, "confirm": {"short"}})
	if p.status != http.StatusUnprocessableEntity || fieldError(p.body, "password") != "Use at least 10 characters." {
		t.Errorf("short password: %d %q", p.status, fieldError(p.body, "password"))
	}
	p = b.post("/desk/setup", url.Values{"email": {"ed@example.org"}, "name": {"Edith Owner"}, "password": {password}, "confirm": {password}})
	if p.status != http.StatusSeeOther || p.location != "/desk/home" {
		t.Fatalf("setup: %d %s\n%.2000s", p.status, p.location, p.body)
	}
	cookie := p.header.Get("Set-Cookie")
	for _, want := range []string{"masthead_session=", "Path=/desk", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("session cookie %q lacks %s", cookie, want)
		}
	}
	if strings.Contains(cookie, "Secure") {
		t.Errorf("Secure cookie on an http site: %q", cookie)
	}
	home := b.follow(p)
	if home.status != 200 || !strings.Contains(home.body, "Hello, Edith Owner") || !strings.Contains(home.body, "Your publication is ready") {
		t.Fatalf("home after setup: %d\n%.3000s", home.status, home.body)
	}
	// Setup is over.
	if p := r.browser().get("/desk/setup"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/desk/signin") {
		t.Errorf("setup after setup: %d %s", p.status, p.location)
	}
	other := r.browser()
	p = other.post("/desk/setup", url.Values{"email": {"x@example.org"}, "password": {password}, "confirm": {password}})
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "already exists") {
		t.Errorf("second setup: %d", p.status)
	}

	// Sign out, then sign in: a wrong password is refused with a clear
	// message, the right one works.
	if p := b.post("/desk/signout", nil); p.status != http.StatusSeeOther {
		t.Errorf("sign out: %d", p.status)
	}
	if p := b.get("/desk/home"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/desk/signin") {
		t.Errorf("home after signing out: %d %s", p.status, p.location)
	}
	p = b.post("/desk/signin", url.Values{"email": {"ed@example.org"}, "password": {"not the password"}})
	if p.status != http.StatusUnauthorized || !strings.Contains(p.body, "Wrong email or password.") {
		t.Errorf("wrong password: %d", p.status)
	}
	p = b.post("/desk/signin", url.Values{"email": {"ed@example.org"}, "password": {password}, "next": {"/desk/media"}})
	if p.status != http.StatusSeeOther || p.location != "/desk/media" {
		t.Errorf("sign in with next: %d %s", p.status, p.location)
	}
	p = b.post("/desk/signin", url.Values{"email": {"ed@example.org"}, "password": {password}, "next": {"https://evil.example/"}})
	if p.location != "/desk/home" {
		t.Errorf("sign in with an outside next went to %s", p.location)
	}
}

func TestCrossOriginPostIsRefused(t *testing.T) {
	t.Parallel()
	r := newRig(t, 0)
	b, _ := r.signIn("owner@example.org", store.RoleOwner)
	for name, set := range map[string]func(h http.Header){
		"Sec-Fetch-Site: cross-site": func(h http.Header) { h.Set("Sec-Fetch-Site", "cross-site") },
		"foreign Origin":             func(h http.Header) { h.Set("Origin", "https://evil.example") },
	} {
		form := url.Values{"title": {"Forged"}, "body": {"x"}}
		req, _ := http.NewRequest(http.MethodPost, r.srv.URL+"/desk/posts", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		set(req.Header)
		p := b.do(req)
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "sent from another site") {
			t.Errorf("%s: %d", name, p.status)
		}
	}
	if page, _ := r.st.DeskPosts(r.ctx, store.DeskFilter{}); page.Total != 0 {
		t.Errorf("a cross-origin post created %d posts", page.Total)
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	r := newRig(t, 0)
	b, _ := r.signIn("owner@example.org", store.RoleOwner)
	p := b.get("/desk/home")
	csp := p.header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "default-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %s", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
		if got := p.header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	// No inline script or style anywhere on the page.
	if strings.Contains(p.body, "<script>") || strings.Contains(p.body, "style=") || strings.Contains(p.body, "onclick") {
		t.Errorf("inline code on the page")
	}
}

// TestEveryPageRenders opens every page of the desk as an owner.
func TestEveryPageRenders(t *testing.T) {
	t.Parallel()
	r := newRig(t, 0)
	b, acc := r.signIn("owner@example.org", store.RoleOwner)
	p, err := r.svc.CreateDraft(r.ctx, actor(acc), editorialInput("A piece"))
	if err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(p.ID, 10)
	for _, path := range []string{"/desk/home", "/desk/posts", "/desk/posts?status=draft", "/desk/posts/new", "/desk/posts/" + id,
		"/desk/posts/" + id + "/revisions", "/desk/media", "/desk/authors", "/desk/authors/new", "/desk/authors/" + strconv.FormatInt(acc.AuthorID, 10),
		"/desk/tags", "/desk/accounts", "/desk/settings", "/desk/audit", "/desk/outbox", "/desk/account"} {
		p := b.get(path)
		if p.status != http.StatusOK {
			t.Errorf("GET %s: %d\n%.2000s", path, p.status, p.body)
		}
	}
	for path, want := range map[string]int{"/desk/posts/999999": 404, "/desk/nothing": 404, "/desk/posts/abc": 404} {
		if p := b.get(path); p.status != want {
			t.Errorf("GET %s: %d, want %d", path, p.status, want)
		}
	}
}

func TestContributorCannotPublishOrTouchOthers(t *testing.T) {
	t.Parallel()
	r := newRig(t, 0)
	_, edAcc := r.signIn("editor@example.org", store.RoleEditor)
	c, cAcc := r.signIn("writer@example.org", store.RoleContributor)
	own, err := r.svc.CreateDraft(r.ctx, actor(cAcc), editorialInput("My piece"))
	if err != nil {
		t.Fatal(err)
	}
	others, err := r.svc.CreateDraft(r.ctx, actor(edAcc), editorialInput("Editor's piece"))
	if err != nil {
		t.Fatal(err)
	}
	// The editor page offers no Publish button…
	p := c.get("/desk/posts/" + strconv.FormatInt(own.ID, 10))
	if p.status != 200 || strings.Contains(p.body, `id="publish"`) || !strings.Contains(p.body, `id="submit-review"`) {
		t.Errorf("contributor's editor: %d, publish button shown or submit missing", p.status)
	}
	// …and posting to it anyway is refused and changes nothing.
	form := url.Values{"title": {"Sneaky new title"}, "body": {"x"}}
	p = c.post("/desk/posts/"+strconv.FormatInt(own.ID, 10)+"/publish", form)
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "submit the post for review") {
		t.Errorf("contributor publishing: %d\n%.1500s", p.status, p.body)
	}
	if got, _ := r.st.PostByID(r.ctx, own.ID); got.Status != content.StatusDraft || got.Title != "My piece" {
		t.Errorf("refused publish changed the post: %s %q", got.Status, got.Title)
	}
	// Another's draft: neither readable nor editable.
	oid := strconv.FormatInt(others.ID, 10)
	if p := c.get("/desk/posts/" + oid); p.status != http.StatusForbidden {
		t.Errorf("contributor opening another's draft: %d", p.status)
	}
	if p := c.post("/desk/posts/"+oid, url.Values{"title": {"Mine now"}}); p.status != http.StatusForbidden {
		t.Errorf("contributor saving another's draft: %d", p.status)
	}
	if got, _ := r.st.PostByID(r.ctx, others.ID); got.Title != "Editor's piece" {
		t.Errorf("refused save changed another's post: %q", got.Title)
	}
	// Admin pages are refused; the role cannot be raised.
	for _, path := range []string{"/desk/accounts", "/desk/settings", "/desk/audit", "/desk/outbox", "/desk/tags"} {
		if p := c.get(path); p.status != http.StatusForbidden {
			t.Errorf("contributor GET %s: %d", path, p.status)
		}
	}
	p = c.post("/desk/accounts/"+strconv.FormatInt(cAcc.ID, 10)+"/role", url.Values{"role": {"owner"}})
	if p.status != http.StatusForbidden {
		t.Errorf("contributor changing own role: %d", p.status)
	}
	if got, _ := r.st.AccountByID(r.ctx, cAcc.ID); got.Role != store.RoleContributor {
		t.Errorf("role is now %s", got.Role)
	}
}

func TestEditorWorkflowOverHTTP(t *testing.T) {
	t.Parallel()
	r := newRig(t, 0)
	b, acc := r.signIn("editor@example.org", store.RoleEditor)
	section := content.Tag{Slug: "world", Name: "World", IsSection: true}
	if err := r.st.SaveTag(r.ctx, &section); err != nil {
		t.Fatal(err)
	}
	taken, _ := r.svc.CreateDraft(r.ctx, actor(acc), editorialInput("Taken"))

	// A new post with an uploaded photo.
	form := url.Values{"title": {"Harbours of the north"}, "deck": {"Ice, trade and power"}, "body": {"## First\n\nText with *emphasis*.\n"},
		"author_id": {strconv.FormatInt(acc.AuthorID, 10), ""}, "author_order": {"1", "2"}, "section": {strconv.FormatInt(section.ID, 10)},
		"tags": {"Arctic, Shipping"}, "image_alt": {"A frozen harbour"}, "image_caption": {"Tromsø in winter."}, "image_credit": {"Ola Nordmann"}}
	p := b.postMultipart("/desk/posts", form, "image_file", "harbour.jpg", jpegFile(t))
	m := idRE.FindStringSubmatch(p.location)
	if p.status != http.StatusSeeOther || m == nil {
		t.Fatalf("create: %d %s\n%.3000s", p.status, p.location, p.body)
	}
	id := m[1]
	postID, _ := strconv.ParseInt(id, 10, 64)
	saved, _ := r.st.PostByID(r.ctx, postID)
	if saved.Image.Credit != "Ola Nordmann" || !strings.HasPrefix(saved.Image.Key, "uploads/") || saved.Section == nil || len(saved.Tags) != 2 {
		t.Errorf("saved post: image %+v section %v tags %v", saved.Image, saved.Section, saved.Tags)
	}
	edit := b.follow(p)
	if edit.status != 200 || !strings.Contains(edit.body, "Draft saved.") || !strings.Contains(edit.body, `<h2 id="first">First</h2>`) {
		t.Errorf("editor after create: %d\n%.3000s", edit.status, edit.body)
	}

	// A colliding slug is an error next to the slug field, and nothing
	// changes.
	form.Set("slug", taken.Slug)
	form.Set("body", "Changed body")
	p = b.post("/desk/posts/"+id, form)
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(fieldError(p.body, "slug")), "Another post (“Taken”)") {
		t.Errorf("slug collision: %d %q", p.status, fieldError(p.body, "slug"))
	}
	if got, _ := r.st.PostByID(r.ctx, postID); got.Body != saved.Body {
		t.Errorf("a refused save changed the body")
	}
	form.Del("slug")

	// Autosave answers JSON.
	form.Set("body", "Autosaved body\n")
	p = b.post("/desk/posts/"+id+"/autosave", form)
	var ans struct {
		OK    bool
		Saved string
	}
	if err := json.Unmarshal([]byte(p.body), &ans); err != nil || !ans.OK || ans.Saved == "" {
		t.Errorf("autosave: %d %s", p.status, p.body)
	}
	form.Set("title", "")
	p = b.post("/desk/posts/"+id+"/autosave", form)
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `"title":"Give the post a title."`) {
		t.Errorf("autosave without title: %d %s", p.status, p.body)
	}
	form.Set("title", "Harbours of the north")

	// The preview renders with the site's renderer, sanitized.
	p = b.post("/desk/preview", url.Values{"body": {"# Hi\n\n<script>alert(1)</script>\n\nSome **bold** text."}})
	if p.status != 200 || !strings.Contains(p.body, "<strong>bold</strong>") || strings.Contains(p.body, "<script>") || strings.Contains(p.body, "<html") {
		t.Errorf("preview: %d %q", p.status, p.body)
	}

	// Scheduling in the past is refused next to the field.
	form.Set("publish_at", time.Now().Add(-time.Hour).UTC().Format("2006-01-02T15:04"))
	p = b.post("/desk/posts/"+id+"/schedule", form)
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(fieldError(p.body, "publish_at"), "already passed") {
		t.Errorf("schedule in the past: %d %q", p.status, fieldError(p.body, "publish_at"))
	}
	if got, _ := r.st.PostByID(r.ctx, postID); got.Status != content.StatusDraft {
		t.Errorf("refused schedule: status %s", got.Status)
	}
	form.Set("publish_at", time.Now().Add(48*time.Hour).UTC().Format("2006-01-02T15:04"))
	p = b.post("/desk/posts/"+id+"/schedule", form)
	if p.status != http.StatusSeeOther {
		t.Fatalf("schedule: %d\n%.2000s", p.status, p.body)
	}
	if got, _ := r.st.PostByID(r.ctx, postID); got.Status != content.StatusScheduled {
		t.Errorf("after schedule: %s", got.Status)
	}
	p = b.post("/desk/posts/"+id+"/publish", form)
	if p.status != http.StatusSeeOther {
		t.Fatalf("publish: %d\n%.2000s", p.status, p.body)
	}
	p = b.post("/desk/posts/"+id+"/corrections", url.Values{"correction": {"The photo was taken in Tromsø, not Bodø."}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("correction: %d\n%.2000s", p.status, p.body)
	}
	if got, _ := r.st.PostByID(r.ctx, postID); got.Status != content.StatusPublished || len(got.Corrections) != 1 || got.UpdatedAt.IsZero() {
		t.Errorf("after publish and correction: %s, %d corrections", got.Status, len(got.Corrections))
	}

	// Revisions: the diff shows, and restoring works.
	revs, _ := r.st.Revisions(r.ctx, postID, 0)
	rev := b.get("/desk/posts/" + id + "/revisions?from=" + strconv.FormatInt(revs[len(revs)-1].ID, 10) + "&to=" + strconv.FormatInt(revs[0].ID, 10))
	if rev.status != 200 || !strings.Contains(rev.body, `class="line line-ins"`) || !strings.Contains(rev.body, "Autosaved body") {
		t.Errorf("revisions page: %d\n%.3000s", rev.status, rev.body)
	}
	p = b.post("/desk/posts/"+id+"/revisions/"+strconv.FormatInt(revs[len(revs)-1].ID, 10)+"/restore", nil)
	if p.status != http.StatusSeeOther || !idRE.MatchString(p.location) {
		t.Errorf("restore: %d %s", p.status, p.location)
	}
	if got, _ := r.st.PostByID(r.ctx, postID); got.Body != saved.Body || got.Status != content.StatusPublished {
		t.Errorf("restored body %q status %s", got.Body, got.Status)
	}
}

func TestMediaUploadRefusalsOverHTTP(t *testing.T) {
	t.Parallel()
	r := newRig(t, 1<<20)
	b, _ := r.signIn("writer@example.org", store.RoleContributor)
	p := b.postMultipart("/desk/media", url.Values{"alt": {"x"}}, "file", "photo.jpg", []byte("<html><body>not an image</body></html>"))
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "photo.jpg was not uploaded: the file is not a JPEG, PNG, GIF or WebP image.") {
		t.Errorf("HTML as JPEG: %d\n%.2000s", p.status, p.body)
	}
	big := append(jpegFile(t), make([]byte, 3<<20)...)
	p = b.postMultipart("/desk/media", nil, "file", "big.jpg", big)
	if !strings.Contains(p.body, "larger than the 1 MB upload limit") {
		t.Errorf("too large: %d\n%.2000s", p.status, p.body)
	}
	p = b.postMultipart("/desk/media", nil, "", "", nil)
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Choose an image file") {
		t.Errorf("no file: %d", p.status)
	}
	if page, _ := r.st.MediaItems(r.ctx, store.MediaFilter{}); page.Total != 0 {
		t.Errorf("refused uploads stored %d items", page.Total)
	}
	p = b.postMultipart("/desk/media", url.Values{"alt": {"A test card"}, "credit": {"Test"}}, "file", "card.jpg", jpegFile(t))
	if p.status != http.StatusSeeOther {
		t.Fatalf("good upload: %d\n%.2000s", p.status, p.body)
	}
	item := b.follow(p)
	if item.status != 200 || !strings.Contains(item.body, "Being made") {
		t.Errorf("image page right after upload: %d\n%.2000s", item.status, item.body)
	}
}

func TestInvitationOverHTTP(t *testing.T) {
	t.Parallel()
	r := newRig(t, 0)
	admin, _ := r.signIn("admin@example.org", store.RoleAdmin)
	p := admin.post("/desk/accounts/invite", url.Values{"email": {"boss@example.org"}, "role": {"owner"}})
	if p.status != http.StatusForbidden {
		t.Errorf("admin inviting an owner: %d", p.status)
	}
	p = admin.post("/desk/accounts/invite", url.Values{"email": {"new@example.org"}, "role": {"author"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("invite: %d\n%.2000s", p.status, p.body)
	}
	out := admin.get("/desk/outbox")
	if !strings.Contains(out.body, "new@example.org") {
		t.Fatalf("outbox lacks the invitation")
	}
	msgs, _ := r.st.OutboxMessages(r.ctx, store.OutboxFilter{To: "new@example.org"})
	msg := admin.get("/desk/outbox/" + strconv.FormatInt(msgs.Messages[0].ID, 10))
	i := strings.Index(msg.body, "http://desk.test/desk/invite/")
	if i < 0 {
		t.Fatalf("no link in the message page")
	}
	link := msg.body[i+len("http://desk.test") : i+len("http://desk.test/desk/invite/")+43]
	guest := r.browser()
	form := guest.get(link)
	if form.status != 200 || !strings.Contains(form.body, "new@example.org") {
		t.Fatalf("invitation page: %d", form.status)
	}
	p = guest.post(link, url.Values{"name": {"Nell New"}, "password": {password}, "confirm": {password}})
	if p.status != http.StatusSeeOther || p.location != "/desk/home" {
		t.Fatalf("accept: %d %s\n%.2000s", p.status, p.location, p.body)
	}
	if home := guest.follow(p); !strings.Contains(home.body, "Hello, Nell New") {
		t.Errorf("home of the new account")
	}
	if p := r.browser().get(link); p.status != http.StatusBadRequest || !strings.Contains(p.body, "already been used") {
		t.Errorf("used invitation: %d", p.status)
	}
}
