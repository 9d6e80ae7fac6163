package topics

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Edit is a stored change to the built-in gazetteer: an entry the desk
// added, or a built-in entry it changed (Entry.Builtin) or removed.
type Edit struct {
	Entry   Entry
	Removed bool
}

// ApplyEdits applies stored edits to g: first those of built-in entries,
// then the added entries in slug order. An edit that no longer fits (a
// newer built-in gazetteer took its alias, say) is skipped and reported,
// so one bad row never hides the others.
func (g *Gazetteer) ApplyEdits(edits []Edit) []error {
	sorted := append([]Edit(nil), edits...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Entry.Builtin != sorted[j].Entry.Builtin {
			return sorted[i].Entry.Builtin
		}
		return sorted[i].Entry.Slug < sorted[j].Entry.Slug
	})
	var errs []error
	for _, ed := range sorted {
		e := ed.Entry
		_, exists := g.bySlug[e.Slug]
		var err error
		switch {
		case ed.Removed && exists:
			err = g.Remove(e.Slug)
		case ed.Removed:
		case e.Builtin && exists:
			err = g.Update(e)
		case e.Builtin:
			err = fmt.Errorf("topics: %q is no longer a built-in entry", e.Slug)
		default:
			err = g.Add(e)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// FormatAliases writes aliases one per line in the notation ParseAlias
// reads, for storage and for the desk's text box.
func FormatAliases(as []Alias) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.String()
	}
	return out
}

// ParseAliasLines reads aliases written one per line (blank lines are
// skipped; "(s)" adds the plural), reporting every bad line at once.
func ParseAliasLines(lines []string) ([]Alias, error) {
	var out []Alias
	var errs []error
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		as, err := ParseAliases(l)
		if err != nil {
			errs = append(errs, fmt.Errorf("line %d: %w", i+1, unprefix(err)))
			continue
		}
		out = append(out, as...)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("topics: aliases: %w", errors.Join(errs...))
	}
	return out, nil
}
