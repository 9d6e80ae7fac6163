package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"masthead/internal/store"
)

func TestMediaItems(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ann := createAccount(t, s, "ann@example.org", store.RoleContributor)

		m := store.MediaItem{Key: "media/2025/03/harbour.jpg", Format: "jpeg", Width: 4000, Height: 3000, Bytes: 2_500_000,
			Alt: "Cranes over the harbour", Caption: "The port at dusk", Credit: "Photo: L. Sarr", UploadedBy: ann.ID, CreatedAt: t0}
		if err := s.CreateMediaItem(ctx, &m); err != nil {
			t.Fatalf("CreateMediaItem: %v", err)
		}
		if m.ID == 0 || m.RenditionStatus != store.RenditionsPending || m.Renditions != nil {
			t.Errorf("after CreateMediaItem: %+v", m)
		}
		got, err := s.MediaItemByID(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "MediaItemByID", got, m)
		got, err = s.MediaItemByKey(ctx, m.Key)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "MediaItemByKey", got, m)

		// Renditions change what pages show: caches must notice.
		v := contentVersion(t, s)
		rs := []store.Rendition{
			{Key: "media/2025/03/harbour-640.webp", Width: 640, Height: 480, Format: "webp"},
			{Key: "media/2025/03/harbour-640.jpg", Width: 640, Height: 480, Format: "jpeg"},
			{Key: "media/2025/03/harbour-1280.webp", Width: 1280, Height: 960, Format: "webp"},
		}
		if err := s.SetMediaRenditions(ctx, m.ID, store.RenditionsDone, rs); err != nil {
			t.Fatalf("SetMediaRenditions: %v", err)
		}
		if got := contentVersion(t, s); got <= v {
			t.Errorf("content version %d did not move past %d with new renditions", got, v)
		}
		if err := s.UpdateMediaText(ctx, m.ID, "Cranes", "The port", "Photo: Lamine Sarr"); err != nil {
			t.Fatal(err)
		}
		m.Renditions, m.RenditionStatus = rs, store.RenditionsDone
		m.Alt, m.Caption, m.Credit = "Cranes", "The port", "Photo: Lamine Sarr"
		got, _ = s.MediaItemByID(ctx, m.ID)
		equal(t, "media item after renditions and text", got, m)

		// A failed rendition run is recorded as such.
		if err := s.SetMediaRenditions(ctx, m.ID, store.RenditionsFailed, nil); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.MediaItemByID(ctx, m.ID); got.RenditionStatus != store.RenditionsFailed || got.Renditions != nil {
			t.Errorf("after a failed run: %+v", got)
		}

		errs := []struct {
			name string
			err  error
			want error
		}{
			{"duplicate key", s.CreateMediaItem(ctx, &store.MediaItem{Key: m.Key, Format: "jpeg"}), store.ErrConflict},
			{"no key", s.CreateMediaItem(ctx, &store.MediaItem{Format: "jpeg"}), store.ErrInvalid},
			{"no format", s.CreateMediaItem(ctx, &store.MediaItem{Key: "k"}), store.ErrInvalid},
			{"negative size", s.CreateMediaItem(ctx, &store.MediaItem{Key: "k", Format: "png", Width: -1}), store.ErrInvalid},
			{"bad status", s.CreateMediaItem(ctx, &store.MediaItem{Key: "k", Format: "png", RenditionStatus: "later"}), store.ErrInvalid},
			{"missing uploader", s.CreateMediaItem(ctx, &store.MediaItem{Key: "k", Format: "png", UploadedBy: ann.ID + 100}), store.ErrInvalid},
			{"rendition without key", s.SetMediaRenditions(ctx, m.ID, store.RenditionsDone, []store.Rendition{{Width: 1, Format: "webp"}}), store.ErrInvalid},
			{"unknown rendition status", s.SetMediaRenditions(ctx, m.ID, "soon", nil), store.ErrInvalid},
			{"renditions of a missing item", s.SetMediaRenditions(ctx, m.ID+100, store.RenditionsDone, nil), store.ErrNotFound},
			{"text of a missing item", s.UpdateMediaText(ctx, m.ID+100, "", "", ""), store.ErrNotFound},
		}
		for _, e := range errs {
			wantErr(t, e.name, e.err, e.want)
		}
		_, err = s.MediaItemByKey(ctx, "missing")
		wantErr(t, "MediaItemByKey(missing)", err, store.ErrNotFound)

		if err := s.DeleteMediaItem(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.MediaItemByID(ctx, m.ID)
		wantErr(t, "deleted item", err, store.ErrNotFound)
		wantErr(t, "deleting twice", s.DeleteMediaItem(ctx, m.ID), store.ErrNotFound)
	})
}

func TestMediaLibraryListing(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var items []store.MediaItem
		for i := range 5 {
			m := store.MediaItem{Key: fmt.Sprintf("media/img-%d.png", i), Format: "png", Width: 10, Height: 10,
				Alt: fmt.Sprintf("Picture %d", i), CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
			if i == 3 {
				m.Credit = "Photo: 100% Agency_X"
			}
			if err := s.CreateMediaItem(ctx, &m); err != nil {
				t.Fatal(err)
			}
			items = append(items, m)
		}
		keys := func(p store.MediaPage) []string {
			var out []string
			for _, m := range p.Items {
				out = append(out, m.Key)
			}
			return out
		}
		page, err := s.MediaItems(ctx, store.MediaFilter{Limit: 2, Offset: 1})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 5 {
			t.Errorf("Total = %d, want 5", page.Total)
		}
		equal(t, "second page, newest first", keys(page), []string{"media/img-3.png", "media/img-2.png"})

		for _, tt := range []struct {
			query string
			want  []string
		}{
			{"PICTURE 1", []string{"media/img-1.png"}},
			{"100%", []string{"media/img-3.png"}},
			{"agency_x", []string{"media/img-3.png"}},
			{"_", []string{"media/img-3.png"}}, // literally, not any character
			{"img-4", []string{"media/img-4.png"}},
			{"nothing like it", nil},
		} {
			page, err := s.MediaItems(ctx, store.MediaFilter{Query: tt.query})
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "query "+tt.query, keys(page), tt.want)
		}

		byKey, err := s.MediaItemsByKeys(ctx, []string{"media/img-0.png", "media/img-4.png", "missing", "media/img-0.png", ""})
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "MediaItemsByKeys", byKey, map[string]store.MediaItem{"media/img-0.png": items[0], "media/img-4.png": items[4]})
	})
}
