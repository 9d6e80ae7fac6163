package exporter

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"masthead/internal/content"
)

// FuzzPostDocument writes a post with arbitrary texts and reads the file
// back as the importer splits it: the front matter must be YAML whose
// values are the texts, and the body the body.
func FuzzPostDocument(f *testing.F) {
	f.Add("Title: with colon", "deck\nsecond line", "---\nbody", "note #1", "Energy")
	f.Add("null", "~", "\r\n\r\nBody\r\n", "- dash", "true")
	f.Add("", "'quoted'", "", "\x00", "日本")
	f.Fuzz(func(t *testing.T, title, deck, body, note, tag string) {
		p := content.Post{Slug: "p", Title: title, Deck: deck, Body: body, Status: content.StatusDraft,
			PublishedAt: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC),
			Tags:        []content.Tag{{ID: 1, Slug: "t", Name: tag}},
			Corrections: []content.Correction{{Date: time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC), Note: note}}}
		var buf bytes.Buffer
		if err := postDocument(p, "", nil, nil, map[int64]string{1: tag}).writeTo(&buf); err != nil {
			return // texts YAML cannot hold (such as invalid UTF-8) fail, not corrupt
		}
		text := buf.String()
		lines := strings.Split(text, "\n")
		if lines[0] != "---" {
			t.Fatalf("no opening line:\n%s", text)
		}
		end := -1
		for i, l := range lines[1:] {
			if strings.TrimRight(l, " \t") == "---" {
				end = i + 1
				break
			}
		}
		if end < 0 {
			t.Fatalf("front matter not closed:\n%s", text)
		}
		var meta struct {
			Title       string `yaml:"title"`
			Deck        string `yaml:"deck"`
			Tags        []string
			Corrections []struct {
				Note string `yaml:"note"`
			} `yaml:"corrections"`
		}
		if err := yaml.Unmarshal([]byte(strings.Join(lines[1:end], "\n")), &meta); err != nil {
			t.Fatalf("front matter is not YAML: %v\n%s", err, text)
		}
		if meta.Title != title || meta.Deck != deck || len(meta.Corrections) != 1 || meta.Corrections[0].Note != note {
			t.Fatalf("read back %+v from\n%s", meta, text)
		}
		if tag != "" && (len(meta.Tags) != 1 || meta.Tags[0] != tag) {
			t.Fatalf("tags %q, want %q", meta.Tags, tag)
		}
		gotBody := strings.TrimRight(strings.Join(lines[end+1:], "\n"), "\n")
		if gotBody != trimBody(body) {
			t.Fatalf("body %q, want %q", gotBody, trimBody(body))
		}
	})
}
