package desk

import (
	"net/http"
	"strings"

	"masthead/internal/content"
	"masthead/internal/editorial"
)

// apiAuthor is an author profile as the API shows it.
type apiAuthor struct {
	ID        int64          `json:"id"`
	Slug      string         `json:"slug"`
	Name      string         `json:"name"`
	Role      string         `json:"role"`
	Bio       string         `json:"bio"`
	Photo     *apiImage      `json:"photo"`
	Links     []content.Link `json:"links"`
	CreatedAt apiTime        `json:"created_at"`
	UpdatedAt apiTime        `json:"updated_at"`
}

func authorJSON(a content.Author) apiAuthor {
	v := apiAuthor{ID: a.ID, Slug: a.Slug, Name: a.Name, Role: a.Role, Bio: a.Bio, Photo: imageJSON(a.Photo),
		Links: a.Links, CreatedAt: apiTime(a.CreatedAt), UpdatedAt: apiTime(a.UpdatedAt)}
	if v.Links == nil {
		v.Links = []content.Link{}
	}
	return v
}

// apiAuthorInput is the body of an author create or update; fields left
// out are empty on create and PUT and keep their value on PATCH.
type apiAuthorInput struct {
	Name     *string         `json:"name"`
	Slug     *string         `json:"slug"`
	Role     *string         `json:"role"`
	Bio      *string         `json:"bio"`
	PhotoKey *string         `json:"photo_key"`
	Links    *[]content.Link `json:"links"`
}

var authorFieldNames = map[string]string{"photo": "photo_key"}

func (b apiAuthorInput) apply(in *editorial.AuthorInput) error {
	for _, f := range []struct {
		dst *string
		src *string
	}{{&in.Name, b.Name}, {&in.Slug, b.Slug}, {&in.Role, b.Role}, {&in.Bio, b.Bio}, {&in.PhotoKey, b.PhotoKey}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if b.Links != nil {
		// The service reads links as the profile form's "Label | URL" lines.
		lines := make([]string, 0, len(*b.Links))
		for _, l := range *b.Links {
			label, u := strings.TrimSpace(l.Label), strings.TrimSpace(l.URL)
			if strings.ContainsAny(label, "|\r\n") || strings.ContainsAny(u, " |\r\n") || u == "" {
				return editorial.FieldErrors{"links": "Each link needs a url, and its label cannot contain “|” or line breaks."}
			}
			if label != "" {
				u = label + " | " + u
			}
			lines = append(lines, u)
		}
		in.Links = strings.Join(lines, "\n")
	}
	return nil
}

func (d *Desk) apiAuthorList(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error {
	as, err := d.svc.Authors(r.Context())
	if err != nil {
		return err
	}
	v := struct {
		Authors []apiAuthor `json:"authors"`
	}{Authors: []apiAuthor{}}
	for _, a := range as {
		v.Authors = append(v.Authors, authorJSON(a))
	}
	return writeJSON(w, http.StatusOK, v)
}

func (d *Desk) apiAuthorGet(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error {
	id, err := apiID(r)
	if err != nil {
		return err
	}
	a, err := d.svc.Author(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, authorJSON(a))
}

// apiAuthorCreate adds a guest author: a profile without a login.
func (d *Desk) apiAuthorCreate(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error {
	var body apiAuthorInput
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	var in editorial.AuthorInput
	if err := body.apply(&in); err != nil {
		return err
	}
	a, err := d.svc.SaveAuthor(r.Context(), actor, 0, in)
	if err != nil {
		return renameFields(err, authorFieldNames)
	}
	w.Header().Set("Location", apiPrefix+"/authors/"+itoa(a.ID))
	return writeJSON(w, http.StatusCreated, authorJSON(a))
}

func (d *Desk) apiAuthorReplace(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error {
	return d.apiAuthorUpdate(w, r, actor, false)
}

func (d *Desk) apiAuthorPatch(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error {
	return d.apiAuthorUpdate(w, r, actor, true)
}

func (d *Desk) apiAuthorUpdate(w http.ResponseWriter, r *http.Request, actor editorial.Actor, merge bool) error {
	id, err := apiID(r)
	if err != nil {
		return err
	}
	var body apiAuthorInput
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	var in editorial.AuthorInput
	if merge {
		a, err := d.svc.Author(r.Context(), id)
		if err != nil {
			return err
		}
		in = editorial.AuthorInputOf(a)
	}
	if err := body.apply(&in); err != nil {
		return err
	}
	a, err := d.svc.SaveAuthor(r.Context(), actor, id, in)
	if err != nil {
		return renameFields(err, authorFieldNames)
	}
	return writeJSON(w, http.StatusOK, authorJSON(a))
}

// apiTag is a tag or section as the API shows it.
type apiTag struct {
	ID          int64  `json:"id"`
	Slug        string `json:"slug"`
	Name        string `json:"name"`
	Description string `json:"description"`
	IsSection   bool   `json:"is_section"`
	Position    int    `json:"position"`
}

func tagJSON(t content.Tag) apiTag {
	return apiTag{ID: t.ID, Slug: t.Slug, Name: t.Name, Description: t.Description, IsSection: t.IsSection, Position: t.Position}
}

type apiTagInput struct {
	Name        *string `json:"name"`
	Slug        *string `json:"slug"`
	Description *string `json:"description"`
	IsSection   *bool   `json:"is_section"`
	Position    *int    `json:"position"`
}

func (b apiTagInput) apply(in *editorial.TagInput) {
	if b.Name != nil {
		in.Name = *b.Name
	}
	if b.Slug != nil {
		in.Slug = *b.Slug
	}
	if b.Description != nil {
		in.Description = *b.Description
	}
	if b.IsSection != nil {
		in.IsSection = *b.IsSection
	}
	if b.Position != nil {
		in.Position = *b.Position
	}
}

// apiTagList lists every tag, sections first in their order.
func (d *Desk) apiTagList(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error {
	ts, err := d.svc.Tags(r.Context())
	if err != nil {
		return err
	}
	v := struct {
		Tags []apiTag `json:"tags"`
	}{Tags: []apiTag{}}
	for _, t := range ts {
		v.Tags = append(v.Tags, tagJSON(t))
	}
	return writeJSON(w, http.StatusOK, v)
}

func (d *Desk) apiTagCreate(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error {
	var body apiTagInput
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	var in editorial.TagInput
	body.apply(&in)
	t, err := d.svc.SaveTag(r.Context(), actor, 0, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, tagJSON(t))
}

func (d *Desk) apiTagReplace(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error {
	return d.apiTagUpdate(w, r, actor, false)
}

func (d *Desk) apiTagPatch(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error {
	return d.apiTagUpdate(w, r, actor, true)
}

func (d *Desk) apiTagUpdate(w http.ResponseWriter, r *http.Request, actor editorial.Actor, merge bool) error {
	id, err := apiID(r)
	if err != nil {
		return err
	}
	var body apiTagInput
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	var in editorial.TagInput
	if merge {
		ts, err := d.svc.Tags(r.Context())
		if err != nil {
			return err
		}
		for _, t := range ts {
			if t.ID == id {
				in = editorial.TagInput{Name: t.Name, Slug: t.Slug, Description: t.Description, IsSection: t.IsSection, Position: t.Position}
			}
		}
		// A tag that does not exist is refused by SaveTag, after the role.
	}
	body.apply(&in)
	t, err := d.svc.SaveTag(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, tagJSON(t))
}
