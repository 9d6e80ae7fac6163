package topics

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func builtin(t testing.TB) *Gazetteer {
	t.Helper()
	g, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestBuiltinCoversTheUN(t *testing.T) {
	g := builtin(t)
	members, observers := 0, 0
	codes := map[string]string{}
	for _, e := range g.Entries() {
		switch e.UNStatus {
		case "member":
			members++
		case "observer":
			observers++
		}
		if e.Kind == KindCountry || e.Kind == KindTerritory {
			if e.Region == "" {
				t.Errorf("%s has no region", e.Slug)
			}
			if e.Kind == KindCountry && len(e.Code) != 2 {
				t.Errorf("%s has no ISO code", e.Slug)
			}
		}
		if e.Code != "" {
			if other, ok := codes[e.Code]; ok {
				t.Errorf("code %s is used by %s and %s", e.Code, other, e.Slug)
			}
			codes[e.Code] = e.Slug
		}
		if !e.Builtin {
			t.Errorf("%s is not marked built-in", e.Slug)
		}
	}
	if members != 193 || observers != 2 {
		t.Errorf("%d members and %d observers, want 193 and 2", members, observers)
	}
	for _, slug := range []string{"holy-see", "palestine", "taiwan", "kosovo", "western-sahara", "hong-kong",
		"greenland", "puerto-rico", "united-nations", "nato", "european-union", "african-union", "asean", "brics",
		"sco", "opec", "iaea", "who", "wto", "imf", "world-bank", "g7", "g20", "osce", "arab-league", "gcc",
		"ecowas", "mercosur"} {
		if _, ok := g.Entry(slug); !ok {
			t.Errorf("no entry %q", slug)
		}
	}
}

func TestBuiltinAliases(t *testing.T) {
	d := builtin(t).Compile()
	for text, want := range map[string]string{
		"the Iranian position":               "iran",
		"Tehran said":                        "iran",
		"the U.S. envoy":                     "united-states",
		"the United States envoy":            "united-states",
		"America wants":                      "united-states",
		"Washington wants":                   "united-states",
		"Kyiv and":                           "ukraine",
		"Kiev and":                           "ukraine",
		"the Kremlin":                        "russia",
		"Türkiye":                            "turkey",
		"Turkiye":                            "turkey",
		"TÜRKIYE":                            "turkey",
		"Côte d’Ivoire":                      "cote-divoire",
		"North Atlantic Treaty Organization": "nato",
		"Nato":                               "nato",
		"the Group of Seven":                 "g7",
		"Sahrawi refugees":                   "western-sahara",
		"Hongkongers":                        "hong-kong",
	} {
		got := d.Suggest(text)
		if len(got) != 1 || got[0].Slug != want {
			t.Errorf("Suggest(%q) = %v, want %s", text, slugs(got), want)
		}
	}
}

func slugs(ss []Suggestion) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Slug)
	}
	return out
}

func TestAddRefusesDuplicateAliasesAndLoops(t *testing.T) {
	g := builtin(t)
	taliban := Entry{Slug: "taliban", Name: "Taliban", Kind: KindGroup, Aliases: []Alias{{Text: "Islamic Emirate of Afghanistan"}}}
	if err := g.Add(taliban); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		entry Entry
		kind  error
		msg   string
	}{
		{"alias of another entry", Entry{Slug: "khamenei", Name: "Ali Khamenei", Kind: KindPerson,
			Aliases: []Alias{{Text: "Supreme Leader"}, {Text: "Tehran"}}},
			ErrDuplicateAlias, `alias "Tehran" of "khamenei" already points to Iran (iran)`},
		{"alias in another case", Entry{Slug: "khamenei", Name: "Ali Khamenei", Kind: KindPerson,
			Aliases: []Alias{{Text: "TEHRAN"}}},
			ErrDuplicateAlias, `already points to Iran (iran)`},
		{"alias is another entry's name", Entry{Slug: "ayatollahs", Name: "Ayatollahs", Kind: KindGroup,
			Aliases: []Alias{{Text: "Iran"}}},
			ErrAliasLoop, `alias "Iran" of "ayatollahs" is the name of Iran (iran)`},
		{"name is another entry's alias", Entry{Slug: "emirate", Name: "Islamic Emirate of Afghanistan", Kind: KindOther},
			ErrAliasLoop, `name "Islamic Emirate of Afghanistan" of "emirate" is already an alias of Taliban (taliban)`},
		{"name is another entry's name", Entry{Slug: "taliban-2", Name: "taliban", Kind: KindGroup},
			ErrAliasLoop, `is the name of Taliban (taliban)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := g.Len()
			err := g.Add(tt.entry)
			var ce *ConflictError
			if !errors.As(err, &ce) || !errors.Is(err, tt.kind) {
				t.Fatalf("Add: %v, want a %v conflict", err, tt.kind)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("message %q does not say %q", err, tt.msg)
			}
			if g.Len() != before {
				t.Errorf("a refused entry was added")
			}
		})
	}
}

func TestAddRefusesInvalidEntries(t *testing.T) {
	g := New()
	for _, tt := range []struct {
		entry Entry
		msg   string
	}{
		{Entry{Slug: "Bad Slug", Name: "X", Kind: KindPerson}, "slug"},
		{Entry{Slug: "x", Name: "  ", Kind: KindPerson}, "name is empty"},
		{Entry{Slug: "x", Name: "X", Kind: "planet"}, "unknown kind"},
		{Entry{Slug: "x", Name: "X", Kind: KindCountry, Code: "XYZ"}, "not two letters"},
		{Entry{Slug: "x", Name: "X", Kind: KindCountry, Region: "Atlantis"}, "unknown region"},
		{Entry{Slug: "x", Name: "X", Kind: KindPerson, Aliases: []Alias{{Text: "--"}}}, "no letter or digit"},
		{Entry{Slug: "x", Name: "X", Kind: KindPerson, Aliases: []Alias{{Text: "Y", Confidence: 2}}}, "not in (0, 1]"},
		{Entry{Slug: "x", Name: "X", Kind: KindPerson, Aliases: []Alias{{Text: "Y", Rules: []string{"astrology"}}}}, `unknown rule "astrology"`},
		{Entry{Slug: "x", Name: "X", Kind: KindPerson, Aliases: []Alias{{Text: "Y"}, {Text: "y"}}}, "listed twice"},
		{Entry{Slug: "x", Name: "X", Kind: KindPerson, Aliases: []Alias{{Text: strings.Repeat("y", 200)}}}, "longer than"},
	} {
		if err := g.Add(tt.entry); err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("Add(%+v) = %v, want an error saying %q", tt.entry, err, tt.msg)
		}
	}
	if g.Len() != 0 {
		t.Errorf("invalid entries were added")
	}
	if err := g.Add(Entry{Slug: "x", Name: "X", Kind: KindPerson}); err != nil {
		t.Fatal(err)
	}
	if err := g.Add(Entry{Slug: "x", Name: "Z", Kind: KindPerson}); err == nil || !strings.Contains(err.Error(), "slug is taken") {
		t.Errorf("second x: %v", err)
	}
}

func TestBlockedPhraseCannotBeAnAlias(t *testing.T) {
	g := builtin(t)
	err := g.Add(Entry{Slug: "mj", Name: "MJ", Kind: KindPerson, Aliases: []Alias{{Text: "Michael Jordan"}}})
	if err == nil || !strings.Contains(err.Error(), "ignores") {
		t.Fatalf("Add: %v", err)
	}
	if err := g.AddBlock("Tehran"); err == nil {
		t.Errorf("AddBlock accepted an alias of Iran")
	}
}

func TestUpdateAndRemove(t *testing.T) {
	g := builtin(t)
	hamas := Entry{Slug: "hamas", Name: "Hamas", Kind: KindGroup, Aliases: []Alias{{Text: "Islamic Resistance Movement"}}}
	if err := g.Add(hamas); err != nil {
		t.Fatal(err)
	}
	// Keeping its own alias is no conflict; taking Iran's is, and leaves
	// the entry as it was.
	hamas.Aliases = append(hamas.Aliases, Alias{Text: "Qassam Brigades"})
	if err := g.Update(hamas); err != nil {
		t.Fatal(err)
	}
	bad := hamas
	bad.Aliases = append(slices.Clone(hamas.Aliases), Alias{Text: "Persia"})
	if err := g.Update(bad); !errors.Is(err, ErrDuplicateAlias) {
		t.Fatalf("Update with Persia: %v", err)
	}
	got, _ := g.Entry("hamas")
	if len(got.Aliases) != 2 {
		t.Errorf("refused update changed the entry: %+v", got)
	}
	d := g.Compile()
	if s := d.Suggest("fighters of the Qassam Brigades"); len(s) != 1 || s[0].Slug != "hamas" {
		t.Errorf("custom alias not detected: %v", slugs(s))
	}
	// A built-in entry may be edited too, and stays built-in.
	iran, _ := g.Entry("iran")
	iran.Aliases = append(iran.Aliases, Alias{Text: "Islamic Republic"})
	if err := g.Update(iran); err != nil {
		t.Fatal(err)
	}
	if e, _ := g.Entry("iran"); !e.Builtin {
		t.Errorf("edited built-in entry lost its flag")
	}
	if err := g.Remove("hamas"); err != nil {
		t.Fatal(err)
	}
	if err := g.Remove("hamas"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Remove: %v", err)
	}
	// Its aliases are free again.
	if err := g.Add(Entry{Slug: "qassam", Name: "Qassam Brigades", Kind: KindGroup}); err != nil {
		t.Errorf("alias of a removed entry: %v", err)
	}
	if _, ok := g.Entry("iran"); !ok {
		t.Errorf("Remove broke the index")
	}
}

func TestParseAlias(t *testing.T) {
	for in, want := range map[string]string{
		"Jordan~0.7{person}":            "Jordan~0.7{person}",
		"  United   States ":            "United States",
		"Georgia~0.6{us-state, person}": "Georgia~0.6{us-state,person}",
	} {
		a, err := ParseAlias(in)
		if err != nil {
			t.Errorf("ParseAlias(%q): %v", in, err)
			continue
		}
		if a.String() != want {
			t.Errorf("ParseAlias(%q) = %q, want %q", in, a.String(), want)
		}
	}
	for _, in := range []string{"", "X~abc", "X~0", "X~1.5", "X{nope}", "~0.5"} {
		if _, err := ParseAlias(in); err == nil {
			t.Errorf("ParseAlias(%q) succeeded", in)
		}
	}
	as, err := ParseAliases("Iranian(s)~0.9")
	if err != nil || len(as) != 2 || as[0].Text != "Iranian" || as[1].Text != "Iranians" || as[1].Confidence != 0.9 {
		t.Errorf("ParseAliases: %+v, %v", as, err)
	}
}

func TestApplyEdits(t *testing.T) {
	g := builtin(t)
	georgia, _ := g.Entry("georgia")
	georgia.Aliases = append(georgia.Aliases, Alias{Text: "Sakartvelo", Confidence: 1})
	edits := []Edit{
		// Added entries come after built-in edits: this one takes an alias
		// the edit of Iran below gives up.
		{Entry: Entry{Slug: "persia-watch", Name: "Persia Watch", Kind: KindOther, Aliases: []Alias{{Text: "Persia", Confidence: 1}}}},
		{Entry: Entry{Slug: "iran", Name: "Iran", Kind: KindCountry, Code: "IR", Region: "Middle East", UNStatus: "member",
			Aliases: []Alias{{Text: "Tehran", Confidence: 1}}, Builtin: true}},
		{Entry: georgia},
		{Entry: Entry{Slug: "holy-see", Builtin: true}, Removed: true},
		{Entry: Entry{Slug: "bad", Name: "Bad", Kind: KindPerson, Aliases: []Alias{{Text: "Kremlin", Confidence: 1}}}},
		{Entry: Entry{Slug: "atlantis", Name: "Atlantis", Kind: KindCountry, Builtin: true}},
	}
	errs := g.ApplyEdits(edits)
	if len(errs) != 2 || !errors.Is(errs[1], ErrDuplicateAlias) || !strings.Contains(errs[0].Error(), "no longer a built-in") {
		t.Fatalf("errors: %v", errs)
	}
	d := g.Compile()
	for text, want := range map[string]string{"Persia": "persia-watch", "Sakartvelo": "georgia", "the Vatican": "", "the Kremlin": "russia"} {
		if got := strings.Join(slugs(d.Suggest(text)), ","); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestAliasLines(t *testing.T) {
	as, err := ParseAliasLines([]string{"Hamas", "", "Qassam~0.8{person}", "Hamas fighter(s)"})
	if err != nil {
		t.Fatal(err)
	}
	got := FormatAliases(as)
	want := []string{"Hamas", "Qassam~0.8{person}", "Hamas fighter", "Hamas fighters"}
	if !slices.Equal(got, want) {
		t.Errorf("FormatAliases = %q, want %q", got, want)
	}
	_, err = ParseAliasLines([]string{"ok", "X~9", "Y{nope}"})
	if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("ParseAliasLines: %v", err)
	}
}
