package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
)

func TestAuthorRoundTrip(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := content.Author{
			Slug: "amira-haddad",
			Name: "Amira Haddad",
			Role: "Senior Fellow, Middle East Program",
			Bio:  "Amira Haddad writes about *Levantine* politics.",
			Photo: content.Image{Key: "images/haddad.jpg", Width: 800, Height: 1000,
				Alt: "Amira Haddad", Caption: "In Beirut", Credit: "Photo: R. Saleh"},
			Links: []content.Link{{Label: "Website", URL: "https://haddad.example"}, {Label: "Bluesky", URL: "https://bsky.app/x"}},
		}
		before := time.Now().Add(-time.Second)
		if err := s.SaveAuthor(ctx, &a); err != nil {
			t.Fatalf("SaveAuthor: %v", err)
		}
		if a.ID == 0 {
			t.Fatal("SaveAuthor did not set the ID")
		}
		if a.CreatedAt.Before(before) || !a.UpdatedAt.Equal(a.CreatedAt) || a.CreatedAt.Location() != time.UTC {
			t.Errorf("bookkeeping times = %v, %v", a.CreatedAt, a.UpdatedAt)
		}
		if a.BioHTML != content.Render(a.Bio) {
			t.Errorf("BioHTML = %q, want the rendered bio %q", a.BioHTML, content.Render(a.Bio))
		}

		byID, err := s.AuthorByID(ctx, a.ID)
		if err != nil {
			t.Fatalf("AuthorByID: %v", err)
		}
		equal(t, "AuthorByID", byID, a)
		bySlug, err := s.AuthorBySlug(ctx, a.Slug)
		if err != nil {
			t.Fatalf("AuthorBySlug: %v", err)
		}
		equal(t, "AuthorBySlug", bySlug, a)

		// Update keeps CreatedAt and the ID.
		created := a.CreatedAt
		a.Name, a.Slug, a.Links = "Amira H. Haddad", "amira-h-haddad", nil
		if err := s.SaveAuthor(ctx, &a); err != nil {
			t.Fatalf("SaveAuthor (update): %v", err)
		}
		if !a.CreatedAt.Equal(created) || a.UpdatedAt.Before(created) {
			t.Errorf("after update CreatedAt = %v (was %v), UpdatedAt = %v", a.CreatedAt, created, a.UpdatedAt)
		}
		got, err := s.AuthorByID(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "author after update", got, a)
		_, err = s.AuthorBySlug(ctx, "amira-haddad")
		wantErr(t, "AuthorBySlug(old slug)", err, store.ErrNotFound)
		_, err = s.AuthorByID(ctx, a.ID+100)
		wantErr(t, "AuthorByID(missing)", err, store.ErrNotFound)
	})
}

func TestAuthorErrors(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		first := saveAuthor(t, s, "first", "First")
		second := saveAuthor(t, s, "second", "Second")
		v := contentVersion(t, s)

		dup := content.Author{Slug: "first", Name: "Another First"}
		err := s.SaveAuthor(ctx, &dup)
		wantErr(t, "new author with a taken slug", err, store.ErrConflict)
		if !strings.Contains(err.Error(), `"first"`) {
			t.Errorf("conflict error %q does not name the slug", err)
		}
		if dup.ID != 0 {
			t.Errorf("failed insert set ID %d", dup.ID)
		}
		second.Slug = "first"
		wantErr(t, "renaming to a taken slug", s.SaveAuthor(ctx, &second), store.ErrConflict)

		missing := content.Author{ID: first.ID + second.ID + 10, Slug: "ghost", Name: "Ghost"}
		wantErr(t, "updating a missing author", s.SaveAuthor(ctx, &missing), store.ErrNotFound)

		for _, slug := range []string{"", "two words", "a/b"} {
			bad := content.Author{Slug: slug, Name: "Bad"}
			wantErr(t, "slug "+slug, s.SaveAuthor(ctx, &bad), store.ErrInvalid)
		}
		if got := contentVersion(t, s); got != v {
			t.Errorf("failed writes moved the content version from %d to %d", v, got)
		}
		got, err := s.AuthorBySlug(ctx, "first")
		if err != nil || got.Name != "First" {
			t.Errorf("the first author changed: %+v, %v", got, err)
		}
	})
}

func TestAuthorsOrderedByName(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if got, err := s.Authors(ctx); err != nil || len(got) != 0 {
			t.Fatalf("Authors on an empty database = %v, %v", got, err)
		}
		saveAuthor(t, s, "zed", "zed Zucker")
		saveAuthor(t, s, "bea", "Bea Brandt")
		saveAuthor(t, s, "al", "al Amin")
		saveAuthor(t, s, "carl", "Carl Cohen")
		authors, err := s.Authors(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range authors {
			names = append(names, a.Name)
			if a.ID == 0 || a.CreatedAt.IsZero() {
				t.Errorf("incomplete author %+v", a)
			}
		}
		equal(t, "author order", names, []string{"al Amin", "Bea Brandt", "Carl Cohen", "zed Zucker"})
	})
}
