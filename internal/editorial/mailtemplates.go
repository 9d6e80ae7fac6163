package editorial

import (
	"embed"
	"fmt"
	"io/fs"

	"masthead/internal/mail"
)

//go:embed mailtemplates
var mailFS embed.FS

// mailTemplates are the messages the desk sends, parsed once.
type mailTemplates struct {
	invite, reset *mail.Template
}

// mailData is what the invitation and reset templates are given.
type mailData struct {
	Inviter, Site, Role, Link, Expires string
}

func loadMailTemplates() (*mailTemplates, error) {
	var t mailTemplates
	sub, err := fs.Sub(mailFS, "mailtemplates")
	if err != nil {
		return nil, fmt.Errorf("editorial: mail templates: %w", err)
	}
	if t.invite, err = mail.ParseTemplateFS(sub, "invite"); err != nil {
		return nil, err
	}
	if t.reset, err = mail.ParseTemplateFS(sub, "reset"); err != nil {
		return nil, err
	}
	return &t, nil
}
