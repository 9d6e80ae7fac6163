package store_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"masthead/internal/content"
	"masthead/internal/store"
)

func TestRedirectPath(t *testing.T) {
	for _, c := range []struct{ raw, want string }{
		{"https://old.example/2019/03/the-strait/", "/2019/03/the-strait"},
		{"https://old.example/2019/03/the-strait", "/2019/03/the-strait"},
		{"https://old.example/?p=123", "/?p=123"},
		{"https://old.example/?page_id=7&preview=true", "/?page_id=7"},
		{"https://old.example/blog/?utm_source=x", "/blog"},
		{"https://old.example", "/"},
		{"/caf%C3%A9/", "/café"},
	} {
		u, err := url.Parse(c.raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := store.RedirectPath(u.Path, u.Query()); got != c.want {
			t.Errorf("RedirectPath(%q) = %q, want %q", c.raw, got, c.want)
		}
	}
}

func TestRedirects(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := savePost(t, s, content.Post{Slug: "the-strait", PublishedAt: days(-1)})
		q := savePost(t, s, content.Post{Slug: "other", PublishedAt: days(-1)})
		if err := s.SaveRedirects(ctx, []store.Redirect{{Path: "/2019/03/the-strait", PostID: p.ID}, {Path: "/?p=12", PostID: p.ID}}); err != nil {
			t.Fatal(err)
		}
		// Saving again is harmless; a path can move to another post, also
		// within one call, where the last wins.
		if err := s.SaveRedirects(ctx, []store.Redirect{{Path: "/?p=12", PostID: p.ID}, {Path: "/?p=13", PostID: q.ID}, {Path: "/?p=12", PostID: q.ID}}); err != nil {
			t.Fatal(err)
		}
		var many []store.Redirect
		for i := range 450 {
			many = append(many, store.Redirect{Path: fmt.Sprintf("/archive/%d", i), PostID: p.ID})
		}
		if err := s.SaveRedirects(ctx, many); err != nil {
			t.Fatal(err)
		}
		if paths, err := s.RedirectPaths(ctx, p.ID); err != nil || len(paths) != 451 {
			t.Errorf("%d paths of the-strait, %v; want 451", len(paths), err)
		}
		for path, want := range map[string]string{"/2019/03/the-strait": "the-strait", "/?p=12": "other", "/?p=13": "other"} {
			got, err := s.RedirectTarget(ctx, path)
			if err != nil || got != want {
				t.Errorf("RedirectTarget(%q) = %q, %v; want %q", path, got, err, want)
			}
		}
		paths, err := s.RedirectPaths(ctx, q.ID)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "paths of other", paths, []string{"/?p=12", "/?p=13"})

		if _, err := s.RedirectTarget(ctx, "/nowhere"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown path: %v, want ErrNotFound", err)
		}
		if err := s.DeletePost(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RedirectTarget(ctx, "/2019/03/the-strait"); !errors.Is(err, store.ErrGone) {
			t.Errorf("path of a deleted post: %v, want ErrGone", err)
		}
		for _, bad := range []string{"/", "relative", ""} {
			if err := s.SaveRedirects(ctx, []store.Redirect{{Path: bad, PostID: q.ID}}); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("SaveRedirects(%q) = %v, want ErrInvalid", bad, err)
			}
		}
	})
}

func TestRedirectsOf(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := savePost(t, s, content.Post{Slug: "the-strait", PublishedAt: days(-1)})
		q := savePost(t, s, content.Post{Slug: "other", PublishedAt: days(-1)})
		r := savePost(t, s, content.Post{Slug: "none", PublishedAt: days(-1)})
		// Byte order, whatever the database's collation: "-" before "/"
		// before upper case before lower case.
		if err := s.SaveRedirects(ctx, []store.Redirect{{Path: "/b/x", PostID: p.ID}, {Path: "/B", PostID: p.ID},
			{Path: "/a-b", PostID: p.ID}, {Path: "/a/b", PostID: p.ID}, {Path: "/?p=7", PostID: q.ID}}); err != nil {
			t.Fatal(err)
		}
		got, err := s.RedirectsOf(ctx, []int64{p.ID, q.ID, r.ID})
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "redirects of the-strait", got[p.ID], []string{"/B", "/a-b", "/a/b", "/b/x"})
		equal(t, "redirects of other", got[q.ID], []string{"/?p=7"})
		if _, ok := got[r.ID]; ok || len(got) != 2 {
			t.Errorf("RedirectsOf = %v, want two posts", got)
		}
		if got, err := s.RedirectsOf(ctx, nil); err != nil || len(got) != 0 {
			t.Errorf("RedirectsOf(nil) = %v, %v", got, err)
		}
	})
}

func TestParseRedirect(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"/2019/03/the-strait/", "/2019/03/the-strait"},
		{"/2019/03/the-strait", "/2019/03/the-strait"},
		{"/?p=123", "/?p=123"},
		{"/blog/?page_id=7&preview=true", "/blog?page_id=7"},
		{"/caf%C3%A9/", "/café"},
		{"/café", "/café"},
		{"/100%25", "/100%"},
		{"/what%3F", "/what?"},
	} {
		got, err := store.ParseRedirect(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseRedirect(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "/", "//", "relative/path", "https://old.example/2019/x", "//old.example/x",
		"/?utm_source=x", "/a?p=", "/a#top", "/100%", "/%FF", "/a%00b", "/a\nb", "/" + strings.Repeat("x", 2000), "/?p=%zz"} {
		if got, err := store.ParseRedirect(bad); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("ParseRedirect(%q) = %q, %v; want ErrInvalid", bad, got, err)
		}
	}
}

// FuzzRedirectForm checks that every stored old address written with
// FormatRedirect reads back with ParseRedirect as the same address.
func FuzzRedirectForm(f *testing.F) {
	f.Add("/2019/03/the-strait/", "")
	f.Add("/what?", "123")
	f.Add("/100%/a b", "x&y=z")
	f.Add("/café?p=1", "?")
	f.Fuzz(func(t *testing.T, path, p string) {
		q := url.Values{}
		if p != "" {
			q.Set("p", p)
		}
		stored := store.RedirectPath(path, q)
		written := store.FormatRedirect(stored)
		got, err := store.ParseRedirect(written)
		if err != nil {
			if !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("ParseRedirect(%q): %v", written, err)
			}
			// Only what the store refuses anyway may be refused.
			if serr := checkStored(stored); serr == nil {
				t.Fatalf("%q written as %q is refused: %v", stored, written, err)
			}
			return
		}
		if got != stored {
			t.Fatalf("%q written as %q reads back as %q", stored, written, got)
		}
	})
}

// checkStored reports whether SaveRedirects would refuse an address,
// without a database: the same checks, by way of ParseRedirect's last step.
func checkStored(stored string) error {
	switch {
	case stored == "/" || len(stored) > 2000 || !utf8.ValidString(stored) || strings.ContainsFunc(stored, unicode.IsControl):
		return store.ErrInvalid
	}
	return nil
}
