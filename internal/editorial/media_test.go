package editorial_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"masthead/internal/editorial"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

func testImage(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 120, 255})
		}
	}
	return m
}

func jpegBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(w, h), &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, testImage(w, h)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// hugePNG is a PNG header claiming w×h pixels, with a tiny body: a
// decompression bomb's first bytes.
func hugePNG(w, h uint32) []byte {
	chunk := func(kind string, data []byte) []byte {
		out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		out = append(out, kind...)
		out = append(out, data...)
		return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(append([]byte(kind), data...)))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, chunk("IHDR", ihdr)...)
	out = append(out, chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})...)
	return append(out, chunk("IEND", nil)...)
}

// files lists what media storage holds.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func TestUploadRefusesBadFiles(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		r := newRig(t, st)
		writer := r.member(store.RoleContributor)
		good := jpegBytes(t, 64, 48)
		cases := []struct {
			name, file string
			body       io.Reader
			want       string
		}{
			{"HTML named .jpg", "photo.jpg", strings.NewReader("<!doctype html><script>alert(1)</script>"), "photo.jpg was not uploaded: the file is not a JPEG, PNG, GIF or WebP image."},
			{"truncated JPEG", "cut.jpg", bytes.NewReader(good[:len(good)/2]), "cut.jpg was not uploaded: the image file is incomplete or damaged."},
			{"30000×30000 PNG", "bomb.png", bytes.NewReader(hugePNG(30000, 30000)), "bomb.png was not uploaded: the image is 30000×30000 pixels, more than the 50 megapixel limit."},
			{"50 MB", "big.jpg", io.MultiReader(bytes.NewReader(good[:100]), io.LimitReader(zeros{}, 50<<20)), "big.jpg was not uploaded: the file is larger than the 20 MB upload limit."},
			{"empty", "empty.png", strings.NewReader(""), "empty.png was not uploaded: the file is not a JPEG, PNG, GIF or WebP image."},
		}
		for _, c := range cases {
			_, err := r.svc.Upload(r.ctx, writer, c.file, c.body, editorial.MediaText{})
			if !errors.Is(err, editorial.ErrInvalid) || err.Error() != c.want {
				t.Errorf("%s: %v\nwant %s", c.name, err, c.want)
			}
		}
		if f := files(t, r.mediaDir); len(f) != 0 {
			t.Errorf("refused uploads stored files: %v", f)
		}
		if page, _ := st.MediaItems(r.ctx, store.MediaFilter{}); page.Total != 0 {
			t.Errorf("refused uploads added %d items", page.Total)
		}
		if page, _ := st.Jobs(r.ctx, store.JobFilter{}); page.Total != 0 {
			t.Errorf("refused uploads enqueued %d jobs", page.Total)
		}
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestUploadThenRenditions(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		r := newRig(t, st)
		writer := r.member(store.RoleContributor)
		item, err := r.svc.Upload(r.ctx, writer, `C:\Photos\Harbour at dawn.PNG`, bytes.NewReader(pngBytes(t, 300, 200)),
			editorial.MediaText{Alt: "Cranes over the harbour", Credit: "Ana Lima"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(item.Key, "uploads/") || !strings.Contains(item.Key, "/harbour-at-dawn-") || !strings.HasSuffix(item.Key, ".png") {
			t.Errorf("key %q", item.Key)
		}
		if item.Width != 300 || item.Height != 200 || item.RenditionStatus != store.RenditionsPending || item.UploadedBy != writer.ID {
			t.Errorf("item: %+v", item)
		}
		// The same file again is the same item.
		again, err := r.svc.Upload(r.ctx, writer, "Harbour at dawn.png", bytes.NewReader(pngBytes(t, 300, 200)), editorial.MediaText{})
		if err != nil || again.ID != item.ID {
			t.Errorf("re-upload: %+v, %v", again.ID, err)
		}
		job, err := st.JobByUniqueKey(r.ctx, editorial.KindRenditions+":"+strconv.FormatInt(item.ID, 10))
		if err != nil {
			t.Fatalf("no renditions job: %v", err)
		}
		if err := r.svc.RenditionsHandler()(r.ctx, job.Payload); err != nil {
			t.Fatal(err)
		}
		got, err := st.MediaItemByID(r.ctx, item.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.RenditionStatus != store.RenditionsDone || len(got.Renditions) == 0 {
			t.Fatalf("after the job: %s, %d renditions", got.RenditionStatus, len(got.Renditions))
		}
		formats := map[string]bool{}
		for _, rd := range got.Renditions {
			formats[rd.Format] = true
			if _, err := r.svc.Store().MediaItemByKey(r.ctx, item.Key); err != nil {
				t.Fatal(err)
			}
			if len(files(t, filepath.Join(r.mediaDir, filepath.Dir(rd.Key)))) == 0 {
				t.Errorf("rendition %s not stored", rd.Key)
			}
		}
		if !formats["webp"] || !formats["png"] {
			t.Errorf("rendition formats: %v", formats)
		}

		// The text can be changed by the uploader, not by another writer.
		other := r.member(store.RoleAuthor)
		if _, err := r.svc.UpdateMediaText(r.ctx, other, item.ID, editorial.MediaText{Alt: "x"}); !errors.Is(err, editorial.ErrForbidden) {
			t.Errorf("another writer editing: %v", err)
		}
		if upd, err := r.svc.UpdateMediaText(r.ctx, writer, item.ID, editorial.MediaText{Alt: "Cranes", Caption: "The port at dawn.", Credit: "Ana Lima"}); err != nil || upd.Caption != "The port at dawn." {
			t.Errorf("uploader editing: %v", err)
		}

		// A post using the image takes its text when the form leaves it
		// empty.
		p, err := r.svc.CreateDraft(r.ctx, writer, editorial.PostInput{Title: "Harbour", Body: "x", ImageKey: item.Key})
		if err != nil {
			t.Fatal(err)
		}
		if p.Image.Alt != "Cranes" || p.Image.Credit != "Ana Lima" || p.Image.Width != 300 {
			t.Errorf("post image: %+v", p.Image)
		}
	})
}
