package desk

import (
	"net/http"
	"strings"
	"time"

	"masthead/internal/content"
	"masthead/internal/editorial"
)

// apiSearchResult is a page of full-text search results.
type apiSearchResult struct {
	Query      string         `json:"query"`
	Understood string         `json:"understood"`
	Total      int            `json:"total"`
	Capped     bool           `json:"capped"`
	Limit      int            `json:"limit"`
	Offset     int            `json:"offset"`
	Results    []apiSearchHit `json:"results"`
}

type apiSearchHit struct {
	apiPostSummary
	TitleHTML   string `json:"title_html"`
	SnippetHTML string `json:"snippet_html"`
}

// apiSearch searches posts by their words: headline, deck, body, bylines
// and tags, most relevant first, with the matched words marked.
func (d *Desk) apiSearch(w http.ResponseWriter, r *http.Request, actor editorial.Actor) error {
	limit, offset, err := paging(r, 20, 100)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	text := q.Get("q")
	if len(text) > 1000 {
		return badRequest("q is longer than 1,000 bytes.")
	}
	s := editorial.DeskSearch{Text: text, Typing: q.Get("typing") == "true",
		SectionSlug: strings.TrimSpace(q.Get("section")), AuthorSlug: strings.TrimSpace(q.Get("author")),
		Limit: limit, Offset: offset}
	for _, v := range q["status"] {
		for _, part := range strings.Split(v, ",") {
			st := content.Status(strings.TrimSpace(part))
			if !st.Valid() {
				return badRequest("status %q is not one of draft, review, scheduled, published, archived.", part)
			}
			s.Statuses = append(s.Statuses, st)
		}
	}
	loc, err := d.svc.Location(r.Context())
	if err != nil {
		return err
	}
	// Dates are days in the site's timezone; until includes its day.
	for _, b := range []struct {
		name string
		dst  *time.Time
		days int
	}{{"from", &s.From, 0}, {"until", &s.Until, 1}} {
		v := strings.TrimSpace(q.Get(b.name))
		if v == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", v, loc)
		if err != nil {
			return badRequest("%s must be a date written YYYY-MM-DD.", b.name)
		}
		*b.dst = t.AddDate(0, 0, b.days)
	}
	if !s.From.IsZero() && !s.Until.IsZero() && !s.Until.After(s.From) {
		return badRequest("until must not be before from.")
	}
	page, err := d.svc.Search(r.Context(), actor, s)
	if err != nil {
		return err
	}
	v := apiSearchResult{Query: text, Understood: page.Understood, Total: page.Total, Capped: page.Capped,
		Limit: limit, Offset: offset, Results: []apiSearchHit{}}
	for _, h := range page.Hits {
		p := h.Post
		sum := apiPostSummary{ID: p.ID, Slug: p.Slug, Title: p.Title, Status: p.Status, PublishedAt: apiTime(p.PublishedAt),
			CreatedAt: apiTime(p.CreatedAt), ModifiedAt: apiTime(p.ModifiedAt), Authors: []apiRef{}}
		for _, a := range p.Authors {
			sum.Authors = append(sum.Authors, apiRef{ID: a.ID, Slug: a.Slug, Name: a.Name})
		}
		if p.Section != nil {
			sum.Section = &apiRef{ID: p.Section.ID, Slug: p.Section.Slug, Name: p.Section.Name}
		}
		v.Results = append(v.Results, apiSearchHit{apiPostSummary: sum, TitleHTML: h.TitleHTML, SnippetHTML: h.SnippetHTML})
	}
	return writeJSON(w, http.StatusOK, v)
}
