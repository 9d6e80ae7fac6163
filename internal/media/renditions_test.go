package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	webpenc "github.com/gen2brain/webp"
)

var (
	red   = color.NRGBA{230, 20, 20, 255}
	blue  = color.NRGBA{20, 20, 230, 255}
	green = color.NRGBA{20, 200, 20, 255}
	white = color.NRGBA{250, 250, 250, 255}
)

// quadrants is a w×h picture: red top left, blue top right, green bottom
// left, white bottom right.
func quadrants(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := red
			switch {
			case x >= w/2 && y < h/2:
				c = blue
			case x < w/2 && y >= h/2:
				c = green
			case x >= w/2 && y >= h/2:
				c = white
			}
			m.SetNRGBA(x, y, c)
		}
	}
	return m
}

// photo is a smooth picture with some detail, compressing like a photo.
func photo(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			r := 128 + 100*math.Sin(6*fx+2*fy)
			g := 128 + 90*math.Cos(5*fy-3*fx)
			b := 128 + 80*math.Sin(9*fx*fy+float64((x/40+y/40)%2))
			m.Set(x, y, color.RGBA{uint8(r), uint8(g), uint8(b), 255})
		}
	}
	return m
}

func encodeImage(tb testing.TB, format string, m image.Image) []byte {
	tb.Helper()
	var b bytes.Buffer
	var err error
	switch format {
	case "jpeg":
		err = jpeg.Encode(&b, m, &jpeg.Options{Quality: 95})
	case "png":
		err = png.Encode(&b, m)
	case "webp":
		err = webpenc.Encode(&b, m, webpenc.Options{Quality: 90})
	}
	if err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// near reports whether two colours differ by at most tol in each channel,
// comparing them without premultiplied alpha.
func near(a, b color.Color, tol int) bool {
	x := color.NRGBAModel.Convert(a).(color.NRGBA)
	y := color.NRGBAModel.Convert(b).(color.NRGBA)
	d := func(p, q uint8) bool { return math.Abs(float64(p)-float64(q)) <= float64(tol) }
	return d(x.R, y.R) && d(x.G, y.G) && d(x.B, y.B) && d(x.A, y.A)
}

// checkQuadrants checks the colour at the middle of each quarter of m.
func checkQuadrants(t *testing.T, what string, m image.Image, tl, tr, bl, br color.Color) {
	t.Helper()
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	for _, q := range []struct {
		name string
		x, y int
		want color.Color
	}{
		{"top left", w / 4, h / 4, tl},
		{"top right", 3 * w / 4, h / 4, tr},
		{"bottom left", w / 4, 3 * h / 4, bl},
		{"bottom right", 3 * w / 4, 3 * h / 4, br},
	} {
		if got := m.At(b.Min.X+q.x, b.Min.Y+q.y); !near(got, q.want, 40) {
			t.Errorf("%s: %s is %v, want %v", what, q.name, got, q.want)
		}
	}
}

// checkRenditions checks each rendition decodes in its format at its size,
// keeps the original's aspect ratio and shows the quadrants.
func checkRenditions(t *testing.T, rs []Rendition, width, height int, tl, tr, bl, br color.Color) {
	t.Helper()
	for _, r := range rs {
		m, err := decodeAs(r.Format, r.Data)
		if err != nil {
			t.Fatalf("%s %d: %v", r.Format, r.Width, err)
		}
		if m.Bounds() != image.Rect(0, 0, r.Width, r.Height) {
			t.Errorf("%s %d×%d decodes as %v", r.Format, r.Width, r.Height, m.Bounds())
		}
		if exact := float64(height) * float64(r.Width) / float64(width); math.Abs(float64(r.Height)-exact) > 1 {
			t.Errorf("%s %d×%d: height should be %.1f", r.Format, r.Width, r.Height, exact)
		}
		checkQuadrants(t, fmt.Sprintf("%s %d", r.Format, r.Width), m, tl, tr, bl, br)
	}
}

// summary is "format width×height" for each rendition.
func summary(rs []Rendition) string {
	var parts []string
	for _, r := range rs {
		parts = append(parts, fmt.Sprintf("%s %dx%d", r.Format, r.Width, r.Height))
	}
	return strings.Join(parts, ", ")
}

func TestMakeRenditions(t *testing.T) {
	// The first frame of this GIF shows the quadrants; the second does not.
	gifPal := color.Palette{red, blue, green, white, color.Black}
	first := image.NewPaletted(image.Rect(0, 0, 300, 180), gifPal)
	second := image.NewPaletted(first.Rect, gifPal)
	q := quadrants(300, 180)
	for y := range 180 {
		for x := range 300 {
			first.Set(x, y, q.At(x, y))
			second.SetColorIndex(x, y, 4)
		}
	}
	var gifData bytes.Buffer
	if err := gif.EncodeAll(&gifData, &gif.GIF{Image: []*image.Paletted{first, second}, Delay: []int{50, 50}}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		data   []byte
		widths []int
		want   string
	}{
		{"jpeg", encodeImage(t, "jpeg", quadrants(300, 180)), []int{100, 200},
			"jpeg 100x60, webp 100x60, jpeg 200x120, webp 200x120, webp 300x180"},
		{"png", encodeImage(t, "png", quadrants(300, 180)), []int{200, 100},
			"png 100x60, webp 100x60, png 200x120, webp 200x120, webp 300x180"},
		{"gif becomes png", gifData.Bytes(), []int{150},
			"png 150x90, webp 150x90, webp 300x180"},
		{"webp has no full-size copy", encodeImage(t, "webp", quadrants(300, 180)), []int{100, 200},
			"webp 100x60, webp 200x120"},
		{"widths not smaller are skipped, repeats once", encodeImage(t, "jpeg", quadrants(300, 180)), []int{300, 480, 100, 100, 0, -5},
			"jpeg 100x60, webp 100x60, webp 300x180"},
		{"odd aspect ratio rounds", encodeImage(t, "png", quadrants(301, 100)), []int{150},
			"png 150x50, webp 150x50, webp 301x100"},
		{"default widths", encodeImage(t, "jpeg", quadrants(900, 450)), nil,
			"jpeg 480x240, webp 480x240, jpeg 800x400, webp 800x400, webp 900x450"},
		{"too small for any width", encodeImage(t, "jpeg", quadrants(400, 300)), nil,
			"webp 400x300"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, info, err := CheckUpload(bytes.NewReader(tc.data), 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			rs, err := MakeRenditions(context.Background(), data, info, tc.widths)
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(rs); got != tc.want {
				t.Fatalf("renditions:\n%s\nwant\n%s", got, tc.want)
			}
			checkRenditions(t, rs, info.Width, info.Height, red, blue, green, white)
		})
	}
}

// withOrientation adds to a JPEG the EXIF a phone writes, with orientation o.
func withOrientation(jpg []byte, o uint16) []byte {
	return append(append([]byte{0xff, 0xd8}, jpegSegment(markerAPP1, exifWithGPS(o))...), jpg[2:]...)
}

func TestMakeRenditionsTurnsByOrientation(t *testing.T) {
	// Stored 80×40: red top left, blue top right, green bottom left, white
	// bottom right.
	stored := encodeImage(t, "jpeg", quadrants(80, 40))
	tests := []struct {
		orientation    uint16
		w, h           int
		tl, tr, bl, br color.Color
	}{
		{1, 80, 40, red, blue, green, white},
		{2, 80, 40, blue, red, white, green},
		{3, 80, 40, white, green, blue, red},
		{4, 80, 40, green, white, red, blue},
		{5, 40, 80, red, green, blue, white},
		{6, 40, 80, green, red, white, blue},
		{7, 40, 80, white, blue, green, red},
		{8, 40, 80, blue, white, red, green},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.orientation), func(t *testing.T) {
			data, info, err := CheckUpload(bytes.NewReader(withOrientation(stored, tc.orientation)), 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			if info.Width != tc.w || info.Height != tc.h {
				t.Errorf("info %+v, want %d×%d as displayed", info, tc.w, tc.h)
			}
			rs, err := MakeRenditions(context.Background(), data, info, []int{tc.w / 2})
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != 3 || rs[0].Width != tc.w/2 || rs[0].Height != tc.h/2 || rs[2].Width != tc.w || rs[2].Height != tc.h {
				t.Fatalf("renditions %s", summary(rs))
			}
			for _, r := range rs {
				if jpegOrientation(r.Data) != 1 {
					t.Errorf("%s rendition has an orientation", r.Format)
				}
			}
			checkRenditions(t, rs, tc.w, tc.h, tc.tl, tc.tr, tc.bl, tc.br)
		})
	}
}

func TestMakeRenditionsTransparency(t *testing.T) {
	// Left half: red at half opacity; right half: fully transparent.
	m := image.NewNRGBA(image.Rect(0, 0, 120, 60))
	for y := range 60 {
		for x := range 60 {
			m.SetNRGBA(x, y, color.NRGBA{240, 10, 10, 128})
		}
	}
	data, info, err := CheckUpload(bytes.NewReader(encodeImage(t, "png", m)), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := MakeRenditions(context.Background(), data, info, []int{60})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := summary(rs), "png 60x30, webp 60x30, webp 120x60"; got != want {
		t.Fatalf("renditions %s, want %s", got, want)
	}
	for _, r := range rs {
		d, err := decodeAs(r.Format, r.Data)
		if err != nil {
			t.Fatal(err)
		}
		w, h := r.Width, r.Height
		// Colour is kept under partial transparency, not darkened.
		if got := d.At(w/4, h/2); !near(got, color.NRGBA{240, 10, 10, 128}, 30) {
			t.Errorf("%s %d: half-transparent red is %v", r.Format, w, color.NRGBAModel.Convert(got))
		}
		if _, _, _, a := d.At(3*w/4, h/2).RGBA(); a != 0 {
			t.Errorf("%s %d: transparent half has alpha %d", r.Format, w, a)
		}
	}
}

// A GIF whose first frame covers part of the canvas leaves the rest
// transparent.
func TestMakeRenditionsGIFPartialFrame(t *testing.T) {
	pal := color.Palette{red, blue}
	frame := image.NewPaletted(image.Rect(0, 0, 50, 40), pal) // all red
	var b bytes.Buffer
	err := gif.EncodeAll(&b, &gif.GIF{Image: []*image.Paletted{frame}, Delay: []int{0}, Config: image.Config{ColorModel: pal, Width: 100, Height: 40}})
	if err != nil {
		t.Fatal(err)
	}
	data, info, err := CheckUpload(&b, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := MakeRenditions(context.Background(), data, info, []int{50})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		d, _ := decodeAs(r.Format, r.Data)
		if got := d.At(r.Width/4, r.Height/2); !near(got, red, 20) {
			t.Errorf("%s %d: frame shows %v", r.Format, r.Width, got)
		}
		if _, _, _, a := d.At(3*r.Width/4, r.Height/2).RGBA(); a != 0 {
			t.Errorf("%s %d: outside the frame alpha is %d", r.Format, r.Width, a)
		}
	}
}

// webpChunks returns the chunks of a WebP by ID.
func webpChunks(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	chunks := map[string][]byte{}
	for _, id := range webpChunkIDs(t, data) {
		chunks[id] = nil
	}
	for i := 12; i+8 <= len(data); {
		n := int(binary.LittleEndian.Uint32(data[i+4:]))
		chunks[string(data[i:i+4])] = data[i+8 : i+8+n]
		i += 8 + n + n&1
	}
	return chunks
}

func TestMakeRenditionsKeepColourProfile(t *testing.T) {
	// Profiles here are not real ICC data; only how they travel matters.
	small := []byte("a display profile")
	large := bytes.Repeat([]byte("0123456789abcdef"), 5000) // two JPEG segments
	jpg := encodeImage(t, "jpeg", quadrants(120, 60))
	pngData := encodeImage(t, "png", quadrants(120, 60))
	webpData := encodeImage(t, "webp", quadrants(120, 60))

	tests := []struct {
		name string
		data []byte
		icc  []byte
	}{
		{"jpeg", append(append([]byte{0xff, 0xd8}, withJPEGProfile([]byte{0xff, 0xd8}, small)[2:]...), jpg[2:]...), small},
		{"jpeg, large profile", withJPEGProfile(jpg, large), large},
		{"png", mustPNGProfile(t, pngData, small), small},
		{"webp", mustWebPProfile(t, webpData, small), small},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, info, err := CheckUpload(bytes.NewReader(tc.data), 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			if got := iccProfile(info.Format, data); !bytes.Equal(got, tc.icc) {
				t.Fatalf("upload's profile is %d bytes, want %d", len(got), len(tc.icc))
			}
			rs, err := MakeRenditions(context.Background(), data, info, []int{60})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rs {
				if got := iccProfile(r.Format, r.Data); !bytes.Equal(got, tc.icc) {
					t.Errorf("%s %d: profile %.20q, want %.20q", r.Format, r.Width, got, tc.icc)
				}
				if r.Format == "webp" {
					chunks := webpChunks(t, r.Data)
					if vp8x := chunks["VP8X"]; len(vp8x) != 10 || vp8x[0]&vp8xICC == 0 {
						t.Errorf("webp %d: VP8X %x does not announce the profile", r.Width, vp8x)
					}
				}
			}
			checkRenditions(t, rs, info.Width, info.Height, red, blue, green, white)
		})
	}
}

func mustPNGProfile(t *testing.T, p, icc []byte) []byte {
	out, err := withPNGProfile(p, icc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func mustWebPProfile(t *testing.T, w, icc []byte) []byte {
	out, err := withWebPProfile(w, icc, false, 120, 60)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMakeRenditionsDeterministic(t *testing.T) {
	data := encodeImage(t, "jpeg", photo(300, 200))
	var results [4][]Rendition
	var wg sync.WaitGroup
	errs := make(chan error, len(results))
	// At the same time too: a background job may run several.
	for k := range results {
		wg.Go(func() {
			rs, err := MakeRenditions(context.Background(), data, Info{Format: "jpeg"}, []int{100, 150})
			results[k] = rs
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for k := 1; k < len(results); k++ {
		if len(results[k]) != len(results[0]) {
			t.Fatalf("run %d made %d renditions, run 0 made %d", k, len(results[k]), len(results[0]))
		}
		for i := range results[0] {
			if !bytes.Equal(results[k][i].Data, results[0][i].Data) {
				t.Errorf("run %d: rendition %d differs", k, i)
			}
		}
	}
}

// countdownContext is cancelled once Err has been asked a number of times:
// a cancellation that arrives while renditions are being made.
type countdownContext struct {
	context.Context
	left  atomic.Int32
	asked atomic.Int32
}

func (c *countdownContext) Err() error {
	c.asked.Add(1)
	if c.left.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

func TestMakeRenditionsCancel(t *testing.T) {
	data := encodeImage(t, "jpeg", photo(300, 200))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if rs, err := MakeRenditions(ctx, data, Info{Format: "jpeg"}, nil); !errors.Is(err, context.Canceled) || rs != nil {
		t.Errorf("cancelled before: %d renditions, %v", len(rs), err)
	}

	// Count the checks of an uncancelled run, then cancel at each one.
	full := &countdownContext{Context: context.Background()}
	full.left.Store(1 << 30)
	all, err := MakeRenditions(full, data, Info{Format: "jpeg"}, []int{100, 150, 200})
	if err != nil || len(all) != 7 {
		t.Fatalf("%d renditions, %v", len(all), err)
	}
	checks := int(full.asked.Load())
	if checks < len(all) {
		t.Fatalf("ctx checked %d times for %d renditions", checks, len(all))
	}
	for k := range checks {
		ctx := &countdownContext{Context: context.Background()}
		ctx.left.Store(int32(k))
		rs, err := MakeRenditions(ctx, data, Info{Format: "jpeg"}, []int{100, 150, 200})
		if !errors.Is(err, context.Canceled) || rs != nil {
			t.Errorf("cancelled at check %d: %d renditions, %v", k, len(rs), err)
		}
		// Work stops at the first check that sees the cancellation.
		if asked := int(ctx.asked.Load()); asked != k+1 {
			t.Errorf("cancelled at check %d: asked %d times", k, asked)
		}
	}
}

func TestMakeRenditionsRefuses(t *testing.T) {
	jpg := encodeImage(t, "jpeg", quadrants(100, 50))
	tests := []struct {
		name string
		data []byte
		info Info
		want string
	}{
		{"not an image", []byte("<html>"), Info{Format: "jpeg"}, "not a JPEG, PNG, GIF or WebP image"},
		{"wrong format", jpg, Info{Format: "png"}, "image is a jpeg, not a png"},
		{"bomb", pngWithHeader(30000, 30000), Info{Format: "png"}, "more than the 50 megapixel limit"},
		{"truncated", jpg[:len(jpg)/2], Info{Format: "jpeg"}, "decode jpeg"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := MakeRenditions(context.Background(), tc.data, tc.info, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) || rs != nil {
				t.Errorf("%d renditions, err %v; want %q", len(rs), err, tc.want)
			}
		})
	}
}

func TestRenditionKey(t *testing.T) {
	tests := []struct {
		key    string
		width  int
		format string
		want   string
	}{
		{"images/foo-abc123.jpg", 800, "webp", "images/foo-abc123-w800.webp"},
		{"images/foo-abc123.jpg", 480, "jpeg", "images/foo-abc123-w480.jpg"},
		{"images/logo-0123456789ab.gif", 1200, "png", "images/logo-0123456789ab-w1200.png"},
		{"images/2024.03/plain", 1600, "webp", "images/2024.03/plain-w1600.webp"},
	}
	for _, tc := range tests {
		got := RenditionKey(tc.key, tc.width, tc.format)
		if got != tc.want || !ValidKey(got) {
			t.Errorf("RenditionKey(%q, %d, %q) = %q (valid: %v), want %q", tc.key, tc.width, tc.format, got, ValidKey(got), tc.want)
		}
	}
	long := "images/" + strings.Repeat("a", 489) + ".jpg"
	if !ValidKey(long) || !ValidKey(RenditionKey(long, 16383, "webp")) {
		t.Errorf("a 500-character key gives an invalid rendition key")
	}
}

func TestStoredRenditionJSON(t *testing.T) {
	r := Rendition{Width: 800, Height: 450, Format: "webp", Data: []byte("…")}
	b, err := json.Marshal([]StoredRendition{r.Stored("images/foo-abc123.jpg")})
	if err != nil {
		t.Fatal(err)
	}
	if want := `[{"key":"images/foo-abc123-w800.webp","width":800,"height":450,"format":"webp"}]`; string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
	var back []StoredRendition
	if err := json.Unmarshal(b, &back); err != nil || len(back) != 1 || back[0] != r.Stored("images/foo-abc123.jpg") {
		t.Errorf("round trip: %+v, %v", back, err)
	}
}

// BenchmarkMakeRenditions makes the default renditions of a 1600×900 JPEG
// photo: 480, 800 and 1200 pixels in JPEG and WebP, and a full-size WebP.
func BenchmarkMakeRenditions(b *testing.B) {
	data := encodeImage(b, "jpeg", photo(1600, 900))
	info := Info{Format: "jpeg", Width: 1600, Height: 900}
	ctx := context.Background()
	if _, err := MakeRenditions(ctx, data, info, nil); err != nil { // starts the WebP encoder
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := MakeRenditions(ctx, data, info, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkResize scales a decoded 1600×900 JPEG to 800 pixels, as
// MakeRenditions does for each width.
func BenchmarkResize(b *testing.B) {
	src, err := decodeForResize("jpeg", encodeImage(b, "jpeg", photo(1600, 900)))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		resize(src, 1, 800, 450)
	}
}
