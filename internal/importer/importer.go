// Package importer brings content from outside into Masthead: a directory
// of Markdown files with YAML front matter, written by hand or exported from
// another system, and WordPress, Ghost and RSS/Atom archives.
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
	// Images loads the images a foreign archive names (ImportArchive only);
	// nil leaves them at their old addresses.
	Images ImageSource
	// ImageProgress, when set, is called after each image of a foreign
	// archive is loaded with the number done so far and the total.
	ImageProgress func(done, total int)
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
	TagsUpdated      int // existing tags changed by a tag file, or that became sections
	ImagesStored     int // images put into media storage; already stored ones are not counted
	SubscribersAdded int // newsletter subscribers added; addresses already on the list are kept as they are
	SettingsChanged  int // editorial settings set to a new value
	ImagesFailed     int // images of a foreign archive that could not be loaded (each also a warning)
	RedirectsSaved   int // old addresses of a foreign archive's posts now leading to them
	CommentsSkipped  int // comments in a foreign archive, which Masthead does not import
	// Skipped are items of a foreign archive that were not imported, each
	// as "path:line: what: why".
	Skipped []string
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

func (p Problem) String() string {
	if p.Line <= 0 {
		// Formats without lines worth naming (one-line JSON exports).
		return fmt.Sprintf("%s: %s", p.Path, p.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", p.Path, p.Line, p.Msg)
}

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
