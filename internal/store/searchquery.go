package store

import (
	"strings"
	"unicode/utf8"
)

// What a reader types is never handed to the database as query syntax. It
// is read as words and "quoted phrases"; every other character (FTS5's
// * ^ : ( ) + - NEAR AND OR NOT, tsquery's & | ! <-> :*, SQL) separates
// words and nothing more. From those words the query for each dialect is
// written here, with every word quoted, so no input can make a query the
// database cannot parse.

// Bounds on a query. Longer input is cut: a page of text pasted into the
// search box still gets an answer, from its opening words.
const (
	maxQueryBytes  = 1024
	maxQueryWords  = 16
	minPrefixRunes = 2
)

// searchTerm is a word, or a phrase of words that must appear in order.
// With prefix set, the last word matches every word it begins.
type searchTerm struct {
	words  []string // folded
	prefix bool
}

// searchQuery is a parsed query: every term must match.
type searchQuery struct {
	terms []searchTerm
}

func (q searchQuery) empty() bool { return len(q.terms) == 0 }

// parseSearch reads a reader's query. With typing set, the last word is a
// prefix unless a space, a closing quote or other punctuation follows it:
// the reader is still typing it.
func parseSearch(input string, typing bool) searchQuery {
	if len(input) > maxQueryBytes {
		cut := maxQueryBytes
		for cut > 0 && !utf8.RuneStart(input[cut]) {
			cut--
		}
		input = input[:cut]
		typing = false // the end of the input is not where the reader is
	}
	var (
		q       searchQuery
		nwords  int
		inQuote bool
		phrase  []string
		seen    = map[string]bool{}
	)
	// add appends a term and returns its index, or -1 when it repeats one.
	add := func(words []string) int {
		if len(words) == 0 {
			return -1
		}
		key := strings.Join(words, " ")
		if seen[key] {
			return -1
		}
		seen[key] = true
		q.terms = append(q.terms, searchTerm{words: words})
		return len(q.terms) - 1
	}
	// Quotes split the input into segments, alternately outside and
	// inside a phrase. lastEnd is where the last word ends; lastTerm is the
	// term it ended up in (-1 for none, inPhrase while its phrase is open).
	const inPhrase = -2
	lastEnd, lastTerm := -1, -1
	rest, offset := input, 0
	for {
		i := strings.IndexByte(rest, '"')
		seg := rest
		if i >= 0 {
			seg = rest[:i]
		}
		scanWords(seg, func(w wordSpan, folded []byte) bool {
			if nwords >= maxQueryWords {
				return false
			}
			nwords++
			lastEnd = offset + w.end
			if inQuote {
				phrase = append(phrase, string(folded))
				lastTerm = inPhrase
			} else {
				lastTerm = add([]string{string(folded)})
			}
			return true
		})
		if i < 0 {
			break
		}
		if inQuote {
			closed := add(phrase)
			if lastTerm == inPhrase {
				lastTerm = closed
			}
			phrase = nil
		}
		inQuote = !inQuote
		rest = rest[i+1:]
		offset += i + 1
	}
	if inQuote { // an unbalanced quote: the phrase runs to the end
		closed := add(phrase)
		if lastTerm == inPhrase {
			lastTerm = closed
		}
	}
	if typing && lastEnd == len(input) && lastTerm >= 0 {
		t := &q.terms[lastTerm]
		if utf8.RuneCountInString(t.words[len(t.words)-1]) >= minPrefixRunes {
			t.prefix = true
		}
	}
	return q
}

// fts5 writes the query in SQLite FTS5 syntax: each term a quoted string,
// implicitly ANDed. Words hold only letters, digits and marks, never a
// double quote.
func (q searchQuery) fts5() string {
	var b strings.Builder
	for i, t := range q.terms {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('"')
		b.WriteString(strings.Join(t.words, " "))
		b.WriteByte('"')
		if t.prefix {
			b.WriteByte('*')
		}
	}
	return b.String()
}

// tsquery writes the query for PostgreSQL's to_tsquery: each word quoted,
// phrases joined with <->, terms with &. Words hold no quote or backslash.
func (q searchQuery) tsquery() string {
	var b strings.Builder
	for i, t := range q.terms {
		if i > 0 {
			b.WriteString(" & ")
		}
		if len(t.words) > 1 {
			b.WriteByte('(')
		}
		for j, w := range t.words {
			if j > 0 {
				b.WriteString(" <-> ")
			}
			b.WriteByte('\'')
			b.WriteString(w)
			b.WriteByte('\'')
		}
		if t.prefix {
			b.WriteString(":*")
		}
		if len(t.words) > 1 {
			b.WriteByte(')')
		}
	}
	return b.String()
}

// fts5Match is the FTS5 query for post_search: the words and phrases, and
// the pairs of the phrases (see the migration). No column filter is
// needed: the pairs and the facets begin with an underscore, which no
// word the reader types does.
func (q searchQuery) fts5Match() string {
	m := q.fts5()
	for _, p := range q.pairs() {
		m += ` "` + p + `"`
	}
	return m
}

// pairsTsquery is the pairs of the phrases as a tsquery literal, every
// pair required; empty when the query has no phrase.
func (q searchQuery) pairsTsquery() string {
	pairs := q.pairs()
	if len(pairs) == 0 {
		return ""
	}
	return "'" + strings.Join(pairs, "' & '") + "'"
}

// pairs returns the neighbouring words of the query's phrases as the
// index keeps them ("_balance_of"), leaving out a prefix still being
// typed. A post holding the phrase holds every one of its pairs.
func (q searchQuery) pairs() []string {
	var out []string
	for _, t := range q.terms {
		words := t.words
		if t.prefix {
			words = words[:len(words)-1]
		}
		out = appendPairs(out, words)
	}
	return out
}

// appendPairs appends each two neighbouring words joined by an
// underscore, which no word holds. The leading underscore keeps a prefix
// being typed from matching pairs: PostgreSQL's pairs have no positions,
// and a phrase that meets one fails.
func appendPairs(dst, words []string) []string {
	for i := 1; i < len(words); i++ {
		dst = append(dst, "_"+words[i-1]+"_"+words[i])
	}
	return dst
}

// tsqueryWords writes for to_tsquery the words PostgreSQL's document
// index must hold: every word standing alone, and the prefix a phrase
// ends with while it is typed, joined with &. The other words of phrases
// are left to their pairs, which hold them; asking for a phrase's common
// words as well would only make the index read their long lists. Empty
// when the query is phrases only.
func (q searchQuery) tsqueryWords() string {
	var b strings.Builder
	add := func(w, suffix string) {
		if b.Len() > 0 {
			b.WriteString(" & ")
		}
		b.WriteString("'" + w + "'" + suffix)
	}
	for _, t := range q.terms {
		whole := t.words // the words the pairs can hold
		if t.prefix {
			whole = whole[:len(whole)-1]
		}
		if len(whole) == 1 {
			add(whole[0], "")
		}
		if t.prefix {
			add(t.words[len(t.words)-1], ":*")
		}
	}
	return b.String()
}

// String shows the query as understood: words, "phrases", and a * after a
// prefix.
func (q searchQuery) String() string {
	var parts []string
	for _, t := range q.terms {
		s := strings.Join(t.words, " ")
		if len(t.words) > 1 {
			s = `"` + s + `"`
		}
		if t.prefix {
			s += "*"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}
