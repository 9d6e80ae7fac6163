package site

import (
	"fmt"
	"html/template"
	"io/fs"
)

// parseTemplates parses each page template with the layout and the
// partials, once, at start.
func parseTemplates(fsys fs.FS, a *assets) (map[string]*template.Template, error) {
	base, err := template.New("").Funcs(template.FuncMap{"asset": a.url}).
		ParseFS(fsys, "layout.html", "partials.html")
	if err != nil {
		return nil, fmt.Errorf("site: templates: %w", err)
	}
	if base.Lookup("layout") == nil {
		return nil, fmt.Errorf("site: templates: layout.html does not define \"layout\"")
	}
	pages := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		t, err := base.Clone()
		if err == nil {
			t, err = t.ParseFS(fsys, "pages/"+name+".html")
		}
		if err != nil {
			return nil, fmt.Errorf("site: templates: %w", err)
		}
		if t.Lookup("main") == nil {
			return nil, fmt.Errorf("site: templates: pages/%s.html does not define \"main\"", name)
		}
		pages[name] = t
	}
	return pages, nil
}
