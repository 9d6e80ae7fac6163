package importer

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// TestArchiveImagesJoinTheLibrary checks that every image a foreign
// archive brings is a media library item with its renditions queued, as
// an upload's are, and that importing again adds neither items nor jobs.
func TestArchiveImagesJoinTheLibrary(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		files, _ := newMedia(t)
		opts := Options{Now: importNow, Images: imageDir(t, wordpressImages(t))}

		if _, err := ImportArchive(ctx, st, files, readFixture(t, ctx, "parallax.xml"), withDryRun(opts)); err != nil {
			t.Fatal(err)
		}
		if page, err := st.MediaItems(ctx, store.MediaFilter{}); err != nil || page.Total != 0 {
			t.Fatalf("the dry run added %d media items (%v)", page.Total, err)
		}

		rep, err := ImportArchive(ctx, st, files, readFixture(t, ctx, "parallax.xml"), opts)
		if err != nil {
			t.Fatal(err)
		}
		page, err := st.MediaItems(ctx, store.MediaFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.ImagesStored == 0 || page.Total != rep.ImagesStored {
			t.Fatalf("%d images stored, %d media items", rep.ImagesStored, page.Total)
		}
		for _, item := range page.Items {
			if item.RenditionStatus != store.RenditionsPending || item.Width == 0 || item.Bytes == 0 || item.Format == "" {
				t.Errorf("media item %+v", item)
			}
			obj, err := files.Open(ctx, item.Key)
			if err != nil {
				t.Errorf("media item %s has no stored original: %v", item.Key, err)
				continue
			}
			obj.Close()
		}
		claimed := map[int64]bool{}
		for range page.Total {
			job, err := st.ClaimJob(ctx, time.Now().Add(time.Minute), time.Minute, KindRenditions)
			if err != nil {
				t.Fatalf("renditions job: %v", err)
			}
			var p struct {
				MediaID int64 `json:"media_id"`
			}
			if err := json.Unmarshal(job.Payload, &p); err != nil {
				t.Fatal(err)
			}
			claimed[p.MediaID] = true
			if err := st.CompleteJob(ctx, job); err != nil {
				t.Fatal(err)
			}
		}
		for _, item := range page.Items {
			if !claimed[item.ID] {
				t.Errorf("no renditions job for media item %d", item.ID)
			}
		}

		if _, err := ImportArchive(ctx, st, files, readFixture(t, ctx, "parallax.xml"), opts); err != nil {
			t.Fatal(err)
		}
		again, err := st.MediaItems(ctx, store.MediaFilter{})
		if err != nil || again.Total != page.Total {
			t.Errorf("after importing again: %d media items, want %d (%v)", again.Total, page.Total, err)
		}
		if job, err := st.ClaimJob(ctx, time.Now().Add(time.Minute), time.Minute, KindRenditions); err == nil {
			t.Errorf("importing again queued renditions job %d", job.ID)
		}
	})
}
