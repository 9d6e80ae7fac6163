package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// run is the conformance suite's entry: fn runs against every configured
// database, in parallel with the other tests.
func run(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		fn(t, s)
	})
}

// t0 is the suite's "now": fixed, so that every run sees the same river.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func days(n int) time.Time { return t0.AddDate(0, 0, n) }

func saveAuthor(t *testing.T, s *store.Store, slug, name string) content.Author {
	t.Helper()
	a := content.Author{Slug: slug, Name: name, Role: "Contributor", Bio: "About " + name + "."}
	if err := s.SaveAuthor(context.Background(), &a); err != nil {
		t.Fatalf("SaveAuthor(%q): %v", slug, err)
	}
	return a
}

func saveTag(t *testing.T, s *store.Store, slug, name string, section bool, position int) content.Tag {
	t.Helper()
	tag := content.Tag{Slug: slug, Name: name, IsSection: section, Position: position, Description: name + " coverage"}
	if err := s.SaveTag(context.Background(), &tag); err != nil {
		t.Fatalf("SaveTag(%q): %v", slug, err)
	}
	return tag
}

func savePost(t *testing.T, s *store.Store, p content.Post) content.Post {
	t.Helper()
	if p.Title == "" {
		p.Title = "Title of " + p.Slug
	}
	if p.Status == "" {
		p.Status = content.StatusPublished
	}
	if p.Body == "" {
		p.Body = "The body of " + p.Slug + "."
	}
	if err := s.SavePost(context.Background(), &p); err != nil {
		t.Fatalf("SavePost(%q): %v", p.Slug, err)
	}
	return p
}

func contentVersion(t *testing.T, s *store.Store) int64 {
	t.Helper()
	v, err := s.ContentVersion(context.Background())
	if err != nil {
		t.Fatalf("ContentVersion: %v", err)
	}
	return v
}

// slugs lists the posts' slugs, for comparing orders.
func slugs(posts []content.Post) []string {
	out := []string{}
	for _, p := range posts {
		out = append(out, p.Slug)
	}
	return out
}

// equal reports the first field in which got differs from want.
func equal(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got  %s\n want %s", what, dump(got), dump(want))
	}
}

func dump(v any) string {
	if p, ok := v.(content.Post); ok {
		section := "<nil>"
		if p.Section != nil {
			section = fmt.Sprintf("%+v", *p.Section)
		}
		return fmt.Sprintf("%+v (section %s)", p, section)
	}
	return fmt.Sprintf("%+v", v)
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", what, err, target)
	}
}
