package desk_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/editorial"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

func TestAPIAuthentication(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		r := newRigOn(t, st, 0, time.Time{})
		owner, ownerAcc := r.tokenFor("owner@example.org", "Olga Owner", store.RoleOwner)
		writer, writerAcc := r.tokenFor("writer@example.org", "Wes Writer", store.RoleAuthor)

		for _, h := range []string{"", "Bearer", "Bearer ", "Basic " + writer, "Bearer not-a-token", "Bearer " + writer + "x", writer} {
			req, _ := http.NewRequest(http.MethodGet, r.srv.URL+"/desk/api/v1/posts", nil)
			if h != "" {
				req.Header.Set("Authorization", h)
			}
			a := r.send(req).want(t, http.StatusUnauthorized)
			if a.header.Get("WWW-Authenticate") == "" || !strings.Contains(a.str("error"), "Bearer") {
				t.Errorf("Authorization %q: %v %s", h, a.header, a.body)
			}
		}
		r.call(writer, "GET", "/desk/api/v1/posts", nil).want(t, http.StatusOK)

		// The token's last use is recorded, at most once a minute.
		toks, err := st.APITokens(r.ctx, writerAcc.ID)
		if err != nil || len(toks) != 1 || toks[0].LastUsedAt.IsZero() {
			t.Fatalf("last use not recorded: %+v %v", toks, err)
		}
		first := toks[0].LastUsedAt
		r.call(writer, "GET", "/desk/api/v1/tags", nil).want(t, http.StatusOK)
		if toks, _ = st.APITokens(r.ctx, writerAcc.ID); !toks[0].LastUsedAt.Equal(first) {
			t.Errorf("last use rewritten within a minute: %v then %v", first, toks[0].LastUsedAt)
		}
		old := time.Now().Add(-2 * time.Minute)
		if err := st.TouchAPIToken(r.ctx, toks[0].ID, old); err != nil {
			t.Fatal(err)
		}
		r.call(writer, "GET", "/desk/api/v1/tags", nil).want(t, http.StatusOK)
		if toks, _ = st.APITokens(r.ctx, writerAcc.ID); !toks[0].LastUsedAt.After(old.Add(time.Minute)) {
			t.Errorf("last use not updated after a minute: %v", toks[0].LastUsedAt)
		}

		// A disabled account's tokens stop working, and work again when it
		// is enabled.
		if err := r.svc.SetDisabled(r.ctx, actor(ownerAcc), writerAcc.ID, true); err != nil {
			t.Fatal(err)
		}
		r.call(writer, "GET", "/desk/api/v1/posts", nil).want(t, http.StatusUnauthorized)
		if err := r.svc.SetDisabled(r.ctx, actor(ownerAcc), writerAcc.ID, false); err != nil {
			t.Fatal(err)
		}
		r.call(writer, "GET", "/desk/api/v1/posts", nil).want(t, http.StatusOK)

		// A revoked token is refused.
		if err := st.DeleteAPIToken(r.ctx, writerAcc.ID, toks[0].ID); err != nil {
			t.Fatal(err)
		}
		r.call(writer, "GET", "/desk/api/v1/posts", nil).want(t, http.StatusUnauthorized)

		// A role change changes what the token may do.
		other, otherAcc := r.tokenFor("other@example.org", "Otto Other", store.RoleEditor)
		r.call(other, "POST", "/desk/api/v1/tags", map[string]any{"name": "Asia"}).want(t, http.StatusCreated)
		if err := r.svc.ChangeRole(r.ctx, actor(ownerAcc), otherAcc.ID, store.RoleContributor); err != nil {
			t.Fatal(err)
		}
		r.call(other, "POST", "/desk/api/v1/tags", map[string]any{"name": "Africa"}).want(t, http.StatusForbidden)
		r.call(owner, "GET", "/desk/api/v1/tags", nil).want(t, http.StatusOK)
	})
}

func TestAPISessionCookieDoesNotAuthenticate(t *testing.T) {
	r := newRig(t, 0)
	b, _ := r.signIn("editor@example.org", store.RoleEditor)
	for _, method := range []string{"GET", "POST"} {
		req, _ := http.NewRequest(method, r.srv.URL+"/desk/api/v1/posts", strings.NewReader(`{"title": "From a browser"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if p := b.do(req); p.status != http.StatusUnauthorized {
			t.Errorf("%s with a session cookie: %d %s", method, p.status, p.body)
		}
	}
	page, err := r.svc.Posts(r.ctx, editorial.Actor{Account: store.Account{ID: 1, Role: store.RoleOwner}}, editorial.PostList{})
	if err != nil || page.Total != 0 {
		t.Errorf("a post was created: %+v %v", page, err)
	}
}

func TestAPICrossOrigin(t *testing.T) {
	r := newRigOn(t, storetest.Open(t), 0, time.Time{})
	tok, _ := r.tokenFor("editor@example.org", "Eda Editor", store.RoleEditor)
	post := func(set func(h http.Header)) apiAnswer {
		req, _ := http.NewRequest("POST", r.srv.URL+"/desk/api/v1/tags", strings.NewReader(`{"name": "T`+fmt.Sprint(time.Now().UnixNano())+`"}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		set(req.Header)
		return r.send(req)
	}
	// Programs send neither header and pass.
	post(func(http.Header) {}).want(t, http.StatusCreated)
	// So does a page of the site itself.
	post(func(h http.Header) { h.Set("Sec-Fetch-Site", "same-origin") }).want(t, http.StatusCreated)
	// A browser page on another site is refused, in JSON.
	a := post(func(h http.Header) { h.Set("Sec-Fetch-Site", "cross-site"); h.Set("Origin", "https://evil.example") }).want(t, http.StatusForbidden)
	if a.str("error") == "" {
		t.Errorf("no error message: %s", a.body)
	}
}

func TestAPIBadRequests(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		r := newRigOn(t, st, 0, time.Time{})
		tok, _ := r.tokenFor("editor@example.org", "Eda Editor", store.RoleEditor)
		tests := []struct {
			name, method, path, ct, body string
			status                       int
			msg                          string
		}{
			{"empty body", "POST", "/desk/api/v1/posts", "application/json", "", 400, "empty"},
			{"truncated", "POST", "/desk/api/v1/posts", "application/json", `{"title": "x"`, 400, "ends too early"},
			{"syntax", "POST", "/desk/api/v1/posts", "application/json", `{"title": 'x'}`, 400, "not valid JSON"},
			{"unknown field", "POST", "/desk/api/v1/posts", "application/json", `{"title": "x", "colour": "red"}`, 400, `"colour"`},
			{"wrong type", "POST", "/desk/api/v1/posts", "application/json", `{"title": 5}`, 400, `"title" must be a string`},
			{"wrong list type", "POST", "/desk/api/v1/posts", "application/json", `{"title": "x", "tags": "a, b"}`, 400, `"tags"`},
			{"not an object", "POST", "/desk/api/v1/posts", "application/json", `["x"]`, 400, "JSON object"},
			{"two values", "POST", "/desk/api/v1/posts", "application/json", `{"title": "x"} {"title": "y"}`, 400, "more than one"},
			{"not JSON", "POST", "/desk/api/v1/posts", "text/plain", `title=x`, 415, "application/json"},
			{"unknown tag field", "PATCH", "/desk/api/v1/tags/1", "application/json", `{"section": true}`, 400, `"section"`},
			{"unknown media field", "PATCH", "/desk/api/v1/media/1", "application/json", `{"title": "x"}`, 400, `"title"`},
			{"bad status", "GET", "/desk/api/v1/posts?status=live", "", "", 400, "status"},
			{"bad limit", "GET", "/desk/api/v1/posts?limit=0", "", "", 400, "limit"},
			{"bad offset", "GET", "/desk/api/v1/media?offset=-1", "", "", 400, "offset"},
			{"no such endpoint", "GET", "/desk/api/v1/comments", "", "", 404, "endpoint"},
			{"malformed id", "GET", "/desk/api/v1/posts/abc", "", "", 404, ""},
			{"missing post", "GET", "/desk/api/v1/posts/999", "", "", 404, "does not exist"},
			{"missing author", "GET", "/desk/api/v1/authors/999", "", "", 404, "does not exist"},
			{"missing tag", "PATCH", "/desk/api/v1/tags/999", "application/json", `{"name": "x"}`, 404, "does not exist"},
			{"missing media", "GET", "/desk/api/v1/media/999", "", "", 404, "does not exist"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				req, _ := http.NewRequest(tt.method, r.srv.URL+tt.path, strings.NewReader(tt.body))
				req.Header.Set("Authorization", "Bearer "+tok)
				if tt.ct != "" {
					req.Header.Set("Content-Type", tt.ct)
				}
				a := r.send(req).want(t, tt.status)
				if !strings.Contains(a.str("error"), tt.msg) {
					t.Errorf("error %q, want it to mention %q", a.str("error"), tt.msg)
				}
			})
		}

		// An oversized body is refused with 413, and nothing is saved.
		big := `{"title": "Big", "body": "` + strings.Repeat("a", 5<<20) + `"}`
		a := r.call(tok, "POST", "/desk/api/v1/posts", big).want(t, http.StatusRequestEntityTooLarge)
		if !strings.Contains(a.str("error"), "4 MB") {
			t.Errorf("413 message: %s", a.body)
		}
		r.call(tok, "GET", "/desk/api/v1/posts", nil).want(t, http.StatusOK)
		if n := r.call(tok, "GET", "/desk/api/v1/posts", nil).num("total"); n != 0 {
			t.Errorf("%d posts after refused requests", n)
		}
	})
}

func TestAPIPostsRoles(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		r := newRigOn(t, st, 0, time.Time{})
		editor, _ := r.tokenFor("editor@example.org", "Eda Editor", store.RoleEditor)
		contrib, _ := r.tokenFor("contrib@example.org", "Cy Contrib", store.RoleContributor)
		other, _ := r.tokenFor("other@example.org", "Ola Other", store.RoleContributor)
		author, authorAcc := r.tokenFor("author@example.org", "Ali Author", store.RoleAuthor)

		mine := r.call(contrib, "POST", "/desk/api/v1/posts", map[string]any{"title": "Mine", "body": "Text."}).want(t, http.StatusCreated)
		id := mine.num("id")
		p := fmt.Sprintf("/desk/api/v1/posts/%d", id)
		if mine.header.Get("Location") != p {
			t.Errorf("Location %q", mine.header.Get("Location"))
		}

		// Another contributor can neither see, edit, submit nor delete it.
		r.call(other, "GET", p, nil).want(t, http.StatusForbidden)
		r.call(other, "PATCH", p, map[string]any{"title": "Stolen"}).want(t, http.StatusForbidden)
		r.call(other, "PUT", p, map[string]any{"title": "Stolen", "body": "x"}).want(t, http.StatusForbidden)
		r.call(other, "POST", p+"/submit", nil).want(t, http.StatusForbidden)
		r.call(other, "DELETE", p, nil).want(t, http.StatusForbidden)
		if n := r.call(other, "GET", "/desk/api/v1/posts", nil).num("total"); n != 0 {
			t.Errorf("another contributor lists %d posts", n)
		}
		// Nor can an author who does not own it publish it.
		r.call(author, "POST", p+"/publish", nil).want(t, http.StatusForbidden)

		// The contributor cannot publish, schedule, unpublish or archive.
		for _, action := range []string{"publish", "unpublish", "archive"} {
			a := r.call(contrib, "POST", p+"/"+action, nil).want(t, http.StatusForbidden)
			if !strings.Contains(a.str("error"), "Contributors cannot") {
				t.Errorf("%s: %s", action, a.body)
			}
		}
		r.call(contrib, "POST", p+"/schedule", map[string]any{"at": time.Now().Add(time.Hour).Format(time.RFC3339)}).want(t, http.StatusForbidden)
		// Nor create tags by using them.
		a := r.call(contrib, "PATCH", p, map[string]any{"tags": []string{"Brand new"}}).want(t, http.StatusUnprocessableEntity)
		if a.fieldError("tags") == "" {
			t.Errorf("no tags error: %s", a.body)
		}
		// Nor drop themselves from the byline.
		a = r.call(contrib, "PATCH", p, map[string]any{"author_ids": []int64{}}).want(t, http.StatusUnprocessableEntity)
		if a.fieldError("author_ids") == "" {
			t.Errorf("no author_ids error: %s", a.body)
		}

		// The contributor edits and submits; then the post is the editors'.
		r.call(contrib, "PATCH", p, map[string]any{"deck": "A deck"}).want(t, http.StatusOK)
		if s := r.call(contrib, "POST", p+"/submit", nil).want(t, http.StatusOK).str("status"); s != "review" {
			t.Errorf("status %q after submit", s)
		}
		r.call(contrib, "POST", p+"/submit", nil).want(t, http.StatusForbidden)
		r.call(contrib, "DELETE", p, nil).want(t, http.StatusForbidden)

		// The editor schedules; a past time, a malformed one and none are
		// field errors.
		for _, body := range []map[string]any{{"at": "2001-01-01T00:00:00Z"}, {"at": "tomorrow"}, {}} {
			a := r.call(editor, "POST", p+"/schedule", body).want(t, http.StatusUnprocessableEntity)
			if a.fieldError("at") == "" {
				t.Errorf("schedule %v: %s", body, a.body)
			}
		}
		at := time.Now().Add(time.Hour).Truncate(time.Second)
		a = r.call(editor, "POST", p+"/schedule", map[string]any{"at": at.Format(time.RFC3339)}).want(t, http.StatusOK)
		if a.str("status") != "scheduled" || a.str("published_at") != at.UTC().Format(time.RFC3339) {
			t.Errorf("scheduled: %s", a.body)
		}
		a = r.call(editor, "POST", p+"/publish", nil).want(t, http.StatusOK)
		if a.str("status") != "published" {
			t.Errorf("published: %s", a.body)
		}
		r.call(editor, "POST", p+"/publish", nil).want(t, http.StatusConflict)
		// A published post is the editors' now.
		r.call(contrib, "PATCH", p, map[string]any{"deck": "Changed"}).want(t, http.StatusForbidden)
		post, err := st.PostByID(r.ctx, id)
		if err != nil || post.Deck != "A deck" || post.Status != content.StatusPublished {
			t.Errorf("stored post: %+v %v", post, err)
		}
		r.call(contrib, "POST", p+"/corrections", map[string]any{"note": "x"}).want(t, http.StatusForbidden)
		r.call(editor, "POST", p+"/corrections", map[string]any{"note": ""}).want(t, http.StatusUnprocessableEntity)
		r.call(editor, "POST", p+"/corrections", map[string]any{"note": "Fixed a name."}).want(t, http.StatusOK)
		r.call(editor, "POST", p+"/unpublish", nil).want(t, http.StatusOK)
		r.call(editor, "POST", p+"/unpublish", nil).want(t, http.StatusConflict)
		r.call(editor, "POST", p+"/archive", nil).want(t, http.StatusOK)
		r.call(editor, "POST", p+"/reopen", nil).want(t, http.StatusOK)

		// An author publishes their own post.
		own := r.call(author, "POST", "/desk/api/v1/posts", map[string]any{"title": "Own", "body": "Text."}).want(t, http.StatusCreated)
		if s := r.call(author, "POST", fmt.Sprintf("/desk/api/v1/posts/%d/publish", own.num("id")), nil).want(t, http.StatusOK).str("status"); s != "published" {
			t.Errorf("author publish: %s", s)
		}
		authors, _ := own.json["authors"].([]any)
		if len(authors) != 1 || int64(authors[0].(map[string]any)["id"].(float64)) != authorAcc.AuthorID {
			t.Errorf("author's byline: %v", own.json["authors"])
		}

		// A slug collision is a field error, and nothing changes.
		a = r.call(editor, "PATCH", p, map[string]any{"slug": "own"}).want(t, http.StatusUnprocessableEntity)
		if a.fieldError("slug") == "" {
			t.Errorf("slug collision: %s", a.body)
		}
		// A section that is a tag, an image not in the library.
		r.call(editor, "POST", "/desk/api/v1/tags", map[string]any{"name": "Plain"}).want(t, http.StatusCreated)
		a = r.call(editor, "PATCH", p, map[string]any{"section_id": 1, "image_key": "uploads/none.jpg"}).want(t, http.StatusUnprocessableEntity)
		if a.fieldError("section_id") == "" || a.fieldError("image_key") == "" {
			t.Errorf("section and image: %s", a.body)
		}

		// Deleting.
		r.call(editor, "DELETE", p, nil).want(t, http.StatusNoContent)
		r.call(editor, "GET", p, nil).want(t, http.StatusNotFound)
		r.call(editor, "DELETE", p, nil).want(t, http.StatusNotFound)
		draft := r.call(contrib, "POST", "/desk/api/v1/posts", map[string]any{"title": "Throwaway"}).want(t, http.StatusCreated)
		r.call(contrib, "DELETE", fmt.Sprintf("/desk/api/v1/posts/%d", draft.num("id")), nil).want(t, http.StatusNoContent)
	})
}

func TestAPIPostListPaging(t *testing.T) {
	r := newRigOn(t, storetest.Open(t), 0, time.Time{})
	tok, _ := r.tokenFor("editor@example.org", "Eda Editor", store.RoleEditor)
	for i := range 5 {
		r.call(tok, "POST", "/desk/api/v1/posts", map[string]any{"title": fmt.Sprintf("Report %d", i), "body": "x"}).want(t, http.StatusCreated)
	}
	r.call(tok, "POST", "/desk/api/v1/posts/1/publish", nil).want(t, http.StatusOK)
	a := r.call(tok, "GET", "/desk/api/v1/posts?limit=2&offset=2", nil).want(t, http.StatusOK)
	if a.num("total") != 5 || len(a.json["posts"].([]any)) != 2 || a.num("offset") != 2 {
		t.Errorf("paging: %s", a.body)
	}
	if n := r.call(tok, "GET", "/desk/api/v1/posts?status=published", nil).num("total"); n != 1 {
		t.Errorf("%d published", n)
	}
	if n := r.call(tok, "GET", "/desk/api/v1/posts?status=draft&status=published", nil).num("total"); n != 5 {
		t.Errorf("%d drafts and published", n)
	}
	if n := r.call(tok, "GET", "/desk/api/v1/posts?q="+url.QueryEscape("report 3"), nil).num("total"); n != 1 {
		t.Errorf("%d found", n)
	}
}

func TestAPIAuthorsAndTagsRoles(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		r := newRigOn(t, st, 0, time.Time{})
		editor, _ := r.tokenFor("editor@example.org", "Eda Editor", store.RoleEditor)
		contrib, contribAcc := r.tokenFor("contrib@example.org", "Cy Contrib", store.RoleContributor)

		r.call(contrib, "POST", "/desk/api/v1/authors", map[string]any{"name": "Guest"}).want(t, http.StatusForbidden)
		guest := r.call(editor, "POST", "/desk/api/v1/authors", map[string]any{"name": "Guest Writer"}).want(t, http.StatusCreated)
		g := fmt.Sprintf("/desk/api/v1/authors/%d", guest.num("id"))
		r.call(contrib, "PATCH", g, map[string]any{"bio": "x"}).want(t, http.StatusForbidden)
		self := fmt.Sprintf("/desk/api/v1/authors/%d", contribAcc.AuthorID)
		a := r.call(contrib, "PATCH", self, map[string]any{"bio": "I write.", "links": []map[string]string{{"url": "https://cy.example"}}}).want(t, http.StatusOK)
		if a.str("bio") != "I write." || a.str("name") != "Cy Contrib" {
			t.Errorf("own profile: %s", a.body)
		}
		for _, body := range []map[string]any{
			{"name": ""},
			{"links": []map[string]string{{"label": "a | b", "url": "https://x.example"}}},
			{"links": []map[string]string{{"url": "javascript:alert(1)"}}},
			{"slug": "guest-writer"},
			{"photo_key": "uploads/none.jpg"},
		} {
			a := r.call(contrib, "PATCH", self, body).want(t, http.StatusUnprocessableEntity)
			if len(a.json["errors"].(map[string]any)) == 0 {
				t.Errorf("%v: %s", body, a.body)
			}
		}
		if n := len(r.call(contrib, "GET", "/desk/api/v1/authors", nil).want(t, http.StatusOK).json["authors"].([]any)); n != 3 {
			t.Errorf("%d authors", n)
		}

		r.call(contrib, "POST", "/desk/api/v1/tags", map[string]any{"name": "X"}).want(t, http.StatusForbidden)
		tag := r.call(editor, "POST", "/desk/api/v1/tags", map[string]any{"name": "Europe"}).want(t, http.StatusCreated)
		tp := fmt.Sprintf("/desk/api/v1/tags/%d", tag.num("id"))
		r.call(contrib, "PATCH", tp, map[string]any{"is_section": true}).want(t, http.StatusForbidden)
		a = r.call(editor, "PATCH", tp, map[string]any{"is_section": true, "position": 3}).want(t, http.StatusOK)
		if a.json["is_section"] != true || a.str("name") != "Europe" || a.num("position") != 3 {
			t.Errorf("section: %s", a.body)
		}
		r.call(editor, "POST", "/desk/api/v1/tags", map[string]any{"name": "europe"}).want(t, http.StatusUnprocessableEntity)
		r.call(editor, "PATCH", tp, map[string]any{"position": -1}).want(t, http.StatusUnprocessableEntity)
		if n := len(r.call(contrib, "GET", "/desk/api/v1/tags", nil).want(t, http.StatusOK).json["tags"].([]any)); n != 1 {
			t.Errorf("%d tags", n)
		}
	})
}

func TestAPIMedia(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		const limit = 64 << 10
		r := newRigOn(t, st, limit, time.Time{})
		editor, _ := r.tokenFor("editor@example.org", "Eda Editor", store.RoleEditor)
		contrib, contribAcc := r.tokenFor("contrib@example.org", "Cy Contrib", store.RoleContributor)

		upload := func(tok, ct string, body []byte) apiAnswer {
			req, _ := http.NewRequest("POST", r.srv.URL+"/desk/api/v1/media?filename=shot.png&alt=Alt+text", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", ct)
			return r.send(req)
		}
		a := upload(contrib, "image/png", pngFile(t, 30, 20)).want(t, http.StatusCreated)
		if a.str("format") != "png" || a.num("width") != 30 || a.str("alt") != "Alt text" || a.num("uploaded_by") != contribAcc.ID ||
			!regexp.MustCompile(`^uploads/\d{4}/\d\d/shot-`).MatchString(a.str("key")) {
			t.Errorf("upload: %s", a.body)
		}
		m := fmt.Sprintf("/desk/api/v1/media/%d", a.num("id"))

		// The type comes from the content; a lie in the name or header is
		// refused, as is a truncated file.
		upload(contrib, "image/jpeg", []byte("<html><body>hello</body></html>")).want(t, http.StatusUnprocessableEntity)
		jpg := jpegFile(t)
		upload(contrib, "image/jpeg", jpg[:len(jpg)/2]).want(t, http.StatusUnprocessableEntity)
		upload(contrib, "text/html", jpg).want(t, http.StatusUnsupportedMediaType)
		// Too large, by Content-Length and when streamed without one.
		big := make([]byte, limit+1)
		copy(big, pngFile(t, 10, 10))
		if a := upload(contrib, "image/png", big).want(t, http.StatusRequestEntityTooLarge); !strings.Contains(a.str("error"), "upload limit") {
			t.Errorf("413: %s", a.body)
		}
		req, _ := http.NewRequest("POST", r.srv.URL+"/desk/api/v1/media", struct{ *bytes.Reader }{bytes.NewReader(big)})
		req.Header.Set("Authorization", "Bearer "+contrib)
		req.Header.Set("Content-Type", "image/png")
		r.send(req).want(t, http.StatusRequestEntityTooLarge)

		// Multipart, with and without a file, and too large.
		multi := func(file []byte) apiAnswer {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			mw.WriteField("alt", "Photo")
			mw.WriteField("credit", "Staff")
			if file != nil {
				fw, _ := mw.CreateFormFile("file", "photo.jpg")
				fw.Write(file)
			}
			mw.Close()
			req, _ := http.NewRequest("POST", r.srv.URL+"/desk/api/v1/media", &buf)
			req.Header.Set("Authorization", "Bearer "+editor)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			return r.send(req)
		}
		mp := multi(jpg).want(t, http.StatusCreated)
		if mp.str("credit") != "Staff" || mp.str("format") != "jpeg" {
			t.Errorf("multipart: %s", mp.body)
		}
		if a := multi(nil).want(t, http.StatusUnprocessableEntity); a.fieldError("file") == "" {
			t.Errorf("no file: %s", a.body)
		}
		multi(big).want(t, http.StatusRequestEntityTooLarge)

		a = r.call(contrib, "GET", "/desk/api/v1/media", nil).want(t, http.StatusOK)
		if a.num("total") != 2 {
			t.Errorf("library: %s", a.body)
		}
		r.call(contrib, "GET", m, nil).want(t, http.StatusOK)

		// The uploader and editors change the text; others may not.
		a = r.call(contrib, "PATCH", m, map[string]any{"caption": "A caption"}).want(t, http.StatusOK)
		if a.str("caption") != "A caption" || a.str("alt") != "Alt text" {
			t.Errorf("patch: %s", a.body)
		}
		r.call(contrib, "PATCH", fmt.Sprintf("/desk/api/v1/media/%d", mp.num("id")), map[string]any{"alt": "x"}).want(t, http.StatusForbidden)
		r.call(editor, "PATCH", m, map[string]any{"credit": "Cy"}).want(t, http.StatusOK)
		r.call(editor, "PATCH", m, map[string]any{"alt": strings.Repeat("a", 1001)}).want(t, http.StatusUnprocessableEntity)
		item, err := st.MediaItemByID(r.ctx, a.num("id"))
		if err != nil || item.Caption != "A caption" || item.Credit != "Cy" || item.Alt != "Alt text" {
			t.Errorf("stored: %+v %v", item, err)
		}

		// A post uses the image by its key.
		p := r.call(contrib, "POST", "/desk/api/v1/posts", map[string]any{"title": "With photo", "image_key": item.Key}).want(t, http.StatusCreated)
		img, _ := p.json["image"].(map[string]any)
		if img["alt"] != "Alt text" || img["url"] != "/media/"+item.Key {
			t.Errorf("post image: %s", p.body)
		}
	})
}

func TestAPITokensOnAccountPage(t *testing.T) {
	r := newRig(t, 0)
	b, acc := r.signIn("writer@example.org", store.RoleAuthor)
	other, _ := r.signIn("other@example.org", store.RoleAuthor)

	p := b.get("/desk/account")
	if p.status != http.StatusOK || !strings.Contains(p.body, "You have no API tokens") {
		t.Fatalf("account page: %d %.2000s", p.status, p.body)
	}
	if p := b.post("/desk/account/tokens", url.Values{"name": {"  "}}); p.status != http.StatusUnprocessableEntity || fieldError(p.body, "token_name") == "" {
		t.Fatalf("empty name: %d", p.status)
	}
	p = b.post("/desk/account/tokens", url.Values{"name": {"Import script"}})
	m := regexp.MustCompile(`id="new-token" type="text" readonly value="([A-Za-z0-9_-]{43})"`).FindStringSubmatch(p.body)
	if p.status != http.StatusOK || m == nil {
		t.Fatalf("new token not shown: %d %.3000s", p.status, p.body)
	}
	token := m[1]
	r.call(token, "GET", "/desk/api/v1/posts", nil).want(t, http.StatusOK)

	// Shown once: the list has its name and last use, not the token.
	p = b.get("/desk/account")
	if strings.Contains(p.body, token) || !strings.Contains(p.body, "Import script") || strings.Contains(p.body, "Never") {
		t.Fatalf("token list: %.3000s", p.body)
	}
	toks, err := r.st.APITokens(r.ctx, acc.ID)
	if err != nil || len(toks) != 1 || toks[0].TokenHash != store.HashToken(token) {
		t.Fatalf("stored tokens: %+v %v", toks, err)
	}
	revoke := fmt.Sprintf("/desk/account/tokens/%d/revoke", toks[0].ID)

	// Someone else cannot revoke it; a cross-site form cannot either.
	if p := other.post(revoke, nil); p.status != http.StatusNotFound {
		t.Fatalf("revoke by another: %d", p.status)
	}
	req, _ := http.NewRequest("POST", r.srv.URL+revoke, nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if p := b.do(req); p.status != http.StatusForbidden {
		t.Fatalf("cross-site revoke: %d", p.status)
	}
	r.call(token, "GET", "/desk/api/v1/posts", nil).want(t, http.StatusOK)

	p = b.post(revoke, nil)
	if p.status != http.StatusSeeOther || !strings.Contains(b.follow(p).body, "You have no API tokens") {
		t.Fatalf("revoke: %d %s", p.status, p.location)
	}
	r.call(token, "GET", "/desk/api/v1/posts", nil).want(t, http.StatusUnauthorized)
	if p := b.post(revoke, nil); p.status != http.StatusNotFound {
		t.Fatalf("revoke again: %d", p.status)
	}
	log, err := r.st.AuditLog(r.ctx, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range log.Entries {
		actions = append(actions, e.Action)
	}
	if !strings.Contains(strings.Join(actions, " "), "api_token.create") || !strings.Contains(strings.Join(actions, " "), "api_token.revoke") {
		t.Errorf("audit: %v", actions)
	}
}
