package editorial_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"masthead/internal/editorial"
)

func lcs(a, b []string) int {
	dp := make([][]int, len(a)+1)
	for i := range dp {
		dp[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				dp[i][j] = dp[i+1][j+1] + 1
			} else {
				dp[i][j] = max(dp[i+1][j], dp[i][j+1])
			}
		}
	}
	return dp[0][0]
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// TestDiffTextIsShortestAndFaithful checks, on random texts, that the
// diff rebuilds both texts, numbers lines right and makes as few edits as
// the longest common subsequence allows.
func TestDiffTextIsShortestAndFaithful(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := func() string {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(string(rune('a' + rng.IntN(3))))
			b.WriteByte('\n')
		}
		return b.String()
	}
	for i := range 3000 {
		a, b := random(), random()
		d := editorial.DiffText(a, b)
		var old, new []string
		edits := 0
		for _, l := range d {
			switch l.Op {
			case editorial.DiffEqual:
				old, new = append(old, l.Text), append(new, l.Text)
				if l.OldNum != len(old) || l.NewNum != len(new) {
					t.Fatalf("case %d: line numbers %d/%d at %d/%d", i, l.OldNum, l.NewNum, len(old), len(new))
				}
			case editorial.DiffDelete:
				old = append(old, l.Text)
				edits++
			case editorial.DiffInsert:
				new = append(new, l.Text)
				edits++
			}
		}
		al, bl := lines(a), lines(b)
		if strings.Join(old, "\n") != strings.Join(al, "\n") || strings.Join(new, "\n") != strings.Join(bl, "\n") {
			t.Fatalf("case %d: diff of %q and %q does not rebuild them", i, a, b)
		}
		if want := len(al) + len(bl) - 2*lcs(al, bl); edits != want {
			t.Fatalf("case %d: %d edits for %q → %q, want %d", i, edits, a, b, want)
		}
	}
}

func TestDiffLargeTextsStayBounded(t *testing.T) {
	var a, b strings.Builder
	for i := range 20000 {
		a.WriteString("line a " + string(rune('0'+i%10)) + "\n")
		b.WriteString("line b " + string(rune('0'+i%7)) + "\n")
	}
	d := editorial.DiffText(a.String(), b.String())
	if len(d) < 20000 {
		t.Errorf("diff has %d lines", len(d))
	}
}

func TestHunks(t *testing.T) {
	a := "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n"
	b := "1\n2x\n3\n4\n5\n6\n7\n8\n9\n10\n11x\n12\n"
	h := editorial.Hunks(editorial.DiffText(a, b), 2)
	if len(h) != 2 {
		t.Fatalf("hunks: %d", len(h))
	}
	if first := h[0].Lines; first[0].Text != "1" || first[len(first)-1].Text != "4" {
		t.Errorf("first hunk: %+v", first)
	}
	if len(editorial.Hunks(editorial.DiffText(a, a), 3)) != 0 {
		t.Error("hunks for equal texts")
	}
}
