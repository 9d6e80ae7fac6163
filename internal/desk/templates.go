package desk

import (
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
)

// pageNames are the templates under pages/, each parsed with the layout
// and the partials.
var pageNames = []string{
	"setup", "signin", "forgot", "reset", "accept", "message",
	"dashboard", "posts", "editor", "revisions", "preview",
	"media", "media_edit", "authors", "author_edit", "tags",
	"accounts", "account", "account_delete", "settings", "settings_mail", "audit", "outbox", "outbox_message",
	"newsletter", "newsletter_issue", "newsletter_send", "subscribers", "subscriber", "subscriber_import",
	"import", "import_run",
	"topic_list", "topic_edit",
}

// fragments are pages rendered without the layout.
var fragments = map[string]bool{"preview": true}

func parseTemplates(fsys fs.FS, a *assets) (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"asset":       a.url,
		"statusLabel": statusLabel,
		"roleLabel":   roleLabel,
		"mediaURL":    func(key string) string { return "/media/" + key },
		"thumbURL":    thumbURL,
		"date":        func(t time.Time, loc *time.Location) string { return formatTime(t, loc, "2 Jan 2006") },
		"datetime":    func(t time.Time, loc *time.Location) string { return formatTime(t, loc, "2 Jan 2006, 15:04 MST") },
		"isoTime":     func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"names":       names,
		"join":        strings.Join,
		"add":         func(a, b int) int { return a + b },
		"sub":         func(a, b int) int { return a - b },
		"opChar":      func(b any) string { return fmt.Sprintf("%c", b) },
		"kb":          func(n int64) string { return fmt.Sprintf("%d KB", (n+1023)/1024) },
		"dict":        dict,
	}
	base, err := template.New("").Funcs(funcs).ParseFS(fsys, "layout.html", "partials.html")
	if err != nil {
		return nil, fmt.Errorf("desk: templates: %w", err)
	}
	if base.Lookup("layout") == nil {
		return nil, fmt.Errorf("desk: templates: layout.html does not define \"layout\"")
	}
	pages := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		t, err := base.Clone()
		if err == nil {
			t, err = t.ParseFS(fsys, path.Join("pages", name+".html"))
		}
		if err != nil {
			return nil, fmt.Errorf("desk: templates: %w", err)
		}
		if t.Lookup("main") == nil {
			return nil, fmt.Errorf("desk: templates: pages/%s.html does not define \"main\"", name)
		}
		pages[name] = t
	}
	return pages, nil
}

func formatTime(t time.Time, loc *time.Location, layout string) string {
	if t.IsZero() {
		return ""
	}
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format(layout)
}

func statusLabel(s content.Status) string {
	switch s {
	case content.StatusDraft:
		return "Draft"
	case content.StatusReview:
		return "In review"
	case content.StatusScheduled:
		return "Scheduled"
	case content.StatusPublished:
		return "Published"
	case content.StatusArchived:
		return "Archived"
	}
	return string(s)
}

func roleLabel(r store.Role) string {
	switch r {
	case store.RoleAdmin:
		return "Administrator"
	case "":
		return ""
	}
	s := string(r)
	return strings.ToUpper(s[:1]) + s[1:]
}

// thumbURL is the smallest WebP rendition of an image, or the original
// while there are none.
func thumbURL(m store.MediaItem) string {
	best := ""
	width := 0
	for _, r := range m.Renditions {
		if r.Format == "webp" && (best == "" || r.Width < width) {
			best, width = r.Key, r.Width
		}
	}
	if best == "" {
		best = m.Key
	}
	return "/media/" + best
}

func names(refs []store.Ref) string {
	out := make([]string, 0, len(refs))
	for _, r := range refs {
		out = append(out, r.Name)
	}
	return strings.Join(out, ", ")
}

// dict builds a map from alternating keys and values, to hand a partial
// several values.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}
