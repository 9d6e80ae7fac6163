package importer

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"masthead/internal/content"
)

// TestYAMLErrorLines checks that YAML syntax errors blame the file line
// they concern, whichever part of the YAML library found them.
func TestYAMLErrorLines(t *testing.T) {
	tests := []struct {
		yaml string // front matter between the "---" lines, which start on line 2
		line int
		msg  string
	}{
		{"title: a\n  b: c\n", 3, "invalid YAML: mapping values are not allowed in this context"},
		{"title: a\nauthors: [x\n", 3, "invalid YAML: did not find expected ',' or ']' (is a [ on this line left open?)"},
		{"title: a\nx: {a: b\n", 3, "invalid YAML: did not find expected ',' or '}' (is a { on this line left open?)"},
		{"title: a\n- b\n", 3, "invalid YAML: did not find expected key"},
		{"- a\ntitle: b\n", 3, "invalid YAML: did not find expected '-' indicator"},
		{"title: [a]]\n", 2, "invalid YAML: did not find expected key"},
		{"title: !<x b\n", 2, "invalid YAML: did not find the expected '>'"},
		{"title: \"a\nauthors: [x]\n", 2, "invalid YAML: found unexpected end of stream (is a quote on this line left open?)"},
		{"title: a\nauthors: [x]\ndeck: \"b\n", 4, "invalid YAML: found unexpected end of stream (is a quote on this line left open?)"},
		{"title: a\ndeck: *b\n", 3, "invalid YAML: unknown anchor 'b' referenced"},
		{"title: a\n\tdeck: b\n", 3, "invalid YAML: found a tab character that violates indentation"},
		{"title: a\ndeck: b\x01\n", 3, "invalid YAML: control characters are not allowed"},
		{"title: a\ndeck: 'b\n", 3, "invalid YAML: found unexpected end of stream (is a quote on this line left open?)"},
		{"title: a\n...\nb: c\n", 4, "invalid YAML: did not find expected <document start>"},
		{"title: a\n--- !!str\nb\n", 3, "front matter holds more than one YAML document"},
		{"[a, b]\n", 2, `front matter must be "key: value" lines`},
		{"title: a\n? [b]\n: c\nauthors: [a]\nstatus: draft\n", 3, "keys must be plain names"},
	}
	for _, tc := range tests {
		_, probs, _ := parsePost("posts/x.md", []byte("---\n"+tc.yaml+"---\nBody.\n"))
		want := []Problem{{"posts/x.md", tc.line, tc.msg}}
		if !slices.Equal(probs, want) {
			t.Errorf("%q:\n got %v\nwant %v", tc.yaml, probs, want)
		}
	}
}

func TestParsePostForms(t *testing.T) {
	// Windows line endings, a byte-order mark, a block scalar, an alias,
	// quoted numbers and blank lines around the body.
	data := "\ufeff---\r\n" +
		"title: &t 1984 Revisited\r\n" +
		"seo_title: *t\r\n" +
		"deck: |\r\n  Two lines\r\n  of deck\r\n" +
		"authors: [a-b]\r\n" +
		"date: 2024-03-05T10:15:30.1234567+02:00\r\n" +
		"status: scheduled\r\n" +
		"tags: [\"2024\", Foreign Policy, Foreign-Policy]\r\n" +
		"corrections:\r\n  - {date: 2024-04-02, note: Second.}\r\n  - {date: 2024-04-01, note: First.}\r\n" +
		"---\r\n\r\n\r\nFirst paragraph.\r\n\r\n    indented code\r\n\r\n\r\n"
	f, probs, warns := parsePost("posts/nineteen-eighty-four.md", []byte(data))
	if len(probs) != 0 || len(warns) != 0 {
		t.Fatalf("problems %v, warnings %v", probs, warns)
	}
	want := postFile{
		path: "posts/nineteen-eighty-four.md", slug: "nineteen-eighty-four", slugLine: 1,
		title: "1984 Revisited", seoTitle: "1984 Revisited", deck: "Two lines\nof deck",
		status:   content.StatusScheduled,
		date:     time.Date(2024, 3, 5, 8, 15, 30, 123456000, time.UTC),
		dateLine: 8,
		authors:  []ref{{"a-b", 7}},
		tags:     []tagRef{{"2024", "2024", 10}, {"Foreign Policy", "foreign-policy", 10}, {"Foreign-Policy", "foreign-policy", 10}},
		corrections: []content.Correction{
			{Date: time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC), Note: "First."},
			{Date: time.Date(2024, 4, 2, 0, 0, 0, 0, time.UTC), Note: "Second."},
		},
		body: "First paragraph.\n\n    indented code",
	}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("got  %+v\nwant %+v", f, want)
	}
}

func TestParseAuthorDefaults(t *testing.T) {
	a, probs, _ := parseAuthor("authors/jane-doe.md", []byte("---\nname: Jane Doe\n---\n"))
	if len(probs) != 0 {
		t.Fatal(probs)
	}
	want := authorFile{path: "authors/jane-doe.md", slug: "jane-doe", slugLine: 1, name: "Jane Doe"}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("got %+v, want %+v", a, want)
	}

	// Empty front matter reports what is missing, once.
	_, probs, _ = parseAuthor("authors/x.md", []byte("---\n---\nBio.\n"))
	if want := []Problem{{"authors/x.md", 1, "missing name"}}; !slices.Equal(probs, want) {
		t.Errorf("empty front matter: %v", probs)
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2024-03-05", time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC), true},
		{"2024-03-05T09:30:00Z", time.Date(2024, 3, 5, 9, 30, 0, 0, time.UTC), true},
		{"2024-03-05T09:30:00-05:00", time.Date(2024, 3, 5, 14, 30, 0, 0, time.UTC), true},
		{"2024-03-05 09:30:00", time.Time{}, false},
		{"2024-3-5", time.Time{}, false},
		{"05/03/2024", time.Time{}, false},
		{"2024-02-30", time.Time{}, false},
	}
	for _, tc := range tests {
		got, err := parseDate(tc.in)
		if (err == nil) != tc.ok || tc.ok && !got.Equal(tc.want) {
			t.Errorf("parseDate(%q) = %v, %v", tc.in, got, err)
		}
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct{ key, want string }{
		{"tittle", ` (did you mean "title"?)`},
		{"author", ` (did you mean "authors"?)`},
		{"imagealt", ` (did you mean "image_alt"?)`},
		{"category", ""},
	}
	for _, tc := range tests {
		if got := suggest(tc.key, postKeys); got != tc.want {
			t.Errorf("suggest(%q) = %q, want %q", tc.key, got, tc.want)
		}
	}
}
