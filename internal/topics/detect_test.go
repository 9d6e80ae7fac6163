package topics

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDetectHandlesWritingVariants(t *testing.T) {
	d := builtin(t).Compile()
	tests := []struct {
		text string
		want []string
	}{
		{"Iran’s and Iran's and Iran‘s", []string{"iran"}},
		{"the Iranian-backed and Iranian‑backed militias", []string{"iran"}},
		{"“Iran”, «Iran» and \"Iran\"", []string{"iran"}},
		{"the United\nStates and the United  States", []string{"united-states"}},
		{"Ira\u00adnian and I\u200bran", []string{"iran"}},
		{"Iran–Iraq and Iran—Iraq", []string{"iran", "iraq"}},
		{"**Iran** and _Iraq_ and [Syria](/syria)", []string{"iran", "iraq", "syria"}},
		{"Iranians, Iraqis", []string{"iran", "iraq"}},
		{"Omani, Roman, romance", []string{"oman"}},
		{"Nigeria", []string{"nigeria"}},
		{"Niger", []string{"niger"}},
		{"Nigerien", []string{"niger"}},
		{"Guinea-Bissau and Equatorial Guinea and Guinea", []string{"guinea-bissau", "equatorial-guinea", "guinea"}},
		{"South Sudan", []string{"south-sudan"}},
		{"the Democratic Republic of the Congo", []string{"dr-congo"}},
		{"Тегеран и Иран", nil},
		{"伊朗和美国", nil},
		{"iran and iraq in lower case", nil},
	}
	for _, tt := range tests {
		got := slugs(d.Suggest(tt.text))
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("Suggest(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestDetectReportsPositionsAndCounts(t *testing.T) {
	d := builtin(t).Compile()
	text := "Tehran, it said — Iran’s government — and the Iranians. Russia too."
	got := d.Suggest(text)
	if len(got) != 2 || got[0].Slug != "iran" || got[1].Slug != "russia" {
		t.Fatalf("Suggest = %v", slugs(got))
	}
	iran := got[0]
	if iran.Count != 3 || len(iran.Mentions) != 3 || iran.Confidence != 1 || iran.Code != "IR" || iran.Region != "Middle East" {
		t.Errorf("iran = %+v", iran)
	}
	for _, m := range iran.Mentions {
		if text[m.Start:m.End] != m.Text {
			t.Errorf("mention %+v does not match the text at its offsets", m)
		}
	}
	if iran.Mentions[1].Text != "Iran" || iran.Mentions[2].Text != "Iranians" {
		t.Errorf("mentions = %+v", iran.Mentions)
	}
}

func TestCaseRules(t *testing.T) {
	d := builtin(t).Compile()
	for text, want := range map[string]string{
		"Tell us about it":            "",
		"the US position":             "united-states",
		"US":                          "united-states",
		"Who knows":                   "",
		"the WHO said":                "who",
		"china cups":                  "",
		"China":                       "china",
		"a chad":                      "",
		"Chad":                        "chad",
		"a turkey":                    "",
		"guinea fowl":                 "",
		"WHAT IT MEANS FOR US":        "",
		"TALKS BETWEEN THE US AND EU": "european-union",
	} {
		got := strings.Join(slugs(d.Suggest(text)), ",")
		if got != want {
			t.Errorf("Suggest(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestAmbiguousNamesScoreLower(t *testing.T) {
	d := builtin(t).Compile()
	got := d.Detect("Georgia said so.")
	if len(got) != 1 || got[0].Confidence != 0.6 {
		t.Fatalf("Detect = %+v", got)
	}
	// Low-confidence mentions are reported by Detect but not suggested.
	got = d.Detect("Jordan scored again for the Bulls.")
	if len(got) != 1 || got[0].Confidence >= MinConfidence || got[0].Count != 0 {
		t.Fatalf("Detect = %+v", got)
	}
	if s := d.Suggest("Jordan scored again for the Bulls."); len(s) != 0 {
		t.Errorf("Suggest = %v", slugs(s))
	}
}

func TestEmptyGazetteerAndText(t *testing.T) {
	if got := New().Compile().Detect("Iran"); got != nil {
		t.Errorf("empty gazetteer found %v", got)
	}
	if got := builtin(t).Compile().Detect(""); got != nil {
		t.Errorf("empty text gave %v", got)
	}
}

// article builds a text of about n words of prose that names a few
// dozen entries, like a long foreign-affairs piece.
func article(n int, seed uint64) string {
	words := strings.Fields(`the government said on Tuesday that talks would resume after a pause of
		several months while officials in the region warned of escalation and analysts doubted that
		sanctions could change the calculus of leaders who have weathered pressure before and the
		economy shrank as inflation rose`)
	names := []string{"Iran", "Tehran", "the United States", "Washington", "Israel", "Saudi Arabia", "Qatar",
		"the IAEA", "NATO", "Russia's", "Ukrainian", "China", "the EU", "Georgia", "Jordan", "Turkey", "the UN",
		"U.S.", "Iraqi", "Lebanon", "Hezbollah", "Brussels"}
	r := rand.New(rand.NewPCG(seed, 1))
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		if r.IntN(25) == 0 {
			b.WriteString(names[r.IntN(len(names))])
		} else {
			b.WriteString(words[r.IntN(len(words))])
		}
		if r.IntN(18) == 0 {
			b.WriteString(".")
		}
	}
	return b.String()
}

// TestHugeTextIsLinear holds the work of detection to a constant per rune,
// counted rather than timed: the automaton never backtracks, so transitions
// plus failure links stay within a small multiple of the text's length
// whatever its size.
func TestHugeTextIsLinear(t *testing.T) {
	d := builtin(t).Compile()
	size := 10 << 20
	if testing.Short() || raceEnabled {
		size = 2 << 20
	}
	var b strings.Builder
	for b.Len() < size {
		b.WriteString(article(2000, uint64(b.Len())))
		b.WriteString("\n\n")
	}
	text := b.String()
	var st scanStats
	got := d.detect(text, &st)
	if len(got) == 0 {
		t.Fatal("found nothing")
	}
	t.Logf("%d bytes: %d runes, %d steps, %d candidates", len(text), st.runes, st.steps, st.candidates)
	if st.runes == 0 || st.steps > 3*st.runes {
		t.Errorf("%d steps for %d runes: more than 3 per rune", st.steps, st.runes)
	}
	for _, s := range got {
		if len(s.Mentions) > MaxMentions {
			t.Errorf("%s keeps %d mentions", s.Slug, len(s.Mentions))
		}
	}
	// Adversarial input: one alias's prefix repeated, which makes naive
	// matchers rescan.
	text = strings.Repeat("United Nations United Nation United Natio ", size/43)
	st = scanStats{}
	d.detect(text, &st)
	if st.steps > 3*st.runes {
		t.Errorf("repeated prefixes: %d steps for %d runes", st.steps, st.runes)
	}
}

func FuzzDetect(f *testing.F) {
	for _, s := range []string{"", "Iran", "Georgia's governor", "US\u00ad", "U.S.", "Тегеран", "伊朗",
		"\xff\xfe", "Chad Smith", "Jordan’s", strings.Repeat("Niger", 100), "“Turkey”", "WHO IS"} {
		f.Add(s)
	}
	d := builtin(f).Compile()
	f.Fuzz(func(t *testing.T, text string) {
		var st scanStats
		for _, s := range d.detect(text, &st) {
			if s.Confidence <= 0 || s.Confidence > 1 {
				t.Errorf("%s: confidence %g", s.Slug, s.Confidence)
			}
			last := -1
			for _, m := range s.Mentions {
				if m.Start < 0 || m.End > len(text) || m.Start >= m.End || text[m.Start:m.End] != m.Text {
					t.Fatalf("bad mention %+v", m)
				}
				if m.Start < last {
					t.Errorf("mentions out of order")
				}
				last = m.End
			}
		}
		if st.steps > 3*utf8.RuneCountInString(text)+3 {
			t.Errorf("%d steps for %q", st.steps, text)
		}
	})
}

func BenchmarkDetect2000Words(b *testing.B) {
	d := builtin(b).Compile()
	text := article(2000, 7)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		d.Detect(text)
	}
}

func BenchmarkCompile(b *testing.B) {
	g := builtin(b)
	d := g.Compile()
	b.Logf("%d entries, %d patterns, %d automaton nodes", len(d.entries), len(d.pats), len(d.nodes))
	for b.Loop() {
		g.Compile()
	}
}
