package site

import (
	"cmp"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"

	"masthead/internal/store"
	"masthead/internal/topics"
)

// topicIndexView is the topics index: a map shaded by coverage and every
// topic with articles, by region.
type topicIndexView struct {
	layoutView
	Map     template.HTML
	Regions []topicGroupView
	Empty   bool
}

// topicGroupView is one heading of the index.
type topicGroupView struct {
	Name   string
	ID     string
	Topics []topicLink
}

// topicIndex shows /topics.
func (s *Site) topicIndex(r *http.Request) (pageView, error) {
	ctx := r.Context()
	g, err := s.gazetteer(ctx)
	if err != nil {
		return pageView{}, err
	}
	counts, err := s.store.TopicPostCounts(ctx, store.PublicFilter(s.now()))
	if err != nil {
		return pageView{}, err
	}
	lv, err := s.layout(r, "Topics")
	if err != nil {
		return pageView{}, err
	}
	lv.Title = "Topics — " + lv.SiteName
	lv.Description = "Countries, organisations and people " + lv.SiteName + " covers, on a map and by region."
	lv.JSONLD = append(lv.JSONLD, s.breadcrumbLD(lv.SiteName, []linkView{{Name: "Topics", URL: topicsURL()}}))
	v := &topicIndexView{layoutView: lv}

	wm, err := g.WorldMap()
	if err != nil {
		return pageView{}, fmt.Errorf("site: world map: %w", err)
	}
	var svg strings.Builder
	err = wm.RenderSVG(&svg, counts, topics.MapOptions{
		Title: "Coverage by country and territory",
		Href: func(slug string) string {
			if counts[slug] == 0 {
				return ""
			}
			return topicURL(slug)
		},
	})
	if err != nil {
		return pageView{}, fmt.Errorf("site: world map: %w", err)
	}
	// RenderSVG escapes every name and link it writes.
	v.Map = template.HTML(svg.String())

	groups := map[string][]topicLink{}
	for _, e := range g.Entries() {
		n := counts[e.Slug]
		if n == 0 {
			continue
		}
		groups[topicGroup(e)] = append(groups[topicGroup(e)], newTopicLink(e, n))
	}
	order := append(topics.Regions(), "International organisations", "People, groups and others")
	for _, name := range order {
		ts := groups[name]
		if len(ts) == 0 {
			continue
		}
		slices.SortFunc(ts, func(a, b topicLink) int { return cmp.Or(cmp.Compare(b.Posts, a.Posts), cmp.Compare(a.Name, b.Name)) })
		v.Regions = append(v.Regions, topicGroupView{Name: name, ID: "region-" + anchor(name), Topics: ts})
	}
	v.Empty = len(v.Regions) == 0
	return pageView{"topics", v}, nil
}

// topicGroup is the heading of the index an entry is listed under.
func topicGroup(e topics.Entry) string {
	switch {
	case e.Region != "" && (e.Kind == topics.KindCountry || e.Kind == topics.KindTerritory):
		return e.Region
	case e.Kind == topics.KindOrganisation:
		return "International organisations"
	case e.Region != "":
		return e.Region
	}
	return "People, groups and others"
}

// anchor makes a fragment identifier of a heading.
func anchor(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
