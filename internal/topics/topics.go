// Package topics finds the countries, organisations and people an article is
// about: a gazetteer of named actors with their aliases, and a detector that
// finds their mentions in one pass over a text and scores each one.
package topics

import (
	"fmt"
	"strconv"
	"strings"
)

// Kind says what sort of actor an entry is.
type Kind string

// The kinds of entry. Countries and territories come with the built-in
// gazetteer; editors add people, groups and other actors.
const (
	KindCountry      Kind = "country"
	KindTerritory    Kind = "territory"
	KindOrganisation Kind = "organisation"
	KindPerson       Kind = "person"
	KindGroup        Kind = "group"
	KindOther        Kind = "other"
)

// Kinds lists every kind, in the order the desk offers them.
func Kinds() []Kind {
	return []Kind{KindCountry, KindTerritory, KindOrganisation, KindPerson, KindGroup, KindOther}
}

func (k Kind) valid() bool {
	for _, v := range Kinds() {
		if k == v {
			return true
		}
	}
	return false
}

// Regions lists the regions countries and territories are grouped in on the
// topics index. North Africa is listed under Africa like the African Union
// does, and the Caucasus under Europe.
func Regions() []string {
	return []string{"Africa", "Americas", "Asia-Pacific", "Europe", "Middle East", "South and Central Asia"}
}

// Entry is one actor readers can follow: a country, an organisation, a
// person, an armed group.
type Entry struct {
	// Slug identifies the entry in URLs and in storage; it never changes.
	Slug string
	// Name is how the publication names the actor; it is also matched.
	Name string
	Kind Kind
	// Code is the ISO 3166-1 alpha-2 code of a country or territory, or
	// empty. Kosovo uses the widely used user-assigned XK.
	Code string
	// Region is one of Regions, or empty for entries without one.
	Region string
	// UNStatus is "member" or "observer" for countries, empty otherwise.
	UNStatus string
	// Aliases are other names matched in texts: abbreviations, demonyms,
	// capitals standing for governments ("Tehran" for Iran).
	Aliases []Alias
	// Builtin marks entries that come with Masthead (they may be edited).
	Builtin bool
}

// Alias is one way a text names an entry.
type Alias struct {
	// Text is the alias as written. Its capital letters must be capitals in
	// the text ("US" does not match "us"); text in capitals matches any
	// alias. Case, accents, typographic quotes and dashes are otherwise
	// ignored.
	Text string
	// Confidence is how sure a mention through this alias is to mean the
	// entry, before context rules: 1 for an unambiguous alias, lower for
	// names that often mean something else ("Georgia", "Washington").
	Confidence float64
	// Rules name the context rules (see RuleNames) that lower the
	// confidence of a mention when its surroundings point elsewhere.
	Rules []string
}

// ParseAlias reads the alias notation used by the gazetteer file and the
// desk: TEXT, optionally followed by ~CONFIDENCE and {rule,rule}, for example
// "Jordan~0.7{person}". It does not expand a trailing "(s)"; see
// ParseAliases.
func ParseAlias(s string) (Alias, error) {
	s = strings.TrimSpace(s)
	a := Alias{Confidence: 1}
	if i := strings.LastIndexByte(s, '{'); i >= 0 && strings.HasSuffix(s, "}") {
		for _, r := range strings.Split(s[i+1:len(s)-1], ",") {
			if r = strings.TrimSpace(r); r != "" {
				a.Rules = append(a.Rules, r)
			}
		}
		s = strings.TrimSpace(s[:i])
	}
	if i := strings.LastIndexByte(s, '~'); i >= 0 {
		c, err := strconv.ParseFloat(strings.TrimSpace(s[i+1:]), 64)
		if err != nil {
			return Alias{}, fmt.Errorf("topics: alias %q: confidence %q is not a number", s[:i], s[i+1:])
		}
		a.Confidence = c
		s = strings.TrimSpace(s[:i])
	}
	a.Text = strings.Join(strings.Fields(s), " ")
	if err := a.check(); err != nil {
		return Alias{}, err
	}
	return a, nil
}

// ParseAliases reads one alias in the notation of ParseAlias, where a
// trailing "(s)" on the text stands for the singular and the plural:
// "Iranian(s)" is "Iranian" and "Iranians".
func ParseAliases(s string) ([]Alias, error) {
	a, err := ParseAlias(s)
	if err != nil {
		return nil, err
	}
	base, ok := strings.CutSuffix(a.Text, "(s)")
	if !ok {
		return []Alias{a}, nil
	}
	one, many := a, a
	one.Text, many.Text = base, base+"s"
	if err := one.check(); err != nil {
		return nil, err
	}
	return []Alias{one, many}, nil
}

// String writes the alias in the notation ParseAlias reads.
func (a Alias) String() string {
	var b strings.Builder
	b.WriteString(a.Text)
	if a.Confidence != 1 && a.Confidence != 0 {
		b.WriteByte('~')
		b.WriteString(strconv.FormatFloat(a.Confidence, 'g', -1, 64))
	}
	if len(a.Rules) > 0 {
		b.WriteByte('{')
		b.WriteString(strings.Join(a.Rules, ","))
		b.WriteByte('}')
	}
	return b.String()
}

func (a Alias) check() error {
	if a.Text == "" {
		return fmt.Errorf("topics: an alias is empty")
	}
	if len(a.Text) > maxAliasBytes {
		return fmt.Errorf("topics: alias %q is longer than %d bytes", a.Text[:40]+"…", maxAliasBytes)
	}
	if strings.ContainsAny(a.Text, "{}~|\t\n") {
		return fmt.Errorf("topics: alias %q contains one of { } ~ | or a tab", a.Text)
	}
	if !hasWordRune(a.Text) {
		return fmt.Errorf("topics: alias %q has no letter or digit", a.Text)
	}
	if a.Confidence <= 0 || a.Confidence > 1 {
		return fmt.Errorf("topics: alias %q: confidence %g is not in (0, 1]", a.Text, a.Confidence)
	}
	for _, r := range a.Rules {
		if _, ok := ruleByName(r); !ok {
			return fmt.Errorf("topics: alias %q: unknown rule %q (known: %s)", a.Text, r, strings.Join(RuleNames(), ", "))
		}
	}
	return nil
}

// maxAliasBytes bounds an alias so that the detector's look-back window, the
// longest alias, stays small.
const maxAliasBytes = 120
