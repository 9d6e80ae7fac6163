package site

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"masthead/internal/store"
)

// searchPageSize is how many results one page of /search shows;
// searchJSONMax is the most /search.json returns at once.
const (
	searchPageSize = 20
	searchJSONMax  = 50
)

// searchParams is a search as the reader asked for it in the URL.
type searchParams struct {
	Q       string
	Section string
	Author  string
	From    string // YYYY-MM-DD, as typed
	To      string
	Page    int
	query   store.SearchQuery
}

// readSearch reads the parameters shared by /search and /search.json.
// Anything unusable in q is the store's business (it never fails on it);
// a malformed date or page number is a bad request.
func (s *Site) readSearch(r *http.Request) (searchParams, error) {
	q := r.URL.Query()
	p := searchParams{
		Q:       q.Get("q"),
		Section: strings.TrimSpace(q.Get("section")),
		Author:  strings.TrimSpace(q.Get("author")),
		From:    strings.TrimSpace(q.Get("from")),
		To:      strings.TrimSpace(q.Get("to")),
	}
	var err error
	if p.Page, err = pageNumber(r); err != nil {
		return p, err
	}
	p.query = store.PublicSearch(p.Q, s.now())
	p.query.SectionSlug, p.query.AuthorSlug = p.Section, p.Author
	if p.query.From, err = searchDate(p.From, "from"); err != nil {
		return p, err
	}
	if p.query.Until, err = searchDate(p.To, "to"); err != nil {
		return p, err
	}
	if !p.query.Until.IsZero() {
		p.query.Until = p.query.Until.AddDate(0, 0, 1) // the whole of the last day
	}
	return p, nil
}

// searchDate reads a YYYY-MM-DD date, as a date input sends it; empty is
// no bound.
func searchDate(v, name string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil || t.Year() < 1 || t.Year() > 9998 {
		return time.Time{}, badRequest{`the "` + name + `" date must be a date written YYYY-MM-DD`}
	}
	return t, nil
}

// searchView is the search page.
type searchView struct {
	layoutView
	Params searchParams
	// The filters' choices; Sections is the layout's navigation.
	SectionOptions []optionView
	AuthorOptions  []optionView
	Asked          bool // the reader searched for something
	Understood     string
	Total          int
	Capped         bool
	Window         int
	Results        []searchResultView
	Pager          pagerView
}

type optionView struct {
	Value, Name string
	Selected    bool
}

type searchResultView struct {
	URL         string
	TitleHTML   template.HTML
	SnippetHTML template.HTML
	Section     *linkView
	Byline      []linkView
	Date        dateView
}

// search is the reader's search page: a form, and the results with their
// matched words marked. Results are never cached (each query is its own
// page) and never indexed.
func (s *Site) search(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := s.readSearch(r)
	if err != nil {
		return err
	}
	lv, err := s.layout(r, "Search")
	if err != nil {
		return err
	}
	lv.NoIndex = true
	lv.Canonical = ""
	v := &searchView{layoutView: lv, Params: p, Window: store.SearchWindow}
	sections, err := s.store.Sections(ctx)
	if err != nil {
		return err
	}
	for _, t := range sections {
		v.SectionOptions = append(v.SectionOptions, optionView{Value: t.Slug, Name: t.Name, Selected: t.Slug == p.Section})
	}
	authors, err := s.store.Authors(ctx)
	if err != nil {
		return err
	}
	for _, a := range authors {
		v.AuthorOptions = append(v.AuthorOptions, optionView{Value: a.Slug, Name: a.Name, Selected: a.Slug == p.Author})
	}

	v.Asked = strings.TrimSpace(p.Q) != ""
	if v.Asked {
		q := p.query
		q.Limit, q.Offset = searchPageSize, (p.Page-1)*searchPageSize
		res, err := s.store.Search(ctx, q)
		if err != nil {
			return err
		}
		v.Understood, v.Total, v.Capped = res.Understood, res.Total, res.Capped
		for _, h := range res.Hits {
			v.Results = append(v.Results, searchResultView{
				URL:         articleURL(h.Post.Slug),
				TitleHTML:   template.HTML(h.TitleHTML),
				SnippetHTML: template.HTML(h.SnippetHTML),
				Section:     sectionLink(h.Post.Section),
				Byline:      bylineLinks(h.Post.Authors),
				Date:        newDateView(h.Post.PublishedAt),
			})
		}
		v.Title = "Search: " + clip(strings.Join(strings.Fields(p.Q), " "), 60) + " — " + lv.SiteName
		v.Pager = pagerView{Number: p.Page, Count: (res.Total + searchPageSize - 1) / searchPageSize}
		if p.Page > 1 {
			v.Pager.Newer = searchURL(p, p.Page-1)
			v.Prev = s.baseURL + v.Pager.Newer
		}
		if p.Page*searchPageSize < res.Total {
			v.Pager.Older = searchURL(p, p.Page+1)
			v.Next = s.baseURL + v.Pager.Older
		}
	}
	w.Header().Set("X-Robots-Tag", "noindex")
	return s.render(w, r, "search", v, http.StatusOK)
}

// searchURL is the address of another page of the same search.
func searchURL(p searchParams, page int) string {
	q := url.Values{}
	q.Set("q", p.Q)
	for k, v := range map[string]string{"section": p.Section, "author": p.Author, "from": p.From, "to": p.To} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	return "/search?" + q.Encode()
}

// searchJSON answers the desk's search-as-you-type: the same search as the
// page, with typing=1 making the last word a prefix, and limit (at most
// searchJSONMax) results from offset.
func (s *Site) searchJSON(w http.ResponseWriter, r *http.Request) error {
	p, err := s.readSearch(r)
	var br badRequest
	if errors.As(err, &br) {
		return writeJSON(w, http.StatusBadRequest, map[string]string{"error": br.msg})
	}
	if err != nil {
		return err
	}
	q := p.query
	vals := r.URL.Query()
	q.Typing = vals.Get("typing") == "1" || vals.Get("typing") == "true"
	q.Limit = searchPageSize
	if v := vals.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return writeJSON(w, http.StatusBadRequest, map[string]string{"error": "limit must be a whole number from 1 up"})
		}
		q.Limit = min(n, searchJSONMax)
	}
	q.Offset = (p.Page - 1) * q.Limit
	res, err := s.store.Search(r.Context(), q)
	if err != nil {
		return err
	}
	out := searchJSONResult{
		Query:      p.Q,
		Understood: res.Understood,
		Total:      res.Total,
		Capped:     res.Capped,
		Page:       p.Page,
		Results:    []searchJSONHit{},
	}
	for _, h := range res.Hits {
		hit := searchJSONHit{
			ID:          h.Post.ID,
			Slug:        h.Post.Slug,
			URL:         s.baseURL + articleURL(h.Post.Slug),
			Title:       h.Post.Title,
			TitleHTML:   h.TitleHTML,
			SnippetHTML: h.SnippetHTML,
			Published:   h.Post.PublishedAt.UTC().Format(time.RFC3339),
			Authors:     []string{},
		}
		if h.Post.Section != nil {
			hit.Section = h.Post.Section.Name
		}
		for _, a := range h.Post.Authors {
			hit.Authors = append(hit.Authors, a.Name)
		}
		out.Results = append(out.Results, hit)
	}
	return writeJSON(w, http.StatusOK, out)
}

type searchJSONResult struct {
	Query      string          `json:"query"`
	Understood string          `json:"understood"`
	Total      int             `json:"total"`
	Capped     bool            `json:"capped"`
	Page       int             `json:"page"`
	Results    []searchJSONHit `json:"results"`
}

type searchJSONHit struct {
	ID          int64    `json:"id"`
	Slug        string   `json:"slug"`
	URL         string   `json:"url"`
	Title       string   `json:"title"`
	TitleHTML   string   `json:"title_html"`
	SnippetHTML string   `json:"snippet_html"`
	Section     string   `json:"section,omitempty"`
	Authors     []string `json:"authors"`
	Published   string   `json:"published"`
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)+1))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Robots-Tag", "noindex")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
	return nil
}

// render writes a page that is not cached.
func (s *Site) render(w http.ResponseWriter, r *http.Request, name string, data any, status int) error {
	var buf strings.Builder
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write([]byte(buf.String()))
	}
	return nil
}
