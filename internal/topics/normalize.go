package topics

import (
	"strings"
	"unicode"
)

// Matching compares folded runes: lower case, Latin accents removed,
// typographic apostrophes, quotes and dashes made plain, and any run of
// white space made one space. Folding keeps one rune for one rune (or drops
// it), so a match maps back to the original text exactly.

// foldRune returns the matching form of r, and false for runes that are
// dropped (soft hyphens and zero-width characters, which editors paste in
// from word processors).
func foldRune(r rune) (rune, bool) {
	if r < 0x80 {
		switch {
		case 'A' <= r && r <= 'Z':
			return r + ('a' - 'A'), true
		case r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f':
			return ' ', true
		case r == '`':
			return '\'', true
		}
		return r, true
	}
	switch r {
	case 0x00AD, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF:
		return 0, false
	case 0x2018, 0x2019, 0x201A, 0x201B, 0x02BC, 0x2032, 0x00B4:
		return '\'', true
	case 0x201C, 0x201D, 0x201E, 0x201F, 0x00AB, 0x00BB, 0x2033:
		return '"', true
	case 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE63, 0xFF0D:
		return '-', true
	}
	if unicode.IsSpace(r) {
		return ' ', true
	}
	r = unicode.ToLower(r)
	if b, ok := accentBase[r]; ok {
		return b, true
	}
	return r, true
}

// accentBase maps accented Latin letters to their base letter, so that
// "Türkiye", "Turkiye", "Côte d'Ivoire" and "Cote d'Ivoire" match alike.
var accentBase = func() map[rune]rune {
	groups := []struct {
		base    rune
		accents string
	}{
		{'a', "àáâãäåāăąǎ"}, {'c', "çćĉċč"}, {'d', "ďđ"}, {'e', "èéêëēĕėęě"},
		{'g', "ĝğġģ"}, {'h', "ĥħ"}, {'i', "ìíîïĩīĭįıǐ"}, {'j', "ĵ"}, {'k', "ķ"},
		{'l', "ĺļľŀł"}, {'n', "ñńņňŉ"}, {'o', "òóôõöøōŏőǒ"}, {'r', "ŕŗř"},
		{'s', "śŝşšș"}, {'t', "ţťŧț"}, {'u', "ùúûüũūŭůűųǔ"}, {'w', "ŵ"},
		{'y', "ýÿŷ"}, {'z', "źżž"},
	}
	m := make(map[rune]rune, 200)
	for _, g := range groups {
		for _, r := range g.accents {
			m[r] = g.base
		}
	}
	return m
}()

// isWordRune reports whether r continues a word: a mention must not start or
// end inside one ("Oman" is not in "Roman", "Niger" not in "Nigeria").
func isWordRune(r rune) bool {
	if r < 0x80 {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

func hasWordRune(s string) bool {
	for _, r := range s {
		if isWordRune(r) {
			return true
		}
	}
	return false
}

// foldedAlias is an alias in matching form.
type foldedAlias struct {
	runes []rune
	// upper marks the runes that must be capitals in the text.
	upper []bool
}

func foldAlias(text string) foldedAlias {
	var f foldedAlias
	space := false
	for _, r := range text {
		fr, ok := foldRune(r)
		if !ok {
			continue
		}
		if fr == ' ' {
			if space || len(f.runes) == 0 {
				continue
			}
			space = true
		} else {
			space = false
		}
		f.runes = append(f.runes, fr)
		f.upper = append(f.upper, unicode.IsUpper(r))
	}
	for len(f.runes) > 0 && f.runes[len(f.runes)-1] == ' ' {
		f.runes, f.upper = f.runes[:len(f.runes)-1], f.upper[:len(f.upper)-1]
	}
	return f
}

// aliasKey is the form in which two aliases count as the same: an alias
// may point to one entry only, whatever its case.
func aliasKey(text string) string {
	return string(foldAlias(text).runes)
}

// isAllCapsWord reports whether w is written in capitals and has at least
// two letters, like "US", "WHO" or a word of a headline in capitals.
func isAllCapsWord(w string) bool {
	letters := 0
	for _, r := range w {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsUpper(r) {
			letters++
		}
	}
	return letters >= 2
}

// isCapitalised reports whether w starts with a capital and goes on in lower
// case, like a name ("Michael"), not a word in capitals ("NATO").
func isCapitalised(w string) bool {
	first := true
	lower := false
	for _, r := range w {
		if first {
			if !unicode.IsUpper(r) {
				return false
			}
			first = false
			continue
		}
		if unicode.IsLower(r) {
			lower = true
		}
	}
	return !first && lower
}

func trimWord(w string) string {
	return strings.TrimFunc(w, func(r rune) bool { return !isWordRune(r) })
}
