package newsletter

import (
	"strings"
	"testing"
)

// FuzzTopicSection renders sections from any topic name and article title:
// the section must land where the marker was, once, escape markup in the
// HTML part, and keep the text part's words as written.
func FuzzTopicSection(f *testing.F) {
	f.Add("Iran", "Tehran Bets on the Strait", 3)
	f.Add("<script>alert(1)</script>", "A & B \"quoted\" __MASTHEAD_YOUR_TOPICS__", 1)
	f.Add("", "\x00\xff", 0)
	f.Fuzz(func(t *testing.T, name, title string, n int) {
		n = max(1, min(n, 5))
		items := make([]topicItem, n)
		for i := range items {
			items[i] = topicItem{Title: title, URL: "https://review.example/articles/a"}
		}
		ts := &topicSections{follows: map[int64][]string{7: {"x"}}, preferences: "https://review.example/preferences/" + placeholder,
			topics:   map[string]topicView{"x": {Name: name, URL: "https://review.example/topics/x", Count: "n new articles", Items: items}},
			rendered: map[string]sectionParts{}}
		in := Rendered{Subject: "s", HTML: "<p>head</p>" + topicsMarker + "<p>body</p>", Text: "head" + topicsMarker + "\nbody"}
		out, err := ts.apply(in, 7)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(out.HTML, "<p>head</p><tr>") || !strings.HasSuffix(out.HTML, "</td></tr>\n<p>body</p>") {
			t.Fatalf("HTML section misplaced:\n%s", out.HTML)
		}
		if strings.Contains(strings.TrimSuffix(strings.TrimPrefix(out.HTML, "<p>head</p>"), "<p>body</p>"), "<script") {
			t.Fatalf("markup of a name or title is not escaped:\n%s", out.HTML)
		}
		if !strings.Contains(out.Text, "- "+title+"\n") || !strings.HasSuffix(out.Text, "\nbody") {
			t.Fatalf("text section wrong:\n%s", out.Text)
		}
		// A subscriber without the topic gets the issue as it was.
		if same, err := ts.apply(in, 8); err != nil || same != in {
			t.Fatalf("apply for a subscriber without topics = %+v, %v", same, err)
		}
		final := out.Personal("tok")
		if strings.Contains(final.HTML, placeholder) {
			t.Fatal("placeholder left after Personal")
		}
	})
}
