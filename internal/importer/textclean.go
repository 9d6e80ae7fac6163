package importer

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/charmap"
)

// cleanText is a reader that makes exports with a wrong or missing encoding
// declaration readable: valid UTF-8 passes through, any byte that is not
// part of valid UTF-8 is read as Windows-1252 (what such files nearly
// always are), and control characters XML forbids are dropped. It counts
// what it changed and remembers the line of the first change, for one
// warning.
type cleanText struct {
	r         *bufio.Reader
	out       []byte // cleaned, not yet read
	line      int    // current line, 1-based
	fixed     int    // bytes read as Windows-1252
	dropped   int    // control characters dropped
	firstLine int    // line of the first change
	err       error
}

func newCleanText(r io.Reader) *cleanText {
	return &cleanText{r: bufio.NewReaderSize(r, 64<<10), line: 1}
}

func (c *cleanText) Read(p []byte) (int, error) {
	for len(c.out) == 0 {
		if c.err != nil {
			return 0, c.err
		}
		c.fill()
	}
	n := copy(p, c.out)
	c.out = c.out[n:]
	return n, nil
}

// fill cleans the next chunk of input into out.
func (c *cleanText) fill() {
	chunk, err := c.r.Peek(32 << 10)
	if len(chunk) == 0 {
		c.err = err
		if err == bufio.ErrBufferFull {
			c.err = nil
		}
		return
	}
	atEOF := err != nil
	out := c.out[:0]
	i := 0
	for i < len(chunk) {
		b := chunk[i]
		if b < utf8.RuneSelf {
			switch {
			case b == '\n':
				c.line++
				out = append(out, b)
			case b < 0x20 && b != '\t' && b != '\r':
				c.dropped++
				c.mark()
			default:
				out = append(out, b)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(chunk[i:])
		if r == utf8.RuneError && size <= 1 {
			if !atEOF && !utf8.FullRune(chunk[i:]) {
				break // the rest of this character is in the next chunk
			}
			out = utf8.AppendRune(out, charmap.Windows1252.DecodeByte(b))
			c.fixed++
			c.mark()
			i++
			continue
		}
		if r == 0xFFFE || r == 0xFFFF {
			c.dropped++
			c.mark()
		} else {
			out = append(out, chunk[i:i+size]...)
		}
		i += size
	}
	if i == 0 && len(chunk) > 0 {
		// An incomplete character at the very end of the input.
		out = utf8.AppendRune(out, charmap.Windows1252.DecodeByte(chunk[0]))
		c.fixed++
		c.mark()
		i = 1
	}
	c.r.Discard(i)
	c.out = out
}

func (c *cleanText) mark() {
	if c.firstLine == 0 {
		c.firstLine = c.line
	}
}

// warning describes what was changed, or "" when nothing was.
func (c *cleanText) warning() string {
	var parts []string
	if c.fixed > 0 {
		parts = append(parts, fmt.Sprintf("%d bytes that are not UTF-8 were read as Windows-1252", c.fixed))
	}
	if c.dropped > 0 {
		parts = append(parts, fmt.Sprintf("%d control characters XML does not allow were dropped", c.dropped))
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("the file does not match its encoding from line %d on: %s", c.firstLine, strings.Join(parts, "; "))
}

// charsetReader converts a declared non-UTF-8 encoding, except when the
// text is in fact UTF-8: exports are often declared ISO-8859-1 by mistake.
// It records what it decided in note.
func charsetReader(note *string) func(label string, r io.Reader) (io.Reader, error) {
	return func(label string, r io.Reader) (io.Reader, error) {
		br := bufio.NewReaderSize(r, 256<<10)
		head, _ := br.Peek(256 << 10)
		if hasMultibyteUTF8(head) {
			*note = fmt.Sprintf("the file says it is %s but is UTF-8; it was read as UTF-8", label)
			return br, nil
		}
		cr, err := charset.NewReaderLabel(label, br)
		if err != nil {
			return nil, fmt.Errorf("unknown encoding %q", label)
		}
		return cr, nil
	}
}

// hasMultibyteUTF8 reports whether b is valid UTF-8 (allowing a character
// cut at the end) with at least one character beyond ASCII.
func hasMultibyteUTF8(b []byte) bool {
	multi := false
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			return multi && !utf8.FullRune(b)
		}
		if size > 1 {
			multi = true
		}
		b = b[size:]
	}
	return multi
}

// declaredEncoding returns the encoding an XML declaration at the start of
// head names, lower-cased, or "" when there is none.
func declaredEncoding(head []byte) string {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	if !bytes.HasPrefix(head, []byte("<?xml")) {
		return ""
	}
	end := bytes.Index(head, []byte("?>"))
	if end < 0 {
		return ""
	}
	decl := string(head[:end])
	i := strings.Index(decl, "encoding")
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(decl[i+len("encoding"):], " \t\r\n")
	rest, ok := strings.CutPrefix(rest, "=")
	if !ok {
		return ""
	}
	rest = strings.TrimLeft(rest, " \t\r\n")
	if rest == "" || (rest[0] != '"' && rest[0] != '\'') {
		return ""
	}
	q := rest[0]
	rest = rest[1:]
	j := strings.IndexByte(rest, q)
	if j < 0 {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(rest[:j]))
}

// isUTF8Label reports whether an encoding label names UTF-8 (or nothing).
func isUTF8Label(label string) bool {
	return label == "" || label == "utf-8" || label == "utf8"
}
