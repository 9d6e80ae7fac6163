package mail

import (
	"bytes"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"strings"
	texttemplate "text/template"
)

// Template makes the subject and bodies of one kind of message from data.
// The subject and text body are plain text; the HTML body is escaped by
// html/template, so values from users cannot add markup.
type Template struct {
	name    string
	subject *texttemplate.Template
	text    *texttemplate.Template
	html    *htmltemplate.Template // nil for text-only messages
}

// NewTemplate parses the three parts of a message; html may be empty for a
// text-only message. A template that uses a missing key fails when
// executed rather than printing "<no value>".
func NewTemplate(name, subject, text, html string) (*Template, error) {
	if strings.TrimSpace(subject) == "" || strings.TrimSpace(text) == "" {
		return nil, fmt.Errorf("mail: template %s: a subject and a text body are required", name)
	}
	t := &Template{name: name}
	var err error
	if t.subject, err = texttemplate.New(name + ".subject").Option("missingkey=error").Parse(subject); err != nil {
		return nil, fmt.Errorf("mail: template %s: subject: %w", name, err)
	}
	if t.text, err = texttemplate.New(name + ".txt").Option("missingkey=error").Parse(text); err != nil {
		return nil, fmt.Errorf("mail: template %s: text: %w", name, err)
	}
	if strings.TrimSpace(html) != "" {
		if t.html, err = htmltemplate.New(name + ".html").Option("missingkey=error").Parse(html); err != nil {
			return nil, fmt.Errorf("mail: template %s: html: %w", name, err)
		}
	}
	return t, nil
}

// ParseTemplateFS reads the parts of the template name from fsys:
// name.subject.txt, name.txt and, when present, name.html.
func ParseTemplateFS(fsys fs.FS, name string) (*Template, error) {
	subject, err := fs.ReadFile(fsys, name+".subject.txt")
	if err != nil {
		return nil, fmt.Errorf("mail: template %s: %w", name, err)
	}
	text, err := fs.ReadFile(fsys, name+".txt")
	if err != nil {
		return nil, fmt.Errorf("mail: template %s: %w", name, err)
	}
	html, err := fs.ReadFile(fsys, name+".html")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("mail: template %s: %w", name, err)
	}
	return NewTemplate(name, string(subject), string(text), string(html))
}

// Execute fills in the template and returns a message with its Subject,
// Text, HTML and Kind (the template's name) set; the caller adds To and,
// if needed, From and Headers. The subject is trimmed; a line break inside
// it, say from a user's name, is left for Send to refuse.
func (t *Template) Execute(data any) (Message, error) {
	var subject, text, html bytes.Buffer
	if err := t.subject.Execute(&subject, data); err != nil {
		return Message{}, fmt.Errorf("mail: template %s: %w", t.name, err)
	}
	if err := t.text.Execute(&text, data); err != nil {
		return Message{}, fmt.Errorf("mail: template %s: %w", t.name, err)
	}
	if t.html != nil {
		if err := t.html.Execute(&html, data); err != nil {
			return Message{}, fmt.Errorf("mail: template %s: %w", t.name, err)
		}
	}
	return Message{
		Subject: strings.TrimSpace(subject.String()),
		Text:    text.String(),
		HTML:    html.String(),
		Kind:    t.name,
	}, nil
}
