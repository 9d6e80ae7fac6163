package desk

import (
	"net/http"

	"masthead/internal/content"
	"masthead/internal/editorial"
	"masthead/internal/store"
)

type authorRow struct {
	Author  content.Author
	Login   string // the linked account's email; empty for guests
	CanEdit bool
}

type authorListView struct {
	Authors   []authorRow
	CanCreate bool
}

// authorList lists the people who write for the publication, guests
// included.
func (d *Desk) authorList(w http.ResponseWriter, r *http.Request, req *request) error {
	authors, err := d.svc.Authors(r.Context())
	if err != nil {
		return err
	}
	logins := map[int64]string{}
	if accs, err := d.svc.Accounts(r.Context(), req.actor); err == nil {
		for _, a := range accs {
			if a.AuthorID != 0 {
				logins[a.AuthorID] = a.Email
			}
		}
	}
	v := authorListView{CanCreate: editorial.Can(req.actor.Account, editorial.AuthorCreate, editorial.Target{}) == nil}
	for _, a := range authors {
		v.Authors = append(v.Authors, authorRow{Author: a, Login: logins[a.ID],
			CanEdit: editorial.Can(req.actor.Account, editorial.AuthorEdit, editorial.Target{AuthorID: a.ID}) == nil})
	}
	return d.render(w, r, req, http.StatusOK, "authors", "People", v)
}

type authorEditView struct {
	New    bool
	Author content.Author
	In     editorial.AuthorInput
	Errors editorial.FieldErrors
	Media  []store.MediaItem
	Action string
}

func (d *Desk) renderAuthor(w http.ResponseWriter, r *http.Request, req *request, v authorEditView, status int) error {
	page, err := d.svc.MediaItems(r.Context(), req.actor, store.MediaFilter{Limit: 100})
	if err != nil {
		return err
	}
	v.Media = page.Items
	title := "New guest author"
	if !v.New {
		title = v.Author.Name
	}
	return d.render(w, r, req, status, "author_edit", title, v)
}
