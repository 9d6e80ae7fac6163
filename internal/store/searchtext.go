package store

import (
	"bytes"
	"html"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text goes into the search index as words: runs of letters and digits,
// lower-cased, with the diacritics of Latin and Greek letters removed, one
// space between them. The same function turns a reader's query into words,
// so "Erdoğan" finds "Erdogan" and "ZÜRICH" finds "Zürich" on either
// database. The databases' own tokenizers then see nothing but plain words,
// which they split the same way: SQLite's unicode61 and PostgreSQL's
// 'simple' parser would otherwise disagree about hyphens, numbers with
// dots, URLs and e-mail addresses.

// foldGroups lists, for a base letter, the lower-case letters that fold to
// it. Upper-case letters are lower-cased first.
var foldGroups = map[rune]string{
	'a': "àáâãäåāăąǎǟǡǻȁȃȧḁạảấầẩẫậắằẳẵặ",
	'b': "ḃḅḇƀ",
	'c': "çćĉċčḉ",
	'd': "ďḋḍḏḑḓđ",
	'e': "èéêëēĕėęěȅȇȩḕḗḙḛḝẹẻẽếềểễệ",
	'f': "ḟ",
	'g': "ĝğġģǧǵḡ",
	'h': "ĥȟḣḥḧḩḫẖħ",
	'i': "ìíîïĩīĭįǐȉȋḭḯỉịı",
	'j': "ĵǰ",
	'k': "ķǩḱḳḵ",
	'l': "ĺļľḷḹḻḽłŀ",
	'm': "ḿṁṃ",
	'n': "ñńņňǹṅṇṉṋ",
	'o': "òóôõöōŏőơǒǫǭȍȏȫȭȯȱṍṏṑṓọỏốồổỗộớờởỡợøǿ",
	'p': "ṕṗ",
	'r': "ŕŗřȑȓṙṛṝṟ",
	's': "śŝşšșṡṣṥṧṩ",
	't': "ţťțṫṭṯṱẗŧ",
	'u': "ùúûüũūŭůűųưǔǖǘǚǜȕȗṳṵṷṹṻụủứừửữự",
	'v': "ṽṿ",
	'w': "ŵẁẃẅẇẉẘ",
	'x': "ẋẍ",
	'y': "ýÿŷȳẏẙỳỵỷỹ",
	'z': "źżžẑẓẕ",
	'α': "άἀἁἂἃἄἅἆἇὰάᾀᾁᾂᾃᾄᾅᾆᾇᾰᾱᾲᾳᾴᾶᾷ",
	'ε': "έἐἑἒἓἔἕὲέ",
	'η': "ήἠἡἢἣἤἥἦἧὴήᾐᾑᾒᾓᾔᾕᾖᾗῂῃῄῆῇ",
	'ι': "ΐίϊἰἱἲἳἴἵἶἷὶίῐῑῒΐῖῗ",
	'ο': "όὀὁὂὃὄὅὸό",
	'ρ': "ῤῥ",
	'υ': "ΰϋύὐὑὒὓὔὕὖὗὺύῠῡῢΰῦῧ",
	'ω': "ώὠὡὢὣὤὥὦὧὼώᾠᾡᾢᾣᾤᾥᾦᾧῲῳῴῶῷ",
}

var foldMap = func() map[rune]rune {
	m := make(map[rune]rune, 512)
	for base, letters := range foldGroups {
		for _, r := range letters {
			m[r] = base
		}
	}
	return m
}()

// foldRune lower-cases r and removes its diacritic.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	r = unicode.ToLower(r)
	if b, ok := foldMap[r]; ok {
		return b
	}
	return r
}

// Limits on what is indexed and searched. A longer word cannot be a word
// anyone types (and PostgreSQL would refuse to index it); the cap on a
// field keeps PostgreSQL's tsvector far below its 1 MB limit.
const (
	maxWordBytes  = 100
	maxFieldBytes = 256 << 10
)

// wordSpan is where one word of a text is, in bytes.
type wordSpan struct {
	start, end int
}

// isWordRune reports whether r belongs to a word: letters, digits and the
// marks written with them.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.M, r) || unicode.Is(unicode.Co, r)
}

// scanWords calls fn for each word of s in order, with its folded form,
// until fn returns false. folded is only valid during the call. Combining
// marks are dropped from the folded form (they are the diacritics of
// decomposed text); a run without a letter or a digit is not a word; words
// longer than maxWordBytes are skipped.
func scanWords(s string, fn func(w wordSpan, folded []byte) bool) {
	buf := make([]byte, 0, 64)
	start := -1
	hasBase := false
	for i := 0; i < len(s); {
		c := s[i]
		var r rune
		size := 1
		if c < utf8.RuneSelf {
			// ASCII, the common case, without the Unicode tables.
			switch {
			case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
				r = rune(c)
			case 'A' <= c && c <= 'Z':
				r = rune(c + 'a' - 'A')
			default:
				r = -1
			}
		} else {
			r, size = utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError || !isWordRune(r) {
				r = -1
			}
		}
		if r < 0 {
			if start >= 0 {
				if hasBase && len(buf) > 0 && len(buf) <= maxWordBytes && !fn(wordSpan{start, i}, buf) {
					return
				}
				start, hasBase, buf = -1, false, buf[:0]
			}
			i += size
			continue
		}
		if start < 0 {
			start = i
		}
		i += size
		if r < utf8.RuneSelf {
			hasBase = true
			buf = append(buf, byte(r))
			continue
		}
		if unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) {
			continue
		}
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			hasBase = true
		}
		if len(buf) <= maxWordBytes {
			buf = utf8.AppendRune(buf, foldRune(r))
		}
	}
	if start >= 0 && hasBase && len(buf) > 0 && len(buf) <= maxWordBytes {
		fn(wordSpan{start, len(s)}, buf)
	}
}

// indexText is s as the index keeps it: folded words separated by single
// spaces, at most maxFieldBytes long.
func indexText(s string) string {
	b := make([]byte, 0, len(s))
	scanWords(s, func(_ wordSpan, w []byte) bool {
		if len(b)+1+len(w) > maxFieldBytes {
			return false
		}
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = append(b, w...)
		return true
	})
	return string(b)
}

// termPos names word pos of term term of a query.
type termPos struct{ term, pos int }

// highlighter marks the words of a text that a query matched.
type highlighter struct {
	q      searchQuery
	exact  map[string][]termPos // the query's words, but for the prefix
	prefix []string             // the prefix, at most one
	pos    []termPos            // where the prefix stands
}

func newHighlighter(q searchQuery) highlighter {
	h := highlighter{q: q, exact: map[string][]termPos{}}
	for i, t := range q.terms {
		for j, w := range t.words {
			if t.prefix && j == len(t.words)-1 {
				h.prefix = append(h.prefix, w)
				h.pos = append(h.pos, termPos{i, j})
				continue
			}
			h.exact[w] = append(h.exact[w], termPos{i, j})
		}
	}
	return h
}

// marks returns the words of text and, for each, whether the query
// matched it: a word of the query, or every word of one of its phrases in
// order.
func (h highlighter) marks(text string) ([]wordSpan, []bool) {
	var words []wordSpan
	var found [][]termPos // parallel to words; nil for most
	scanWords(text, func(w wordSpan, folded []byte) bool {
		var m []termPos
		if tp, ok := h.exact[string(folded)]; ok {
			m = tp
		}
		for k, p := range h.prefix {
			if bytes.HasPrefix(folded, []byte(p)) {
				m = append(slices.Clip(m), h.pos[k])
			}
		}
		words = append(words, w)
		found = append(found, m)
		return true
	})
	marked := make([]bool, len(words))
	has := func(i int, tp termPos) bool {
		return i < len(found) && slices.Contains(found[i], tp)
	}
	for i := range words {
		for _, tp := range found[i] {
			if tp.pos != 0 {
				continue
			}
			n := len(h.q.terms[tp.term].words)
			ok := true
			for j := 1; j < n && ok; j++ {
				ok = has(i+j, termPos{tp.term, j})
			}
			if ok {
				for j := range n {
					marked[i+j] = true
				}
			}
		}
	}
	return words, marked
}

// whole returns text as HTML with the matched words in <mark>, and whether
// any matched.
func (h highlighter) whole(text string) (string, bool) {
	words, marked := h.marks(text)
	return markHTML(text, words, marked, 0, len(words)), anyTrue(marked)
}

// snippetWords is how many words a snippet shows.
const snippetWords = 36

// snippet returns about snippetWords words of text around its best run of
// matches, as HTML with the matched words in <mark>, and whether any word
// matched. Text without a match gives its opening.
func (h highlighter) snippet(text string) (string, bool) {
	words, marked := h.marks(text)
	if len(words) == 0 {
		return "", false
	}
	best, bestScore := 0, -1
	for i, m := range marked {
		if !m || (i > 0 && marked[i-1]) {
			continue
		}
		// A window starting a few words before this match, or at the start
		// of its sentence if that is nearer: the more distinct matched
		// words in it, the better.
		start := max(0, i-4)
		for j := i; j > start; j-- {
			if strings.ContainsAny(text[words[j-1].end:words[j].start], ".!?") {
				start = j
				break
			}
		}
		end := min(len(words), start+snippetWords)
		seen := map[string]bool{}
		for j := start; j < end; j++ {
			if marked[j] {
				seen[strings.ToLower(text[words[j].start:words[j].end])] = true
			}
		}
		if score := len(seen); score > bestScore {
			best, bestScore = start, score
		}
	}
	end := min(len(words), best+snippetWords)
	var b strings.Builder
	if best > 0 {
		b.WriteString("…")
	}
	b.WriteString(markHTML(text, words, marked, best, end))
	if end < len(words) {
		b.WriteString("…")
	}
	return b.String(), bestScore >= 0
}

// markHTML escapes text from words[from] to words[to-1] (to the end of the
// text when to is the last word) and wraps marked words in <mark>. Runs of
// marked words separated only by spaces share one <mark>.
func markHTML(text string, words []wordSpan, marked []bool, from, to int) string {
	if len(words) == 0 {
		return html.EscapeString(text)
	}
	var b strings.Builder
	pos := 0
	if from > 0 {
		pos = words[from].start
	}
	end := len(text)
	if to < len(words) {
		end = words[to-1].end
	}
	open := false
	for i := from; i < to; i++ {
		w := words[i]
		gap := text[pos:w.start]
		if open && (!marked[i] || strings.TrimSpace(gap) != "") {
			b.WriteString("</mark>")
			open = false
		}
		b.WriteString(html.EscapeString(gap))
		if marked[i] && !open {
			b.WriteString("<mark>")
			open = true
		}
		b.WriteString(html.EscapeString(text[w.start:w.end]))
		pos = w.end
	}
	if open {
		b.WriteString("</mark>")
	}
	b.WriteString(html.EscapeString(text[pos:end]))
	return b.String()
}

func anyTrue(xs []bool) bool {
	for _, x := range xs {
		if x {
			return true
		}
	}
	return false
}
