package store

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

func TestParseSearch(t *testing.T) {
	tests := []struct {
		in       string
		typing   bool
		str      string // String()
		fts5     string
		tsquery  string
		nonempty bool
	}{
		{"", false, "", "", "", false},
		{"   \t\n", true, "", "", "", false},
		{"Strait of Hormuz", false, "strait of hormuz", `"strait" "of" "hormuz"`, `'strait' & 'of' & 'hormuz'`, true},
		{"Strait of Hormuz", true, "strait of hormuz*", `"strait" "of" "hormuz"*`, `'strait' & 'of' & 'hormuz':*`, true},
		{"Strait of Hormuz ", true, "strait of hormuz", `"strait" "of" "hormuz"`, `'strait' & 'of' & 'hormuz'`, true},
		{`"balance of power" asia`, false, `"balance of power" asia`, `"balance of power" "asia"`, `('balance' <-> 'of' <-> 'power') & 'asia'`, true},
		{`asia "balance of pow`, true, `asia "balance of pow"*`, `"asia" "balance of pow"*`, `'asia' & ('balance' <-> 'of' <-> 'pow':*)`, true},
		{`"balance of power"`, true, `"balance of power"`, `"balance of power"`, `('balance' <-> 'of' <-> 'power')`, true},
		{`"single"`, false, "single", `"single"`, `'single'`, true},
		{`war war WAR`, true, "war", `"war"`, `'war'`, true},
		{`x`, true, "x", `"x"`, `'x'`, true}, // too short for a prefix
		{`Erdoğan ZÜRICH`, false, "erdogan zurich", `"erdogan" "zurich"`, `'erdogan' & 'zurich'`, true},
		{`a*b:c^d(e)f-g+h`, false, "a b c d e f g h", `"a" "b" "c" "d" "e" "f" "g" "h"`,
			`'a' & 'b' & 'c' & 'd' & 'e' & 'f' & 'g' & 'h'`, true},
		{`it's`, false, "it s", `"it" "s"`, `'it' & 's'`, true},
		{`O'Brien \ 'x'`, true, "o brien x", `"o" "brien" "x"`, `'o' & 'brien' & 'x'`, true},
		{`😀 🇺🇳`, true, "", "", "", false},
		{`""""`, true, "", "", "", false},
	}
	for _, tc := range tests {
		q := parseSearch(tc.in, tc.typing)
		if got := q.String(); got != tc.str {
			t.Errorf("parseSearch(%q, %v).String() = %q, want %q", tc.in, tc.typing, got, tc.str)
		}
		if got := q.fts5(); got != tc.fts5 {
			t.Errorf("parseSearch(%q, %v).fts5() = %q, want %q", tc.in, tc.typing, got, tc.fts5)
		}
		if got := q.tsquery(); got != tc.tsquery {
			t.Errorf("parseSearch(%q, %v).tsquery() = %q, want %q", tc.in, tc.typing, got, tc.tsquery)
		}
		if q.empty() == tc.nonempty {
			t.Errorf("parseSearch(%q).empty() = %v", tc.in, q.empty())
		}
	}
}

func TestParseSearchBounds(t *testing.T) {
	q := parseSearch(strings.Repeat("word ", 100), true)
	if len(q.terms) != 1 {
		t.Errorf("repeated word: %d terms", len(q.terms))
	}
	var many []string
	for i := range 100 {
		many = append(many, "w"+strings.Repeat("x", i%7)+string(rune('a'+i%26)))
	}
	q = parseSearch(strings.Join(many, " "), false)
	words := 0
	for _, term := range q.terms {
		words += len(term.words)
	}
	if words > maxQueryWords {
		t.Errorf("%d words kept, want at most %d", words, maxQueryWords)
	}
	// A huge input is cut at a character boundary and its end is no prefix.
	q = parseSearch(strings.Repeat("é", 10_000), true)
	if !q.empty() {
		t.Errorf("one 20 KB word: %v, want nothing (too long to be a word)", q)
	}
	q = parseSearch(strings.Repeat("ab ", 5000)+"cd", true)
	if q.String() != "ab" {
		t.Errorf("long input: %q", q.String())
	}
}

func TestIndexText(t *testing.T) {
	for in, want := range map[string]string{
		"Erdoğan's Zürich, naïve CAFÉ!":   "erdogan s zurich naive cafe",
		"foo-bar 3.5% e-mail@x.org":       "foo bar 3 5 e mail x org",
		"Zu\u0308rich \u0301lone-mark":    "zurich lone mark",
		"Ελλάδα Москва 東京 ١٢٣":            "ελλαδα москва 東京 ١٢٣",
		"İstanbul ISTANBUL ıstanbul":      "istanbul istanbul istanbul",
		"<b>tags</b> &amp; stay as words": "b tags b amp stay as words",
		"":                                "",
		"\x00\x01 ctrl\x7f":               "ctrl",
		"\xff\xfebad utf8":                "bad utf8",
		strings.Repeat("x", 101) + " ok":  "ok",
	} {
		if got := indexText(in); got != want {
			t.Errorf("indexText(%q) = %q, want %q", in, got, want)
		}
	}
	long := strings.Repeat("word ", maxFieldBytes)
	if got := indexText(long); len(got) > maxFieldBytes || len(got) < maxFieldBytes-10 {
		t.Errorf("indexText of %d bytes gave %d bytes, want just under %d", len(long), len(got), maxFieldBytes)
	}
}

func TestHighlight(t *testing.T) {
	h := newHighlighter(parseSearch(`"balance of power" asi`, true))
	got, ok := h.whole(`The <Balance> of POWER & the balance in Asia's east.`)
	want := `The &lt;<mark>Balance</mark>&gt; <mark>of POWER</mark> &amp; the balance in <mark>Asia</mark>&#39;s east.`
	if got != want || !ok {
		t.Errorf("whole = %q, %v\nwant %q", got, ok, want)
	}
	if got, ok := h.whole("nothing here <"); got != "nothing here &lt;" || ok {
		t.Errorf("whole without a match = %q, %v", got, ok)
	}

	long := strings.Repeat("filler words go here. ", 30) + "Then Asia appears. " + strings.Repeat("more filler. ", 30)
	got, ok = h.snippet(long)
	if !ok || !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") || !strings.Contains(got, "<mark>Asia</mark>") {
		t.Errorf("snippet = %q, %v", got, ok)
	}
	if n := len(strings.Fields(got)); n > snippetWords+2 {
		t.Errorf("snippet has %d words", n)
	}
	// The snippet starts at the sentence of the match.
	if !strings.HasPrefix(got, "…Then <mark>Asia</mark>") {
		t.Errorf("snippet = %q, want it to start at its sentence", got)
	}
	got, ok = h.snippet("No match at all in this text.")
	if ok || got != "No match at all in this text." {
		t.Errorf("snippet without a match = %q, %v", got, ok)
	}
}

// ftsRig is a SQLite FTS5 table made like the store's, shared by the fuzz
// inputs.
var ftsRig struct {
	once sync.Once
	db   *sql.DB
	err  error
}

func ftsTable(t testing.TB) *sql.DB {
	ftsRig.once.Do(func() {
		dir, err := os.MkdirTemp("", "masthead-fts")
		if err != nil {
			ftsRig.err = err
			return
		}
		db, err := sql.Open("sqlite", filepath.Join(dir, "fts.db"))
		if err != nil {
			ftsRig.err = err
			return
		}
		ms, err := migrations(dialectSQLite)
		if err != nil {
			ftsRig.err = err
			return
		}
		for _, m := range ms {
			if strings.Contains(m.sql, "fts5") {
				_, ftsRig.err = db.Exec(m.sql)
			}
		}
		if ftsRig.err == nil {
			body := indexText("Erdoğan met 東京 officials near Москва.")
			_, ftsRig.err = db.Exec(`INSERT INTO post_search (rowid, title, deck, authors, tags, body, pairs) VALUES (1, ?, ?, ?, ?, ?, ?)`,
				indexText("The Strait After the Ceasefire"), "", indexText("Ana Lima"), "", body,
				strings.Join(appendPairs(nil, strings.Fields(body)), " "))
		}
		ftsRig.db = db
	})
	if ftsRig.err != nil {
		t.Fatalf("FTS table: %v", ftsRig.err)
	}
	return ftsRig.db
}

// FuzzParseSearch checks, for any input, that parsing never panics, that
// the query is well-formed UTF-8 within bounds, that SQLite's FTS5 accepts
// the query it makes, and that the highlighter marks only escaped text.
func FuzzParseSearch(f *testing.F) {
	for _, s := range []string{
		"", `"`, `"a b`, `a"b"c`, "near*", "NEAR(a b, 3)", "a AND b OR NOT c", "-a +b ^c col:d", "a & b | !c <-> d:*",
		`'; DROP TABLE posts; --`, "😀", "東京", "Zu\u0308rich", "\x00\xff", strings.Repeat("x ", 600), `{title}: a`,
		"ः", "a\u0301", "१२३", "½ ² ①",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, in string, typing bool) {
		q := parseSearch(in, typing)
		words := 0
		for _, term := range q.terms {
			if len(term.words) == 0 {
				t.Fatalf("empty term from %q", in)
			}
			for _, w := range term.words {
				words++
				if w == "" || len(w) > maxWordBytes || !utf8.ValidString(w) || strings.ContainsAny(w, `"'\ *:&|!()<>`) {
					t.Fatalf("bad word %q from %q", w, in)
				}
			}
		}
		if words > maxQueryWords {
			t.Fatalf("%d words from %q", words, in)
		}
		if !q.empty() {
			db := ftsTable(t)
			var n int
			if err := db.QueryRowContext(context.Background(),
				`SELECT COUNT(*) FROM post_search WHERE post_search MATCH ?`, q.fts5Match()).Scan(&n); err != nil {
				t.Fatalf("FTS5 refused %q (from %q): %v", q.fts5Match(), in, err)
			}
		}
		out, _ := newHighlighter(q).snippet(in)
		plain := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(out)
		if strings.ContainsAny(plain, "<>\"") {
			t.Fatalf("snippet of %q leaks markup: %q", in, out)
		}
	})
}

// nastyQueries returns many inputs made of query syntax, quotes, marks,
// other scripts and control characters, the same on every run.
func nastyQueries() []string {
	pieces := []string{`"`, `'`, `\`, "*", "^", ":", "(", ")", "{", "}", "-", "+", "&", "|", "!", "<->", "<2>", ":*",
		"NEAR", "AND", "OR", "NOT", "a", "bc", "é", "e\u0301", "\u0301", "ः", "東京", "москва", "😀", "\x00", "\xff",
		" ", "  ", "\t", "\n", "1", "3.5", "½", "x²", ";", "--", "/*", "%", "_", "$1", "?"}
	var out []string
	seed := uint32(2463534242)
	next := func() uint32 { // xorshift: deterministic and dependency-free
		seed ^= seed << 13
		seed ^= seed >> 17
		seed ^= seed << 5
		return seed
	}
	for range 3000 {
		var b strings.Builder
		for range 1 + next()%12 {
			b.WriteString(pieces[next()%uint32(len(pieces))])
		}
		out = append(out, b.String())
	}
	return out
}

// TestQueriesAcceptedByDatabases runs thousands of hostile inputs through
// the parser and hands the result to SQLite's FTS5 and, when configured,
// PostgreSQL's to_tsquery: neither may refuse one.
func TestQueriesAcceptedByDatabases(t *testing.T) {
	db := ftsTable(t)
	var pg *sql.DB
	if url := os.Getenv("MASTHEAD_TEST_POSTGRES"); url != "" {
		var err error
		if pg, err = sql.Open("pgx", url); err != nil {
			t.Fatal(err)
		}
		defer pg.Close()
	}
	ctx := context.Background()
	for _, in := range nastyQueries() {
		for _, typing := range []bool{false, true} {
			q := parseSearch(in, typing)
			if q.empty() {
				continue
			}
			var n int
			for _, m := range []string{q.fts5Match(), q.fts5Match() + ` "_s1" "_a2"`, "{title} : (" + q.fts5() + ")"} {
				if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM post_search WHERE post_search MATCH ?`, m).Scan(&n); err != nil {
					t.Fatalf("FTS5 refused %q (from %q): %v", m, in, err)
				}
			}
			if pg != nil {
				var s string
				pairs := q.pairsTsquery()
				if pairs == "" {
					pairs = "x"
				}
				words := q.tsqueryWords()
				if words == "" {
					words = "x"
				}
				if err := pg.QueryRowContext(ctx, `SELECT (to_tsquery('simple', $1) && to_tsquery('simple', $2) && $3::tsquery)::text`,
					q.tsquery(), words, pairs).Scan(&s); err != nil {
					t.Fatalf("PostgreSQL refused %q, %q and %q (from %q): %v", q.tsquery(), q.tsqueryWords(), pairs, in, err)
				}
			}
		}
	}
}

func TestSearchPairs(t *testing.T) {
	q := parseSearch(`"balance of power" asia "strait of hor`, true)
	if got, want := q.fts5Match(), `"balance of power" "asia" "strait of hor"* "_balance_of" "_of_power" "_strait_of"`; got != want {
		t.Errorf("fts5Match = %q, want %q", got, want)
	}
	if got, want := q.pairsTsquery(), `'_balance_of' & '_of_power' & '_strait_of'`; got != want {
		t.Errorf("pairsTsquery = %q, want %q", got, want)
	}
	if got, want := q.tsqueryWords(), `'asia' & 'hor':*`; got != want {
		t.Errorf("tsqueryWords = %q, want %q", got, want)
	}
	q = parseSearch("no phrase here", false)
	if got := q.tsqueryWords(); got != `'no' & 'phrase' & 'here'` {
		t.Errorf("tsqueryWords without phrases = %q", got)
	}
	if got := parseSearch(`"balance of`, true).tsqueryWords(); got != `'balance' & 'of':*` {
		t.Errorf("tsqueryWords of a two-word phrase being typed = %q", got)
	}
	if got := parseSearch(`"balance of power"`, false).tsqueryWords(); got != "" {
		t.Errorf("tsqueryWords of a phrase = %q, want nothing (the pairs hold it)", got)
	}
	if got := q.fts5Match(); got != `"no" "phrase" "here"` || q.pairsTsquery() != "" {
		t.Errorf("without phrases: %q %q", got, q.pairsTsquery())
	}
}
