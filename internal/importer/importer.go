// Package importer brings content from outside into Masthead: a directory
// of Markdown files with YAML front matter, written by hand or exported from
// another system.
package importer

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Options tune an import.
type Options struct {
	// DryRun validates everything and counts what would be created or
	// updated, but writes nothing.
	DryRun bool
	// Now is the clock used to warn about posts dated in the future; nil
	// means time.Now.
	Now func() time.Time
	// Progress, when set, is called after each post is handled with the
	// number done so far and the total.
	Progress func(done, total int)
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// Report says what an import did (or, in a dry run, would do).
type Report struct {
	AuthorsCreated   int
	AuthorsUpdated   int
	AuthorsUnchanged int // already stored exactly as imported; not written again
	PostsCreated     int
	PostsUpdated     int
	PostsUnchanged   int // already stored exactly as imported; not written again
	TagsCreated      int
	TagsUpdated      int // existing tags that became sections
	ImagesStored     int // images put into media storage; already stored ones are not counted
	// Warnings are things worth a look that do not stop the import, each
	// as "path:line: message".
	Warnings []string
}

// Problem is one thing wrong with the imported files.
type Problem struct {
	Path string // slash-separated, relative to the imported directory
	Line int    // 1-based line in the file
	Msg  string
}

func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.Path, p.Line, p.Msg) }

// Errors is every problem found in an import that was therefore not
// written. Error joins them one per line, so a command can print them all.
type Errors struct {
	Problems []Problem
}

func (e *Errors) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// sortProblems orders problems by file then line, keeping the order of
// problems found on one line.
func sortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Line, b.Line))
	})
}
