package site

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"masthead/internal/store"
	"masthead/internal/topics"
	"masthead/internal/topics/topicstore"
)

// Topics are the countries, organisations and people articles are about:
// an editor accepts them in the desk, and each has a page, a feed and a
// place on the topics index.

func topicsURL() string           { return "/topics" }
func topicURL(slug string) string { return "/topics/" + url.PathEscape(slug) }

// gazetteer returns the built-in gazetteer with the desk's edits.
func (s *Site) gazetteer(ctx context.Context) (*topicstore.Gazetteer, error) {
	return s.topics.Get(ctx, s.store)
}

// topicEntry returns the entry with the slug; an unknown or removed one is
// not found, like an unknown tag.
func (s *Site) topicEntry(ctx context.Context, slug string) (topics.Entry, *topicstore.Gazetteer, error) {
	g, err := s.gazetteer(ctx)
	if err != nil {
		return topics.Entry{}, nil, err
	}
	e, ok := g.Entry(slug)
	if !ok {
		return topics.Entry{}, nil, errNotFound
	}
	return e, g, nil
}

// location returns the site's timezone, UTC when none or an unknown one is
// set.
func (s *Site) location(ctx context.Context) *time.Location {
	name, err := s.store.Setting(ctx, "site.timezone")
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.log.Warn("site: timezone setting", "err", err)
		}
		return time.UTC
	}
	loc, err := time.LoadLocation(strings.TrimSpace(name))
	if err != nil || strings.TrimSpace(name) == "" {
		return time.UTC
	}
	return loc
}

// topicLink is a topic as articles and topic pages link to it.
type topicLink struct {
	linkView
	Slug  string
	Kind  topics.Kind
	Code  string
	Posts int // articles on the topic, where a list shows it
}

func newTopicLink(e topics.Entry, posts int) topicLink {
	return topicLink{linkView: linkView{Name: e.Name, URL: topicURL(e.Slug)}, Slug: e.Slug, Kind: e.Kind, Code: e.Code, Posts: posts}
}

// articleTopics returns the topics an editor accepted for post id, by
// name; topics no longer in the gazetteer are left out, as their pages
// are gone.
func (s *Site) articleTopics(ctx context.Context, id int64) ([]topicLink, error) {
	pts, err := s.store.PostTopics(ctx, id)
	if err != nil {
		return nil, err
	}
	var accepted []store.PostTopic
	for _, t := range pts {
		if t.Status == store.TopicAccepted {
			accepted = append(accepted, t)
		}
	}
	if len(accepted) == 0 {
		return nil, nil
	}
	g, err := s.gazetteer(ctx)
	if err != nil {
		return nil, err
	}
	var out []topicLink
	for _, t := range accepted {
		if e, ok := g.Entry(t.Topic); ok {
			out = append(out, newTopicLink(e, 0))
		}
	}
	slices.SortFunc(out, func(a, b topicLink) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}

// aboutLD describes an article's topics as schema.org things, for the
// article's "about": countries as Country with their ISO code,
// organisations and groups as Organization, people as Person.
func (s *Site) aboutLD(ts []topicLink) []ldThing {
	var out []ldThing
	for _, t := range ts {
		typ := "Thing"
		switch t.Kind {
		case topics.KindCountry:
			typ = "Country"
		case topics.KindTerritory:
			typ = "AdministrativeArea"
		case topics.KindOrganisation, topics.KindGroup:
			typ = "Organization"
		case topics.KindPerson:
			typ = "Person"
		}
		th := ldThing{"@type": typ, "name": t.Name, "url": s.absolute(t.URL)}
		if t.Code != "" {
			th["identifier"] = t.Code
		}
		out = append(out, th)
	}
	return out
}

// topicSitemapURLs lists the topics index and every topic page with
// articles, by slug; nothing while no article has a topic.
func (s *Site) topicSitemapURLs(ctx context.Context) ([]sitemapURL, error) {
	counts, err := s.store.TopicPostCounts(ctx, store.PublicFilter(s.now()))
	if err != nil || len(counts) == 0 {
		return nil, err
	}
	g, err := s.gazetteer(ctx)
	if err != nil {
		return nil, err
	}
	out := []sitemapURL{{Loc: s.baseURL + topicsURL()}}
	for _, slug := range slices.Sorted(maps.Keys(counts)) {
		if _, ok := g.Entry(slug); ok {
			out = append(out, sitemapURL{Loc: s.baseURL + topicURL(slug)})
		}
	}
	return out, nil
}
