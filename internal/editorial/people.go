package editorial

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"masthead/internal/content"
	"masthead/internal/media"
	"masthead/internal/store"
)

// AuthorInput is the author profile form.
type AuthorInput struct {
	Name     string
	Slug     string // empty means made from the name
	Role     string // the title line
	Bio      string // Markdown
	PhotoKey string // media key; empty for none
	// Links holds one link a line: "Label | https://…", or just the URL.
	Links string
}

// AuthorInputOf returns the form values of a profile.
func AuthorInputOf(a content.Author) AuthorInput {
	lines := make([]string, 0, len(a.Links))
	for _, l := range a.Links {
		lines = append(lines, l.Label+" | "+l.URL)
	}
	return AuthorInput{Name: a.Name, Slug: a.Slug, Role: a.Role, Bio: a.Bio, PhotoKey: a.Photo.Key, Links: strings.Join(lines, "\n")}
}

// Authors lists every author profile, guests included.
func (s *Service) Authors(ctx context.Context) ([]content.Author, error) {
	as, err := s.store.Authors(ctx)
	if err != nil {
		return nil, fmt.Errorf("editorial: authors: %w", err)
	}
	return as, nil
}

// Author returns one profile.
func (s *Service) Author(ctx context.Context, id int64) (content.Author, error) {
	a, err := s.store.AuthorByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return a, notFound("The author")
	}
	if err != nil {
		return a, fmt.Errorf("editorial: author %d: %w", id, err)
	}
	return a, nil
}

// SaveAuthor creates a guest author (id 0; editors) or updates a profile
// (one's own, or any for editors).
func (s *Service) SaveAuthor(ctx context.Context, actor Actor, id int64, in AuthorInput) (content.Author, error) {
	var a content.Author
	if id == 0 {
		if err := Can(actor.Account, AuthorCreate, Target{}); err != nil {
			return a, err
		}
	} else {
		var err error
		if a, err = s.Author(ctx, id); err != nil {
			return a, err
		}
		if err := Can(actor.Account, AuthorEdit, Target{AuthorID: id}); err != nil {
			return content.Author{}, err
		}
	}
	fe := FieldErrors{}
	in.Name = strings.TrimSpace(in.Name)
	in.Slug = strings.TrimSpace(in.Slug)
	in.Role = strings.TrimSpace(in.Role)
	in.PhotoKey = strings.TrimSpace(in.PhotoKey)
	in.Bio = strings.TrimSpace(strings.ReplaceAll(in.Bio, "\r\n", "\n"))
	switch {
	case in.Name == "":
		fe["name"] = "Write the name as it appears in bylines."
	case utf8.RuneCountInString(in.Name) > 120:
		fe["name"] = "Keep the name under 120 characters."
	}
	if utf8.RuneCountInString(in.Role) > 200 {
		fe["role"] = "Keep the role line under 200 characters."
	}
	if len(in.Bio) > 20000 {
		fe["bio"] = "Keep the biography under 20,000 characters."
	}
	// An existing profile keeps its address when the slug is left empty;
	// a new one gets a free slug made from the name.
	switch {
	case in.Slug != "":
	case id != 0:
		in.Slug = a.Slug
	case in.Name != "" && content.Slugify(in.Name) == "":
		fe["slug"] = "Write a slug for the author's page: lower-case letters, digits and hyphens."
	case in.Name != "":
		slug, err := uniqueAuthorSlug(ctx, s.store, in.Name)
		if err != nil {
			return a, fmt.Errorf("editorial: save author: %w", err)
		}
		in.Slug = slug
	}
	if in.Slug != "" && in.Slug != a.Slug && !content.ValidSlug(in.Slug) {
		fe["slug"] = "Use lower-case letters, digits and single hyphens, such as " + exampleSlug(in.Slug) + "."
	}
	if _, bad := fe["slug"]; !bad && in.Slug != "" {
		if other, err := s.store.AuthorBySlug(ctx, in.Slug); err == nil && other.ID != id {
			fe["slug"] = fmt.Sprintf("%s already has this address; choose another slug.", other.Name)
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return a, fmt.Errorf("editorial: save author: %w", err)
		}
	}
	links, msg := parseLinks(in.Links)
	if msg != "" {
		fe["links"] = msg
	}
	photo := a.Photo
	switch {
	case in.PhotoKey == "":
		photo = content.Image{}
	case in.PhotoKey != a.Photo.Key:
		item, err := s.store.MediaItemByKey(ctx, in.PhotoKey)
		if !media.ValidKey(in.PhotoKey) || errors.Is(err, store.ErrNotFound) {
			fe["photo"] = "Choose the photo from the media library."
		} else if err != nil {
			return a, fmt.Errorf("editorial: save author: %w", err)
		} else {
			photo = content.Image{Key: item.Key, Width: item.Width, Height: item.Height, Alt: cmpOr(item.Alt, in.Name), Credit: item.Credit}
		}
	}
	if err := fe.errOrNil(); err != nil {
		return a, err
	}
	a.Name, a.Slug, a.Role, a.Bio, a.Photo, a.Links = in.Name, in.Slug, in.Role, in.Bio, photo, links
	if err := s.store.SaveAuthor(ctx, &a); errors.Is(err, store.ErrConflict) {
		return a, FieldErrors{"slug": "Another author already has this address; choose another slug."}
	} else if err != nil {
		return a, fmt.Errorf("editorial: save author: %w", err)
	}
	if id == 0 {
		s.audit(ctx, actor, "author.create", a.Name, "guest")
	}
	s.changed()
	return a, nil
}

// parseLinks reads one link a line: "Label | URL", or a bare URL labelled
// with its host.
func parseLinks(text string) ([]content.Link, string) {
	var links []content.Link
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		label, raw, ok := strings.Cut(line, "|")
		if !ok {
			label, raw = "", line
		}
		label, raw = strings.TrimSpace(label), strings.TrimSpace(raw)
		u, err := url.Parse(raw)
		if err != nil || !((u.Scheme == "http" || u.Scheme == "https") && u.Host != "" || u.Scheme == "mailto" && u.Opaque != "") {
			return nil, fmt.Sprintf("“%s” is not a link; write one a line as Label | https://…", line)
		}
		if label == "" {
			label = strings.TrimPrefix(u.Host, "www.")
			if u.Scheme == "mailto" {
				label = u.Opaque
			}
		}
		links = append(links, content.Link{Label: label, URL: raw})
	}
	if len(links) > 20 {
		return nil, "Use at most 20 links."
	}
	return links, ""
}

// LinkAccountAuthor makes an account write as an author profile (0 unlinks
// it); admins only.
func (s *Service) LinkAccountAuthor(ctx context.Context, actor Actor, accountID, authorID int64) error {
	acc, err := s.targetAccount(ctx, accountID)
	if err != nil {
		return err
	}
	if err := Can(actor.Account, AccountsView, Target{}); err != nil {
		return err
	}
	if rank(acc.Role) > rank(actor.Role) {
		return forbidden("Only an owner can change an owner's account.")
	}
	if authorID != 0 {
		if _, err := s.Author(ctx, authorID); err != nil {
			return err
		}
	}
	acc.AuthorID = authorID
	if err := s.store.UpdateAccount(ctx, acc); errors.Is(err, store.ErrConflict) {
		return conflicting("That author profile belongs to another account.")
	} else if err != nil {
		return fmt.Errorf("editorial: link author: %w", err)
	}
	s.audit(ctx, actor, "account.author", acc.Email, fmt.Sprintf("author %d", authorID))
	return nil
}

// TagInput is the form of a tag or section.
type TagInput struct {
	Name        string
	Slug        string // empty means made from the name
	Description string
	IsSection   bool
	Position    int // order among sections, ascending
}

// Tags lists every tag, sections first in their order.
func (s *Service) Tags(ctx context.Context) ([]content.Tag, error) {
	ts, err := s.store.Tags(ctx)
	if err != nil {
		return nil, fmt.Errorf("editorial: tags: %w", err)
	}
	return ts, nil
}

// SaveTag creates (id 0) or changes a tag: its name, whether it is a
// section in the navigation, and its place there; editors only.
func (s *Service) SaveTag(ctx context.Context, actor Actor, id int64, in TagInput) (content.Tag, error) {
	action := TagManage
	if id == 0 {
		action = TagCreate
	}
	if err := Can(actor.Account, action, Target{}); err != nil {
		return content.Tag{}, err
	}
	all, err := s.Tags(ctx)
	if err != nil {
		return content.Tag{}, err
	}
	var t content.Tag
	if id != 0 {
		found := false
		for _, x := range all {
			if x.ID == id {
				t, found = x, true
			}
		}
		if !found {
			return t, notFound("The tag")
		}
	}
	fe := FieldErrors{}
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	in.Slug = strings.TrimSpace(in.Slug)
	in.Description = strings.TrimSpace(in.Description)
	if in.Name == "" {
		fe["name"] = "Give the tag a name."
	} else if utf8.RuneCountInString(in.Name) > 100 {
		fe["name"] = "Keep the name under 100 characters."
	}
	if utf8.RuneCountInString(in.Description) > 1000 {
		fe["description"] = "Keep the description under 1000 characters."
	}
	if in.Slug == "" {
		in.Slug = content.Slugify(in.Name)
	}
	if in.Slug != t.Slug && !content.ValidSlug(in.Slug) {
		fe["slug"] = "Use lower-case letters, digits and single hyphens, such as " + exampleSlug(in.Name) + "."
	}
	for _, x := range all {
		if x.ID != id && x.Slug == in.Slug {
			fe["slug"] = fmt.Sprintf("The tag “%s” already has this address.", x.Name)
		}
	}
	if in.Position < 0 || in.Position > 1000 {
		fe["position"] = "Use a number from 0 to 1000."
	}
	if err := fe.errOrNil(); err != nil {
		return t, err
	}
	t.Name, t.Slug, t.Description, t.IsSection, t.Position = in.Name, in.Slug, in.Description, in.IsSection, in.Position
	if err := s.store.SaveTag(ctx, &t); errors.Is(err, store.ErrConflict) {
		return t, FieldErrors{"slug": "Another tag already has this address."}
	} else if err != nil {
		return t, fmt.Errorf("editorial: save tag: %w", err)
	}
	s.changed()
	return t, nil
}
