package desk

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"time"

	"masthead/internal/content"
	"masthead/internal/editorial"
	"masthead/internal/store"
)

// editorView is the post editor.
type editorView struct {
	New       bool
	Post      content.Post
	In        editorial.PostInput
	Errors    editorial.FieldErrors
	Problems  []string // the errors with their fields' names, for the top of the page
	Error     string
	Action    string // where the form saves
	Slots     []slotView
	Authors   []content.Author
	Sections  []content.Tag
	TagNames  []string
	Media     []store.MediaItem
	PublishAt string // datetime-local value in the site's timezone
	Timezone  string
	Can       editorCan
	Preview   template.HTML // the body as the site renders it
	PublicURL string
	MaxUpload string
	Topics    topicsView
}

// slotView is one line of the byline editor: an author and its place.
type slotView struct {
	Selected int64
	Order    int
}

// editorCan says which buttons the editor shows; the services decide
// again when one is pressed.
type editorCan struct {
	Save, Autosave, Submit, Publish, Schedule, Unpublish, Archive, Reopen, Delete, Correct bool
}

// fieldLabels name the editor's fields in the list of problems, in the
// order of the page.
var fieldLabels = []struct{ field, label string }{
	{"title", "Title"}, {"deck", "Deck"}, {"body", "Article"}, {"publish_at", "Publish at"},
	{"authors", "Byline"}, {"section", "Section"}, {"tags", "Tags"}, {"image", "Photo"},
	{"image_alt", "Photo description"}, {"image_caption", "Caption"}, {"image_credit", "Credit"},
	{"slug", "Slug"}, {"excerpt", "Excerpt"}, {"seo_title", "SEO title"}, {"seo_description", "SEO description"},
	{"canonical_url", "Canonical URL"}, {"correction", "Correction"},
}

func problems(fe editorial.FieldErrors) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range fieldLabels {
		if msg, ok := fe[f.field]; ok {
			out = append(out, f.label+": "+msg)
			seen[f.field] = true
		}
	}
	for k, msg := range fe {
		if !seen[k] {
			out = append(out, msg)
		}
	}
	return out
}

// bylineSlots is how many empty author lines the editor offers.
const bylineSlots = 2

// postInputFrom reads the editor form.
func postInputFrom(r *http.Request) editorial.PostInput {
	f := r.PostForm
	in := editorial.PostInput{
		Title: f.Get("title"), Deck: f.Get("deck"), Slug: f.Get("slug"), Body: f.Get("body"), Excerpt: f.Get("excerpt"),
		SectionID: editorial.ParseID(f.Get("section")), Tags: f.Get("tags"),
		ImageKey: f.Get("image_key"), ImageAlt: f.Get("image_alt"), ImageCaption: f.Get("image_caption"), ImageCredit: f.Get("image_credit"),
		SEOTitle: f.Get("seo_title"), SEODescription: f.Get("seo_description"), CanonicalURL: f.Get("canonical_url"),
	}
	// The byline: author lines in the order of their numbers, then of
	// the form.
	type line struct {
		id    int64
		order int
		i     int
	}
	var lines []line
	orders := f["author_order"]
	for i, v := range f["author_id"] {
		id := editorial.ParseID(v)
		if id == 0 {
			continue
		}
		order := i + 1
		if i < len(orders) {
			if n, err := strconv.Atoi(orders[i]); err == nil {
				order = n
			}
		}
		lines = append(lines, line{id, order, i})
	}
	slices.SortStableFunc(lines, func(a, b line) int { return cmp.Or(cmp.Compare(a.order, b.order), cmp.Compare(a.i, b.i)) })
	for _, l := range lines {
		in.AuthorIDs = append(in.AuthorIDs, l.id)
	}
	return in
}

// attachUpload uploads the photo sent with the editor form, if any, and
// makes it the post's photo. A refused file is a message for the photo
// field.
func (d *Desk) attachUpload(r *http.Request, req *request, in *editorial.PostInput) (string, error) {
	if r.MultipartForm == nil || len(r.MultipartForm.File["image_file"]) == 0 {
		return "", nil
	}
	fh := r.MultipartForm.File["image_file"][0]
	if fh.Size == 0 && fh.Filename == "" {
		return "", nil
	}
	f, err := fh.Open()
	if err != nil {
		return "", err
	}
	defer f.Close()
	item, err := d.svc.Upload(r.Context(), req.actor, fh.Filename, f,
		editorial.MediaText{Alt: in.ImageAlt, Caption: in.ImageCaption, Credit: in.ImageCredit})
	if err != nil {
		var ref *editorial.Refusal
		var fe editorial.FieldErrors
		switch {
		case errors.As(err, &ref):
			return ref.Message, nil
		case errors.As(err, &fe):
			return "The photo's text is too long.", nil
		}
		return "", err
	}
	in.ImageKey = item.Key
	return "", nil
}

// editor builds the editor page for p (ID 0 for a new post) showing in,
// with the problems found.
func (d *Desk) editor(ctx context.Context, req *request, p content.Post, in editorial.PostInput, fe editorial.FieldErrors, msg string) (editorView, error) {
	v := editorView{New: p.ID == 0, Post: p, In: in, Errors: fe, Problems: problems(fe), Error: msg, Action: "/desk/posts",
		MaxUpload: fmt.Sprintf("%d MB", d.svc.MaxUploadBytes()>>20),
		// content.Render sanitizes with the site's policy.
		Preview: template.HTML(content.Render(in.Body))}
	if p.ID != 0 {
		v.Action = "/desk/posts/" + strconv.FormatInt(p.ID, 10)
		if p.Status == content.StatusPublished {
			v.PublicURL = "/articles/" + p.Slug
		}
	}
	var err error
	if v.Authors, err = d.svc.Authors(ctx); err != nil {
		return v, err
	}
	tags, err := d.svc.Tags(ctx)
	if err != nil {
		return v, err
	}
	for _, t := range tags {
		if t.IsSection {
			v.Sections = append(v.Sections, t)
		} else {
			v.TagNames = append(v.TagNames, t.Name)
		}
	}
	slices.SortFunc(v.Sections, func(a, b content.Tag) int {
		return cmp.Or(cmp.Compare(a.Position, b.Position), cmp.Compare(a.Name, b.Name))
	})
	page, err := d.svc.MediaItems(ctx, req.actor, store.MediaFilter{Limit: 100})
	if err != nil {
		return v, err
	}
	v.Media = page.Items
	if in.ImageKey != "" && !slices.ContainsFunc(v.Media, func(m store.MediaItem) bool { return m.Key == in.ImageKey }) {
		// The photo may be older than the hundred newest, or imported.
		v.Media = append([]store.MediaItem{{Key: in.ImageKey, Alt: in.ImageAlt, Caption: in.ImageCaption, Credit: in.ImageCredit}}, v.Media...)
	}
	for i, id := range in.AuthorIDs {
		v.Slots = append(v.Slots, slotView{Selected: id, Order: i + 1})
	}
	for i := range bylineSlots {
		v.Slots = append(v.Slots, slotView{Order: len(in.AuthorIDs) + i + 1})
	}

	ss, err := d.svc.Settings(ctx)
	if err != nil {
		return v, err
	}
	v.Timezone = ss.Timezone
	loc, err := time.LoadLocation(ss.Timezone)
	if err != nil {
		loc = time.UTC
	}
	if p.Status == content.StatusScheduled {
		v.PublishAt = p.PublishedAt.In(loc).Format("2006-01-02T15:04")
	}

	a := req.actor.Account
	can := func(action editorial.Action) bool { return editorial.Can(a, action, editorial.Target{Post: &p}) == nil }
	st := p.Status
	if v.New {
		v.Can.Save = can(editorial.PostCreate)
		return v, nil
	}
	v.Can = editorCan{
		Save:      can(editorial.PostEdit),
		Autosave:  can(editorial.PostEdit) && (st == content.StatusDraft || st == content.StatusReview),
		Submit:    can(editorial.PostSubmit),
		Publish:   can(editorial.PostPublish) && st != content.StatusPublished,
		Schedule:  can(editorial.PostSchedule) && (st == content.StatusDraft || st == content.StatusReview || st == content.StatusScheduled),
		Unpublish: can(editorial.PostUnpublish) && (st == content.StatusPublished || st == content.StatusScheduled),
		Archive:   can(editorial.PostArchive) && st != content.StatusArchived,
		Reopen:    can(editorial.PostEdit) && st == content.StatusArchived,
		Delete:    can(editorial.PostDelete),
		Correct:   can(editorial.PostCorrect) && st == content.StatusPublished,
	}
	v.Topics, err = d.editorTopics(ctx, req, p)
	return v, err
}

// renderEditor shows the editor for post id with in and its problems.
func (d *Desk) renderEditor(w http.ResponseWriter, r *http.Request, req *request, p content.Post, in editorial.PostInput, fe editorial.FieldErrors, msg string, status int) error {
	v, err := d.editor(r.Context(), req, p, in, fe, msg)
	if err != nil {
		return err
	}
	title := "New post"
	if p.ID != 0 {
		title = "Edit: " + p.Title
	}
	return d.render(w, r, req, status, "editor", title, v)
}

func editURL(id int64) string { return "/desk/posts/" + strconv.FormatInt(id, 10) }
