package media

import (
	"bytes"
	"cmp"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"path"
	"slices"
	"strings"

	webpenc "github.com/gen2brain/webp"
	"golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// Rendition is a resized copy of an image, ready to store.
type Rendition struct {
	Width, Height int
	Format        string // "jpeg", "png" or "webp"
	Data          []byte
}

// Stored describes the rendition once stored next to the original that was
// stored under originalKey.
func (r Rendition) Stored(originalKey string) StoredRendition {
	return StoredRendition{Key: RenditionKey(originalKey, r.Width, r.Format), Width: r.Width, Height: r.Height, Format: r.Format}
}

// StoredRendition is a rendition as recorded with its image, from which the
// site builds srcset.
type StoredRendition struct {
	Key    string `json:"key"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Format string `json:"format"`
}

// DefaultWidths are the rendition widths used when MakeRenditions is given
// none: a phone, a phone at double density or a narrow column, the reading
// column at double density, and a wide screen.
func DefaultWidths() []int { return []int{480, 800, 1200, 1600} }

const (
	jpegQuality = 82
	webpQuality = 75
	// webpMaxSide is the largest width or height WebP can hold.
	webpMaxSide = 16383
)

// MakeRenditions makes resized copies of an image checked by CheckUpload,
// for each width smaller than the image as displayed (DefaultWidths when
// widths is empty): one in the original format — PNG for a GIF, whose
// first frame is used — and one in WebP; and, unless the original is a
// WebP, a WebP at the full size. The copies are upright, turned by the
// original's EXIF orientation, carry its colour profile and no other
// metadata. The same input always gives the same bytes, ordered by width
// with the WebP copy after the other one.
//
// info is the image's Info from CheckUpload or Probe; the bytes are read
// again, so only its format is used, as a check.
//
// ctx is checked between renditions; a cancelled ctx returns its error.
func MakeRenditions(ctx context.Context, data []byte, info Info, widths []int) ([]Rendition, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("media: renditions: %w", err)
	}
	stored, err := Probe(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("media: renditions: %w", err)
	}
	if info.Format != "" && info.Format != stored.Format {
		return nil, fmt.Errorf("media: renditions: image is a %s, not a %s", stored.Format, info.Format)
	}
	src, err := decodeForResize(stored.Format, data)
	if err != nil {
		return nil, fmt.Errorf("media: renditions: decode %s: %w", stored.Format, err)
	}
	orientation := 1
	if stored.Format == "jpeg" {
		orientation = jpegOrientation(data)
	}
	icc := iccProfile(stored.Format, data)

	width, height := stored.Width, stored.Height
	if swapsSides(orientation) {
		width, height = height, width
	}
	if len(widths) == 0 {
		widths = DefaultWidths()
	}
	widths = slices.Clone(widths)
	slices.Sort(widths)
	widths = slices.Compact(widths)

	var out []Rendition
	add := func(m *image.RGBA, format string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		b, err := encodeRendition(m, format, icc)
		if err != nil {
			return fmt.Errorf("encode %s %dpx: %w", format, m.Rect.Dx(), err)
		}
		out = append(out, Rendition{Width: m.Rect.Dx(), Height: m.Rect.Dy(), Format: format, Data: b})
		return nil
	}
	sameFormat := stored.Format
	if sameFormat == "gif" {
		sameFormat = "png"
	}
	for _, w := range widths {
		if w <= 0 || w >= width {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("media: renditions: %w", err)
		}
		h := max(1, int((int64(height)*int64(w)+int64(width)/2)/int64(width)))
		m := resize(src, orientation, w, h)
		if sameFormat != "webp" {
			if err := add(m, sameFormat); err != nil {
				return nil, fmt.Errorf("media: renditions: %w", err)
			}
		}
		if w <= webpMaxSide && h <= webpMaxSide {
			if err := add(m, "webp"); err != nil {
				return nil, fmt.Errorf("media: renditions: %w", err)
			}
		}
	}
	if stored.Format != "webp" && width <= webpMaxSide && height <= webpMaxSide {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("media: renditions: %w", err)
		}
		if err := add(orient(src, orientation), "webp"); err != nil {
			return nil, fmt.Errorf("media: renditions: %w", err)
		}
	}
	return out, nil
}

// RenditionKey names a rendition after its original:
// images/foo-abc123.jpg at 800 pixels in WebP is images/foo-abc123-w800.webp.
// When originalKey is a ValidKey of up to 500 characters, so is the result.
func RenditionKey(originalKey string, width int, format string) string {
	base := strings.TrimSuffix(originalKey, path.Ext(originalKey))
	return fmt.Sprintf("%s-w%d%s", base, width, Info{Format: format}.Extension())
}

// decodeForResize decodes a whole image into RGBA, which draw scales
// fastest (twice as fast as YCbCr, and a palette or CMYK would take its slow
// generic path once per width); a GIF gives its first frame on the full
// canvas, the rest transparent as browsers show it.
func decodeForResize(format string, data []byte) (*image.RGBA, error) {
	r := bytes.NewReader(data)
	var m image.Image
	var err error
	switch format {
	case "jpeg":
		m, err = jpeg.Decode(r)
	case "png":
		m, err = png.Decode(r)
	case "webp":
		m, err = webp.Decode(r)
	case "gif":
		var cfg image.Config
		if cfg, err = gif.DecodeConfig(r); err != nil {
			return nil, err
		}
		frame, err := gif.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		canvas := image.NewRGBA(image.Rect(0, 0, cfg.Width, cfg.Height))
		draw.Draw(canvas, frame.Bounds(), frame, frame.Bounds().Min, draw.Src)
		return canvas, nil
	default:
		err = ErrNotImage
	}
	if err != nil {
		return nil, err
	}
	return toRGBA(m), nil
}

// resize scales src to w×h as displayed: when the orientation turns the
// picture, src is scaled to h×w and then turned.
func resize(src image.Image, orientation, w, h int) *image.RGBA {
	if swapsSides(orientation) {
		w, h = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Rect, src, src.Bounds(), draw.Src, nil)
	return orient(dst, orientation)
}

func toRGBA(m image.Image) *image.RGBA {
	if m, ok := m.(*image.RGBA); ok && m.Rect.Min == (image.Point{}) {
		return m
	}
	b := m.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Rect, m, b.Min, draw.Src)
	return dst
}

// orient turns and flips m as EXIF orientation o asks, giving the picture
// as it is meant to be seen.
func orient(m *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return m
	}
	w, h := m.Rect.Dx(), m.Rect.Dy()
	dw, dh := w, h
	if swapsSides(o) {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range dh {
		for x := range dw {
			var sx, sy int
			switch o {
			case 2: // mirrored
				sx, sy = w-1-x, y
			case 3: // upside down
				sx, sy = w-1-x, h-1-y
			case 4: // mirrored upside down
				sx, sy = x, h-1-y
			case 5: // mirrored, turned a quarter anticlockwise
				sx, sy = y, x
			case 6: // turned a quarter anticlockwise: turn it clockwise
				sx, sy = y, h-1-x
			case 7: // mirrored, turned a quarter clockwise
				sx, sy = w-1-y, h-1-x
			case 8: // turned a quarter clockwise: turn it anticlockwise
				sx, sy = w-1-y, x
			}
			si := m.PixOffset(m.Rect.Min.X+sx, m.Rect.Min.Y+sy)
			di := dst.PixOffset(x, y)
			copy(dst.Pix[di:di+4], m.Pix[si:si+4])
		}
	}
	return dst
}

// encodeRendition writes m in format, with the colour profile icc if any.
func encodeRendition(m *image.RGBA, format string, icc []byte) ([]byte, error) {
	var b bytes.Buffer
	switch format {
	case "jpeg":
		if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: jpegQuality}); err != nil {
			return nil, err
		}
		return withJPEGProfile(b.Bytes(), icc), nil
	case "png":
		var img image.Image = m
		if !m.Opaque() {
			img = toNRGBA(m) // the encoder's fast path; RGBA is premultiplied
		}
		if err := png.Encode(&b, img); err != nil {
			return nil, err
		}
		return withPNGProfile(b.Bytes(), icc)
	case "webp":
		var img image.Image = m
		if !m.Opaque() {
			img = toNRGBA(m) // the encoder reads the bytes as not premultiplied
		}
		if err := webpenc.Encode(&b, img, webpenc.Options{Quality: webpQuality, Method: webpenc.DefaultMethod}); err != nil {
			return nil, err
		}
		return withWebPProfile(b.Bytes(), icc, !m.Opaque(), m.Rect.Dx(), m.Rect.Dy())
	}
	return nil, fmt.Errorf("unknown format %q", format)
}

func toNRGBA(m image.Image) *image.NRGBA {
	b := m.Bounds()
	dst := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Rect, m, b.Min, draw.Src)
	return dst
}

// maxProfile bounds the ICC profile carried into renditions; real ones are
// a few kilobytes.
const maxProfile = 1 << 20

// iccProfile returns the ICC colour profile embedded in an image, or nil.
func iccProfile(format string, data []byte) []byte {
	switch format {
	case "jpeg":
		return jpegProfile(data)
	case "png":
		return pngProfile(data)
	case "webp":
		return webpProfile(data)
	}
	return nil
}

// jpegProfile joins the ICC_PROFILE segments that come before the first
// scan, in their sequence order.
func jpegProfile(data []byte) []byte {
	type part struct {
		seq   int
		bytes []byte
	}
	var parts []part
	total := 0
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xff {
			return nil
		}
		marker := data[i+1]
		if marker == 0xff {
			i++
			continue
		}
		if marker == markerSOS || marker == markerEOI {
			break
		}
		n := int(data[i+2])<<8 | int(data[i+3])
		if n < 2 || i+2+n > len(data) {
			return nil
		}
		payload := data[i+4 : i+2+n]
		if marker == markerAPP2 && bytes.HasPrefix(payload, iccHeader) && len(payload) > len(iccHeader)+2 {
			p := payload[len(iccHeader):]
			parts = append(parts, part{int(p[0]), p[2:]})
			if total = total + len(p) - 2; total > maxProfile {
				return nil
			}
		}
		i += 2 + n
	}
	slices.SortStableFunc(parts, func(a, b part) int { return cmp.Compare(a.seq, b.seq) })
	var icc []byte
	for k, p := range parts {
		if p.seq != k+1 {
			return nil // a part is missing: better no profile than a broken one
		}
		icc = append(icc, p.bytes...)
	}
	return icc
}

// pngProfile returns the decompressed profile of an iCCP chunk.
func pngProfile(data []byte) []byte {
	for i := 8; i+12 <= len(data); {
		n := int(binary.BigEndian.Uint32(data[i:]))
		if n < 0 || i+12+n > len(data) {
			return nil
		}
		kind := string(data[i+4 : i+8])
		if kind == "IDAT" || kind == "IEND" {
			return nil // the profile comes before the image data
		}
		if kind == "iCCP" {
			body := data[i+8 : i+8+n]
			name := bytes.IndexByte(body, 0)
			if name < 1 || name+2 > len(body) || body[name+1] != 0 {
				return nil
			}
			zr, err := zlib.NewReader(bytes.NewReader(body[name+2:]))
			if err != nil {
				return nil
			}
			defer zr.Close()
			icc, err := io.ReadAll(io.LimitReader(zr, maxProfile+1))
			if err != nil || len(icc) > maxProfile {
				return nil
			}
			return icc
		}
		i += 12 + n
	}
	return nil
}

// webpProfile returns the payload of the ICCP chunk of a WebP.
func webpProfile(data []byte) []byte {
	if len(data) < 12 {
		return nil
	}
	for i := 12; i+8 <= len(data); {
		n := int(binary.LittleEndian.Uint32(data[i+4:]))
		if n < 0 || n > len(data)-i-8 {
			return nil
		}
		if string(data[i:i+4]) == "ICCP" {
			if n > maxProfile {
				return nil
			}
			return data[i+8 : i+8+n]
		}
		i += 8 + n + n&1
	}
	return nil
}

// withJPEGProfile inserts icc after the start of image, split into
// ICC_PROFILE segments.
func withJPEGProfile(jpg, icc []byte) []byte {
	if len(icc) == 0 {
		return jpg
	}
	const maxPart = 0xffff - 2 - 14
	count := (len(icc) + maxPart - 1) / maxPart
	if count > 255 {
		return jpg
	}
	out := make([]byte, 0, len(jpg)+len(icc)+count*18)
	out = append(out, jpg[:2]...)
	for k := range count {
		part := icc[k*maxPart : min(len(icc), (k+1)*maxPart)]
		n := 2 + len(iccHeader) + 2 + len(part)
		out = append(out, 0xff, markerAPP2, byte(n>>8), byte(n))
		out = append(out, iccHeader...)
		out = append(out, byte(k+1), byte(count))
		out = append(out, part...)
	}
	return append(out, jpg[2:]...)
}

// withPNGProfile inserts an iCCP chunk holding icc after IHDR.
func withPNGProfile(p, icc []byte) ([]byte, error) {
	if len(icc) == 0 {
		return p, nil
	}
	const afterIHDR = 8 + 12 + 13
	if len(p) < afterIHDR || string(p[12:16]) != "IHDR" {
		return nil, errors.New("encoder wrote no IHDR first")
	}
	var body bytes.Buffer
	body.WriteString("iCCP")
	body.WriteString("ICC profile\x00\x00") // name, then compression method 0 (zlib)
	zw := zlib.NewWriter(&body)
	if _, err := zw.Write(icc); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	chunk := binary.BigEndian.AppendUint32(nil, uint32(body.Len()-4))
	chunk = append(chunk, body.Bytes()...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(body.Bytes()))
	out := make([]byte, 0, len(p)+len(chunk))
	out = append(out, p[:afterIHDR]...)
	out = append(out, chunk...)
	return append(out, p[afterIHDR:]...), nil
}

// withWebPProfile adds an ICCP chunk to an encoded WebP, adding the VP8X
// header that announces it when the encoder wrote the simple format.
func withWebPProfile(w, icc []byte, alpha bool, width, height int) ([]byte, error) {
	if len(icc) == 0 {
		return w, nil
	}
	if len(w) < 20 || string(w[:4]) != "RIFF" || string(w[8:12]) != "WEBP" {
		return nil, errors.New("encoder wrote no RIFF WEBP header")
	}
	iccp := append([]byte("ICCP"), binary.LittleEndian.AppendUint32(nil, uint32(len(icc)))...)
	iccp = append(iccp, icc...)
	if len(icc)%2 == 1 {
		iccp = append(iccp, 0)
	}
	out := make([]byte, 0, len(w)+len(iccp)+18)
	out = append(out, w[:12]...)
	rest := w[12:]
	if string(rest[:4]) == "VP8X" {
		if len(rest) < 18 {
			return nil, errors.New("encoder wrote a short VP8X chunk")
		}
		out = append(out, rest[:18]...)
		out[12+8] |= vp8xICC
		rest = rest[18:]
	} else {
		flags := byte(vp8xICC)
		if alpha {
			flags |= 1 << 4
		}
		out = append(out, "VP8X"...)
		out = binary.LittleEndian.AppendUint32(out, 10)
		out = append(out, flags, 0, 0, 0)
		out = append(out, byte(width-1), byte((width-1)>>8), byte((width-1)>>16))
		out = append(out, byte(height-1), byte((height-1)>>8), byte((height-1)>>16))
	}
	out = append(out, iccp...)
	out = append(out, rest...)
	binary.LittleEndian.PutUint32(out[4:8], uint32(len(out)-8))
	return out, nil
}
