package desk

import (
	"slices"
	"testing"

	"masthead/internal/content"
	"masthead/internal/store"
)

// FuzzIssueOrder checks the reordering helpers of the issue screen on any
// input: sameSet agrees with comparing sorted lists of distinct ids, and
// grouping by section then flattening keeps every article once, each
// section in one piece, in the order of its first article.
func FuzzIssueOrder(f *testing.F) {
	f.Add([]byte{1, 2, 3}, []byte{3, 2, 1}, []byte{0, 1, 0})
	f.Add([]byte{1, 1}, []byte{1, 2}, []byte{2, 2})
	f.Add([]byte{}, []byte{}, []byte{})
	f.Add([]byte{5, 4, 9, 7}, []byte{7, 9, 4}, []byte{3, 0, 3, 1})
	f.Fuzz(func(t *testing.T, a, b, sections []byte) {
		ids := func(bs []byte) []int64 {
			out := make([]int64, len(bs))
			for i, v := range bs {
				out[i] = int64(v)
			}
			return out
		}
		x, y := ids(a), ids(b)
		want := func() bool {
			sx, sy := slices.Clone(x), slices.Clone(y)
			slices.Sort(sx)
			slices.Sort(sy)
			return slices.Equal(sx, sy) && len(slices.Compact(slices.Clone(sy))) == len(sy)
		}()
		if got := sameSet(x, y); got != want {
			t.Fatalf("sameSet(%v, %v) = %v, want %v", x, y, got, want)
		}

		names := []string{"Security", "Economy", "Culture"}
		var posts []content.Post
		for i := range a {
			p := content.Post{ID: int64(i + 1)}
			if i < len(sections) && sections[i]%4 != 3 {
				s := names[int(sections[i]%4)%len(names)]
				p.Section = &content.Tag{Name: s}
			}
			posts = append(posts, p)
		}
		gnames, groups := groupPosts(store.IssueRoundup, posts)
		flat := flatten(groups)
		if !sameSet(flat, shown(posts)) {
			t.Fatalf("flatten lost or doubled articles: %v from %v", flat, shown(posts))
		}
		seen := map[string]bool{}
		for i, g := range groups {
			if len(g) == 0 {
				t.Fatalf("empty section %q", gnames[i])
			}
			if seen[gnames[i]] {
				t.Fatalf("section %q in two pieces", gnames[i])
			}
			seen[gnames[i]] = true
			for _, p := range g {
				if groupName(store.IssueRoundup, p) != gnames[i] {
					t.Fatalf("article %d under %q", p.ID, gnames[i])
				}
			}
		}
		// Sections come in the order of their first article.
		var firsts []string
		for _, p := range posts {
			if n := groupName(store.IssueRoundup, p); !slices.Contains(firsts, n) {
				firsts = append(firsts, n)
			}
		}
		if !slices.Equal(firsts, gnames) {
			t.Fatalf("sections %v, want %v", gnames, firsts)
		}
		// An article email has one group without a heading.
		if len(posts) > 0 {
			an, ag := groupPosts(store.IssueArticle, posts)
			if len(ag) != 1 || an[0] != "" {
				t.Fatalf("article email groups: %v", an)
			}
		}
	})
}
