package topics

import (
	"cmp"
	"slices"
	"unicode"
	"unicode/utf8"
)

// Detector finds the gazetteer's entries in texts. It is compiled once from
// a Gazetteer and is safe for concurrent use; edits to the gazetteer need a
// new Detector.
//
// Detection is one pass over the text: each rune is folded (see foldRune)
// and fed to an Aho–Corasick automaton over every alias, so the work grows
// with the length of the text and not with the number of aliases. Matches
// must start and end at word boundaries and respect the alias's capitals;
// overlapping matches are settled leftmost-longest, so "Papua New Guinea"
// wins over "Guinea"; matches of blocked phrases are then dropped, and
// context rules (rules.go) score the rest.
type Detector struct {
	nodes []acNode
	// root holds the root's transitions for ASCII runes, the common case
	// after a mismatch.
	root    [128]int32
	pats    []pattern
	maxLen  int
	entries []Entry
	keys    map[string]bool
}

type acNode struct {
	keys []rune // sorted
	next []int32
	fail int32
	// pat is the pattern ending here, or -1; dict is the nearest node on
	// the failure chain with a pattern, or -1.
	pat  int32
	dict int32
}

type pattern struct {
	text      string
	n         int
	upper     []bool
	firstWord bool // the first rune is a letter or digit: needs a boundary before
	lastWord  bool
	entry     int32 // index in entries; -1 for a blocked phrase
	conf      float64
	rules     []func(*mentionContext) float64
}

// Mention is one place a text names an entry.
type Mention struct {
	Start, End int    // byte offsets in the text
	Text       string // the text as written
	Alias      string // the alias it matched
	Confidence float64
}

// Suggestion is an entry found in a text.
type Suggestion struct {
	Slug   string
	Name   string
	Kind   Kind
	Code   string
	Region string
	// Count is how many mentions reach MinConfidence.
	Count int
	// Confidence is the highest confidence of its mentions.
	Confidence float64
	// Mentions are the first MaxMentions mentions, in text order.
	Mentions []Mention
}

// MaxMentions bounds the mentions kept per suggestion, so a huge text does
// not make a huge result; Count counts them all.
const MaxMentions = 100

// Compile builds a Detector for the gazetteer as it is now.
func (g *Gazetteer) Compile() *Detector {
	d := &Detector{entries: g.Entries(), keys: map[string]bool{}}
	d.nodes = append(d.nodes, acNode{pat: -1, dict: -1})
	for i, e := range d.entries {
		name := Alias{Text: e.Name, Confidence: 1}
		nameKey := aliasKey(e.Name)
		var rest []Alias
		for _, a := range e.Aliases {
			if aliasKey(a.Text) == nameKey {
				// The name written as an alias: its confidence and rules
				// apply to the name, and its capitals if they are fewer.
				name.Confidence, name.Rules = a.Confidence, a.Rules
				if capitals(a.Text) < capitals(name.Text) {
					name.Text = a.Text
				}
				continue
			}
			rest = append(rest, a)
		}
		for _, a := range append([]Alias{name}, rest...) {
			d.add(a.Text, int32(i), a.Confidence, a.Rules)
		}
	}
	for _, b := range g.blocks {
		d.add(b, -1, 0, nil)
	}
	d.link()
	return d
}

func (d *Detector) add(text string, entry int32, conf float64, ruleNames []string) {
	f := foldAlias(text)
	if len(f.runes) == 0 {
		return
	}
	key := string(f.runes)
	if entry >= 0 {
		d.keys[key] = true
	}
	p := pattern{text: text, n: len(f.runes), upper: f.upper, entry: entry, conf: conf,
		firstWord: isWordRune(f.runes[0]), lastWord: isWordRune(f.runes[len(f.runes)-1])}
	for _, name := range ruleNames {
		if fn, ok := ruleByName(name); ok {
			p.rules = append(p.rules, fn)
		}
	}
	s := int32(0)
	for _, r := range f.runes {
		n := &d.nodes[s]
		i, found := slices.BinarySearch(n.keys, r)
		if found {
			s = n.next[i]
			continue
		}
		child := int32(len(d.nodes))
		n.keys = slices.Insert(n.keys, i, r)
		n.next = slices.Insert(n.next, i, child)
		d.nodes = append(d.nodes, acNode{pat: -1, dict: -1})
		s = child
	}
	if d.nodes[s].pat >= 0 {
		// The gazetteer keeps keys unique; a repeat changes nothing.
		return
	}
	d.nodes[s].pat = int32(len(d.pats))
	d.pats = append(d.pats, p)
	d.maxLen = max(d.maxLen, p.n)
}

// link computes failure and dictionary links breadth first.
func (d *Detector) link() {
	for i := range d.root {
		d.root[i] = -1
	}
	queue := make([]int32, 0, len(d.nodes))
	root := &d.nodes[0]
	for i, r := range root.keys {
		c := root.next[i]
		if r < 128 {
			d.root[r] = c
		}
		d.nodes[c].fail = 0
		queue = append(queue, c)
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		n := d.nodes[s]
		for i, r := range n.keys {
			c := n.next[i]
			f := n.fail
			for {
				if t := d.child(f, r); t >= 0 {
					d.nodes[c].fail = t
					break
				}
				if f == 0 {
					d.nodes[c].fail = 0
					break
				}
				f = d.nodes[f].fail
			}
			fl := d.nodes[c].fail
			if d.nodes[fl].pat >= 0 {
				d.nodes[c].dict = fl
			} else {
				d.nodes[c].dict = d.nodes[fl].dict
			}
			queue = append(queue, c)
		}
	}
}

func (d *Detector) child(s int32, r rune) int32 {
	if s == 0 && r >= 0 && r < 128 {
		return d.root[r]
	}
	n := &d.nodes[s]
	if len(n.keys) <= 8 {
		for i, k := range n.keys {
			if k == r {
				return n.next[i]
			}
		}
		return -1
	}
	if i, ok := slices.BinarySearch(n.keys, r); ok {
		return n.next[i]
	}
	return -1
}

func capitals(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsUpper(r) {
			n++
		}
	}
	return n
}

// isAlias reports whether w is a name or alias of some entry.
func (d *Detector) isAlias(w string) bool {
	return d.keys[aliasKey(possessive(w))]
}

// Entries returns the entries the detector looks for.
func (d *Detector) Entries() []Entry {
	out := make([]Entry, len(d.entries))
	for i, e := range d.entries {
		out[i] = cloneEntry(e)
	}
	return out
}

// scanStats counts the detector's work, so tests can hold it linear.
type scanStats struct {
	runes      int // folded runes fed to the automaton
	steps      int // automaton transitions, failure links included
	candidates int // matches that passed boundary and case checks
}

// slot is one folded rune in the look-back window.
type slot struct {
	orig, folded rune
	off, size    int
}

type candidate struct {
	pat        int32
	start, end int // rune indexes in the folded stream, end exclusive
	byteStart  int
	byteEnd    int
}

// Detect returns every entry mentioned in text with its mentions and
// confidence, most mentioned first. Use Suggest for the confident ones.
func (d *Detector) Detect(text string) []Suggestion {
	return d.detect(text, nil)
}

// Suggest returns the entries Detect finds with a confidence of at least
// MinConfidence: the topics to offer an editor.
func (d *Detector) Suggest(text string) []Suggestion {
	var out []Suggestion
	for _, s := range d.detect(text, nil) {
		if s.Confidence >= MinConfidence {
			out = append(out, s)
		}
	}
	return out
}

type accumulator struct {
	entry      int32
	count      int
	confidence float64
	first      int
	mentions   []Mention
}

func (d *Detector) detect(text string, st *scanStats) []Suggestion {
	if st == nil {
		st = &scanStats{}
	}
	if len(d.pats) == 0 || text == "" {
		return nil
	}
	ringSize := d.maxLen + 2
	ring := make([]slot, ringSize)
	var (
		state    int32
		idx      = -1
		lastFold = ' '
		waiting  []candidate // need the rune after them to be a boundary
		pending  []candidate // passed all checks, waiting for selection
		lastEnd  = -1
		accs     = map[int32]*accumulator{}
	)
	selectUpTo := func(limit int) {
		n := 0
		for n < len(pending) && pending[n].start < limit {
			c := pending[n]
			n++
			if c.start < lastEnd {
				continue
			}
			lastEnd = c.end
			d.accept(text, c, accs)
		}
		pending = pending[n:]
	}
	commit := func(c candidate) {
		st.candidates++
		// Keep pending ordered by start, the longest first.
		i, _ := slices.BinarySearchFunc(pending, c, func(a, b candidate) int {
			if a.start != b.start {
				return cmp.Compare(a.start, b.start)
			}
			return cmp.Compare(b.end, a.end)
		})
		pending = slices.Insert(pending, i, c)
	}
	for off, r := range text {
		f, ok := foldRune(r)
		if !ok {
			continue
		}
		if f == ' ' && lastFold == ' ' {
			continue
		}
		lastFold = f
		idx++
		st.runes++
		size := utf8.RuneLen(r)
		if r == utf8.RuneError {
			_, size = utf8.DecodeRuneInString(text[off:])
		}
		ring[idx%ringSize] = slot{orig: r, folded: f, off: off, size: size}
		if len(waiting) > 0 {
			if !isWordRune(f) {
				for _, c := range waiting {
					commit(c)
				}
			}
			waiting = waiting[:0]
		}
		for {
			st.steps++
			if c := d.child(state, f); c >= 0 {
				state = c
				break
			}
			if state == 0 {
				break
			}
			state = d.nodes[state].fail
		}
		o := state
		if d.nodes[o].pat < 0 {
			o = d.nodes[o].dict
		}
		for ; o > 0; o = d.nodes[o].dict {
			st.steps++
			pi := d.nodes[o].pat
			p := &d.pats[pi]
			start := idx - p.n + 1
			if p.firstWord && start > 0 && isWordRune(ring[(start-1)%ringSize].folded) {
				continue
			}
			caseOK := true
			for k, up := range p.upper {
				if up && !unicode.IsUpper(ring[(start+k)%ringSize].orig) {
					caseOK = false
					break
				}
			}
			if !caseOK {
				continue
			}
			c := candidate{pat: pi, start: start, end: idx + 1,
				byteStart: ring[start%ringSize].off, byteEnd: off + size}
			if p.lastWord {
				waiting = append(waiting, c)
			} else {
				commit(c)
			}
		}
		// Nothing found later can start before idx+1-maxLen.
		if len(pending) > 0 && pending[0].start < idx+1-d.maxLen {
			selectUpTo(idx + 1 - d.maxLen)
		}
	}
	for _, c := range waiting {
		commit(c)
	}
	selectUpTo(idx + 2)
	return d.results(accs)
}

// accept scores a selected match and adds it to its entry.
func (d *Detector) accept(text string, c candidate, accs map[int32]*accumulator) {
	p := &d.pats[c.pat]
	if p.entry < 0 {
		return
	}
	conf := p.conf
	if len(p.rules) > 0 {
		mc := &mentionContext{text: text, start: c.byteStart, end: c.byteEnd, entry: d.entries[p.entry].Slug, d: d}
		mc.before, mc.after, mc.possessive = wordsAround(text, c.byteStart, c.byteEnd, contextWords)
		for _, rule := range p.rules {
			conf *= rule(mc)
		}
	}
	if conf <= 0 {
		return
	}
	a := accs[p.entry]
	if a == nil {
		a = &accumulator{entry: p.entry, first: c.byteStart}
		accs[p.entry] = a
	}
	if conf >= MinConfidence {
		a.count++
	}
	a.confidence = max(a.confidence, conf)
	if len(a.mentions) < MaxMentions {
		a.mentions = append(a.mentions, Mention{Start: c.byteStart, End: c.byteEnd,
			Text: text[c.byteStart:c.byteEnd], Alias: p.text, Confidence: conf})
	}
}

func (d *Detector) results(accs map[int32]*accumulator) []Suggestion {
	out := make([]Suggestion, 0, len(accs))
	firsts := make(map[string]int, len(accs))
	for _, a := range accs {
		e := d.entries[a.entry]
		out = append(out, Suggestion{Slug: e.Slug, Name: e.Name, Kind: e.Kind, Code: e.Code, Region: e.Region,
			Count: a.count, Confidence: a.confidence, Mentions: a.mentions})
		firsts[e.Slug] = a.first
	}
	slices.SortFunc(out, func(a, b Suggestion) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Confidence, a.Confidence); c != 0 {
			return c
		}
		return cmp.Compare(firsts[a.Slug], firsts[b.Slug])
	})
	return out
}
