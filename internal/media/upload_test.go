package media

import (
	"bytes"
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
	"runtime"
	"strings"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/webp"
)

// decodeAs decodes an image with the decoder of the named format only.
func decodeAs(format string, data []byte) (image.Image, error) {
	r := bytes.NewReader(data)
	switch format {
	case "jpeg":
		return jpeg.Decode(r)
	case "png":
		return png.Decode(r)
	case "gif":
		return gif.Decode(r)
	case "webp":
		return webp.Decode(r)
	}
	return nil, errors.New("unknown format " + format)
}

// samePixels reports the first pixel where a and b differ, if any.
func samePixels(t *testing.T, a, b image.Image) {
	t.Helper()
	if a.Bounds() != b.Bounds() {
		t.Fatalf("bounds %v, want %v", b.Bounds(), a.Bounds())
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				t.Fatalf("pixel (%d,%d) is %v, want %v", x, y, b.At(x, y), a.At(x, y))
			}
		}
	}
}

// solidWebP is testdata/solid-3x2.webp, a lossless WebP in the simple
// format: RIFF, WEBP and one VP8L chunk.
func solidWebP(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "solid-3x2.webp"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// jpegSegment is a JPEG marker segment with its length.
func jpegSegment(marker byte, payload []byte) []byte {
	n := len(payload) + 2
	return append([]byte{0xff, marker, byte(n >> 8), byte(n)}, payload...)
}

// exifWithGPS is an APP1 EXIF payload as a phone writes it: little-endian
// TIFF, IFD0 with the make, the orientation (when not 0) and a pointer to a
// GPS IFD holding latitude and longitude of Kabul.
func exifWithGPS(orientation uint16) []byte {
	le := binary.LittleEndian
	var t []byte
	t = append(t, 'I', 'I', 42, 0)
	t = le.AppendUint32(t, 8)
	type entry struct {
		tag, typ uint16
		count    uint32
		value    uint32 // or offset
	}
	entries := []entry{{0x010f, 2, 4, 0}} // Make, at an offset filled below
	if orientation != 0 {
		entries = append(entries, entry{0x0112, 3, 1, uint32(orientation)})
	}
	entries = append(entries, entry{0x8825, 4, 1, 0}) // GPS IFD pointer
	ifd0Len := 2 + 12*len(entries) + 4
	makeAt := 8 + ifd0Len
	gpsAt := makeAt + 4
	entries[0].value = uint32(makeAt)
	entries[len(entries)-1].value = uint32(gpsAt)
	t = le.AppendUint16(t, uint16(len(entries)))
	for _, e := range entries {
		t = le.AppendUint16(t, e.tag)
		t = le.AppendUint16(t, e.typ)
		t = le.AppendUint32(t, e.count)
		t = le.AppendUint32(t, e.value)
	}
	t = le.AppendUint32(t, 0)
	t = append(t, "Cam\x00"...)
	// GPS IFD: N, latitude 34°31'; E, longitude 69°10'.
	gpsEntries := 4
	ratAt := gpsAt + 2 + 12*gpsEntries + 4
	t = le.AppendUint16(t, uint16(gpsEntries))
	for _, e := range []entry{
		{0x0001, 2, 2, uint32('N')},
		{0x0002, 5, 3, uint32(ratAt)},
		{0x0003, 2, 2, uint32('E')},
		{0x0004, 5, 3, uint32(ratAt + 24)},
	} {
		t = le.AppendUint16(t, e.tag)
		t = le.AppendUint16(t, e.typ)
		t = le.AppendUint32(t, e.count)
		t = le.AppendUint32(t, e.value)
	}
	t = le.AppendUint32(t, 0)
	for _, v := range []uint32{34, 1, 31, 1, 0, 1, 69, 1, 10, 1, 0, 1} {
		t = le.AppendUint32(t, v)
	}
	return append([]byte("Exif\x00\x00"), t...)
}

const (
	xmpPayload  = "http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><exif:GPSLatitude>34,31.2N</exif:GPSLatitude></x:xmpmeta>"
	iptcPayload = "Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x0a\x1c\x02\x5a\x00\x05Kabul"
	iccPayload  = "ICC_PROFILE\x00\x01\x01fake profile bytes"
)

// phoneJPEG is a JPEG as a phone writes it: JFIF with a thumbnail, EXIF
// with GPS, XMP, IPTC, an ICC profile and a comment before the image, and a
// second picture with its own EXIF after the end of the first.
func phoneJPEG(t *testing.T, plain []byte, orientation uint16) []byte {
	t.Helper()
	jfif := append([]byte("JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x01\x01"), 0x10, 0x20, 0x30) // 1×1 thumbnail
	var b bytes.Buffer
	b.Write(plain[:2])
	b.Write(jpegSegment(markerAPP0, jfif))
	b.Write(jpegSegment(markerAPP1, exifWithGPS(orientation)))
	b.Write(jpegSegment(markerAPP1, []byte(xmpPayload)))
	b.Write(jpegSegment(0xed, []byte(iptcPayload)))
	b.Write(jpegSegment(markerAPP2, []byte(iccPayload)))
	b.Write(jpegSegment(markerAPP2, []byte("MPF\x00more pictures follow")))
	b.Write(jpegSegment(markerCOM, []byte("shot in Kabul")))
	b.Write(plain[2:])
	b.Write(plain[:2])
	b.Write(jpegSegment(markerAPP1, exifWithGPS(1)))
	b.Write(plain[2:])
	return b.Bytes()
}

// jpegMarkers lists the markers of a JPEG's segments before its first scan.
func jpegMarkers(t *testing.T, data []byte) (markers []byte, payloads [][]byte) {
	t.Helper()
	for i := 2; ; {
		if i+4 > len(data) || data[i] != 0xff {
			t.Fatalf("no SOS in %x", data)
		}
		m := data[i+1]
		if m == markerSOS {
			return markers, payloads
		}
		n := int(data[i+2])<<8 | int(data[i+3])
		markers = append(markers, m)
		payloads = append(payloads, data[i+4:i+2+n])
		i += 2 + n
	}
}

func TestCheckUploadStripsJPEGMetadata(t *testing.T) {
	plain := encode(t, encodeJPEG, 40, 24)
	want, err := jpeg.Decode(bytes.NewReader(plain))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		orientation uint16
		wantInfo    Info
	}{
		{"no orientation", 0, Info{"jpeg", 40, 24}},
		{"upright", 1, Info{"jpeg", 40, 24}},
		{"turned", 6, Info{"jpeg", 24, 40}},
		{"mirrored", 2, Info{"jpeg", 40, 24}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := phoneJPEG(t, plain, tc.orientation)
			if !bytes.Contains(in, []byte("Exif")) {
				t.Fatal("test input has no EXIF")
			}
			out, info, err := CheckUpload(bytes.NewReader(in), 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			if info != tc.wantInfo {
				t.Errorf("info = %+v, want %+v", info, tc.wantInfo)
			}
			for _, secret := range []string{"Exif\x00\x00II", "Cam\x00", "GPS", "xmpmeta", "xap", "Photoshop", "Kabul", "MPF", "\x10\x20\x30"} {
				if bytes.Contains(out, []byte(secret)) {
					t.Errorf("output still holds %q", secret)
				}
			}
			markers, payloads := jpegMarkers(t, out)
			var gotExif []byte
			for i, m := range markers {
				switch m {
				case markerAPP1:
					if gotExif != nil {
						t.Error("two APP1 segments")
					}
					gotExif = payloads[i]
				case markerAPP0:
					if want := "JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x00\x00"; string(payloads[i]) != want {
						t.Errorf("APP0 = %q, want %q", payloads[i], want)
					}
				case markerAPP2:
					if string(payloads[i]) != iccPayload {
						t.Errorf("APP2 = %q, want the ICC profile", payloads[i])
					}
				case 0xed, markerCOM:
					t.Errorf("marker %#x kept", m)
				}
			}
			if tc.orientation > 1 {
				if gotExif == nil || exifOrientation(gotExif) != int(tc.orientation) || len(gotExif) != 32 {
					t.Errorf("EXIF kept as %q, want only orientation %d", gotExif, tc.orientation)
				}
			} else if gotExif != nil {
				t.Errorf("EXIF kept as %q", gotExif)
			}
			if jpegOrientation(out) != max(1, int(tc.orientation)) {
				t.Errorf("orientation read back as %d", jpegOrientation(out))
			}
			// Only metadata went: the scans are the same bytes.
			if !bytes.HasSuffix(out, plain[bytes.Index(plain, []byte{0xff, markerSOS}):]) {
				t.Error("image data changed")
			}
			got, err := jpeg.Decode(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			samePixels(t, want, got)

			// Cleaning is idempotent.
			again, info2, err := CheckUpload(bytes.NewReader(out), 1<<20)
			if err != nil || !bytes.Equal(again, out) || info2 != info {
				t.Errorf("second check: %d bytes, %+v, %v", len(again), info2, err)
			}
		})
	}
}

// pngChunk is a PNG chunk with its length and checksum.
func pngChunk(kind string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, kind...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

// pngChunkTypes lists the chunk types of a PNG in order.
func pngChunkTypes(t *testing.T, data []byte) []string {
	t.Helper()
	var kinds []string
	for i := 8; i < len(data); {
		n := int(binary.BigEndian.Uint32(data[i:]))
		kinds = append(kinds, string(data[i+4:i+8]))
		i += 12 + n
	}
	return kinds
}

// withPNGChunks inserts chunks after IHDR and appends trailing bytes.
func withPNGChunks(p []byte, trailing string, chunks ...[]byte) []byte {
	const afterIHDR = 33
	out := append([]byte(nil), p[:afterIHDR]...)
	for _, c := range chunks {
		out = append(out, c...)
	}
	out = append(out, p[afterIHDR:]...)
	return append(out, trailing...)
}

func TestCheckUploadStripsPNGMetadata(t *testing.T) {
	plain := encode(t, png.Encode, 9, 7)
	in := withPNGChunks(plain, "<html>after the end</html>",
		pngChunk("gAMA", []byte{0, 0, 0xb1, 0x8f}),
		pngChunk("tEXt", []byte("Location\x00Kabul")),
		pngChunk("zTXt", []byte("Comment\x00\x00x\x9c\x03\x00\x00\x00\x00\x01")),
		pngChunk("iTXt", []byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00<x:xmpmeta>GPS</x:xmpmeta>")),
		pngChunk("eXIf", exifWithGPS(1)[6:]),
		pngChunk("tIME", []byte{0x07, 0xe8, 3, 1, 12, 0, 0}),
		pngChunk("prVt", []byte("private")),
	)
	if _, err := png.Decode(bytes.NewReader(in)); err != nil {
		t.Fatalf("test input does not decode: %v", err)
	}
	out, info, err := CheckUpload(bytes.NewReader(in), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if info != (Info{"png", 9, 7}) {
		t.Errorf("info = %+v", info)
	}
	if got, want := strings.Join(pngChunkTypes(t, out), " "), "IHDR gAMA IDAT IEND"; got != want {
		t.Errorf("chunks %q, want %q", got, want)
	}
	want, _ := png.Decode(bytes.NewReader(plain))
	got, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	samePixels(t, want, got)
}

// webpChunk is a RIFF chunk, padded to an even size.
func webpChunk(id string, data []byte) []byte {
	b := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	b = append(b, data...)
	if len(data)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

// riffWebP wraps chunks in a RIFF WEBP form.
func riffWebP(chunks ...[]byte) []byte {
	var body []byte
	for _, c := range chunks {
		body = append(body, c...)
	}
	b := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(4+len(body)))...)
	b = append(b, "WEBP"...)
	return append(b, body...)
}

// vp8x is a VP8X chunk for a w×h canvas.
func vp8x(flags byte, w, h int) []byte {
	return webpChunk("VP8X", []byte{flags, 0, 0, 0, byte(w - 1), byte((w - 1) >> 8), byte((w - 1) >> 16), byte(h - 1), byte((h - 1) >> 8), byte((h - 1) >> 16)})
}

// webpChunkIDs lists the chunk IDs of a WebP and checks the RIFF size.
func webpChunkIDs(t *testing.T, data []byte) []string {
	t.Helper()
	if got := int(binary.LittleEndian.Uint32(data[4:8])); got != len(data)-8 {
		t.Errorf("RIFF size %d, file is %d bytes", got, len(data))
	}
	var ids []string
	for i := 12; i < len(data); {
		n := int(binary.LittleEndian.Uint32(data[i+4:]))
		ids = append(ids, string(data[i:i+4]))
		i += 8 + n + n&1
	}
	return ids
}

func TestCheckUploadStripsWebPMetadata(t *testing.T) {
	simple := solidWebP(t)
	vp8l := simple[12:] // the one VP8L chunk
	in := riffWebP(
		vp8x(vp8xEXIF|vp8xXMP|vp8xICC, 3, 2),
		webpChunk("ICCP", []byte("fake profile")),
		vp8l,
		webpChunk("EXIF", exifWithGPS(1)[6:]),
		webpChunk("XMP ", []byte("<x:xmpmeta>GPS</x:xmpmeta>")),
		webpChunk("ODD!", []byte("odd")),
	)
	in = append(in, "trailing"...)
	if _, err := webp.Decode(bytes.NewReader(in)); err != nil {
		t.Fatalf("test input does not decode: %v", err)
	}
	out, info, err := CheckUpload(bytes.NewReader(in), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if info != (Info{"webp", 3, 2}) {
		t.Errorf("info = %+v", info)
	}
	if got, want := strings.Join(webpChunkIDs(t, out), " "), "VP8X ICCP VP8L"; got != want {
		t.Errorf("chunks %q, want %q", got, want)
	}
	if flags := out[20]; flags != vp8xICC {
		t.Errorf("VP8X flags %#x, want only ICC", flags)
	}
	if bytes.Contains(out, []byte("GPS")) || bytes.Contains(out, []byte("trailing")) {
		t.Error("metadata or trailing bytes kept")
	}
	want, _ := webp.Decode(bytes.NewReader(simple))
	got, err := webp.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	samePixels(t, want, got)

	// The simple format has no metadata and is kept as it is.
	out, _, err = CheckUpload(bytes.NewReader(simple), 1<<20)
	if err != nil || !bytes.Equal(out, simple) {
		t.Errorf("simple WebP: %x, %v", out, err)
	}
}

// animatedGIF has two 4×3 frames, loops forever, and carries a comment and
// XMP before its trailer.
func animatedGIF(t testing.TB) (in, plain []byte) {
	t.Helper()
	pal := color.Palette{color.Black, color.White, color.RGBA{200, 30, 30, 255}}
	g := &gif.GIF{LoopCount: 0}
	for k := range 2 {
		m := image.NewPaletted(image.Rect(0, 0, 4, 3), pal)
		for i := range m.Pix {
			m.Pix[i] = uint8((i + k) % 3)
		}
		g.Image = append(g.Image, m)
		g.Delay = append(g.Delay, 10)
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		t.Fatal(err)
	}
	plain = b.Bytes()
	in = append([]byte(nil), plain[:len(plain)-1]...)
	in = append(in, 0x21, 0xfe, 13)
	in = append(in, "shot in Kabul"...)
	in = append(in, 0)
	in = append(in, 0x21, 0xff, 11)
	in = append(in, "XMP DataXMP"...)
	in = append(in, 18)
	in = append(in, "<x:xmpmeta>GPS</x>"...)
	in = append(in, 0, 0x3b)
	in = append(in, "after the trailer"...)
	return in, plain
}

func TestCheckUploadStripsGIFMetadata(t *testing.T) {
	in, plain := animatedGIF(t)
	if _, err := gif.DecodeAll(bytes.NewReader(in)); err != nil {
		t.Fatalf("test input does not decode: %v", err)
	}
	out, info, err := CheckUpload(bytes.NewReader(in), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if info != (Info{"gif", 4, 3}) {
		t.Errorf("info = %+v", info)
	}
	if !bytes.Equal(out, plain) {
		t.Errorf("cleaned GIF\n%q\nwant\n%q", out, plain)
	}
	if !bytes.Contains(out, []byte("NETSCAPE2.0")) {
		t.Error("looping extension dropped")
	}
	g, err := gif.DecodeAll(bytes.NewReader(out))
	if err != nil || len(g.Image) != 2 || g.LoopCount != 0 {
		t.Fatalf("decoded %v, %v", g, err)
	}
}

// Files straight from an encoder hold nothing to remove and come back
// unchanged.
func TestCheckUploadKeepsCleanFiles(t *testing.T) {
	_, plainGIF := animatedGIF(t)
	tests := []struct {
		name string
		data []byte
		want Info
	}{
		{"jpeg", encode(t, encodeJPEG, 7, 5), Info{"jpeg", 7, 5}},
		{"png", encode(t, png.Encode, 9, 4), Info{"png", 9, 4}},
		{"gif", encode(t, encodeGIF, 6, 8), Info{"gif", 6, 8}},
		{"animated gif", plainGIF, Info{"gif", 4, 3}},
		{"webp", solidWebP(t), Info{"webp", 3, 2}},
		// One colour compresses as far as these formats go, and must
		// not look like a bomb.
		{"solid png", solid(t, "png", 2000, 1500), Info{"png", 2000, 1500}},
		{"solid gif", solid(t, "gif", 2000, 1500), Info{"gif", 2000, 1500}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, info, err := CheckUpload(bytes.NewReader(tc.data), int64(len(tc.data)))
			if err != nil {
				t.Fatal(err)
			}
			if info != tc.want || !bytes.Equal(out, tc.data) {
				t.Errorf("CheckUpload = %d bytes (changed: %v), %+v; want %+v", len(out), !bytes.Equal(out, tc.data), info, tc.want)
			}
		})
	}
}

// solid encodes a w×h image of one colour.
func solid(t *testing.T, format string, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	var err error
	switch format {
	case "png":
		m := image.NewGray(image.Rect(0, 0, w, h))
		err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&b, m)
	case "gif":
		m := image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{color.Black, color.White})
		err = gif.Encode(&b, m, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// jpegWithSize is a real JPEG whose SOF0 claims w×h.
func jpegWithSize(t *testing.T, w, h int) []byte {
	data := encode(t, encodeJPEG, 8, 8)
	i := bytes.Index(data, []byte{0xff, 0xc0})
	if i < 0 {
		t.Fatal("no SOF0")
	}
	data[i+5], data[i+6] = byte(h>>8), byte(h)
	data[i+7], data[i+8] = byte(w>>8), byte(w)
	return data
}

// gifFrames is a GIF of a w×h screen holding n frames of its full size,
// each with blocks sub-blocks of 255 bytes of data: small on disk, large
// once decoded.
func gifFrames(w, h, n, blocks int) []byte {
	b := []byte("GIF89a")
	b = append(b, byte(w), byte(w>>8), byte(h), byte(h>>8), 0x80, 0, 0)
	b = append(b, 0, 0, 0, 255, 255, 255) // two-colour table
	for range n {
		b = append(b, 0x2c, 0, 0, 0, 0, byte(w), byte(w>>8), byte(h), byte(h>>8), 0)
		b = append(b, 2) // code size
		for range blocks {
			b = append(b, 255)
			b = append(b, make([]byte, 255)...)
		}
		b = append(b, 0)
	}
	return append(b, 0x3b)
}

// pngClaiming is a PNG whose header claims w×h RGBA pixels and whose image
// data is one small deflate stream.
func pngClaiming(w, h uint32) []byte {
	b := pngWithHeader(w, h)
	b = append(b, pngChunk("IDAT", []byte("x\x9c\x03\x00\x00\x00\x00\x01"))...)
	return append(b, pngChunk("IEND", nil)...)
}

func TestCheckUploadRefuses(t *testing.T) {
	jpg := encode(t, encodeJPEG, 64, 48)
	sos := bytes.Index(jpg, []byte{0xff, markerSOS})
	pngData := encode(t, png.Encode, 64, 48)
	idat := bytes.Index(pngData, []byte("IDAT"))
	gifData, _ := animatedGIF(t)
	secondFrame := bytes.LastIndex(gifData, []byte{0x2c, 0, 0, 0, 0, 4, 0, 3, 0})
	webpData := solidWebP(t)

	tests := []struct {
		name    string
		data    []byte
		reason  error
		message string
	}{
		{"HTML named .jpg", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"), ErrNotImage, "the file is not a JPEG, PNG, GIF or WebP image"},
		{"empty", nil, ErrNotImage, "not a JPEG, PNG, GIF or WebP image"},
		{"BMP", encode(t, bmp.Encode, 4, 4), ErrNotImage, "not a JPEG, PNG, GIF or WebP image"},
		{"SVG", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), ErrNotImage, "not a JPEG, PNG, GIF or WebP image"},
		{"JPEG cut in the scan", jpg[:sos+(len(jpg)-sos)/2], ErrDamaged, "the image file is incomplete or damaged"},
		{"JPEG without its end", jpg[:len(jpg)-2], ErrDamaged, "the image file is incomplete or damaged"},
		{"JPEG cut in its header", jpg[:sos/2], ErrDamaged, "the image file is incomplete or damaged"},
		{"JPEG of 30000×30000", jpegWithSize(t, 30000, 30000), ErrTooManyPixels, "the image is 30000×30000 pixels, more than the 50 megapixel limit"},
		{"PNG of 30000×30000", pngWithHeader(30000, 30000), ErrTooManyPixels, "the image is 30000×30000 pixels, more than the 50 megapixel limit"},
		// Deflate expands at most 1032 times: 8 bytes cannot hold 200 MB.
		{"PNG too short for its size", pngClaiming(10000, 5000), ErrDamaged, "the image file is incomplete or damaged"},
		{"GIF too short for its size", gifFrames(10000, 5000, 1, 1), ErrDamaged, "the image file is incomplete or damaged"},
		{"PNG cut in IDAT", pngData[:idat+20], ErrDamaged, "the image file is incomplete or damaged"},
		{"PNG without IEND", pngData[:len(pngData)-12], ErrDamaged, "the image file is incomplete or damaged"},
		{"PNG with a bad checksum", flipByte(pngData, idat+8), ErrDamaged, "the image file is incomplete or damaged"},
		{"GIF cut in its second frame", gifData[:secondFrame+12], ErrDamaged, "the image file is incomplete or damaged"},
		{"GIF with only its header", gifFrames(4, 4, 1, 0)[:13+6], ErrDamaged, "the image file is incomplete or damaged"},
		{"GIF with three 50 megapixel frames", gifFrames(10000, 5000, 3, 20), ErrTooManyPixels, "the animation has too many frames for its size: more than 100 megapixels in all"},
		{"WebP cut short", webpData[:len(webpData)-3], ErrDamaged, "the image file is incomplete or damaged"},
		{"animated WebP", riffWebP(vp8x(vp8xAnimation, 3, 2), webpChunk("ANIM", make([]byte, 6))), ErrUnsupported, "animated WebP images are not supported"},
		{"WebP with a frame larger than its canvas", riffWebP(vp8x(0, 1, 1), webpData[12:]), ErrDamaged, "the image file is incomplete or damaged"},
		{"JPEG of 12 bits", func() []byte {
			d := encode(t, encodeJPEG, 8, 8)
			d[bytes.Index(d, []byte{0xff, 0xc0})+4] = 12
			return d
		}(), ErrUnsupported, "the JPEG uses a feature that is not supported"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			data, info, err := CheckUpload(bytes.NewReader(tc.data), 20<<20)
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Fatalf("accepted as %+v (%d bytes)", info, len(data))
			}
			var uerr *UploadError
			if !errors.As(err, &uerr) || !errors.Is(err, tc.reason) || !strings.Contains(err.Error(), tc.message) {
				t.Errorf("err = %v (%T), want %v saying %q", err, err, tc.reason, tc.message)
			}
			if data != nil || info != (Info{}) {
				t.Errorf("refusal returned %d bytes and %+v", len(data), info)
			}
			// Refusing a decompression bomb allocates about nothing.
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 8<<20 {
				t.Errorf("allocated %d MB to refuse", grew>>20)
			}
		})
	}
}

// flipByte returns a copy of data with one bit of byte i changed.
func flipByte(data []byte, i int) []byte {
	out := bytes.Clone(data)
	out[i] ^= 1
	return out
}

// A frame larger than the screen is refused.
func TestCheckUploadRefusesGIFFrameOutsideScreen(t *testing.T) {
	b := gifFrames(4, 4, 1, 1)
	b[13+6+5] = 9 // frame width 9 on a screen 4 wide
	_, _, err := CheckUpload(bytes.NewReader(b), 1<<20)
	if !errors.Is(err, ErrDamaged) {
		t.Errorf("err = %v, want ErrDamaged", err)
	}
}

// endlessReader yields its first bytes, then zeros for ever, and counts
// what is read.
type endlessReader struct {
	head []byte
	read int64
}

func (r *endlessReader) Read(p []byte) (int, error) {
	n := copy(p, r.head)
	r.head = r.head[n:]
	clear(p[n:])
	r.read += int64(len(p))
	return len(p), nil
}

func TestCheckUploadTooLarge(t *testing.T) {
	const limit = 20 << 20
	// A 50 MB upload that starts like a JPEG is read up to the limit and
	// one byte more, then refused.
	r := &endlessReader{head: []byte{0xff, 0xd8, 0xff, 0xe0}}
	_, _, err := CheckUpload(io.LimitReader(r, 50<<20), limit)
	if !errors.Is(err, ErrTooLarge) || err.Error() != "the file is larger than the 20 MB upload limit" {
		t.Errorf("err = %v", err)
	}
	if r.read > limit+1 {
		t.Errorf("read %d bytes for a limit of %d", r.read, limit)
	}
	// Something that is not an image is refused after its first bytes.
	r = &endlessReader{head: []byte("<html>")}
	if _, _, err := CheckUpload(io.LimitReader(r, 50<<20), limit); !errors.Is(err, ErrNotImage) {
		t.Errorf("HTML: err = %v", err)
	}
	if r.read > sniffLen {
		t.Errorf("read %d bytes of HTML", r.read)
	}

	data := encode(t, png.Encode, 5, 3)
	if _, _, err := CheckUpload(bytes.NewReader(data), int64(len(data))); err != nil {
		t.Errorf("exactly at the limit: %v", err)
	}
	_, _, err = CheckUpload(bytes.NewReader(data), int64(len(data)-1))
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("one byte over: %v", err)
	}
	if _, _, err := CheckUpload(bytes.NewReader(data), 0); err == nil {
		t.Error("no limit accepted")
	}
}

func TestCheckUploadReadError(t *testing.T) {
	r := io.MultiReader(bytes.NewReader([]byte{0xff, 0xd8, 0xff}), &failingReader{})
	_, _, err := CheckUpload(r, 1<<20)
	var uerr *UploadError
	if err == nil || errors.As(err, &uerr) || !strings.Contains(err.Error(), "connection reset") {
		t.Errorf("err = %v, want the read error", err)
	}
}

func TestFormatBytes(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{20 << 20, "20 MB"},
		{(5 << 20) + (1 << 19), "5.5 MB"},
		{300 << 10, "300 KB"},
		{700, "700 bytes"},
	}
	for _, tc := range tests {
		if got := formatBytes(tc.n); got != tc.want {
			t.Errorf("formatBytes(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

// encodeTB is encode for fuzz targets and benchmarks.
func encodeTB(tb testing.TB, enc func(io.Writer, image.Image) error, w, h int) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := enc(&b, testImage(w, h)); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func FuzzCheckUpload(f *testing.F) {
	plainJPEG := encodeTB(f, encodeJPEG, 12, 9)
	in, _ := animatedGIF(f)
	f.Add(plainJPEG)
	f.Add(encodeTB(f, png.Encode, 5, 4))
	f.Add(encodeTB(f, encodeGIF, 3, 3))
	f.Add(in)
	f.Add(solidWebP(f))
	f.Add(riffWebP(vp8x(vp8xEXIF, 3, 2), solidWebP(f)[12:], webpChunk("EXIF", []byte("GPS!"))))
	f.Add(withPNGChunks(encodeTB(f, png.Encode, 2, 2), "x", pngChunk("tEXt", []byte("a\x00b"))))
	f.Add(append(append([]byte{0xff, 0xd8}, jpegSegment(markerAPP1, exifWithGPS(6))...), plainJPEG[2:]...))
	f.Add([]byte("<html></html>"))
	// A 24-byte lossless WebP may hold 50 megapixels of one colour, and
	// takes seconds to decode: the limit is lowered to keep each run short.
	const maxPixels = 4_000_000
	f.Fuzz(func(t *testing.T, in []byte) {
		data, info, err := checkUpload(bytes.NewReader(in), 1<<20, maxPixels)
		if err != nil {
			var uerr *UploadError
			if !errors.As(err, &uerr) || uerr.Message == "" || uerr.Reason == nil {
				t.Fatalf("error %v (%T) is not a refusal to show", err, err)
			}
			return
		}
		m, err := decodeAs(info.Format, data)
		if err != nil {
			t.Fatalf("accepted %s does not decode: %v", info.Format, err)
		}
		w, h := m.Bounds().Dx(), m.Bounds().Dy()
		if info.Format == "gif" {
			cfg, _ := gif.DecodeConfig(bytes.NewReader(data))
			w, h = cfg.Width, cfg.Height
		}
		if swapsSides(jpegOrientation(data)) && info.Format == "jpeg" {
			w, h = h, w
		}
		if w != info.Width || h != info.Height || int64(w)*int64(h) > maxPixels {
			t.Fatalf("decoded %d×%d, info %+v", w, h, info)
		}
		again, info2, err := checkUpload(bytes.NewReader(data), 1<<20, maxPixels)
		if err != nil || !bytes.Equal(again, data) || info2 != info {
			t.Fatalf("checking the result again: %d bytes (same: %v), %+v, %v", len(again), bytes.Equal(again, data), info2, err)
		}
	})
}
