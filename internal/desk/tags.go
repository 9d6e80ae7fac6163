package desk

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"

	"masthead/internal/content"
	"masthead/internal/editorial"
)

type tagListView struct {
	Sections []content.Tag
	Tags     []content.Tag
	New      editorial.TagInput
	Errors   editorial.FieldErrors
	ErrorTag int64 // the tag whose form has the errors; 0 for the new one
}

// tagList shows the tags, sections first in navigation order; editors
// rename them, mark sections and order them.
func (d *Desk) tagList(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := editorial.Can(req.actor.Account, editorial.TagManage, editorial.Target{}); err != nil {
		return err
	}
	return d.renderTags(w, r, req, tagListView{}, http.StatusOK)
}

func (d *Desk) renderTags(w http.ResponseWriter, r *http.Request, req *request, v tagListView, status int) error {
	tags, err := d.svc.Tags(r.Context())
	if err != nil {
		return err
	}
	for _, t := range tags {
		if t.IsSection {
			v.Sections = append(v.Sections, t)
		} else {
			v.Tags = append(v.Tags, t)
		}
	}
	slices.SortStableFunc(v.Sections, func(a, b content.Tag) int { return cmp.Compare(a.Position, b.Position) })
	return d.render(w, r, req, status, "tags", "Tags and sections", v)
}

func tagInputFrom(r *http.Request) editorial.TagInput {
	pos, _ := strconv.Atoi(r.PostFormValue("position"))
	return editorial.TagInput{Name: r.PostFormValue("name"), Slug: r.PostFormValue("slug"), Description: r.PostFormValue("description"),
		IsSection: r.PostFormValue("section") == "on", Position: pos}
}
