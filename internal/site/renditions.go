package site

import (
	"context"
	"strconv"
	"strings"

	"masthead/internal/store"
)

// photoSizes tells the browser how wide photos show: the reading column
// on wide screens, the whole screen on narrow ones.
const photoSizes = "(min-width: 42rem) 42rem, 100vw"

// addRenditions gives the images that have responsive renditions their
// srcset, looked up in one query. Without renditions (not made yet, or
// an image that is not in the media library) the original alone is used;
// a failed lookup only costs the srcset.
func (s *Site) addRenditions(ctx context.Context, imgs []*imageView) {
	var keys []string
	for _, img := range imgs {
		if img != nil && img.key != "" {
			keys = append(keys, img.key)
		}
	}
	if len(keys) == 0 {
		return
	}
	items, err := s.store.MediaItemsByKeys(ctx, keys)
	if err != nil {
		s.log.WarnContext(ctx, "site: renditions", "err", err)
		return
	}
	for _, img := range imgs {
		if img == nil {
			continue
		}
		item, ok := items[img.key]
		// A GIF may be animated; its renditions show the first frame only.
		if !ok || item.RenditionStatus != store.RenditionsDone || len(item.Renditions) == 0 || item.Format == "gif" {
			continue
		}
		var same, webp []string
		for _, r := range item.Renditions {
			c := mediaURL(r.Key) + " " + strconv.Itoa(r.Width) + "w"
			switch r.Format {
			case "webp":
				webp = append(webp, c)
			case item.Format:
				same = append(same, c)
			}
		}
		// The original is the largest candidate in its own format.
		same = append(same, mediaURL(item.Key)+" "+strconv.Itoa(item.Width)+"w")
		if item.Format == "webp" {
			webp, same = append(webp, same...), nil
		}
		img.Srcset = strings.Join(same, ", ")
		img.WebP = strings.Join(webp, ", ")
		img.Sizes = photoSizes
	}
}
