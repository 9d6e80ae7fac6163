package desk

import (
	"context"
	"net/http"
	"strings"
	"time"

	"masthead/internal/content"
	"masthead/internal/editorial"
	"masthead/internal/store"
)

type apiRef struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

type apiImage struct {
	Key     string `json:"key"`
	URL     string `json:"url"`
	Width   int    `json:"width"`
	Height  int    `json:"height"`
	Alt     string `json:"alt"`
	Caption string `json:"caption"`
	Credit  string `json:"credit"`
}

func imageJSON(i content.Image) *apiImage {
	if i.IsZero() {
		return nil
	}
	u := i.Key
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		u = "/media/" + u
	}
	return &apiImage{Key: i.Key, URL: u, Width: i.Width, Height: i.Height, Alt: i.Alt, Caption: i.Caption, Credit: i.Credit}
}

type apiCorrection struct {
	Date apiTime `json:"date"`
	Note string  `json:"note"`
}

// apiPost is a post as the API shows it.
type apiPost struct {
	ID             int64           `json:"id"`
	Slug           string          `json:"slug"`
	Title          string          `json:"title"`
	Deck           string          `json:"deck"`
	Body           string          `json:"body"`
	Excerpt        string          `json:"excerpt"`
	Status         content.Status  `json:"status"`
	PublishedAt    apiTime         `json:"published_at"`
	UpdatedAt      apiTime         `json:"updated_at"`
	Authors        []apiRef        `json:"authors"`
	Section        *apiRef         `json:"section"`
	Tags           []apiRef        `json:"tags"`
	Image          *apiImage       `json:"image"`
	SEOTitle       string          `json:"seo_title"`
	SEODescription string          `json:"seo_description"`
	CanonicalURL   string          `json:"canonical_url"`
	Corrections    []apiCorrection `json:"corrections"`
	CreatedAt      apiTime         `json:"created_at"`
	ModifiedAt     apiTime         `json:"modified_at"`
}

func postJSON(p content.Post) apiPost {
	v := apiPost{ID: p.ID, Slug: p.Slug, Title: p.Title, Deck: p.Deck, Body: p.Body, Excerpt: p.Excerpt, Status: p.Status,
		PublishedAt: apiTime(p.PublishedAt), UpdatedAt: apiTime(p.UpdatedAt), Image: imageJSON(p.Image),
		SEOTitle: p.SEOTitle, SEODescription: p.SEODescription, CanonicalURL: p.CanonicalURL,
		CreatedAt: apiTime(p.CreatedAt), ModifiedAt: apiTime(p.ModifiedAt),
		Authors: []apiRef{}, Tags: []apiRef{}, Corrections: []apiCorrection{}}
	for _, a := range p.Authors {
		v.Authors = append(v.Authors, apiRef{ID: a.ID, Slug: a.Slug, Name: a.Name})
	}
	if p.Section != nil {
		v.Section = &apiRef{ID: p.Section.ID, Slug: p.Section.Slug, Name: p.Section.Name}
	}
	for _, t := range p.Tags {
		v.Tags = append(v.Tags, apiRef{ID: t.ID, Slug: t.Slug, Name: t.Name})
	}
	for _, c := range p.Corrections {
		v.Corrections = append(v.Corrections, apiCorrection{Date: apiTime(c.Date), Note: c.Note})
	}
	return v
}

// apiPostSummary is a post in a list, without its body.
type apiPostSummary struct {
	ID          int64          `json:"id"`
	Slug        string         `json:"slug"`
	Title       string         `json:"title"`
	Status      content.Status `json:"status"`
	PublishedAt apiTime        `json:"published_at"`
	CreatedAt   apiTime        `json:"created_at"`
	ModifiedAt  apiTime        `json:"modified_at"`
	Authors     []apiRef       `json:"authors"`
	Section     *apiRef        `json:"section"`
}

type apiPostList struct {
	Posts  []apiPostSummary `json:"posts"`
	Total  int              `json:"total"`
	Limit  int              `json:"limit"`
	Offset int              `json:"offset"`
}

func refJSON(r store.Ref) apiRef { return apiRef{ID: r.ID, Slug: r.Slug, Name: r.Name} }

// apiPostInput is the body of a post create or update. Fields left out
// are empty on create and PUT, and keep their value on PATCH.
type apiPostInput struct {
	Title          *string   `json:"title"`
	Deck           *string   `json:"deck"`
	Slug           *string   `json:"slug"`
	Body           *string   `json:"body"`
	Excerpt        *string   `json:"excerpt"`
	AuthorIDs      *[]int64  `json:"author_ids"`
	SectionID      *int64    `json:"section_id"`
	Tags           *[]string `json:"tags"`
	ImageKey       *string   `json:"image_key"`
	ImageAlt       *string   `json:"image_alt"`
	ImageCaption   *string   `json:"image_caption"`
	ImageCredit    *string   `json:"image_credit"`
	SEOTitle       *string   `json:"seo_title"`
	SEODescription *string   `json:"seo_description"`
	CanonicalURL   *string   `json:"canonical_url"`
}

// postFieldNames maps the editorial service's field names to the API's.
var postFieldNames = map[string]string{"authors": "author_ids", "section": "section_id", "image": "image_key", "publish_at": "at", "correction": "note"}

// apply copies the fields that were sent into in.
func (b apiPostInput) apply(in *editorial.PostInput) error {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&in.Title, b.Title)
	set(&in.Deck, b.Deck)
	set(&in.Slug, b.Slug)
	set(&in.Body, b.Body)
	set(&in.Excerpt, b.Excerpt)
	set(&in.ImageKey, b.ImageKey)
	set(&in.ImageAlt, b.ImageAlt)
	set(&in.ImageCaption, b.ImageCaption)
	set(&in.ImageCredit, b.ImageCredit)
	set(&in.SEOTitle, b.SEOTitle)
	set(&in.SEODescription, b.SEODescription)
	set(&in.CanonicalURL, b.CanonicalURL)
	if b.AuthorIDs != nil {
		in.AuthorIDs = *b.AuthorIDs
	}
	if b.SectionID != nil {
		in.SectionID = *b.SectionID
	}
	if b.Tags != nil {
		// The service reads tags as the editor's comma-separated field.
		for _, t := range *b.Tags {
			if strings.Contains(t, ",") {
				return editorial.FieldErrors{"tags": "A tag name cannot contain a comma: “" + t + "”."}
			}
		}
		in.Tags = strings.Join(*b.Tags, ", ")
	}
	return nil
}

// apiPostList lists posts: ?status= (one or more, comma-separated), ?q=
// for words in the title, ?limit= and ?offset=.
func (d *Desk) apiPostList(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error {
	limit, offset, err := paging(r, 50, 200)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	l := editorial.PostList{Query: strings.TrimSpace(q.Get("q")), Limit: limit, Offset: offset, Mine: q.Get("mine") == "true"}
	for _, v := range q["status"] {
		for _, s := range strings.Split(v, ",") {
			st := content.Status(strings.TrimSpace(s))
			if !st.Valid() {
				return badRequest("status %q is not one of draft, review, scheduled, published, archived.", s)
			}
			l.Statuses = append(l.Statuses, st)
		}
	}
	page, err := d.svc.Posts(r.Context(), actor, l)
	if err != nil {
		return err
	}
	v := apiPostList{Posts: []apiPostSummary{}, Total: page.Total, Limit: limit, Offset: offset}
	for _, p := range page.Posts {
		s := apiPostSummary{ID: p.ID, Slug: p.Slug, Title: p.Title, Status: p.Status, PublishedAt: apiTime(p.PublishedAt),
			CreatedAt: apiTime(p.CreatedAt), ModifiedAt: apiTime(p.ModifiedAt), Authors: []apiRef{}}
		for _, a := range p.Authors {
			s.Authors = append(s.Authors, refJSON(a))
		}
		if p.Section != nil {
			ref := refJSON(*p.Section)
			s.Section = &ref
		}
		v.Posts = append(v.Posts, s)
	}
	return writeJSON(w, http.StatusOK, v)
}

func (d *Desk) apiPostGet(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error {
	id, err := apiID(r)
	if err != nil {
		return err
	}
	p, err := d.svc.Post(r.Context(), actor, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, postJSON(p))
}

// apiPostCreate saves a new draft.
func (d *Desk) apiPostCreate(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error {
	var body apiPostInput
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	var in editorial.PostInput
	if err := body.apply(&in); err != nil {
		return err
	}
	p, err := d.svc.CreateDraft(r.Context(), actor, in)
	if err != nil {
		return renameFields(err, postFieldNames)
	}
	w.Header().Set("Location", apiPrefix+"/posts/"+itoa(p.ID))
	return writeJSON(w, http.StatusCreated, postJSON(p))
}

// apiPostReplace sets every editable field; those left out become empty.
func (d *Desk) apiPostReplace(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error {
	return d.apiPostUpdate(w, r, actor, false)
}

// apiPostPatch changes the fields sent and keeps the others.
func (d *Desk) apiPostPatch(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error {
	return d.apiPostUpdate(w, r, actor, true)
}

func (d *Desk) apiPostUpdate(w http.ResponseWriter, r *http.Request, actor editorial.Actor, merge bool) error {
	id, err := apiID(r)
	if err != nil {
		return err
	}
	var body apiPostInput
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	var in editorial.PostInput
	if merge {
		p, err := d.svc.Post(r.Context(), actor, id)
		if err != nil {
			return err
		}
		in = editorial.InputOf(p)
	}
	if err := body.apply(&in); err != nil {
		return err
	}
	p, err := d.svc.SavePost(r.Context(), actor, id, in, editorial.SaveOptions{})
	if err != nil {
		return renameFields(err, postFieldNames)
	}
	return writeJSON(w, http.StatusOK, postJSON(p))
}

func (d *Desk) apiPostDelete(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error {
	id, err := apiID(r)
	if err != nil {
		return err
	}
	if err := d.svc.DeletePost(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// apiTransition runs a workflow change that needs no body.
func (d *Desk) apiTransition(w http.ResponseWriter, r *http.Request, actor editorial.Actor,
	do func(ctx context.Context, actor editorial.Actor, id int64) (content.Post, error)) error {
	id, err := apiID(r)
	if err != nil {
		return err
	}
	p, err := do(r.Context(), actor, id)
	if err != nil {
		return renameFields(err, postFieldNames)
	}
	return writeJSON(w, http.StatusOK, postJSON(p))
}

func (d *Desk) apiPostSubmit(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error {
	return d.apiTransition(w, r, actor, d.svc.SubmitForReview)
}

func (d *Desk) apiPostPublish(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error {
	return d.apiTransition(w, r, actor, d.svc.Publish)
}

func (d *Desk) apiPostUnpublish(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error {
	return d.apiTransition(w, r, actor, d.svc.Unpublish)
}

func (d *Desk) apiPostArchive(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error {
	return d.apiTransition(w, r, actor, d.svc.Archive)
}

func (d *Desk) apiPostReopen(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error {
	return d.apiTransition(w, r, actor, d.svc.Reopen)
}

// apiPostSchedule sets a post to go out at {"at": RFC 3339 time}.
func (d *Desk) apiPostSchedule(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error {
	var body struct {
		At *string `json:"at"`
	}
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	if body.At == nil || strings.TrimSpace(*body.At) == "" {
		return editorial.FieldErrors{"at": "Give the time of publication, such as 2030-05-04T09:00:00+02:00."}
	}
	at, err := time.Parse(time.RFC3339, strings.TrimSpace(*body.At))
	if err != nil {
		return editorial.FieldErrors{"at": "Write the time in RFC 3339, with its offset, such as 2030-05-04T09:00:00+02:00."}
	}
	return d.apiTransition(w, r, actor, func(ctx context.Context, actor editorial.Actor, id int64) (content.Post, error) {
		return d.svc.Schedule(ctx, actor, id, at)
	})
}

// apiPostCorrection adds {"note": "…"} as a dated correction.
func (d *Desk) apiPostCorrection(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error {
	var body struct {
		Note string `json:"note"`
	}
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	return d.apiTransition(w, r, actor, func(ctx context.Context, actor editorial.Actor, id int64) (content.Post, error) {
		return d.svc.AddCorrection(ctx, actor, id, body.Note)
	})
}
