package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/webp"
)

// Reasons an upload is refused. Every refusal from CheckUpload is an
// *UploadError that wraps one of them, so callers can branch with errors.Is
// and show the error's text as it is.
var (
	ErrTooLarge      = errors.New("the file is larger than the upload limit")
	ErrNotImage      = errors.New("not a JPEG, PNG, GIF or WebP image")
	ErrTooManyPixels = errors.New("the image has more pixels than the limit")
	ErrDamaged       = errors.New("the image file is incomplete or damaged")
	ErrUnsupported   = errors.New("the image uses a feature that is not supported")
)

// UploadError is the refusal of an uploaded file. Its text is written for
// the person who sent the file and holds no internal detail.
type UploadError struct {
	Reason  error  // ErrTooLarge, ErrNotImage, ErrTooManyPixels, ErrDamaged or ErrUnsupported
	Message string // what is wrong with this file, in plain words
	Err     error  // what a decoder said, for the log; may be nil
}

func (e *UploadError) Error() string { return e.Message }

// Unwrap lets errors.Is find both the reason and the decoder's error.
func (e *UploadError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Reason}
	}
	return []error{e.Reason, e.Err}
}

func refuse(reason error, message string, cause error) *UploadError {
	return &UploadError{Reason: reason, Message: message, Err: cause}
}

func notImage() *UploadError {
	return refuse(ErrNotImage, "the file is not a JPEG, PNG, GIF or WebP image", nil)
}

func damaged(cause error) *UploadError { return refuse(ErrDamaged, ErrDamaged.Error(), cause) }

// CheckUpload reads an uploaded image of at most maxBytes and makes it safe
// to publish. It tells the format from the content whatever the file is
// named, refuses anything but JPEG, PNG, GIF and WebP, refuses images over
// MaxPixels before decoding them, decodes the whole image so that a
// truncated or damaged file is refused, and removes the metadata that can
// tell where a photo was taken (EXIF with its GPS position, XMP, IPTC,
// comments and text chunks) without re-encoding the pixels.
//
// The returned Info gives the size at which the image is displayed: for a
// JPEG that its EXIF orientation turns by a quarter, the stored width and
// height swapped. The orientation is the one piece of EXIF that is kept.
//
// Bad input gets an *UploadError; other errors come from reading r.
func CheckUpload(r io.Reader, maxBytes int64) ([]byte, Info, error) {
	return checkUpload(r, maxBytes, MaxPixels)
}

// checkUpload is CheckUpload with the pixel limit as a parameter, so that
// the fuzz test can keep every decode small.
func checkUpload(r io.Reader, maxBytes, maxPixels int64) ([]byte, Info, error) {
	if maxBytes <= 0 {
		return nil, Info{}, fmt.Errorf("media: check upload: size limit %d is not positive", maxBytes)
	}
	// One byte over the limit is enough to know the file is too large;
	// the rest is never read.
	lr := io.LimitReader(r, maxBytes+1)
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(lr, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, Info{}, fmt.Errorf("media: read upload: %w", err)
	}
	// A file that does not start like an image is refused before the rest
	// of it is read.
	if sniff(head[:n]) == "" {
		return nil, Info{}, notImage()
	}
	buf := bytes.NewBuffer(head[:n])
	if _, err := buf.ReadFrom(lr); err != nil {
		return nil, Info{}, fmt.Errorf("media: read upload: %w", err)
	}
	if int64(buf.Len()) > maxBytes {
		return nil, Info{}, refuse(ErrTooLarge, fmt.Sprintf("the file is larger than the %s upload limit", formatBytes(maxBytes)), nil)
	}
	return checkImage(buf.Bytes(), maxPixels)
}

// checkImage validates and cleans a whole image file held in memory.
func checkImage(data []byte, maxPixels int64) ([]byte, Info, error) {
	format := sniff(data)
	if format == "" {
		return nil, Info{}, notImage()
	}
	cfg, err := decodeConfig(format, bytes.NewReader(data))
	if err != nil {
		return nil, Info{}, decodeRefusal(err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, Info{}, damaged(nil)
	}
	if int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return nil, Info{}, refuse(ErrTooManyPixels, fmt.Sprintf("the image is %d×%d pixels, more than the %d megapixel limit", cfg.Width, cfg.Height, maxPixels/1_000_000), nil)
	}
	info := Info{Format: format, Width: cfg.Width, Height: cfg.Height}

	var clean []byte
	switch format {
	case "jpeg":
		clean, err = cleanJPEG(data)
	case "png":
		clean, err = cleanPNG(data)
	case "gif":
		// The frames are decoded to check them, and a small file may
		// repeat a large frame many times: all frames together may have
		// twice the pixels of a still image.
		clean, err = cleanGIF(data, 2*maxPixels)
	case "webp":
		clean, err = cleanWebP(data)
	}
	if err != nil {
		return nil, Info{}, err
	}

	// The cleaned bytes are what is stored, so they are what is decoded.
	r := bytes.NewReader(clean)
	switch format {
	case "jpeg":
		_, err = jpeg.Decode(r)
	case "png":
		_, err = png.Decode(r)
	case "gif":
		// Every frame, so that a damaged animation is refused too.
		_, err = gif.DecodeAll(r)
	case "webp":
		_, err = webp.Decode(r)
	}
	if err != nil {
		return nil, Info{}, decodeRefusal(err)
	}
	if format == "jpeg" && swapsSides(jpegOrientation(clean)) {
		info.Width, info.Height = info.Height, info.Width
	}
	return clean, info, nil
}

// decodeRefusal explains a decoder's error: a valid file using a feature
// the decoder lacks (12-bit or arithmetic-coded JPEG) is told apart from a
// damaged one.
func decodeRefusal(err error) *UploadError {
	var jpegUnsupported jpeg.UnsupportedError
	var pngUnsupported png.UnsupportedError
	switch {
	case errors.As(err, &jpegUnsupported):
		return refuse(ErrUnsupported, "the JPEG uses a feature that is not supported; save it again as a standard JPEG", err)
	case errors.As(err, &pngUnsupported):
		return refuse(ErrUnsupported, "the PNG uses a feature that is not supported; save it again as a standard PNG", err)
	}
	return damaged(err)
}

// formatBytes writes a size limit the way people read it.
func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// JPEG markers that matter when cleaning a file.
const (
	markerSOI   = 0xd8
	markerEOI   = 0xd9
	markerSOS   = 0xda
	markerRST0  = 0xd0
	markerRST7  = 0xd7
	markerAPP0  = 0xe0
	markerAPP1  = 0xe1
	markerAPP2  = 0xe2
	markerAPP14 = 0xee
	markerAPP15 = 0xef
	markerCOM   = 0xfe
)

var (
	exifHeader = []byte("Exif\x00\x00")
	iccHeader  = []byte("ICC_PROFILE\x00")
)

// cleanJPEG copies the segments a decoder needs to show the picture and
// drops the rest: EXIF and XMP (APP1), IPTC (APP13), comments, other
// applications' segments and anything after the end of the image, where
// phones append further pictures with their own EXIF. It keeps JFIF
// (without its thumbnail), ICC profiles and the Adobe colour transform, and
// replaces the EXIF block with one holding only the orientation, so that a
// photo taken upright still shows upright. Scans are copied byte for byte.
func cleanJPEG(data []byte) ([]byte, error) {
	if len(data) < 2 || data[0] != 0xff || data[1] != markerSOI {
		return nil, notImage()
	}
	out := make([]byte, 0, len(data))
	out = append(out, 0xff, markerSOI)
	i := 2
	seenSOS, seenExif := false, false
	for {
		// Decoders skip stray bytes between segments and fill bytes
		// before a marker; so does this, leaving both out.
		for i < len(data) && data[i] != 0xff {
			i++
		}
		for i < len(data) && data[i] == 0xff {
			i++
		}
		if i >= len(data) {
			return nil, damaged(nil) // no end of image
		}
		marker := data[i]
		i++
		switch {
		case marker == 0:
			continue // an escaped 0xff outside a scan: stray data
		case marker == markerEOI:
			return append(out, 0xff, markerEOI), nil
		case markerRST0 <= marker && marker <= markerRST7:
			out = append(out, 0xff, marker)
			continue
		}
		if i+2 > len(data) {
			return nil, damaged(nil)
		}
		n := int(data[i])<<8 | int(data[i+1])
		if n < 2 || i+n > len(data) {
			return nil, damaged(nil)
		}
		segment := data[i-2 : i+n]
		payload := data[i+2 : i+n]
		i += n

		switch {
		case marker == markerSOS:
			seenSOS = true
			// Entropy-coded data runs to the next marker that is neither
			// an escaped 0xff nor a restart marker.
			j := i
			for ; j+1 < len(data); j++ {
				if data[j] == 0xff {
					if next := data[j+1]; next != 0 && !(markerRST0 <= next && next <= markerRST7) {
						break
					}
				}
			}
			if j+1 >= len(data) {
				return nil, damaged(nil)
			}
			out = append(out, segment...)
			out = append(out, data[i:j]...)
			i = j
		case marker == markerAPP0:
			switch {
			case bytes.HasPrefix(payload, []byte("JFIF\x00")) && len(payload) >= 14:
				// Version, density unit and density; no thumbnail, which
				// may show the picture before it was cropped.
				out = append(out, 0xff, markerAPP0, 0, 16)
				out = append(out, payload[:12]...)
				out = append(out, 0, 0)
			case bytes.HasPrefix(payload, []byte("JFIF")):
				// Too short to hold a thumbnail, and its presence still
				// tells decoders the colour space.
				out = append(out, segment...)
			}
		case marker == markerAPP1:
			// Viewers read the orientation from the first EXIF block
			// before the image data.
			if !seenSOS && !seenExif && bytes.HasPrefix(payload, exifHeader) {
				seenExif = true
				if o := exifOrientation(payload); o > 1 {
					out = append(out, orientationExif(o)...)
				}
			}
		case marker == markerAPP2:
			if bytes.HasPrefix(payload, iccHeader) {
				out = append(out, segment...)
			}
		case marker == markerAPP14:
			if bytes.HasPrefix(payload, []byte("Adobe")) {
				out = append(out, segment...)
			}
		case markerAPP0 <= marker && marker <= markerAPP15, marker == markerCOM:
			// Other applications' data and comments: not needed to
			// show the picture, and may say where it was taken.
		default:
			out = append(out, segment...)
		}
	}
}

// exifOrientation reads the orientation tag (1 to 8) from an APP1 EXIF
// payload, or returns 1 when it has none.
func exifOrientation(payload []byte) int {
	t, ok := bytes.CutPrefix(payload, exifHeader)
	if !ok || len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 1
	}
	ifd := uint64(bo.Uint32(t[4:8]))
	if ifd < 8 || ifd+2 > uint64(len(t)) {
		return 1
	}
	count := uint64(bo.Uint16(t[ifd:]))
	for k := range count {
		e := ifd + 2 + 12*k
		if e+12 > uint64(len(t)) {
			return 1
		}
		if bo.Uint16(t[e:]) != 0x0112 {
			continue
		}
		const typeShort = 3
		if bo.Uint16(t[e+2:]) != typeShort || bo.Uint32(t[e+4:]) != 1 {
			return 1
		}
		if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
			return v
		}
		return 1
	}
	return 1
}

// orientationExif is a whole APP1 segment whose EXIF holds nothing but the
// orientation.
func orientationExif(o int) []byte {
	s := []byte{0xff, markerAPP1, 0, 34}
	s = append(s, exifHeader...)
	s = append(s, 'M', 'M', 0, 42, 0, 0, 0, 8) // big-endian TIFF, first IFD at 8
	s = append(s, 0, 1)                        // one entry
	s = append(s, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, byte(o), 0, 0)
	return append(s, 0, 0, 0, 0) // no next IFD
}

// jpegOrientation returns the EXIF orientation of a JPEG, 1 when it has
// none, reading the segments before the first scan as viewers do.
func jpegOrientation(data []byte) int {
	if len(data) < 2 || data[0] != 0xff || data[1] != markerSOI {
		return 1
	}
	i := 2
	for i+4 <= len(data) {
		if data[i] != 0xff {
			return 1
		}
		marker := data[i+1]
		switch {
		case marker == 0xff:
			i++
			continue
		case marker == markerSOS || marker == markerEOI:
			return 1
		case markerRST0 <= marker && marker <= markerRST7:
			i += 2
			continue
		}
		n := int(data[i+2])<<8 | int(data[i+3])
		if n < 2 || i+2+n > len(data) {
			return 1
		}
		payload := data[i+4 : i+2+n]
		if marker == markerAPP1 && bytes.HasPrefix(payload, exifHeader) {
			return exifOrientation(payload)
		}
		i += 2 + n
	}
	return 1
}

// swapsSides reports whether an EXIF orientation turns the picture by a
// quarter, so that it shows as tall as it is stored wide.
func swapsSides(orientation int) bool { return orientation >= 5 && orientation <= 8 }

// pngKeep lists the chunks cleanPNG copies: those that carry the picture,
// its colours (profile, gamma, HDR data), transparency, physical size and
// APNG animation. Text, EXIF and private chunks are left out.
var pngKeep = map[string]bool{
	"IHDR": true, "PLTE": true, "IDAT": true, "IEND": true,
	"tRNS": true, "cHRM": true, "gAMA": true, "iCCP": true, "sBIT": true, "sRGB": true,
	"cICP": true, "mDCV": true, "cLLI": true, "mDCv": true, "cLLi": true,
	"bKGD": true, "hIST": true, "pHYs": true, "sPLT": true,
	"acTL": true, "fcTL": true, "fdAT": true,
}

// maxDeflateRatio is the most that deflate can expand its input: a
// 258-byte match coded in 2 bits.
const maxDeflateRatio = 1032

// cleanPNG copies the chunks listed in pngKeep, each whole with its own
// checksum, up to IEND; anything after IEND is dropped. A PNG whose image
// data is too short to inflate to the size its header claims is refused
// before the decoder allocates that size.
func cleanPNG(data []byte) ([]byte, error) {
	const sigLen = 8
	if len(data) < sigLen {
		return nil, damaged(nil)
	}
	out := make([]byte, 0, len(data))
	out = append(out, data[:sigLen]...)
	var ihdr []byte
	var idat uint64
	i := sigLen
	for {
		if i+12 > len(data) {
			return nil, damaged(nil) // no IEND
		}
		n := uint64(binary.BigEndian.Uint32(data[i:]))
		if n > 1<<31-1 || uint64(i)+12+n > uint64(len(data)) {
			return nil, damaged(nil)
		}
		kind := string(data[i+4 : i+8])
		end := i + 12 + int(n)
		switch kind {
		case "IHDR":
			if n == 13 && ihdr == nil {
				ihdr = data[i+8 : end-4]
			}
		case "IDAT":
			idat += n
		}
		if pngKeep[kind] {
			out = append(out, data[i:end]...)
		}
		i = end
		if kind == "IEND" {
			if ihdr != nil && pngPixelBytes(ihdr) > maxDeflateRatio*idat+1024 {
				return nil, damaged(nil)
			}
			return out, nil
		}
	}
}

// pngPixelBytes is the least number of bytes the image data of a PNG with
// this IHDR inflates to, filter bytes aside.
func pngPixelBytes(ihdr []byte) uint64 {
	w, h := uint64(binary.BigEndian.Uint32(ihdr)), uint64(binary.BigEndian.Uint32(ihdr[4:]))
	depth := uint64(ihdr[8])
	var channels uint64
	switch ihdr[9] { // colour type
	case 0, 3: // grey, palette
		channels = 1
	case 4: // grey and alpha
		channels = 2
	case 2: // RGB
		channels = 3
	case 6: // RGBA
		channels = 4
	}
	if w*h > 1<<40 || depth > 16 {
		return 0 // not for this check to judge; the decoder refuses it
	}
	return h * ((w*channels*depth + 7) / 8)
}

// VP8X flags.
const (
	vp8xAnimation = 1 << 1
	vp8xXMP       = 1 << 2
	vp8xEXIF      = 1 << 3
	vp8xICC       = 1 << 5
)

// cleanWebP copies the RIFF chunks that carry the picture, its alpha and
// ICC profile, dropping EXIF, XMP and unknown chunks; it clears their flags
// in the VP8X header and writes the new RIFF size. Animated WebP is
// refused: its frames cannot be checked here.
func cleanWebP(data []byte) ([]byte, error) {
	if len(data) < 12 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WEBP" {
		return nil, notImage()
	}
	size := uint64(binary.LittleEndian.Uint32(data[4:8]))
	if size < 4 || 8+size > uint64(len(data)) {
		return nil, damaged(nil)
	}
	body := data[12 : 8+size] // bytes after the RIFF form are dropped
	out := make([]byte, 0, len(data))
	out = append(out, "RIFF\x00\x00\x00\x00WEBP"...)
	vp8x := -1
	for i := 0; i < len(body); {
		if i+8 > len(body) {
			return nil, damaged(nil)
		}
		id := string(body[i : i+4])
		n := int(binary.LittleEndian.Uint32(body[i+4:]))
		if n < 0 || n > len(body)-i-8 {
			return nil, damaged(nil)
		}
		chunk := body[i : i+8+n]
		i += 8 + n + n&1
		switch id {
		case "VP8X":
			if n != 10 {
				return nil, damaged(nil)
			}
			if chunk[8]&vp8xAnimation != 0 {
				return nil, refuse(ErrUnsupported, "animated WebP images are not supported; upload a GIF or a still image", nil)
			}
			vp8x = len(out)
		case "VP8 ", "VP8L", "ALPH", "ICCP":
		default:
			continue // EXIF, XMP and chunks no decoder needs
		}
		out = append(out, chunk...)
		if n&1 == 1 {
			out = append(out, 0) // chunks are padded to an even size
		}
	}
	if vp8x >= 0 {
		out[vp8x+8] &^= vp8xEXIF | vp8xXMP
	}
	binary.LittleEndian.PutUint32(out[4:8], uint32(len(out)-8))
	return out, nil
}

// cleanGIF copies a GIF block by block up to its trailer, keeping the
// frames, their graphic control (delay, transparency), plain text and the
// looping extension, and dropping comments and other applications' data
// (XMP). It checks the block structure, which finds a truncated file, and
// bounds the pixels of all frames together by maxPixels before they are
// decoded.
func cleanGIF(data []byte, maxPixels int64) ([]byte, error) {
	const headerLen = 13
	if len(data) < headerLen {
		return nil, damaged(nil)
	}
	width := int(data[6]) | int(data[7])<<8
	height := int(data[8]) | int(data[9])<<8
	hasGlobalTable := data[10]&0x80 != 0
	i := headerLen
	if hasGlobalTable {
		i += 3 << (1 + data[10]&7)
	}
	if i > len(data) {
		return nil, damaged(nil)
	}
	out := make([]byte, 0, len(data))
	out = append(out, data[:i]...)
	frames, pixels := 0, int64(0)
	for {
		if i >= len(data) {
			return nil, damaged(nil) // no trailer
		}
		switch data[i] {
		case 0x21: // extension
			if i+2 > len(data) {
				return nil, damaged(nil)
			}
			label := data[i+1]
			end, ok := gifSubBlocksEnd(data, i+2)
			if !ok {
				return nil, damaged(nil)
			}
			keep := false
			switch label {
			case 0xf9, 0x01: // graphic control, plain text
				keep = true
			case 0xff: // application
				app := data[i+2:]
				keep = len(app) >= 12 && app[0] == 11 && (string(app[1:12]) == "NETSCAPE2.0" || string(app[1:12]) == "ANIMEXTS1.0")
			}
			if keep {
				out = append(out, data[i:end]...)
			}
			i = end
		case 0x2c: // image descriptor
			if i+10 > len(data) {
				return nil, damaged(nil)
			}
			d := data[i+1 : i+10]
			left, top := int(d[0])|int(d[1])<<8, int(d[2])|int(d[3])<<8
			w, h := int(d[4])|int(d[5])<<8, int(d[6])|int(d[7])<<8
			if left+w > width || top+h > height {
				return nil, damaged(nil)
			}
			start := i
			i += 10
			if d[8]&0x80 != 0 {
				i += 3 << (1 + d[8]&7)
			} else if !hasGlobalTable {
				return nil, damaged(nil)
			}
			i++ // LZW minimum code size
			if i > len(data) {
				return nil, damaged(nil)
			}
			end, ok := gifSubBlocksEnd(data, i)
			if !ok {
				return nil, damaged(nil)
			}
			// An LZW code takes at least 3 bits and stands for at most
			// 4096 pixels: too little data cannot fill the frame.
			if int64(w)*int64(h) > int64(end-i)*4096*8/3 {
				return nil, damaged(nil)
			}
			frames++
			pixels += int64(w) * int64(h)
			if pixels > maxPixels {
				return nil, refuse(ErrTooManyPixels, fmt.Sprintf("the animation has too many frames for its size: more than %d megapixels in all", maxPixels/1_000_000), nil)
			}
			out = append(out, data[start:end]...)
			i = end
		case 0x3b: // trailer
			if frames == 0 {
				return nil, damaged(nil)
			}
			return append(out, 0x3b), nil
		default:
			return nil, damaged(nil)
		}
	}
}

// gifSubBlocksEnd returns the index after the chain of data sub-blocks that
// starts at i, including its zero-length terminator.
func gifSubBlocksEnd(data []byte, i int) (int, bool) {
	for i < len(data) {
		n := int(data[i])
		i++
		if n == 0 {
			return i, true
		}
		i += n
	}
	return 0, false
}
