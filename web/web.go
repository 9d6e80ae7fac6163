// Package web holds the public site's templates and static files, embedded
// in the binary so that it is self-contained.
package web

import "embed"

// Templates holds the HTML templates under templates/.
//
//go:embed templates
var Templates embed.FS

// Static holds the stylesheet, script and fonts under static/, served at
// content-hashed URLs.
//
//go:embed static
var Static embed.FS
