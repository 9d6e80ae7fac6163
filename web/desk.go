package web

import "embed"

// DeskTemplates holds the editorial desk's HTML templates under
// desk/templates/.
//
//go:embed desk/templates
var DeskTemplates embed.FS

// DeskStatic holds the desk's stylesheet and script under desk/static/,
// served at content-hashed URLs.
//
//go:embed desk/static
var DeskStatic embed.FS
