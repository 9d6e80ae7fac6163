package site

import (
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
)

// TestPhotosUseRenditions: once an image's renditions are made, the
// article and the river offer them with srcset, WebP first; before, the
// original alone.
func TestPhotosUseRenditions(t *testing.T) {
	r := newRig(t)
	img := r.image("harbour", 1600, 1000)
	p := r.post("Harbour", testNow.Add(-time.Hour), func(p *content.Post) { p.Image = img })
	item := store.MediaItem{Key: img.Key, Format: "jpeg", Width: 1600, Height: 1000}
	if err := r.store.CreateMediaItem(r.ctx, &item); err != nil {
		t.Fatal(err)
	}

	res := r.get("/articles/" + p.Slug)
	if strings.Contains(res.body, "srcset=") {
		t.Errorf("srcset before the renditions exist")
	}

	base := strings.TrimSuffix(img.Key, ".jpg")
	rs := []store.Rendition{
		{Key: base + "-480w.jpg", Width: 480, Height: 300, Format: "jpeg"},
		{Key: base + "-480w.webp", Width: 480, Height: 300, Format: "webp"},
		{Key: base + "-800w.jpg", Width: 800, Height: 500, Format: "jpeg"},
		{Key: base + "-800w.webp", Width: 800, Height: 500, Format: "webp"},
		{Key: base + "-1600w.webp", Width: 1600, Height: 1000, Format: "webp"},
	}
	if err := r.store.SetMediaRenditions(r.ctx, item.ID, store.RenditionsDone, rs); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/articles/" + p.Slug, "/"} {
		res := r.get(path)
		want := []string{
			`<source type="image/webp" srcset="/media/` + base + `-480w.webp 480w, /media/` + base + `-800w.webp 800w, /media/` + base + `-1600w.webp 1600w" sizes="` + photoSizes + `">`,
			`srcset="/media/` + base + `-480w.jpg 480w, /media/` + base + `-800w.jpg 800w, /media/` + img.Key + ` 1600w"`,
			`src="/media/` + img.Key + `"`,
		}
		for _, w := range want {
			if !strings.Contains(res.body, w) {
				t.Errorf("%s lacks\n%s\nin\n%.3000s", path, w, res.body)
			}
		}
	}
}
