package content

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxSlugLength is the longest slug ValidSlug accepts. Slugify makes
// shorter ones (see slugifyLength); longer slugs may come from imports.
const MaxSlugLength = 200

// slugifyLength is the length Slugify aims for: long enough to keep a
// headline recognisable in a URL, short enough to share.
const slugifyLength = 80

// letterFolds spells out letters that do not decompose into a base letter
// and a combining mark, so norm.NFD alone cannot reduce them to ASCII.
var letterFolds = map[rune]string{
	'ß': "ss", 'ẞ': "ss",
	'æ': "ae", 'Æ': "ae",
	'œ': "oe", 'Œ': "oe",
	'ø': "o", 'Ø': "o",
	'ł': "l", 'Ł': "l",
	'đ': "d", 'Đ': "d",
	'ð': "d", 'Ð': "d",
	'þ': "th", 'Þ': "th",
	'ı': "i", 'ħ': "h", 'Ħ': "h",
	'ŋ': "ng", 'Ŋ': "ng",
	'ĳ': "ij", 'Ĳ': "ij",
	'ŀ': "l", 'Ŀ': "l",
	'ſ': "s",
}

// Slugify makes a URL slug from a title: lower-case ASCII letters, digits and
// single hyphens.
//
// Accented Latin letters lose their accents ("Café Zürich" → "cafe-zurich"),
// apostrophes vanish ("Europe's" → "europes") and every other run of
// characters becomes one hyphen. Long titles are cut at a word boundary
// near 80 characters. The result is "" when nothing usable remains (a title
// in a non-Latin script, say); callers must then choose a slug themselves.
func Slugify(s string) string {
	var b strings.Builder
	b.Grow(min(len(s), slugifyLength+16))
	pendingHyphen := false
	emit := func(c byte) {
		if pendingHyphen && b.Len() > 0 {
			b.WriteByte('-')
		}
		pendingHyphen = false
		b.WriteByte(c)
	}
	// Decompose so that "é" arrives as "e" followed by a combining accent.
	// Cap the work on absurdly long input: only the start can be used.
	if len(s) > 4*slugifyLength*utf8.UTFMax {
		s = s[:4*slugifyLength*utf8.UTFMax]
	}
	for _, r := range norm.NFKD.String(s) {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			emit(byte(r))
		case 'A' <= r && r <= 'Z':
			emit(byte(r) + 'a' - 'A')
		case unicode.Is(unicode.Mn, r):
			// A combining mark from decomposition: drop it.
		case r == '\'' || r == '’' || r == 'ʼ':
			// "Europe's" reads better as "europes" than "europe-s".
		default:
			if fold, ok := letterFolds[r]; ok {
				for i := 0; i < len(fold); i++ {
					emit(fold[i])
				}
				continue
			}
			pendingHyphen = true
		}
		if b.Len() > 2*slugifyLength {
			break
		}
	}
	return trimSlug(b.String(), slugifyLength)
}

// trimSlug shortens slug to at most n bytes, cutting at a hyphen when one
// is close enough to keep most of the text.
func trimSlug(slug string, n int) string {
	if len(slug) <= n {
		return slug
	}
	cut := slug[:n]
	if slug[n] != '-' {
		if i := strings.LastIndexByte(cut, '-'); i >= n/2 {
			cut = cut[:i]
		}
	}
	return strings.Trim(cut, "-")
}

// ValidSlug reports whether s is a slug Slugify could produce: lower-case
// ASCII letters and digits in runs joined by single hyphens, at most
// MaxSlugLength bytes.
func ValidSlug(s string) bool {
	if s == "" || len(s) > MaxSlugLength {
		return false
	}
	prevHyphen := true // a leading hyphen is as wrong as a doubled one
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			prevHyphen = false
		case c == '-':
			if prevHyphen {
				return false
			}
			prevHyphen = true
		default:
			return false
		}
	}
	return !prevHyphen
}
