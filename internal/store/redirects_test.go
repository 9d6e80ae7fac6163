package store_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"testing"

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
