package editorial

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"masthead/internal/content"
	"masthead/internal/jobs"
	"masthead/internal/media"
	"masthead/internal/store"
)

// PostInput is what the editor form (or the API) sends when a post is
// saved: every editable field, as the writer left it.
type PostInput struct {
	Title   string
	Deck    string
	Slug    string // empty means made from the title
	Body    string // Markdown
	Excerpt string

	AuthorIDs []int64 // byline order
	SectionID int64   // 0 for none
	Tags      string  // names separated by commas

	ImageKey     string // media key; empty for no photo
	ImageAlt     string
	ImageCaption string
	ImageCredit  string

	SEOTitle       string
	SEODescription string
	CanonicalURL   string
}

// InputOf returns the form values of a stored post.
func InputOf(p content.Post) PostInput {
	in := PostInput{Title: p.Title, Deck: p.Deck, Slug: p.Slug, Body: p.Body, Excerpt: p.Excerpt,
		ImageKey: p.Image.Key, ImageAlt: p.Image.Alt, ImageCaption: p.Image.Caption, ImageCredit: p.Image.Credit,
		SEOTitle: p.SEOTitle, SEODescription: p.SEODescription, CanonicalURL: p.CanonicalURL}
	for _, a := range p.Authors {
		in.AuthorIDs = append(in.AuthorIDs, a.ID)
	}
	if p.Section != nil {
		in.SectionID = p.Section.ID
	}
	names := make([]string, 0, len(p.Tags))
	for _, t := range p.Tags {
		names = append(names, t.Name)
	}
	in.Tags = strings.Join(names, ", ")
	return in
}

// Field limits, in characters.
const (
	maxTitle          = 300
	maxDeck           = 600
	maxExcerpt        = 1000
	maxSEOTitle       = 200
	maxSEODescription = 400
	maxImageText      = 1000
	maxBody           = 2 << 20 // bytes
	maxTags           = 30
)

// autosaveRevisionEvery is how far apart autosaves keep revisions: a
// writer typing for an hour leaves a revision a minute, not one a keystroke.
const autosaveRevisionEvery = time.Minute

// loadPost returns a post or a refusal when it does not exist.
func loadPost(ctx context.Context, st *store.Store, id int64) (content.Post, error) {
	p, err := st.PostByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return p, notFound("The post")
	}
	if err != nil {
		return p, fmt.Errorf("editorial: post %d: %w", id, err)
	}
	return p, nil
}

// lockPost reads a post inside tx and keeps it from changing until tx
// ends, so that checks made against it still hold when tx writes.
func lockPost(ctx context.Context, tx *store.Store, id int64) (content.Post, error) {
	p, err := tx.LockPost(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return p, notFound("The post")
	}
	if err != nil {
		return p, fmt.Errorf("editorial: post %d: %w", id, err)
	}
	return p, nil
}

// Post returns a post the actor may open.
func (s *Service) Post(ctx context.Context, actor Actor, id int64) (content.Post, error) {
	p, err := loadPost(ctx, s.store, id)
	if err != nil {
		return p, err
	}
	if err := Can(actor.Account, PostView, Target{Post: &p}); err != nil {
		return content.Post{}, err
	}
	return p, nil
}

// SaveOptions change how a save is kept.
type SaveOptions struct {
	// Autosave marks a save made by the editor while the writer types: it
	// applies to drafts only and keeps at most a revision a minute.
	Autosave bool
}

// CreateDraft saves a new draft. Writers below editor always stand first
// in its byline; an editor's draft defaults to their own byline.
func (s *Service) CreateDraft(ctx context.Context, actor Actor, in PostInput) (content.Post, error) {
	if err := Can(actor.Account, PostCreate, Target{}); err != nil {
		return content.Post{}, err
	}
	if actor.AuthorID != 0 {
		if !AtLeast(actor.Role, store.RoleEditor) {
			in.AuthorIDs = append([]int64{actor.AuthorID}, slices.DeleteFunc(in.AuthorIDs, func(id int64) bool { return id == actor.AuthorID })...)
		} else if len(in.AuthorIDs) == 0 {
			in.AuthorIDs = []int64{actor.AuthorID}
		}
	}
	p := content.Post{Status: content.StatusDraft}
	return s.save(ctx, actor, p, in, SaveOptions{})
}

// SavePost saves the editable fields of a post. Problems come back as
// FieldErrors and change nothing; the post's workflow state stays as it
// is. Every save is kept as a revision, in the same transaction.
func (s *Service) SavePost(ctx context.Context, actor Actor, id int64, in PostInput, opts SaveOptions) (content.Post, error) {
	p, err := loadPost(ctx, s.store, id)
	if err != nil {
		return p, err
	}
	if err := Can(actor.Account, PostEdit, Target{Post: &p}); err != nil {
		return content.Post{}, err
	}
	if opts.Autosave && p.Status != content.StatusDraft && p.Status != content.StatusReview {
		return content.Post{}, invalid("Only drafts are saved automatically; use Save to change a %s post.", p.Status)
	}
	return s.save(ctx, actor, p, in, opts)
}

// tagPlan is the outcome of reading the tags field: tags that exist and
// names of tags to create.
type tagPlan struct {
	tags   []content.Tag // in order; new ones have ID 0 until created
	create []int         // indexes into tags of those to create
}

// save checks in against p's current state, applies it and stores the
// result with a revision.
func (s *Service) save(ctx context.Context, actor Actor, p content.Post, in PostInput, opts SaveOptions) (content.Post, error) {
	old := p
	fe := FieldErrors{}
	in.Title = strings.TrimSpace(in.Title)
	in.Deck = strings.TrimSpace(in.Deck)
	in.Slug = strings.TrimSpace(in.Slug)
	in.Excerpt = strings.TrimSpace(in.Excerpt)
	in.SEOTitle = strings.TrimSpace(in.SEOTitle)
	in.SEODescription = strings.TrimSpace(in.SEODescription)
	in.CanonicalURL = strings.TrimSpace(in.CanonicalURL)
	in.ImageKey = strings.TrimSpace(in.ImageKey)
	in.ImageAlt = strings.TrimSpace(in.ImageAlt)
	in.ImageCaption = strings.TrimSpace(in.ImageCaption)
	in.ImageCredit = strings.TrimSpace(in.ImageCredit)
	in.Body = strings.ReplaceAll(in.Body, "\r\n", "\n")

	tooLong := func(field, value string, n int) {
		if utf8.RuneCountInString(value) > n {
			fe[field] = fmt.Sprintf("Keep this under %d characters.", n)
		}
	}
	if in.Title == "" {
		fe["title"] = "Give the post a title."
	}
	tooLong("title", in.Title, maxTitle)
	tooLong("deck", in.Deck, maxDeck)
	tooLong("excerpt", in.Excerpt, maxExcerpt)
	tooLong("seo_title", in.SEOTitle, maxSEOTitle)
	tooLong("seo_description", in.SEODescription, maxSEODescription)
	tooLong("image_alt", in.ImageAlt, maxImageText)
	tooLong("image_caption", in.ImageCaption, maxImageText)
	tooLong("image_credit", in.ImageCredit, maxImageText)
	if len(in.Body) > maxBody {
		fe["body"] = "The article is too long to save (over 2 MB)."
	}

	// The slug. One made from the title is made unique; one the writer
	// chose is theirs to change when taken.
	if in.Slug == "" {
		base := content.Slugify(in.Title)
		if base == "" && in.Title != "" {
			fe["slug"] = "Write a slug for the address: lower-case letters, digits and hyphens."
		}
		if base != "" {
			slug, err := s.freePostSlug(ctx, base, p.ID)
			if err != nil {
				return content.Post{}, err
			}
			in.Slug = slug
		}
	}
	if in.Slug != "" && in.Slug != old.Slug && !content.ValidSlug(in.Slug) {
		fe["slug"] = "Use lower-case letters, digits and single hyphens, such as " + exampleSlug(in.Slug) + "."
	}
	if _, ok := fe["slug"]; !ok && in.Slug != "" {
		if other, err := s.store.PostBySlug(ctx, in.Slug); err == nil && other.ID != p.ID {
			fe["slug"] = fmt.Sprintf("Another post (“%s”) already has this address; choose another slug.", other.Title)
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return content.Post{}, fmt.Errorf("editorial: save post: %w", err)
		}
	}

	// The byline.
	authors, err := s.byline(ctx, actor, in.AuthorIDs, fe)
	if err != nil {
		return content.Post{}, err
	}

	// Section and tags.
	allTags, err := s.store.Tags(ctx)
	if err != nil {
		return content.Post{}, fmt.Errorf("editorial: save post: %w", err)
	}
	var section *content.Tag
	if in.SectionID != 0 {
		i := slices.IndexFunc(allTags, func(t content.Tag) bool { return t.ID == in.SectionID })
		switch {
		case i < 0:
			fe["section"] = "That section does not exist any more; choose another."
		case !allTags[i].IsSection:
			fe["section"] = fmt.Sprintf("“%s” is a tag, not a section.", allTags[i].Name)
		default:
			t := allTags[i]
			section = &t
		}
	}
	plan := s.planTags(actor, in.Tags, allTags, fe)

	// The photo.
	image, err := s.postImage(ctx, old.Image, in, fe)
	if err != nil {
		return content.Post{}, err
	}

	if in.CanonicalURL != "" {
		u, err := url.Parse(in.CanonicalURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			fe["canonical_url"] = "Use a full address starting with https://, or leave it empty."
		}
	}
	if err := fe.errOrNil(); err != nil {
		return content.Post{}, err
	}

	p.Title, p.Deck, p.Slug, p.Body, p.Excerpt = in.Title, in.Deck, in.Slug, in.Body, in.Excerpt
	p.Authors, p.Section = authors, section
	p.Image = image
	p.SEOTitle, p.SEODescription, p.CanonicalURL = in.SEOTitle, in.SEODescription, in.CanonicalURL

	keepRevision := true
	if opts.Autosave {
		revs, err := s.store.Revisions(ctx, p.ID, 1)
		if err != nil {
			return content.Post{}, fmt.Errorf("editorial: save post: %w", err)
		}
		keepRevision = len(revs) == 0 || s.now().Sub(revs[0].CreatedAt) >= autosaveRevisionEvery
	}
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		if old.ID != 0 {
			// The checks above read the post without a lock; a transition
			// or another save may have committed since. Keep the edited
			// fields, take the workflow state as it is now, and check again.
			cur, err := lockPost(ctx, tx, old.ID)
			if err != nil {
				return err
			}
			if err := Can(actor.Account, PostEdit, Target{Post: &cur}); err != nil {
				return err
			}
			if opts.Autosave && cur.Status != content.StatusDraft && cur.Status != content.StatusReview {
				return conflicting("This post is %s now; use Save to change it.", statusWords(cur.Status))
			}
			p.Status, p.PublishedAt, p.UpdatedAt, p.Corrections = cur.Status, cur.PublishedAt, cur.UpdatedAt, cur.Corrections
		}
		for _, i := range plan.create {
			if err := tx.SaveTag(ctx, &plan.tags[i]); err != nil {
				return err
			}
		}
		p.Tags = plan.tags
		if err := tx.SavePost(ctx, &p); err != nil {
			return err
		}
		if keepRevision {
			_, err := tx.AddRevision(ctx, p, actor.ID)
			return err
		}
		return nil
	})
	var r *Refusal
	if errors.As(err, &r) {
		return content.Post{}, err
	}
	if errors.Is(err, store.ErrConflict) {
		// Another post took the slug between the check and the save.
		return content.Post{}, FieldErrors{"slug": "Another post already has this address; choose another slug."}
	}
	if errors.Is(err, store.ErrInvalid) {
		return content.Post{}, FieldErrors{"authors": "An author or tag was removed meanwhile; check the byline and tags."}
	}
	if err != nil {
		return content.Post{}, fmt.Errorf("editorial: save post: %w", err)
	}
	if old.ID == 0 {
		s.audit(ctx, actor, "post.create", postTarget(p), "")
	}
	s.detectTopics(ctx, p)
	if p.Status == content.StatusPublished || len(plan.create) > 0 {
		s.changed()
	}
	return p, nil
}

// freePostSlug returns base, or base-2, base-3… whichever no other post
// has.
func (s *Service) freePostSlug(ctx context.Context, base string, self int64) (string, error) {
	for n := 1; n < 1000; n++ {
		slug := base
		if n > 1 {
			suffix := "-" + strconv.Itoa(n)
			slug = strings.TrimRight(base[:min(len(base), content.MaxSlugLength-len(suffix))], "-") + suffix
		}
		other, err := s.store.PostBySlug(ctx, slug)
		if errors.Is(err, store.ErrNotFound) || (err == nil && other.ID == self) {
			return slug, nil
		}
		if err != nil {
			return "", fmt.Errorf("editorial: save post: %w", err)
		}
	}
	return "", fmt.Errorf("editorial: save post: no free slug for %q", base)
}

// exampleSlug shows what a wrong slug could have been.
func exampleSlug(s string) string {
	if ex := content.Slugify(s); ex != "" {
		return ex
	}
	return "my-article"
}

func postTarget(p content.Post) string {
	return fmt.Sprintf("post %d “%s”", p.ID, p.Title)
}

// byline resolves author IDs in order. A writer below editor must stay in
// the byline of the posts they edit, or they would lose them.
func (s *Service) byline(ctx context.Context, actor Actor, ids []int64, fe FieldErrors) ([]content.Author, error) {
	var authors []content.Author
	seen := map[int64]bool{}
	for _, id := range ids {
		if id == 0 || seen[id] {
			continue
		}
		seen[id] = true
		a, err := s.store.AuthorByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			fe["authors"] = "One of the authors does not exist any more; choose again."
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("editorial: save post: %w", err)
		}
		authors = append(authors, a)
	}
	if _, ok := fe["authors"]; ok {
		return authors, nil
	}
	if len(authors) == 0 {
		fe["authors"] = "Add at least one author."
	} else if !AtLeast(actor.Role, store.RoleEditor) && actor.AuthorID != 0 && !seen[actor.AuthorID] {
		fe["authors"] = "Keep your own name in the byline; an editor can change it."
	}
	return authors, nil
}

// planTags reads the comma-separated tag names. Editors create tags that
// do not exist yet; other writers pick existing ones.
func (s *Service) planTags(actor Actor, field string, all []content.Tag, fe FieldErrors) tagPlan {
	var plan tagPlan
	seen := map[string]bool{}
	var missing []string
	for _, name := range strings.Split(field, ",") {
		name = strings.Join(strings.Fields(name), " ")
		if name == "" {
			continue
		}
		slug := content.Slugify(name)
		if slug == "" {
			fe["tags"] = fmt.Sprintf("“%s” cannot be used as a tag; use letters or digits.", name)
			continue
		}
		if seen[slug] {
			continue
		}
		seen[slug] = true
		i := slices.IndexFunc(all, func(t content.Tag) bool { return t.Slug == slug || strings.EqualFold(t.Name, name) })
		if i >= 0 {
			plan.tags = append(plan.tags, all[i])
			continue
		}
		if Can(actor.Account, TagCreate, Target{}) != nil {
			missing = append(missing, "“"+name+"”")
			continue
		}
		plan.create = append(plan.create, len(plan.tags))
		plan.tags = append(plan.tags, content.Tag{Slug: slug, Name: name})
	}
	if len(missing) > 0 {
		fe["tags"] = "There is no tag " + strings.Join(missing, ", ") + "; pick existing tags (only editors create new ones)."
	}
	if len(plan.tags) > maxTags {
		fe["tags"] = fmt.Sprintf("Use at most %d tags.", maxTags)
	}
	return plan
}

// postImage works out the post's photo: an image from the media library,
// or the one it already had (which may come from an import). When a new
// image is chosen, text left empty is taken from the library.
func (s *Service) postImage(ctx context.Context, current content.Image, in PostInput, fe FieldErrors) (content.Image, error) {
	if in.ImageKey == "" {
		return content.Image{}, nil
	}
	img := content.Image{Key: in.ImageKey, Alt: in.ImageAlt, Caption: in.ImageCaption, Credit: in.ImageCredit}
	if in.ImageKey == current.Key {
		img.Width, img.Height = current.Width, current.Height
	} else {
		if !media.ValidKey(in.ImageKey) {
			fe["image"] = "Choose the photo from the media library or upload one."
			return img, nil
		}
		item, err := s.store.MediaItemByKey(ctx, in.ImageKey)
		if errors.Is(err, store.ErrNotFound) {
			fe["image"] = "That photo is not in the media library; upload it first."
			return img, nil
		}
		if err != nil {
			return img, fmt.Errorf("editorial: save post: %w", err)
		}
		img.Width, img.Height = item.Width, item.Height
		img.Alt = cmpOr(img.Alt, item.Alt)
		img.Caption = cmpOr(img.Caption, item.Caption)
		img.Credit = cmpOr(img.Credit, item.Credit)
	}
	if img.Alt == "" {
		fe["image_alt"] = "Describe the photo for readers who cannot see it."
	}
	return img, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// workflow runs one change of a post's state in a transaction that reads
// the post afresh, asks Can, applies change, saves and keeps a revision.
// after runs in the same transaction once the post is saved.
func (s *Service) workflow(ctx context.Context, actor Actor, id int64, action Action,
	change func(p *content.Post, now time.Time) error, after func(tx *store.Store, p content.Post) error) (content.Post, error) {
	var p content.Post
	now := s.now()
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		if p, err = lockPost(ctx, tx, id); err != nil {
			return err
		}
		if err := Can(actor.Account, action, Target{Post: &p}); err != nil {
			return err
		}
		if err := change(&p, now); err != nil {
			return err
		}
		if err := tx.SavePost(ctx, &p); err != nil {
			return err
		}
		if _, err := tx.AddRevision(ctx, p, actor.ID); err != nil {
			return err
		}
		if after != nil {
			return after(tx, p)
		}
		return nil
	})
	var r *Refusal
	var fe FieldErrors
	switch {
	case errors.As(err, &r), errors.As(err, &fe):
		return content.Post{}, err
	case err != nil:
		return content.Post{}, fmt.Errorf("editorial: %s post %d: %w", action, id, err)
	}
	return p, nil
}

// readyToPublish refuses a post that readers should not see yet.
func readyToPublish(p *content.Post) error {
	fe := FieldErrors{}
	if strings.TrimSpace(p.Body) == "" {
		fe["body"] = "Write the article before it goes out."
	}
	if len(p.Authors) == 0 {
		fe["authors"] = "Add at least one author before it goes out."
	}
	return fe.errOrNil()
}

// SubmitForReview moves a draft into the editors' review queue.
func (s *Service) SubmitForReview(ctx context.Context, actor Actor, id int64) (content.Post, error) {
	p, err := s.workflow(ctx, actor, id, PostSubmit, func(p *content.Post, _ time.Time) error {
		p.Status = content.StatusReview
		return nil
	}, nil)
	if err == nil {
		s.audit(ctx, actor, "post.submit", postTarget(p), "")
	}
	return p, err
}

// Publish publishes a post now. A post never published before gets now as
// its publication time; a scheduled one goes out now instead of later.
func (s *Service) Publish(ctx context.Context, actor Actor, id int64) (content.Post, error) {
	p, err := s.workflow(ctx, actor, id, PostPublish, func(p *content.Post, now time.Time) error {
		if p.Status == content.StatusPublished {
			return conflicting("This post is already published.")
		}
		if err := readyToPublish(p); err != nil {
			return err
		}
		if p.PublishedAt.IsZero() || p.Status == content.StatusScheduled || p.PublishedAt.After(now) {
			p.PublishedAt = now
		}
		p.Status = content.StatusPublished
		return nil
	}, func(tx *store.Store, p content.Post) error {
		if err := jobs.CancelPublish(ctx, tx, p.ID); err != nil {
			return err
		}
		return jobs.EnqueueTopicAlerts(ctx, tx, p.ID)
	})
	if err != nil {
		return p, err
	}
	s.wake()
	s.audit(ctx, actor, "post.publish", postTarget(p), "")
	s.changed()
	return p, nil
}

// ParseLocalTime reads a time as typed in the desk ("2025-03-01T09:30",
// the value of a datetime-local field) in the site's timezone.
func (s *Service) ParseLocalTime(ctx context.Context, value string) (time.Time, error) {
	loc, err := s.Location(ctx)
	if err != nil {
		return time.Time{}, err
	}
	value = strings.TrimSpace(value)
	if value == "" {
		return time.Time{}, FieldErrors{"publish_at": "Choose the date and time of publication."}
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, value, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, FieldErrors{"publish_at": "Write the time as YYYY-MM-DD HH:MM."}
}

// Schedule sets a post to be published at a time to come; a durable job
// publishes it then, also after a restart. Scheduling again moves it.
func (s *Service) Schedule(ctx context.Context, actor Actor, id int64, at time.Time) (content.Post, error) {
	p, err := s.workflow(ctx, actor, id, PostSchedule, func(p *content.Post, now time.Time) error {
		switch p.Status {
		case content.StatusPublished:
			return conflicting("This post is already published; unpublish it first to schedule it.")
		case content.StatusArchived:
			return conflicting("This post is archived; open it as a draft first.")
		}
		if !at.After(now) {
			loc, _ := s.Location(ctx)
			if loc == nil {
				loc = time.UTC
			}
			return FieldErrors{"publish_at": fmt.Sprintf("%s has already passed; choose a time to come, or publish now.",
				at.In(loc).Format("2 January 2006, 15:04 MST"))}
		}
		if err := readyToPublish(p); err != nil {
			return err
		}
		p.Status = content.StatusScheduled
		p.PublishedAt = at
		return nil
	}, func(tx *store.Store, p content.Post) error {
		return jobs.SchedulePublish(ctx, tx, p.ID, p.PublishedAt)
	})
	if err != nil {
		return p, err
	}
	s.wake()
	s.audit(ctx, actor, "post.schedule", postTarget(p), p.PublishedAt.UTC().Format(time.RFC3339))
	s.changed()
	return p, nil
}

// Unpublish takes a published or scheduled post back to draft and cancels
// its publication job. A published post keeps its original date for when
// it returns.
func (s *Service) Unpublish(ctx context.Context, actor Actor, id int64) (content.Post, error) {
	p, err := s.workflow(ctx, actor, id, PostUnpublish, func(p *content.Post, _ time.Time) error {
		switch p.Status {
		case content.StatusPublished:
		case content.StatusScheduled:
			p.PublishedAt = time.Time{}
		default:
			return conflicting("This post is not published or scheduled.")
		}
		p.Status = content.StatusDraft
		return nil
	}, func(tx *store.Store, p content.Post) error {
		return jobs.CancelPublish(ctx, tx, p.ID)
	})
	if err != nil {
		return p, err
	}
	s.audit(ctx, actor, "post.unpublish", postTarget(p), "")
	s.changed()
	return p, nil
}

// Archive takes a post off the site and out of the working lists while
// keeping it.
func (s *Service) Archive(ctx context.Context, actor Actor, id int64) (content.Post, error) {
	p, err := s.workflow(ctx, actor, id, PostArchive, func(p *content.Post, _ time.Time) error {
		if p.Status == content.StatusArchived {
			return conflicting("This post is already archived.")
		}
		if p.Status == content.StatusScheduled {
			p.PublishedAt = time.Time{}
		}
		p.Status = content.StatusArchived
		return nil
	}, func(tx *store.Store, p content.Post) error {
		return jobs.CancelPublish(ctx, tx, p.ID)
	})
	if err != nil {
		return p, err
	}
	s.audit(ctx, actor, "post.archive", postTarget(p), "")
	s.changed()
	return p, nil
}

// Reopen brings an archived post back as a draft.
func (s *Service) Reopen(ctx context.Context, actor Actor, id int64) (content.Post, error) {
	p, err := s.workflow(ctx, actor, id, PostEdit, func(p *content.Post, _ time.Time) error {
		if p.Status != content.StatusArchived {
			return conflicting("Only an archived post can be reopened.")
		}
		p.Status = content.StatusDraft
		return nil
	}, nil)
	if err != nil {
		return p, err
	}
	s.audit(ctx, actor, "post.reopen", postTarget(p), "")
	return p, nil
}

// DeletePost deletes a post for good; its address then answers "gone".
func (s *Service) DeletePost(ctx context.Context, actor Actor, id int64) error {
	var p content.Post
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		if p, err = lockPost(ctx, tx, id); err != nil {
			return err
		}
		if err := Can(actor.Account, PostDelete, Target{Post: &p}); err != nil {
			return err
		}
		if err := jobs.CancelPublish(ctx, tx, id); err != nil {
			return err
		}
		return tx.DeletePost(ctx, id)
	})
	var r *Refusal
	if errors.As(err, &r) {
		return err
	}
	if err != nil {
		return fmt.Errorf("editorial: delete post %d: %w", id, err)
	}
	s.audit(ctx, actor, "post.delete", postTarget(p), string(p.Status))
	s.changed()
	return nil
}

// AddCorrection appends a dated correction to a published post; the
// article shows it and its Updated date becomes the correction's.
func (s *Service) AddCorrection(ctx context.Context, actor Actor, id int64, note string) (content.Post, error) {
	note = strings.TrimSpace(strings.ReplaceAll(note, "\r\n", "\n"))
	switch {
	case note == "":
		return content.Post{}, FieldErrors{"correction": "Write what was corrected."}
	case utf8.RuneCountInString(note) > 2000:
		return content.Post{}, FieldErrors{"correction": "Keep the correction under 2000 characters."}
	}
	p, err := s.workflow(ctx, actor, id, PostCorrect, func(p *content.Post, now time.Time) error {
		if p.Status != content.StatusPublished {
			return conflicting("Corrections are added to published posts; this one is %s.", statusWords(p.Status))
		}
		p.Corrections = append(p.Corrections, content.Correction{Date: now, Note: note})
		p.UpdatedAt = now
		return nil
	}, nil)
	if err != nil {
		return p, err
	}
	s.audit(ctx, actor, "post.correct", postTarget(p), note)
	s.changed()
	return p, nil
}

// PostList selects posts for the desk's lists.
type PostList struct {
	Statuses []content.Status
	Mine     bool   // only the actor's own posts
	Query    string // words in the title
	Limit    int
	Offset   int
}

// Posts lists posts for the desk. Writers below editor see only their own.
func (s *Service) Posts(ctx context.Context, actor Actor, l PostList) (store.DeskPostPage, error) {
	f := store.DeskFilter{Statuses: l.Statuses, Query: l.Query, Limit: l.Limit, Offset: l.Offset}
	if l.Mine || Can(actor.Account, ReviewQueue, Target{}) != nil {
		if actor.AuthorID == 0 {
			return store.DeskPostPage{}, nil
		}
		f.AccountID = actor.ID
	}
	page, err := s.store.DeskPosts(ctx, f)
	if err != nil {
		return page, fmt.Errorf("editorial: posts: %w", err)
	}
	return page, nil
}

// StatusCounts counts the posts in each state among those Posts would
// list.
func (s *Service) StatusCounts(ctx context.Context, actor Actor, mine bool) (map[content.Status]int, error) {
	var f store.DeskFilter
	if mine || Can(actor.Account, ReviewQueue, Target{}) != nil {
		if actor.AuthorID == 0 {
			return map[content.Status]int{}, nil
		}
		f.AccountID = actor.ID
	}
	counts, err := s.store.DeskStatusCounts(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("editorial: counts: %w", err)
	}
	return counts, nil
}

// ParseID reads a numeric ID from a form or path; anything else is 0.
func ParseID(s string) int64 {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id < 0 {
		return 0
	}
	return id
}
