package topics

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"
)

type labelled struct {
	line     int
	expected []string
	text     string
}

func readLabelled(t *testing.T) []labelled {
	t.Helper()
	f, err := os.Open("testdata/labelled.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		want, text, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("labelled.tsv:%d: no tab", n)
		}
		var exp []string
		if want != "-" {
			exp = strings.Split(want, ",")
		}
		out = append(out, labelled{line: n, expected: exp, text: text})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestLabelledSet measures suggestions against sentences labelled by hand,
// counting (sentence, entry) pairs: precision is the share of suggested
// pairs that were expected, recall the share of expected pairs suggested.
//
// The thresholds sit a little under what the detector reaches today
// (precision 0.98, recall 0.99 on 334 sentences), so a change that makes
// suggestions worse fails here while a new hard sentence or two does not.
// The misses left in the set are kept on purpose: languages read as
// countries ("fluent Spanish"), idioms ("Mexican standoff"), "US Open",
// headlines in capitals, Tripoli in Lebanon. Precision is held higher
// than recall on purpose: an editor rejects a wrong suggestion by hand, but
// a wrong topic that slips through puts an article on the wrong topic page
// and in strangers' alerts, while a missed topic is usually caught by the
// article's other mentions of it. The set leans hard on the ambiguous names
// (Georgia, Jordan, Chad, Turkey, Niger, China, Washington, America, US,
// WHO), so these figures are lower than on ordinary articles.
func TestLabelledSet(t *testing.T) {
	const minPrecision, minRecall = 0.95, 0.97
	g, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	d := g.Compile()
	set := readLabelled(t)
	if len(set) < 200 {
		t.Fatalf("labelled set has %d sentences, want at least 200", len(set))
	}
	var tp, fp, fn int
	for _, l := range set {
		for _, s := range l.expected {
			if _, ok := g.Entry(s); !ok {
				t.Errorf("labelled.tsv:%d: unknown slug %q", l.line, s)
			}
		}
		var got []string
		for _, s := range d.Suggest(l.text) {
			got = append(got, s.Slug)
		}
		for _, s := range got {
			if slices.Contains(l.expected, s) {
				tp++
			} else {
				fp++
				t.Logf("labelled.tsv:%d: wrong %s in %q", l.line, s, l.text)
			}
		}
		for _, s := range l.expected {
			if !slices.Contains(got, s) {
				fn++
				t.Logf("labelled.tsv:%d: missed %s in %q", l.line, s, l.text)
			}
		}
	}
	precision := float64(tp) / float64(tp+fp)
	recall := float64(tp) / float64(tp+fn)
	t.Logf("%d sentences: precision %.3f (%d/%d), recall %.3f (%d/%d)", len(set), precision, tp, tp+fp, recall, tp, tp+fn)
	if precision < minPrecision {
		t.Errorf("precision %.3f is below %.2f", precision, minPrecision)
	}
	if recall < minRecall {
		t.Errorf("recall %.3f is below %.2f", recall, minRecall)
	}
}
