package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/webp"
)

func testImage(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(40 * x), uint8(60 * y), 90, 255})
		}
	}
	return img
}

func encode(t *testing.T, enc func(io.Writer, image.Image) error, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := enc(&b, testImage(w, h)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(w io.Writer, m image.Image) error { return jpeg.Encode(w, m, nil) }
func encodeGIF(w io.Writer, m image.Image) error  { return gif.Encode(w, m, nil) }

// pngWithHeader is a PNG signature and an IHDR chunk claiming the given
// size, with a correct checksum, and no pixel data.
func pngWithHeader(w, h uint32) []byte {
	var ihdr bytes.Buffer
	ihdr.WriteString("IHDR")
	binary.Write(&ihdr, binary.BigEndian, w)
	binary.Write(&ihdr, binary.BigEndian, h)
	ihdr.Write([]byte{8, 6, 0, 0, 0}) // 8-bit RGBA, no interlace
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	binary.Write(&b, binary.BigEndian, uint32(ihdr.Len()-4))
	b.Write(ihdr.Bytes())
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(ihdr.Bytes()))
	return b.Bytes()
}

func TestProbeFormats(t *testing.T) {
	// testdata/solid-3x2.webp is a lossless WebP, 3×2 pixels of one colour,
	// written bit by bit after the WebP lossless bitstream specification
	// (one-symbol prefix codes, so the pixels take no bits).
	webpData, err := os.ReadFile(filepath.Join("testdata", "solid-3x2.webp"))
	if err != nil {
		t.Fatal(err)
	}
	// Decoding it whole shows it is a real WebP image, not just a header.
	img, err := webp.Decode(bytes.NewReader(webpData))
	if err != nil {
		t.Fatalf("testdata WebP does not decode: %v", err)
	}
	if r, g, b, a := img.At(2, 1).RGBA(); img.Bounds() != image.Rect(0, 0, 3, 2) || r>>8 != 0x20 || g>>8 != 0x80 || b>>8 != 0x40 || a>>8 != 0xff {
		t.Fatalf("testdata WebP is %v with pixel %v", img.Bounds(), img.At(2, 1))
	}

	tests := []struct {
		name       string
		data       []byte
		want       Info
		ext, ctype string
	}{
		{"jpeg", encode(t, encodeJPEG, 7, 5), Info{"jpeg", 7, 5}, ".jpg", "image/jpeg"},
		{"png", encode(t, png.Encode, 9, 4), Info{"png", 9, 4}, ".png", "image/png"},
		{"gif", encode(t, encodeGIF, 6, 8), Info{"gif", 6, 8}, ".gif", "image/gif"},
		{"webp", webpData, Info{"webp", 3, 2}, ".webp", "image/webp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Probe(bytes.NewReader(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want || got.Extension() != tc.ext || got.ContentType() != tc.ctype {
				t.Errorf("Probe = %+v (%s, %s), want %+v (%s, %s)", got, got.Extension(), got.ContentType(), tc.want, tc.ext, tc.ctype)
			}
		})
	}
}

func TestProbeRefuses(t *testing.T) {
	pngData := encode(t, png.Encode, 4, 4)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"HTML named .jpg", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"), "media: not a JPEG, PNG, GIF or WebP image"},
		{"empty", nil, "media: not a JPEG, PNG, GIF or WebP image"},
		{"truncated PNG header", pngData[:20], "media: unreadable image: unexpected EOF"},
		{"PNG claiming 30000×30000", pngWithHeader(30000, 30000), "media: image is 30000×30000 pixels, more than the 50 megapixel limit"},
		// A format Go can decode is still refused when it is not one the
		// site serves: this test binary registers BMP.
		{"BMP", encode(t, bmp.Encode, 4, 4), "media: not a JPEG, PNG, GIF or WebP image"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info, err := Probe(bytes.NewReader(tc.data))
			if err == nil || err.Error() != tc.want {
				t.Errorf("Probe = %+v, %v; want error %q", info, err, tc.want)
			}
		})
	}
	// Just under the limit is fine: the limit is on pixels, not bytes.
	if info, err := Probe(bytes.NewReader(pngWithHeader(10000, 5000))); err != nil || info.Width != 10000 {
		t.Errorf("50 megapixels: %+v, %v", info, err)
	}
}

func TestReadImage(t *testing.T) {
	data := encode(t, png.Encode, 5, 3)
	got, info, err := ReadImage(bytes.NewReader(data), int64(len(data)))
	if err != nil || !bytes.Equal(got, data) || info != (Info{"png", 5, 3}) {
		t.Errorf("ReadImage = %d bytes, %+v, %v", len(got), info, err)
	}
	if _, _, err := ReadImage(bytes.NewReader(data), int64(len(data)-1)); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("over the limit: err = %v", err)
	}
	if _, _, err := ReadImage(strings.NewReader("not an image"), 1<<20); err == nil {
		t.Error("text accepted as an image")
	}
}

func TestHashedKey(t *testing.T) {
	a, b := []byte("first image"), []byte("second image")
	jpg, png := Info{Format: "jpeg"}, Info{Format: "png"}
	k := HashedKey("images", "kabul-market", a, jpg)
	if k != HashedKey("images", "kabul-market", a, jpg) {
		t.Error("same bytes, different keys")
	}
	if !strings.HasPrefix(k, "images/kabul-market-") || !strings.HasSuffix(k, ".jpg") || len(k) != len("images/kabul-market-")+12+len(".jpg") {
		t.Errorf("key %q", k)
	}
	if k == HashedKey("images", "kabul-market", b, jpg) {
		t.Error("different bytes, same key")
	}
	if k2 := HashedKey("images", "kabul-market", a, png); !strings.HasSuffix(k2, ".png") {
		t.Errorf("png key %q", k2)
	}
	if !ValidKey(k) {
		t.Errorf("HashedKey made an invalid key %q", k)
	}
}

func TestValidKey(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"images/kabul-market.jpg", true},
		{"a", true},
		{"images/2024/03/photo_1.webp", true},
		{"", false},
		{"/etc/passwd", false},
		{"../secret", false},
		{"images/../../secret", false},
		{"images/..", false},
		{"images/./a.jpg", false},
		{"images//a.jpg", false},
		{"images/", false},
		{".hidden", false},
		{"images/.put-123", false},
		{`images\a.jpg`, false},
		{"images/a b.jpg", false},
		{"images/café.jpg", false},
		{"images/a.jpg?x=1", false},
		{"images/a\x00.jpg", false},
		{strings.Repeat("a", 512), true},
		{strings.Repeat("a", 513), false},
	}
	for _, tc := range tests {
		if got := ValidKey(tc.key); got != tc.want {
			t.Errorf("ValidKey(%q) = %v, want %v", tc.key, got, tc.want)
		}
	}
}

func TestLocalRoundTrip(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "media") // created by NewLocal
	l, err := NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("the bytes of a photograph")
	if err := l.Put(ctx, "images/2024/kabul.jpg", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	obj, err := l.Open(ctx, "images/2024/kabul.jpg")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(obj)
	if err != nil || !bytes.Equal(got, data) || obj.Size() != int64(len(data)) {
		t.Errorf("read %q (size %d), %v", got, obj.Size(), err)
	}
	if _, err := obj.Seek(4, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(obj)
	if string(rest) != "bytes of a photograph" {
		t.Errorf("after seek: %q", rest)
	}
	if err := obj.Close(); err != nil {
		t.Fatal(err)
	}

	// Put replaces and leaves no temporary files behind.
	if err := l.Put(ctx, "images/2024/kabul.jpg", strings.NewReader("new")); err != nil {
		t.Fatal(err)
	}
	obj, err = l.Open(ctx, "images/2024/kabul.jpg")
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(obj)
	obj.Close()
	if string(got) != "new" {
		t.Errorf("after replace: %q", got)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "images", "2024"))
	if err != nil || len(entries) != 1 {
		t.Errorf("directory holds %v (%v), want only kabul.jpg", entries, err)
	}

	for _, key := range []string{"images/missing.jpg", "images", "images/2024", "../media/images/2024/kabul.jpg", "/images/2024/kabul.jpg"} {
		if obj, err := l.Open(ctx, key); !errors.Is(err, ErrNotFound) {
			if obj != nil {
				obj.Close()
			}
			t.Errorf("Open(%q): err = %v, want ErrNotFound", key, err)
		}
	}
}

func TestLocalRefusesTraversal(t *testing.T) {
	ctx := context.Background()
	base := t.TempDir()
	l, err := NewLocal(filepath.Join(base, "media"))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"../escaped.jpg", "images/../../escaped.jpg", "/tmp/escaped.jpg", ".escaped.jpg", ""} {
		if err := l.Put(ctx, key, strings.NewReader("x")); err == nil || !strings.Contains(err.Error(), "invalid key") {
			t.Errorf("Put(%q): err = %v", key, err)
		}
	}
	if _, err := os.Stat(filepath.Join(base, "escaped.jpg")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a file was written outside the media directory: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(base, "media"))
	if len(entries) != 0 {
		t.Errorf("media directory holds %v", entries)
	}
}

// failingReader fails after some bytes, like a dropped upload.
type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, errors.New("connection reset")
	}
	n := min(len(p), r.n)
	r.n -= n
	return n, nil
}

func TestLocalPutFailureKeepsOldObject(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, err := NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Put(ctx, "a.jpg", strings.NewReader("complete")); err != nil {
		t.Fatal(err)
	}
	if err := l.Put(ctx, "a.jpg", &failingReader{n: 3}); err == nil {
		t.Fatal("Put of a failing reader succeeded")
	}
	obj, err := l.Open(ctx, "a.jpg")
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	if got, _ := io.ReadAll(obj); string(got) != "complete" {
		t.Errorf("after a failed Put the object is %q", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %v, want only a.jpg", entries)
	}
}
