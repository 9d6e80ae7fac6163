package topics

import (
	"bufio"
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

//go:embed data/gazetteer.tsv
var builtinTSV []byte

// ErrDuplicateAlias is returned (wrapped in a *ConflictError) when an alias
// would point to two entries.
var ErrDuplicateAlias = errors.New("duplicate alias")

// ErrAliasLoop is returned (wrapped in a *ConflictError) when an alias is
// another entry's name, or a name is another entry's alias: the name would
// then lead to one entry and the alias to another.
var ErrAliasLoop = errors.New("alias loop")

// ErrNotFound is returned for a slug the gazetteer does not hold.
var ErrNotFound = errors.New("topics: no such entry")

// ConflictError explains why an edit was refused, naming both entries.
type ConflictError struct {
	Alias     string // the alias or name as the edit wrote it
	Entry     string // slug of the entry being edited
	Other     string // slug of the entry that already has it
	OtherName string
	Kind      error // ErrDuplicateAlias or ErrAliasLoop
	// asName is true when the conflicting text is the edited entry's name.
	asName bool
	// otherIsName is true when the text is the other entry's name.
	otherIsName bool
	// blocked is true when the text is a phrase the gazetteer ignores.
	blocked bool
}

func (e *ConflictError) Error() string {
	what := "alias"
	if e.asName {
		what = "name"
	}
	switch {
	case e.blocked:
		return fmt.Sprintf("topics: %s %q of %q is a phrase the detector ignores because it names something else", what, e.Alias, e.Entry)
	case e.Kind == ErrAliasLoop && e.otherIsName:
		return fmt.Sprintf("topics: %s %q of %q is the name of %s (%s): it would lead to two entries; add the alias there or rename that entry", what, e.Alias, e.Entry, e.OtherName, e.Other)
	case e.Kind == ErrAliasLoop:
		return fmt.Sprintf("topics: name %q of %q is already an alias of %s (%s): remove the alias there first", e.Alias, e.Entry, e.OtherName, e.Other)
	default:
		return fmt.Sprintf("topics: alias %q of %q already points to %s (%s); an alias can point to one entry only", e.Alias, e.Entry, e.OtherName, e.Other)
	}
}

func (e *ConflictError) Unwrap() error { return e.Kind }

// Gazetteer is the set of entries the detector looks for. It is not safe
// for concurrent edits; compile a Detector to share it.
type Gazetteer struct {
	entries []Entry
	bySlug  map[string]int
	// owner maps an alias key to the entry it points to.
	owner  map[string]aliasOwner
	blocks []string
	// blocked holds the keys of blocks.
	blocked map[string]bool
}

type aliasOwner struct {
	slug   string
	isName bool
}

// New returns an empty gazetteer.
func New() *Gazetteer {
	return &Gazetteer{bySlug: map[string]int{}, owner: map[string]aliasOwner{}, blocked: map[string]bool{}}
}

// Builtin returns a fresh copy of the gazetteer that comes with Masthead:
// the UN's member and observer states, main territories and international
// organisations.
func Builtin() (*Gazetteer, error) {
	g, err := parseTSV(builtinTSV)
	if err != nil {
		return nil, fmt.Errorf("topics: built-in gazetteer: %w", err)
	}
	return g, nil
}

// Entries returns copies of the entries, in the order they were added.
func (g *Gazetteer) Entries() []Entry {
	out := make([]Entry, len(g.entries))
	for i, e := range g.entries {
		out[i] = cloneEntry(e)
	}
	return out
}

// Entry returns a copy of the entry with the slug.
func (g *Gazetteer) Entry(slug string) (Entry, bool) {
	i, ok := g.bySlug[slug]
	if !ok {
		return Entry{}, false
	}
	return cloneEntry(g.entries[i]), true
}

// Len is the number of entries.
func (g *Gazetteer) Len() int { return len(g.entries) }

// Blocks returns the phrases that contain an alias but name something else
// ("Latin America", "Michael Jordan").
func (g *Gazetteer) Blocks() []string { return slices.Clone(g.blocks) }

// Add adds an entry. It refuses an invalid entry, a slug already taken, an
// alias that already points to another entry (ErrDuplicateAlias) and an
// alias or name that would lead to two entries (ErrAliasLoop).
func (g *Gazetteer) Add(e Entry) error {
	if _, ok := g.bySlug[e.Slug]; ok {
		return fmt.Errorf("topics: add %q: the slug is taken", e.Slug)
	}
	e, keys, err := g.prepare(e, "")
	if err != nil {
		return err
	}
	g.bySlug[e.Slug] = len(g.entries)
	g.entries = append(g.entries, e)
	g.claim(e.Slug, keys)
	return nil
}

// Update replaces the entry with e.Slug, under the same rules as Add; the
// entry's own old aliases do not conflict with its new ones. On error the
// gazetteer is unchanged.
func (g *Gazetteer) Update(e Entry) error {
	i, ok := g.bySlug[e.Slug]
	if !ok {
		return fmt.Errorf("topics: update %q: %w", e.Slug, ErrNotFound)
	}
	e.Builtin = g.entries[i].Builtin
	e, keys, err := g.prepare(e, e.Slug)
	if err != nil {
		return err
	}
	g.release(e.Slug)
	g.entries[i] = e
	g.claim(e.Slug, keys)
	return nil
}

// Remove removes the entry with the slug.
func (g *Gazetteer) Remove(slug string) error {
	i, ok := g.bySlug[slug]
	if !ok {
		return fmt.Errorf("topics: remove %q: %w", slug, ErrNotFound)
	}
	g.release(slug)
	g.entries = slices.Delete(g.entries, i, i+1)
	for j := i; j < len(g.entries); j++ {
		g.bySlug[g.entries[j].Slug] = j
	}
	delete(g.bySlug, slug)
	return nil
}

// AddBlock adds a phrase that contains an alias but names something else.
func (g *Gazetteer) AddBlock(phrase string) error {
	phrase = strings.Join(strings.Fields(phrase), " ")
	if phrase == "" || !hasWordRune(phrase) {
		return fmt.Errorf("topics: block %q has no letter or digit", phrase)
	}
	if len(phrase) > maxAliasBytes {
		return fmt.Errorf("topics: block %q is longer than %d bytes", phrase[:40]+"…", maxAliasBytes)
	}
	k := aliasKey(phrase)
	if o, ok := g.owner[k]; ok {
		return fmt.Errorf("topics: block %q is an alias of %q: remove it there first", phrase, o.slug)
	}
	if g.blocked[k] {
		return nil
	}
	g.blocked[k] = true
	g.blocks = append(g.blocks, phrase)
	return nil
}

var (
	slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	codePattern = regexp.MustCompile(`^[A-Z]{2}$`)
)

// prepare checks e and returns it cleaned with the keys it would claim.
// self is the slug whose current keys do not count as conflicts.
func (g *Gazetteer) prepare(e Entry, self string) (Entry, map[string]bool, error) {
	e = cloneEntry(e)
	e.Name = strings.Join(strings.Fields(e.Name), " ")
	e.Code = strings.ToUpper(strings.TrimSpace(e.Code))
	switch {
	case len(e.Slug) > 80 || !slugPattern.MatchString(e.Slug):
		return e, nil, fmt.Errorf("topics: slug %q: use lower-case letters, digits and single hyphens (at most 80)", e.Slug)
	case e.Name == "" || !hasWordRune(e.Name):
		return e, nil, fmt.Errorf("topics: %q: the name is empty", e.Slug)
	case len(e.Name) > maxAliasBytes:
		return e, nil, fmt.Errorf("topics: %q: the name is longer than %d bytes", e.Slug, maxAliasBytes)
	case !e.Kind.valid():
		return e, nil, fmt.Errorf("topics: %q: unknown kind %q", e.Slug, e.Kind)
	case e.Code != "" && !codePattern.MatchString(e.Code):
		return e, nil, fmt.Errorf("topics: %q: code %q is not two letters (ISO 3166-1 alpha-2)", e.Slug, e.Code)
	case e.Region != "" && !slices.Contains(Regions(), e.Region):
		return e, nil, fmt.Errorf("topics: %q: unknown region %q (known: %s)", e.Slug, e.Region, strings.Join(Regions(), ", "))
	case e.UNStatus != "" && e.UNStatus != "member" && e.UNStatus != "observer":
		return e, nil, fmt.Errorf("topics: %q: UN status %q is neither member nor observer", e.Slug, e.UNStatus)
	}
	keys := map[string]bool{}
	nameKey := aliasKey(e.Name)
	check := func(text, key string, asName bool) error {
		if g.blocked[key] {
			return &ConflictError{Alias: text, Entry: e.Slug, Kind: ErrDuplicateAlias, asName: asName, blocked: true}
		}
		o, ok := g.owner[key]
		if !ok || o.slug == self {
			return nil
		}
		other := g.entries[g.bySlug[o.slug]]
		kind := ErrDuplicateAlias
		if asName || o.isName {
			kind = ErrAliasLoop
		}
		return &ConflictError{Alias: text, Entry: e.Slug, Other: o.slug, OtherName: other.Name, Kind: kind, asName: asName, otherIsName: o.isName}
	}
	if err := check(e.Name, nameKey, true); err != nil {
		return e, nil, err
	}
	keys[nameKey] = true
	aliases := e.Aliases[:0]
	seen := map[string]bool{}
	for _, a := range e.Aliases {
		a.Text = strings.Join(strings.Fields(a.Text), " ")
		if a.Confidence == 0 {
			a.Confidence = 1
		}
		if err := a.check(); err != nil {
			return e, nil, fmt.Errorf("topics: %q: %w", e.Slug, unprefix(err))
		}
		k := aliasKey(a.Text)
		if seen[k] {
			return e, nil, fmt.Errorf("topics: %q: alias %q is listed twice (aliases differing only in case or accents are the same; the one with fewer capitals matches both)", e.Slug, a.Text)
		}
		seen[k] = true
		if k == nameKey {
			// The name written as an alias carries the name's confidence
			// and rules ("Georgia~0.6{us-state}"), or a spelling with
			// fewer capitals ("Nato" for NATO).
			aliases = append(aliases, a)
			continue
		}
		if err := check(a.Text, k, false); err != nil {
			return e, nil, err
		}
		keys[k] = false
		aliases = append(aliases, a)
	}
	e.Aliases = aliases
	return e, keys, nil
}

func unprefix(err error) error {
	msg, ok := strings.CutPrefix(err.Error(), "topics: ")
	if !ok {
		return err
	}
	return errors.New(msg)
}

// claim records keys (key → whether it is the name) as pointing to slug.
func (g *Gazetteer) claim(slug string, keys map[string]bool) {
	for k, isName := range keys {
		g.owner[k] = aliasOwner{slug: slug, isName: isName}
	}
}

func (g *Gazetteer) release(slug string) {
	for k, o := range g.owner {
		if o.slug == slug {
			delete(g.owner, k)
		}
	}
}

func cloneEntry(e Entry) Entry {
	e.Aliases = slices.Clone(e.Aliases)
	for i := range e.Aliases {
		e.Aliases[i].Rules = slices.Clone(e.Aliases[i].Rules)
	}
	return e
}

// parseTSV reads the gazetteer file format described in data/gazetteer.tsv.
func parseTSV(data []byte) (*Gazetteer, error) {
	g := New()
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Split(text, "\t")
		if len(f) != 6 {
			return nil, fmt.Errorf("line %d: %d fields, want 6", line, len(f))
		}
		dash := func(s string) string {
			if s == "-" {
				return ""
			}
			return s
		}
		var aliases []Alias
		for _, s := range strings.Split(f[5], "|") {
			if strings.TrimSpace(s) == "" {
				continue
			}
			if f[0] == "block" {
				base, plural := strings.CutSuffix(strings.TrimSpace(s), "(s)")
				phrases := []string{base}
				if plural {
					phrases = append(phrases, base+"s")
				}
				for _, p := range phrases {
					if err := g.AddBlock(p); err != nil {
						return nil, fmt.Errorf("line %d: %w", line, err)
					}
				}
				continue
			}
			as, err := ParseAliases(s)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			aliases = append(aliases, as...)
		}
		if f[0] == "block" {
			continue
		}
		e := Entry{Slug: f[1], Code: dash(f[2]), Region: dash(f[3]), Name: f[4], Builtin: true}
		switch f[0] {
		case "member", "observer":
			e.Kind, e.UNStatus = KindCountry, f[0]
		case "territory":
			e.Kind = KindTerritory
		case "organisation":
			e.Kind = KindOrganisation
		default:
			return nil, fmt.Errorf("line %d: unknown kind %q", line, f[0])
		}
		e.Aliases = aliases
		if err := g.Add(e); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return g, nil
}
