package editorial

import "strings"

// DiffOp says what happened to a line between two versions.
type DiffOp byte

// The diff operations.
const (
	DiffEqual  DiffOp = ' '
	DiffDelete DiffOp = '-'
	DiffInsert DiffOp = '+'
)

// DiffLine is one line of a line diff, with its line numbers in the old
// and the new text (0 where it is absent).
type DiffLine struct {
	Op     DiffOp
	Text   string
	OldNum int
	NewNum int
}

// maxDiffEdits bounds the work of diffLines: Myers' algorithm keeps a
// trace that grows with the square of the number of edits. Texts that
// differ more than this are shown as one block replaced by another.
const maxDiffEdits = 2000

// splitLines splits text into lines without their line breaks; an empty
// text has no lines.
func splitLines(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if text == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(text, "\n"), "\n")
}

// DiffText returns a shortest line diff from a to b (Myers' O(ND)
// algorithm), after taking off the lines they start and end with in common.
func DiffText(a, b string) []DiffLine {
	return diffLines(splitLines(a), splitLines(b))
}

func diffLines(a, b []string) []DiffLine {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	out := make([]DiffLine, 0, len(a)+len(b))
	for i := 0; i < pre; i++ {
		out = append(out, DiffLine{Op: DiffEqual, Text: a[i], OldNum: i + 1, NewNum: i + 1})
	}
	mid := myers(a[pre:len(a)-suf], b[pre:len(b)-suf])
	for _, l := range mid {
		if l.OldNum > 0 {
			l.OldNum += pre
		}
		if l.NewNum > 0 {
			l.NewNum += pre
		}
		out = append(out, l)
	}
	for i := 0; i < suf; i++ {
		ai, bi := len(a)-suf+i, len(b)-suf+i
		out = append(out, DiffLine{Op: DiffEqual, Text: a[ai], OldNum: ai + 1, NewNum: bi + 1})
	}
	return out
}

// myers diffs a and b, numbering lines from 1.
func myers(a, b []string) []DiffLine {
	n, m := len(a), len(b)
	if n == 0 || m == 0 {
		return replaceBlock(a, b)
	}
	most := n + m
	off := most + 1
	v := make([]int, 2*most+3)
	// trace[d] holds v[-d..d] as it was before step d, to walk back.
	var trace [][]int
	for d := 0; d <= most; d++ {
		if d > maxDiffEdits {
			return replaceBlock(a, b)
		}
		trace = append(trace, append([]int(nil), v[off-d:off+d+1]...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1] // down: a line of b inserted
			} else {
				x = v[off+k-1] + 1 // right: a line of a deleted
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				return backtrack(a, b, trace, d)
			}
		}
	}
	return replaceBlock(a, b)
}

func backtrack(a, b []string, trace [][]int, steps int) []DiffLine {
	var rev []DiffLine
	x, y := len(a), len(b)
	for d := steps; d > 0; d-- {
		prev := trace[d] // v before step d; index k+d
		k := x - y
		down := k == -d || (k != d && prev[k-1+d] < prev[k+1+d])
		pk := k - 1
		if down {
			pk = k + 1
		}
		px := prev[pk+d]
		py := px - pk
		// The edit leads from (px, py) to (mx, my); equal lines follow.
		mx, my := px+1, py
		if down {
			mx, my = px, py+1
		}
		for x > mx && y > my {
			rev = append(rev, DiffLine{Op: DiffEqual, Text: a[x-1], OldNum: x, NewNum: y})
			x--
			y--
		}
		if down {
			rev = append(rev, DiffLine{Op: DiffInsert, Text: b[y-1], NewNum: y})
		} else {
			rev = append(rev, DiffLine{Op: DiffDelete, Text: a[x-1], OldNum: x})
		}
		x, y = px, py
	}
	for x > 0 && y > 0 {
		rev = append(rev, DiffLine{Op: DiffEqual, Text: a[x-1], OldNum: x, NewNum: y})
		x--
		y--
	}
	out := make([]DiffLine, len(rev))
	for i, l := range rev {
		out[len(rev)-1-i] = l
	}
	return out
}

// replaceBlock is the diff that deletes all of a and inserts all of b.
func replaceBlock(a, b []string) []DiffLine {
	out := make([]DiffLine, 0, len(a)+len(b))
	for i, l := range a {
		out = append(out, DiffLine{Op: DiffDelete, Text: l, OldNum: i + 1})
	}
	for i, l := range b {
		out = append(out, DiffLine{Op: DiffInsert, Text: l, NewNum: i + 1})
	}
	return out
}

// DiffHunk is a run of changed lines with some unchanged ones around them.
type DiffHunk struct {
	Lines []DiffLine
}

// Hunks groups a diff into hunks with context unchanged lines on either
// side of each change; a diff without changes has no hunks.
func Hunks(lines []DiffLine, context int) []DiffHunk {
	var hunks []DiffHunk
	start, end := -1, -1 // the hunk being built, as a range of lines
	for i, l := range lines {
		if l.Op == DiffEqual {
			continue
		}
		from, to := max(0, i-context), min(len(lines), i+context+1)
		if start >= 0 && from <= end {
			end = max(end, to)
			continue
		}
		if start >= 0 {
			hunks = append(hunks, DiffHunk{Lines: lines[start:end]})
		}
		start, end = from, to
	}
	if start >= 0 {
		hunks = append(hunks, DiffHunk{Lines: lines[start:end]})
	}
	return hunks
}
