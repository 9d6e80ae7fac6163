package desk

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"masthead/internal/editorial"
	"masthead/internal/store"
)

type mediaListView struct {
	Query     string
	Page      store.MediaPage
	PrevURL   string
	NextURL   string
	Text      editorial.MediaText
	Errors    editorial.FieldErrors
	Error     string
	MaxUpload string
}

const mediaPerPage = 48

// mediaList shows the media library with its upload form.
func (d *Desk) mediaList(w http.ResponseWriter, r *http.Request, req *request) error {
	return d.renderMedia(w, r, req, mediaListView{}, http.StatusOK)
}

func (d *Desk) renderMedia(w http.ResponseWriter, r *http.Request, req *request, v mediaListView, status int) error {
	q := r.URL.Query()
	v.Query = q.Get("q")
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	var err error
	v.Page, err = d.svc.MediaItems(r.Context(), req.actor, store.MediaFilter{Query: v.Query, Limit: mediaPerPage, Offset: (page - 1) * mediaPerPage})
	if err != nil {
		return err
	}
	link := func(p int) string {
		vals := url.Values{}
		if v.Query != "" {
			vals.Set("q", v.Query)
		}
		vals.Set("page", strconv.Itoa(p))
		return "/desk/media?" + vals.Encode()
	}
	if page > 1 {
		v.PrevURL = link(page - 1)
	}
	if page*mediaPerPage < v.Page.Total {
		v.NextURL = link(page + 1)
	}
	v.MaxUpload = fmt.Sprintf("%d MB", d.svc.MaxUploadBytes()>>20)
	return d.render(w, r, req, status, "media", "Media library", v)
}
