package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"masthead/internal/store"
)

// KindRenditions is the job kind that makes an image's responsive copies;
// it is the one desk uploads enqueue (editorial.KindRenditions), so one
// handler serves both. Its payload is {"media_id": N}.
const KindRenditions = "media.renditions"

// libraryImage is an image the import stored, as the media library records
// it.
type libraryImage struct {
	key                  string
	format               string
	width, height        int
	bytes                int64
	alt, caption, credit string
}

// addToLibrary makes every stored image of an import a media library item
// and queues its renditions, as an upload in the desk does, so imported
// articles get the same responsive images. Keys are content-hashed: an
// image already in the library (imported or uploaded before) is left as it
// is, so importing again adds nothing. It runs in the import's
// transaction.
func addToLibrary(ctx context.Context, tx *store.Store, imgs []libraryImage) error {
	seen := map[string]bool{}
	for _, img := range imgs {
		if img.key == "" || seen[img.key] {
			continue
		}
		seen[img.key] = true
		if _, err := tx.MediaItemByKey(ctx, img.key); err == nil {
			continue
		} else if !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("import: media library: %w", err)
		}
		item := store.MediaItem{Key: img.key, Format: img.format, Width: img.width, Height: img.height, Bytes: img.bytes,
			Alt: img.alt, Caption: img.caption, Credit: img.credit, RenditionStatus: store.RenditionsPending}
		if err := tx.CreateMediaItem(ctx, &item); err != nil {
			return fmt.Errorf("import: media library: %w", err)
		}
		payload, err := json.Marshal(struct {
			MediaID int64 `json:"media_id"`
		}{item.ID})
		if err != nil {
			return fmt.Errorf("import: media library: %w", err)
		}
		if err := tx.EnqueueJob(ctx, &store.Job{Kind: KindRenditions, Payload: payload,
			UniqueKey: KindRenditions + ":" + strconv.FormatInt(item.ID, 10)}); err != nil {
			return fmt.Errorf("import: media library: %w", err)
		}
	}
	return nil
}
