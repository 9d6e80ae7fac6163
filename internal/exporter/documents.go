package exporter

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"masthead/internal/content"
	"masthead/internal/importer"
	"masthead/internal/store"
)

// document is a Markdown file of the import format: front matter, then
// the body.
type document struct {
	meta *yaml.Node
	body string
}

func newDocument() *document { return &document{meta: &yaml.Node{Kind: yaml.MappingNode}} }

// text sets key to a string, quoted wherever YAML would read it as
// something else. Empty values are left out: the importer reads a missing
// key as empty.
func (d *document) text(key, v string) {
	if v == "" {
		return
	}
	d.meta.Content = append(d.meta.Content, keyNode(key), textNode(v))
}

// plain sets key to a value written as it is: numbers, booleans, times.
func (d *document) plain(key, v string) {
	d.meta.Content = append(d.meta.Content, keyNode(key), &yaml.Node{Kind: yaml.ScalarNode, Value: v})
}

// time sets key to t in RFC 3339 (UTC, to the microsecond the store
// keeps), or leaves it out when t is zero.
func (d *document) time(key string, t time.Time) {
	if !t.IsZero() {
		d.plain(key, formatTime(t))
	}
}

// list sets key to a flow list of strings, left out when empty.
func (d *document) list(key string, items []string) {
	if len(items) == 0 {
		return
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, it := range items {
		seq.Content = append(seq.Content, textNode(it))
	}
	d.meta.Content = append(d.meta.Content, keyNode(key), seq)
}

// maps sets key to a list of mappings, each given as key, value pairs.
func (d *document) maps(key string, items [][]*yaml.Node) {
	if len(items) == 0 {
		return
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	for _, it := range items {
		seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.MappingNode, Content: it})
	}
	d.meta.Content = append(d.meta.Content, keyNode(key), seq)
}

func keyNode(k string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: k} }

func textNode(v string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
}

func formatTime(t time.Time) string {
	return t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
}

// writeTo writes the document: "---", the front matter, "---", the body.
func (d *document) writeTo(w io.Writer) error {
	var buf bytes.Buffer
	buf.WriteString("---\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(d.meta); err != nil {
		return fmt.Errorf("front matter: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("front matter: %w", err)
	}
	buf.WriteString("---\n")
	// The importer drops blank lines before the body and white space after
	// it; a body written without them reads back the same.
	if body := trimBody(d.body); body != "" {
		buf.WriteString(body)
		buf.WriteString("\n")
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// trimBody is a body as the importer reads it: line ends as "\n", without
// leading blank lines or trailing white space.
func trimBody(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 || strings.TrimSpace(s[:i]) != "" {
			break
		}
		s = s[i+1:]
	}
	return strings.TrimRight(s, " \t\r\n\v\f\u0085\u00a0")
}

func tagDocument(t content.Tag) *document {
	d := newDocument()
	d.text("name", t.Name)
	d.text("slug", t.Slug)
	if t.IsSection {
		d.plain("section", "true")
	}
	if t.Position != 0 {
		d.plain("position", strconv.Itoa(t.Position))
	}
	d.body = t.Description
	return d
}

func authorDocument(a content.Author, photo string) *document {
	d := newDocument()
	d.text("name", a.Name)
	d.text("slug", a.Slug)
	d.text("role", a.Role)
	if photo != "" {
		d.text("photo", photo)
		// The importer takes the name for the alt text unless told.
		if a.Photo.Alt != a.Name {
			d.meta.Content = append(d.meta.Content, keyNode("photo_alt"), textNode(a.Photo.Alt))
		}
		d.text("photo_caption", a.Photo.Caption)
		d.text("photo_credit", a.Photo.Credit)
	}
	var links [][]*yaml.Node
	for _, l := range a.Links {
		links = append(links, []*yaml.Node{keyNode("label"), textNode(l.Label), keyNode("url"), textNode(l.URL)})
	}
	d.maps("links", links)
	d.body = a.Bio
	return d
}

// postDocument writes a post; redirects are its old addresses in
// store.RedirectPath form.
func postDocument(p content.Post, image string, oldSlugs, redirects []string, tagRef map[int64]string) *document {
	d := newDocument()
	d.text("title", p.Title)
	d.text("slug", p.Slug)
	d.text("deck", p.Deck)
	d.time("date", p.PublishedAt)
	d.time("updated", p.UpdatedAt)
	d.plain("status", string(p.Status))
	var authors []string
	for _, a := range p.Authors {
		authors = append(authors, a.Slug)
	}
	d.list("authors", authors)
	if p.Section != nil {
		d.text("section", tagName(*p.Section, tagRef))
	}
	var tags []string
	for _, t := range p.Tags {
		tags = append(tags, tagName(t, tagRef))
	}
	d.list("tags", tags)
	if image != "" {
		d.text("image", image)
		d.text("image_alt", p.Image.Alt)
		d.text("image_caption", p.Image.Caption)
		d.text("image_credit", p.Image.Credit)
	}
	d.text("excerpt", p.Excerpt)
	d.text("seo_title", p.SEOTitle)
	d.text("seo_description", p.SEODescription)
	d.text("canonical_url", p.CanonicalURL)
	d.list("old_slugs", oldSlugs)
	written := make([]string, len(redirects))
	for i, rd := range redirects {
		written[i] = store.FormatRedirect(rd)
	}
	d.list("redirects", written)
	var corrections [][]*yaml.Node
	for _, c := range p.Corrections {
		corrections = append(corrections, []*yaml.Node{
			keyNode("date"), {Kind: yaml.ScalarNode, Value: formatTime(c.Date)},
			keyNode("note"), textNode(c.Note),
		})
	}
	d.maps("corrections", corrections)
	d.body = p.Body
	return d
}

func tagName(t content.Tag, tagRef map[int64]string) string {
	if ref, ok := tagRef[t.ID]; ok {
		return ref
	}
	return t.Slug
}

// subscribers writes subscribers.csv in the columns of the desk's
// subscriber export (which its import reads too), with times to the
// microsecond.
func (r *run) subscribers() error {
	return r.write(importer.SubscribersFile, true, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.Write(importer.SubscriberColumns); err != nil {
			return err
		}
		when := func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return formatTime(t)
		}
		for after := int64(0); ; {
			subs, err := r.st.SubscribersAfter(r.ctx, after, pageSize*5)
			if err != nil {
				return err
			}
			if len(subs) == 0 {
				break
			}
			for _, s := range subs {
				err := cw.Write([]string{cell(s.Email), cell(s.Name), string(s.Status), strconv.FormatBool(s.WantsRoundup),
					strconv.FormatBool(s.WantsEveryArticle), strconv.FormatBool(s.Paused), cell(s.ConsentSource),
					cell(s.ConsentIP), when(s.ConsentAt), when(s.ConfirmedAt), when(s.UnsubscribedAt), when(s.CreatedAt)})
				if err != nil {
					return err
				}
			}
			r.manifest.Counts.Subscribers += len(subs)
			after = subs[len(subs)-1].ID
			cw.Flush()
			if err := cw.Error(); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	})
}

// cell keeps a value from being read as a formula by a spreadsheet, as the
// desk's subscriber export does, with an apostrophe that the importer
// takes off again. A value that begins like an escaped one is escaped too,
// so that it reads back unchanged.
func cell(v string) string {
	const formula = "=+-@\t\r"
	if v != "" && strings.ContainsRune(formula, rune(v[0])) ||
		len(v) > 1 && v[0] == '\'' && strings.ContainsRune(formula+"'", rune(v[1])) {
		return "'" + v
	}
	return v
}
