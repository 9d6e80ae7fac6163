package site

import (
	"net/http"
	"testing"
	"time"

	"masthead/internal/store"
)

func TestImportedPermalinks(t *testing.T) {
	r := newRig(t)
	p := r.post("The strait after the ceasefire", testNow.Add(-time.Hour), nil)
	gone := r.post("Withdrawn", testNow.Add(-time.Hour), nil)
	err := r.store.SaveRedirects(r.ctx, []store.Redirect{{Path: "/2019/03/the-strait", PostID: p.ID}, {Path: "/?p=123", PostID: p.ID}, {Path: "/2019/04/withdrawn", PostID: gone.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.store.DeletePost(r.ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	want := "/articles/" + p.Slug
	for _, path := range []string{"/2019/03/the-strait/", "/2019/03/the-strait", "/?p=123", "/?p=123&replytocom=4"} {
		res := r.get(path)
		if res.status != http.StatusMovedPermanently || res.header.Get("Location") != want {
			t.Errorf("GET %s: status %d, Location %q; want 301 to %s", path, res.status, res.header.Get("Location"), want)
		}
	}
	if res := r.get("/2019/04/withdrawn/"); res.status != http.StatusGone {
		t.Errorf("permalink of a deleted article: status %d, want 410", res.status)
	}
	if res := r.get("/2019/05/never-was/"); res.status != http.StatusNotFound {
		t.Errorf("unknown address: status %d, want 404", res.status)
	}
	// An unknown ?p= is the home page, as any other query on it.
	if res := r.get("/?p=999"); res.status != http.StatusOK {
		t.Errorf("GET /?p=999: status %d, want the home page", res.status)
	}
}
