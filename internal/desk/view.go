package desk

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"time"

	"masthead/internal/editorial"
	"masthead/internal/store"
)

// layoutView is what every page needs.
type layoutView struct {
	Title    string
	SiteName string
	Actor    *actorView // nil when nobody is signed in
	Nav      []navItem
	Flash    *flashView
	Loc      *time.Location // the site's timezone, for dates
	Page     any
}

type actorView struct {
	Email string
	Name  string
	Role  store.Role
}

type navItem struct {
	Label   string
	URL     string
	Current bool
}

type flashView struct {
	Kind    string // "ok" or "error"
	Message string
}

// nav lists the sections of the desk the actor may open.
func nav(actor editorial.Actor, path string) []navItem {
	items := []navItem{{"Home", "/desk/home", false}, {"Posts", "/desk/posts", false}, {"Media", "/desk/media", false},
		{"People", "/desk/authors", false}}
	if editorial.AtLeast(actor.Role, store.RoleEditor) {
		items = append(items, navItem{"Tags", "/desk/tags", false}, navItem{"Topics", "/desk/topics", false}, navItem{"Round-up", "/desk/newsletter", false},
			navItem{"Subscribers", "/desk/subscribers", false})
	}
	if editorial.AtLeast(actor.Role, store.RoleAdmin) {
		items = append(items, navItem{"Accounts", "/desk/accounts", false}, navItem{"Settings", "/desk/settings", false},
			navItem{"Mail server", "/desk/settings/mail", false},
			navItem{"Audit log", "/desk/audit", false}, navItem{"Outbox", "/desk/outbox", false})
	}
	// The longest match is current: /desk/settings/mail is the mail
	// server's page, not the site settings'.
	best := -1
	for i := range items {
		if (path == items[i].URL || strings.HasPrefix(path, items[i].URL+"/")) && (best < 0 || len(items[i].URL) > len(items[best].URL)) {
			best = i
		}
	}
	if best >= 0 {
		items[best].Current = true
	}
	return items
}

// render writes a page with the layout: the view builder fills in the
// site's name and timezone, the navigation, the signed-in person and the
// flash message.
func (d *Desk) render(w http.ResponseWriter, r *http.Request, req *request, status int, name, title string, page any) error {
	v := layoutView{Title: title, SiteName: "Masthead", Loc: time.UTC, Page: page}
	if ss, err := d.svc.Settings(r.Context()); err == nil {
		v.SiteName = ss.Name
		if loc, err := time.LoadLocation(ss.Timezone); err == nil {
			v.Loc = loc
		}
	}
	if req != nil && req.actor.ID != 0 {
		v.Actor = &actorView{Email: req.actor.Email, Name: req.name, Role: req.actor.Role}
		v.Nav = nav(req.actor, r.URL.Path)
	}
	v.Flash = takeFlash(w, r)
	tmpl := d.pages[name]
	var buf bytes.Buffer
	entry := "layout"
	if fragments[name] {
		entry = "main"
	}
	if err := tmpl.ExecuteTemplate(&buf, entry, v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

const flashCookie = "masthead_flash"

// setFlash keeps a message for the next page, after a redirect.
func setFlash(w http.ResponseWriter, kind, msg string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(kind + ":" + msg), Path: "/desk",
		MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func takeFlash(w http.ResponseWriter, r *http.Request) *flashView {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/desk", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	v, err := url.QueryUnescape(c.Value)
	if err != nil {
		return nil
	}
	kind, msg, ok := strings.Cut(v, ":")
	if !ok || (kind != "ok" && kind != "error") || msg == "" {
		return nil
	}
	return &flashView{Kind: kind, Message: msg}
}

// redirect answers a form post with 303 See Other and a flash message.
func redirect(w http.ResponseWriter, r *http.Request, to, kind, msg string) error {
	if msg != "" {
		setFlash(w, kind, msg)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
