package store_test

import (
	"context"
	"errors"
	"testing"

	"masthead/internal/store"
)

func TestImports(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.CreateImport(ctx, &store.Import{}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("an import without a format: %v", err)
		}
		im := store.Import{Format: "wordpress", Filename: "site.xml", DryRun: true, FetchImages: true, FileKey: "imports/abc/upload"}
		if err := s.CreateImport(ctx, &im); err != nil {
			t.Fatal(err)
		}
		if im.ID == 0 || im.Status != store.ImportQueued {
			t.Fatalf("created %+v", im)
		}
		if err := s.SetImportProgress(ctx, im.ID, "posts", 3, 10); err != nil {
			t.Fatal(err)
		}
		got, err := s.ImportByID(ctx, im.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != store.ImportRunning || got.Phase != "posts" || got.Done != 3 || got.Total != 10 ||
			!got.DryRun || !got.FetchImages || got.Filename != "site.xml" || got.FileKey != "imports/abc/upload" {
			t.Errorf("running: %+v", got)
		}
		if err := s.FinishImport(ctx, im.ID, store.ImportRunning, "", ""); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("finishing as running: %v", err)
		}
		if err := s.FinishImport(ctx, im.ID, store.ImportDone, `{"PostsCreated":10}`, ""); err != nil {
			t.Fatal(err)
		}
		// A late progress report does not reopen a finished import.
		if err := s.SetImportProgress(ctx, im.ID, "posts", 4, 10); err != nil {
			t.Fatal(err)
		}
		got, err = s.ImportByID(ctx, im.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != store.ImportDone || got.Done != 10 || got.FileKey != "" || got.Report != `{"PostsCreated":10}` {
			t.Errorf("done: %+v", got)
		}
		if err := s.FinishImport(ctx, 9999, store.ImportFailed, "", "x"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("finishing a missing import: %v", err)
		}
		if _, err := s.ImportByID(ctx, 9999); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a missing import: %v", err)
		}
		second := store.Import{Format: "ghost"}
		if err := s.CreateImport(ctx, &second); err != nil {
			t.Fatal(err)
		}
		list, err := s.RecentImports(ctx, 10)
		if err != nil || len(list) != 2 || list[0].ID != second.ID {
			t.Errorf("recent: %+v, %v", list, err)
		}
	})
}
