// Package media stores uploaded and imported images and reads their basic
// facts (format and pixel size) from their content.
package media

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"golang.org/x/image/webp"
)

// ErrNotFound is returned when no object is stored under a key.
var ErrNotFound = errors.New("media: not found")

// Storage keeps media objects under slash-separated keys.
type Storage interface {
	// Put stores the bytes of r under key, replacing any earlier object.
	Put(ctx context.Context, key string, r io.Reader) error
	// Open returns the object stored under key, or ErrNotFound.
	Open(ctx context.Context, key string) (Object, error)
}

// Object is a stored media object being read.
type Object interface {
	io.ReadSeekCloser
	Size() int64
}

// MaxPixels bounds width×height of an accepted image, so a small file that
// claims a huge canvas cannot exhaust memory when decoded.
const MaxPixels = 50_000_000

// Info describes an image read from its header.
type Info struct {
	Format string // "jpeg", "png", "gif" or "webp"
	Width  int
	Height int
}

// Extension returns the file extension for the format, with its dot.
func (i Info) Extension() string {
	if i.Format == "jpeg" {
		return ".jpg"
	}
	return "." + i.Format
}

// ContentType returns the MIME type of the format.
func (i Info) ContentType() string { return "image/" + i.Format }

// Probe reads an image header and reports its format and size. It refuses
// formats other than JPEG, PNG, GIF and WebP whatever the file is named, and
// images over MaxPixels.
func Probe(r io.Reader) (Info, error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(sniffLen)
	// The format is read from the first bytes and its own decoder called,
	// rather than image.DecodeConfig: any package in the binary may register
	// more decoders (BMP, TIFF…) or a second WebP decoder, and only the
	// formats every browser shows are accepted.
	format := sniff(head)
	if format == "" {
		return Info{}, fmt.Errorf("media: %w", ErrNotImage)
	}
	cfg, err := decodeConfig(format, br)
	if err != nil {
		return Info{}, fmt.Errorf("media: unreadable image: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return Info{}, errors.New("media: image has no pixels")
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return Info{}, fmt.Errorf("media: image is %d×%d pixels, more than the %d megapixel limit", cfg.Width, cfg.Height, MaxPixels/1_000_000)
	}
	return Info{Format: format, Width: cfg.Width, Height: cfg.Height}, nil
}

// sniffLen is how many leading bytes sniff needs.
const sniffLen = 16

// sniff names the format that the first bytes of a file announce, or
// returns "" for anything but JPEG, PNG, GIF and WebP.
func sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("\xff\xd8")):
		return "jpeg"
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return "gif"
	case len(head) >= 15 && string(head[:4]) == "RIFF" && string(head[8:15]) == "WEBPVP8":
		return "webp"
	}
	return ""
}

// decodeConfig reads the header of an image in a format named by sniff.
func decodeConfig(format string, r io.Reader) (image.Config, error) {
	switch format {
	case "jpeg":
		return jpeg.DecodeConfig(r)
	case "png":
		return png.DecodeConfig(r)
	case "gif":
		return gif.DecodeConfig(r)
	case "webp":
		return webp.DecodeConfig(r)
	}
	return image.Config{}, ErrNotImage
}

// HashedKey names an object by its content: prefix/base-0123abcd.ext. The
// same bytes always get the same key, so objects can be cached forever.
func HashedKey(prefix, base string, data []byte, info Info) string {
	sum := sha256.Sum256(data)
	return path.Join(prefix, base+"-"+hex.EncodeToString(sum[:6])+info.Extension())
}

// PrivatePrefix starts the keys of objects kept in media storage only for
// the app itself, such as an uploaded archive waiting for its import:
// never served to readers.
const PrivatePrefix = "imports/"

// Public reports whether readers may fetch the object at key.
func Public(key string) bool { return !strings.HasPrefix(key, PrivatePrefix) }

// ValidKey reports whether key is a clean relative slash path without
// parent references, hidden segments or odd characters.
func ValidKey(key string) bool {
	if key == "" || len(key) > 512 || strings.HasPrefix(key, "/") || path.Clean(key) != key {
		return false
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || strings.HasPrefix(seg, ".") {
			return false
		}
	}
	for _, r := range key {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./", r)
		if !ok {
			return false
		}
	}
	return true
}

// Local stores media as files below a directory.
type Local struct {
	dir string
}

// NewLocal returns a Local storage rooted at dir, creating it if needed.
func NewLocal(dir string) (*Local, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("media: create %s: %w", dir, err)
	}
	return &Local{dir: dir}, nil
}

// Put writes the object to a temporary file and renames it into place, so a
// reader never sees half an object.
func (l *Local) Put(ctx context.Context, key string, r io.Reader) error {
	if !ValidKey(key) {
		return fmt.Errorf("media: invalid key %q", key)
	}
	dst := filepath.Join(l.dir, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".put-*")
	if err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	return nil
}

// Open opens the stored object.
func (l *Local) Open(ctx context.Context, key string) (Object, error) {
	if !ValidKey(key) {
		return nil, ErrNotFound
	}
	f, err := os.Open(filepath.Join(l.dir, filepath.FromSlash(key)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("media: open %s: %w", key, err)
	}
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		f.Close()
		return nil, ErrNotFound
	}
	return localObject{File: f, size: st.Size()}, nil
}

// Remove deletes the object; a missing object is not an error. Emptied
// folders stay: another object may be on its way into them.
func (l *Local) Remove(ctx context.Context, key string) error {
	if !ValidKey(key) {
		return fmt.Errorf("media: invalid key %q", key)
	}
	err := os.Remove(filepath.Join(l.dir, filepath.FromSlash(key)))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("media: remove %s: %w", key, err)
	}
	return nil
}

type localObject struct {
	*os.File
	size int64
}

func (o localObject) Size() int64 { return o.size }

// ReadImage reads a whole image of at most maxBytes, probes it and returns
// its bytes and facts.
func ReadImage(r io.Reader, maxBytes int64) ([]byte, Info, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, Info{}, fmt.Errorf("media: read image: %w", err)
	}
	if int64(len(data)) > maxBytes {
		return nil, Info{}, fmt.Errorf("media: image is larger than %d MB", maxBytes>>20)
	}
	info, err := Probe(bytes.NewReader(data))
	if err != nil {
		return nil, Info{}, err
	}
	return data, info, nil
}
