package newsletter

import (
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"strings"
	texttemplate "text/template"
	"unicode/utf8"

	"masthead/internal/mail"
)

//go:embed templates
var templateFS embed.FS

// templates are the emails the newsletter sends, parsed once.
type templates struct {
	confirm, welcome, already *mail.Template
	issueHTML                 *htmltemplate.Template
	issueText                 *texttemplate.Template
}

func loadTemplates() (*templates, error) {
	var t templates
	sub, err := fs.Sub(templateFS, "templates/mail")
	if err != nil {
		return nil, fmt.Errorf("newsletter: templates: %w", err)
	}
	for name, into := range map[string]**mail.Template{"confirm": &t.confirm, "welcome": &t.welcome, "already": &t.already} {
		if *into, err = mail.ParseTemplateFS(sub, name); err != nil {
			return nil, fmt.Errorf("newsletter: %w", err)
		}
	}
	if t.issueHTML, err = htmltemplate.New("issue.html").Option("missingkey=error").ParseFS(templateFS, "templates/issue.html"); err != nil {
		return nil, fmt.Errorf("newsletter: templates: %w", err)
	}
	t.issueText, err = texttemplate.New("issue.txt").Option("missingkey=error").Funcs(texttemplate.FuncMap{
		"wrap":  func(s string) string { return wrap(s, 72) },
		"upper": strings.ToUpper,
		"rule":  func(s string) string { return strings.Repeat("=", utf8.RuneCountInString(s)) },
	}).ParseFS(templateFS, "templates/issue.txt")
	if err != nil {
		return nil, fmt.Errorf("newsletter: templates: %w", err)
	}
	return &t, nil
}

// wrap breaks plain text into lines of at most width characters at
// spaces, keeping the paragraphs (blank lines) it has. A word longer than
// a line, such as a URL, stands on a line of its own.
func wrap(s string, width int) string {
	var b strings.Builder
	for i, para := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		n := 0
		for j, word := range strings.Fields(para) {
			w := utf8.RuneCountInString(word)
			switch {
			case j == 0:
			case n+1+w > width:
				b.WriteByte('\n')
				n = 0
			default:
				b.WriteByte(' ')
				n++
			}
			b.WriteString(word)
			n += w
		}
	}
	return b.String()
}
