package store_test

import (
	"context"
	"testing"

	"masthead/internal/content"
	"masthead/internal/store"
)

func TestTagRoundTrip(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tag := content.Tag{Slug: "middle-east", Name: "Middle East", Description: "From Rabat to Tehran.", IsSection: true, Position: 3}
		if err := s.SaveTag(ctx, &tag); err != nil {
			t.Fatalf("SaveTag: %v", err)
		}
		if tag.ID == 0 {
			t.Fatal("SaveTag did not set the ID")
		}
		got, err := s.TagBySlug(ctx, "middle-east")
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "TagBySlug", got, tag)

		tag.IsSection, tag.Name, tag.Slug = false, "Mideast", "mideast"
		if err := s.SaveTag(ctx, &tag); err != nil {
			t.Fatalf("SaveTag (update): %v", err)
		}
		got, err = s.TagBySlug(ctx, "mideast")
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "tag after update", got, tag)
		_, err = s.TagBySlug(ctx, "middle-east")
		wantErr(t, "TagBySlug(old slug)", err, store.ErrNotFound)

		other := saveTag(t, s, "energy", "Energy", false, 0)
		other.Slug = "mideast"
		wantErr(t, "renaming to a taken slug", s.SaveTag(ctx, &other), store.ErrConflict)
		dup := content.Tag{Slug: "energy", Name: "Energy again"}
		wantErr(t, "new tag with a taken slug", s.SaveTag(ctx, &dup), store.ErrConflict)
		missing := content.Tag{ID: other.ID + 100, Slug: "ghost", Name: "Ghost"}
		wantErr(t, "updating a missing tag", s.SaveTag(ctx, &missing), store.ErrNotFound)
		empty := content.Tag{Name: "No slug"}
		wantErr(t, "empty slug", s.SaveTag(ctx, &empty), store.ErrInvalid)
	})
}

func TestTagsAndSections(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		saveTag(t, s, "trade", "trade", false, 0)
		saveTag(t, s, "world", "World", true, 1)
		saveTag(t, s, "economy", "Economy", true, 2)
		saveTag(t, s, "books", "Books", true, 2)
		saveTag(t, s, "analysis", "Analysis", true, 0)
		saveTag(t, s, "china", "China", false, 0)

		tags, err := s.Tags(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, tag := range tags {
			names = append(names, tag.Name)
		}
		equal(t, "Tags order", names, []string{"Analysis", "Books", "China", "Economy", "trade", "World"})

		sections, err := s.Sections(ctx)
		if err != nil {
			t.Fatal(err)
		}
		names = nil
		for _, tag := range sections {
			names = append(names, tag.Name)
			if !tag.IsSection {
				t.Errorf("Sections returned %q, which is not a section", tag.Slug)
			}
		}
		// By position, then name.
		equal(t, "Sections order", names, []string{"Analysis", "World", "Books", "Economy"})
	})
}
