package site

import (
	"bytes"
	"compress/gzip"
	"io"
	"math/bits"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
)

// encoding is a content coding the site can send.
type encoding int

const (
	identity encoding = iota
	encGzip
	encBrotli
	numEncodings
)

// token is the coding's name in Accept-Encoding and Content-Encoding.
func (e encoding) token() string {
	switch e {
	case encGzip:
		return "gzip"
	case encBrotli:
		return "br"
	}
	return "identity"
}

// taggedETag gives each coding of one page its own entity tag, as RFC 9110
// requires of different representations: `"abc"` becomes `"abc-br"`.
func (e encoding) taggedETag(etag string) string {
	if e == identity || len(etag) < 2 || !strings.HasSuffix(etag, `"`) {
		return etag
	}
	return etag[:len(etag)-1] + "-" + e.token() + `"`
}

// compressMinSize is the smallest body worth compressing: below it the
// coding's header and the CPU cost outweigh the bytes saved.
const compressMinSize = 1024

// Compression levels. Cached pages and static files are compressed once, so
// gzip gets its densest level; brotli stays at 5 because from 7 up its
// encoder allocates over 30 MB per stream for one or two percent fewer
// bytes. Responses compressed on every request get faster levels.
const (
	gzipStoredLevel     = gzip.BestCompression
	brotliStoredLevel   = 5
	brotliStaticLevel   = brotliStoredLevel
	gzipOnTheFlyLevel   = 5
	brotliOnTheFlyLevel = 4
)

// brotliStreamWindow is the window, as a power of two, of brotli streams
// whose length is not known in advance: 256 KB holds any page whole, and
// the default 4 MB would cost the encoder 10 MB of memory.
const brotliStreamWindow = 18

// brotliWindow fits the window to a body of n bytes, within brotli's 2^10
// to 2^22: a smaller window makes the same output with less memory.
func brotliWindow(n int) int {
	return min(max(bits.Len(uint(max(n-1, 1))), 10), 22)
}

// negotiateEncoding chooses the coding for a request from its
// Accept-Encoding header (RFC 9110, section 12.5.3): the acceptable coding
// with the highest q-value, brotli before gzip before identity on a tie.
// "*" stands for every coding not named; identity is acceptable unless
// excluded by "identity;q=0" or "*;q=0". When nothing is acceptable the
// page still goes out uncompressed: a readable page is better than a 406.
func negotiateEncoding(header string) encoding {
	if header == "" {
		return identity
	}
	q := [numEncodings]float64{-1, -1, -1} // -1: not named
	star := -1.0
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		weight, ok := qValue(params)
		if !ok {
			continue // a malformed element counts as absent
		}
		switch name {
		case "br":
			q[encBrotli] = max(q[encBrotli], weight)
		case "gzip", "x-gzip":
			q[encGzip] = max(q[encGzip], weight)
		case "identity":
			q[identity] = max(q[identity], weight)
		case "*":
			star = max(star, weight)
		}
	}
	// A coding not named takes the weight of "*", or is unacceptable.
	// Identity not named is the last resort: acceptable unless "*;q=0".
	for _, e := range []encoding{encBrotli, encGzip} {
		if q[e] < 0 {
			q[e] = max(star, 0)
		}
	}
	if q[identity] < 0 {
		q[identity] = 0.0001
		if star == 0 {
			q[identity] = 0
		}
	}
	best, bestQ := identity, 0.0
	for _, e := range []encoding{encBrotli, encGzip, identity} {
		if q[e] > bestQ {
			best, bestQ = e, q[e]
		}
	}
	return best
}

// qValue reads the weight from an element's parameters: 1 without one, and
// false when it is not a number from 0 to 1.
func qValue(params string) (float64, bool) {
	for _, p := range strings.Split(params, ";") {
		k, v, found := strings.Cut(strings.TrimSpace(p), "=")
		if !found || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || f < 0 || f > 1 {
			return 0, false
		}
		return f, true
	}
	return 1, true
}

// compressibleType reports whether a Content-Type is text that compresses
// well; images, fonts and archives are compressed already.
func compressibleType(ctype string) bool {
	mt, _, _ := strings.Cut(ctype, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	switch {
	case strings.HasPrefix(mt, "text/"):
		return true
	case mt == "image/svg+xml", mt == "application/json", mt == "application/xml",
		mt == "application/javascript", mt == "application/manifest+json":
		return true
	case strings.HasPrefix(mt, "application/") && (strings.HasSuffix(mt, "+xml") || strings.HasSuffix(mt, "+json")):
		return true
	}
	return false
}

var gzipPools [gzip.BestCompression + 1]sync.Pool

// brotliPools holds idle brotli encoders by level and window.
var brotliPools sync.Map // of brotliKey → *sync.Pool

type brotliKey struct{ level, window int }

func brotliPool(level, window int) *sync.Pool {
	p, _ := brotliPools.LoadOrStore(brotliKey{level, window}, new(sync.Pool))
	return p.(*sync.Pool)
}

// compressor is a pooled encoder.
type compressor struct {
	io.WriteCloser
	enc           encoding
	level, window int
}

// newCompressor returns an encoder into w, from a pool; release gives it
// back after Close. window matters to brotli only.
func newCompressor(e encoding, level, window int, w io.Writer) *compressor {
	c := &compressor{enc: e, level: level, window: window}
	switch e {
	case encGzip:
		if z, ok := gzipPools[level].Get().(*gzip.Writer); ok {
			z.Reset(w)
			c.WriteCloser = z
		} else {
			c.WriteCloser, _ = gzip.NewWriterLevel(w, level) // level is one of our constants
		}
	case encBrotli:
		if z, ok := brotliPool(level, window).Get().(*brotli.Writer); ok {
			z.Reset(w)
			c.WriteCloser = z
		} else {
			c.WriteCloser = brotli.NewWriterOptions(w, brotli.WriterOptions{Quality: level, LGWin: window})
		}
	default:
		panic("site: no compressor for " + e.token())
	}
	return c
}

func (c *compressor) release() {
	switch c.enc {
	case encGzip:
		gzipPools[c.level].Put(c.WriteCloser)
	case encBrotli:
		brotliPool(c.level, c.window).Put(c.WriteCloser)
	}
}

// Flush pushes out what the encoder holds, for streamed responses.
func (c *compressor) Flush() error {
	if f, ok := c.WriteCloser.(interface{ Flush() error }); ok {
		return f.Flush()
	}
	return nil
}

// compressBytes encodes body whole. It returns nil when the result would not
// be smaller, so that the caller sends the body as it is.
func compressBytes(e encoding, level int, body []byte) []byte {
	if len(body) < compressMinSize {
		return nil
	}
	var buf bytes.Buffer
	buf.Grow(len(body) / 3)
	z := newCompressor(e, level, brotliWindow(len(body)), &buf)
	_, err := z.Write(body)
	if cerr := z.Close(); err == nil {
		err = cerr
	}
	z.release()
	if err != nil || buf.Len() >= len(body) {
		return nil // writing to a bytes.Buffer does not fail; be safe anyway
	}
	return bytes.Clone(buf.Bytes())
}

// addVary adds Accept-Encoding to the Vary header unless it is there.
func addVary(h http.Header) {
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f == "*" || strings.EqualFold(f, "Accept-Encoding") {
				return
			}
		}
	}
	h.Add("Vary", "Accept-Encoding")
}

// Compress compresses the responses of next with gzip or brotli, as the
// client accepts, when they are text and at least compressMinSize long:
// the desk, search results and anything else that is rendered per request.
// A handler that negotiates its own coding (it sets Content-Encoding, or
// Vary: Accept-Encoding) is passed through untouched, as are ranges, HEAD
// requests and bodies with no content.
func Compress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		enc := negotiateEncoding(r.Header.Get("Accept-Encoding"))
		if r.Method == http.MethodHead || r.Header.Get("Range") != "" {
			next.ServeHTTP(w, r)
			return
		}
		cw := &compressWriter{rw: w, enc: enc}
		defer cw.finish()
		next.ServeHTTP(cw, r)
	})
}

// compressWriter holds back the start of a response until it knows whether
// to compress it: the header may still change, and a short body is sent as
// it is.
type compressWriter struct {
	rw      http.ResponseWriter
	enc     encoding
	status  int    // 0 until WriteHeader
	buf     []byte // body held back until decided
	decided bool
	z       *compressor // when compressing
}

func (cw *compressWriter) Header() http.Header { return cw.rw.Header() }

// Unwrap lets http.ResponseController reach the connection.
func (cw *compressWriter) Unwrap() http.ResponseWriter { return cw.rw }

func (cw *compressWriter) WriteHeader(code int) {
	if cw.decided || cw.status != 0 {
		return // a superfluous call: the first status stands
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		cw.rw.WriteHeader(code) // informational: goes out at once
		return
	}
	cw.status = code
	if code == http.StatusNoContent || code == http.StatusNotModified || code == http.StatusPartialContent ||
		code == http.StatusSwitchingProtocols || cw.handlesItself() {
		cw.decide(false)
	}
}

// handlesItself reports whether the handler has chosen a coding already.
func (cw *compressWriter) handlesItself() bool {
	h := cw.rw.Header()
	if h.Get("Content-Encoding") != "" || h.Get("Content-Range") != "" {
		return true
	}
	for _, v := range h.Values("Vary") {
		if strings.Contains(strings.ToLower(v), "accept-encoding") {
			return true
		}
	}
	return false
}

func (cw *compressWriter) Write(b []byte) (int, error) {
	if !cw.decided {
		if cw.status == 0 {
			cw.WriteHeader(http.StatusOK)
		}
		if !cw.decided {
			if cw.buf == nil && len(b) >= compressMinSize {
				// One large write: decide on it without copying it first.
				cw.buf = b
				cw.decide(true)
				return len(b), cw.flushHeld()
			}
			cw.buf = append(cw.buf, b...)
			if len(cw.buf) < compressMinSize {
				return len(b), nil
			}
			cw.decide(true)
			return len(b), cw.flushHeld()
		}
	}
	if cw.z != nil {
		return cw.z.Write(b)
	}
	return cw.rw.Write(b)
}

// decide writes the header, compressing when allowed and worthwhile. The
// held body is written by flushHeld.
func (cw *compressWriter) decide(allowed bool) {
	cw.decided = true
	if cw.status == 0 {
		cw.status = http.StatusOK
	}
	h := cw.rw.Header()
	ctype := h.Get("Content-Type")
	if ctype == "" && len(cw.buf) > 0 && allowed {
		// net/http would sniff the type from the plain bytes, which it
		// cannot do from compressed ones.
		ctype = http.DetectContentType(cw.buf)
		h.Set("Content-Type", ctype)
	}
	if !allowed || cw.handlesItself() || !compressibleType(ctype) || cw.status < 200 {
		cw.rw.WriteHeader(cw.status)
		return
	}
	addVary(h)
	if cw.enc == identity {
		cw.rw.WriteHeader(cw.status)
		return
	}
	h.Del("Content-Length")
	h.Del("Accept-Ranges")
	h.Set("Content-Encoding", cw.enc.token())
	if et := h.Get("ETag"); et != "" {
		h.Set("ETag", cw.enc.taggedETag(et))
	}
	level := gzipOnTheFlyLevel
	if cw.enc == encBrotli {
		level = brotliOnTheFlyLevel
	}
	cw.rw.WriteHeader(cw.status)
	cw.z = newCompressor(cw.enc, level, brotliStreamWindow, cw.rw)
}

// flushHeld writes the body held back before the decision.
func (cw *compressWriter) flushHeld() error {
	b := cw.buf
	cw.buf = nil
	if len(b) == 0 {
		return nil
	}
	var err error
	if cw.z != nil {
		_, err = cw.z.Write(b)
	} else {
		_, err = cw.rw.Write(b)
	}
	return err
}

// Flush sends what is written so far, for handlers that stream.
func (cw *compressWriter) Flush() {
	if !cw.decided {
		cw.decide(true)
		cw.flushHeld()
	}
	if cw.z != nil {
		cw.z.Flush()
	}
	http.NewResponseController(cw.rw).Flush()
}

// finish ends the response after the handler returned.
func (cw *compressWriter) finish() {
	if !cw.decided {
		if cw.status == 0 && len(cw.buf) == 0 {
			return // the handler wrote nothing; net/http sends its 200
		}
		// A short body: sent as it is, but the answer could have been
		// compressed had it been longer.
		if h := cw.rw.Header(); !cw.handlesItself() && compressibleType(h.Get("Content-Type")) {
			addVary(h)
		}
		cw.decide(false)
		cw.flushHeld()
	}
	if cw.z != nil {
		cw.z.Close()
		cw.z.release()
		cw.z = nil
	}
}
