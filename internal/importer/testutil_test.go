package importer

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"masthead/internal/content"
	"masthead/internal/media"
	"masthead/internal/store"
)

// fixtureImages are the pictures the testdata/good fixtures name. They are
// encoded by the tests, so the fixtures stay text.
var fixtureImages = map[string][]byte{
	"images/leila-haddad.jpg":   jpegBytes(40, 50),
	"images/okafor.png":         pngBytes(30, 30),
	"images/muscat-harbour.jpg": jpegBytes(64, 36),
	"images/red-sea.png":        pngBytes(48, 32),
}

func testImage(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x + y) % 256), 255})
		}
	}
	return img
}

func pngBytes(w, h int) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, testImage(w, h)); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func jpegBytes(w, h int) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(w, h), &jpeg.Options{Quality: 80}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// fixture copies testdata/name into a new temporary directory, adds the
// fixture images, and returns the copy, which a test may change.
func fixture(t *testing.T, name string) string {
	t.Helper()
	dst := t.TempDir()
	src := filepath.Join("testdata", name)
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		writeFile(t, dst, filepath.ToSlash(rel), data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for rel, data := range fixtureImages {
		writeFile(t, dst, rel, data)
	}
	return dst
}

func writeFile(t testing.TB, dir, rel string, data []byte) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func newMedia(t *testing.T) (*media.Local, string) {
	t.Helper()
	dir := t.TempDir()
	l, err := media.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	return l, dir
}

// state is everything an import can change.
type state struct {
	Version int64
	Authors []content.Author
	Tags    []content.Tag
	Posts   []content.Post
	Media   []string // stored files, relative to the media directory
}

func snapshot(t *testing.T, st *store.Store, mediaDir string) state {
	t.Helper()
	ctx := context.Background()
	var s state
	var err error
	if s.Version, err = st.ContentVersion(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Authors, err = st.Authors(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Tags, err = st.Tags(ctx); err != nil {
		t.Fatal(err)
	}
	page, err := st.Posts(ctx, store.PostFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total > len(page.Posts) {
		t.Fatalf("snapshot: %d posts, more than one page", page.Total)
	}
	s.Posts = page.Posts
	err = filepath.WalkDir(mediaDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(mediaDir, p)
		s.Media = append(s.Media, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(s.Media)
	return s
}
