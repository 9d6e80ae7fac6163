package newsletter

import (
	"bytes"
	"context"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"

	"masthead/internal/store"
	"masthead/internal/topics/topicstore"
)

// topicsMarker stands where a round-up shows the subscriber's own "Your
// topics" section, at the top of both parts. Each delivery puts its
// section there, or nothing for a subscriber who follows none of the
// issue's topics; Rendered.Personal removes what is left of it. Like
// placeholder, escaping leaves it as it is.
const topicsMarker = "__MASTHEAD_YOUR_TOPICS__"

// The section's templates are parsed when the program starts: a broken
// one stops it there rather than in the middle of a send.
var (
	yourTopicsHTML = htmltemplate.Must(htmltemplate.New("your_topics.html").Option("missingkey=error").
			ParseFS(templateFS, "templates/your_topics.html"))
	yourTopicsText = texttemplate.Must(texttemplate.New("your_topics.txt").Option("missingkey=error").
			ParseFS(templateFS, "templates/your_topics.txt"))
)

type yourTopicsView struct {
	Topics      []topicView
	Preferences string
}

type topicView struct {
	Name, URL, Count string
	Items            []topicItem
}

type topicItem struct{ Title, URL string }

// topicSections personalises one send of a round-up. It is built once per
// sender from the issue's articles, their accepted topics and who follows
// them, so a message costs no query; subscribers who follow the same
// topics share one rendering.
type topicSections struct {
	follows     map[int64][]string   // subscriber → the issue's topics they follow
	topics      map[string]topicView // topic → its part of a section
	preferences string               // with the placeholder for the token

	mu       sync.Mutex
	rendered map[string]sectionParts // by the followed topics, joined
}

type sectionParts struct{ html, text string }

// topicSections prepares the "Your topics" sections of a round-up; nil
// when nobody receiving it follows one of its topics, or for an issue of
// another kind.
func (s *Service) topicSections(ctx context.Context, is store.Issue, now time.Time) (*topicSections, error) {
	if is.Kind != store.IssueRoundup || !strings.Contains(is.HTML, topicsMarker) {
		return nil, nil
	}
	posts, err := s.issuePosts(ctx, is.Items, now)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(posts))
	for i, p := range posts {
		ids[i] = p.ID
	}
	byPost, err := s.store.AcceptedTopicsOf(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("newsletter: your topics: %w", err)
	}
	items := map[string][]topicItem{}
	var slugs []string
	for _, p := range posts { // in the issue's order
		for _, t := range byPost[p.ID] {
			if items[t] == nil {
				slugs = append(slugs, t)
			}
			items[t] = append(items[t], topicItem{Title: p.Title, URL: s.baseURL + "/articles/" + url.PathEscape(p.Slug)})
		}
	}
	follows, err := s.store.RoundupFollows(ctx, slugs)
	if err != nil {
		return nil, fmt.Errorf("newsletter: your topics: %w", err)
	}
	if len(follows) == 0 {
		return nil, nil
	}
	g, _, err := topicstore.LoadGazetteer(ctx, s.store)
	if err != nil {
		return nil, fmt.Errorf("newsletter: your topics: %w", err)
	}
	ts := &topicSections{follows: follows, topics: map[string]topicView{}, preferences: s.preferencesURL(placeholder),
		rendered: map[string]sectionParts{}}
	for _, slug := range slugs {
		e, ok := g.Entry(slug)
		if !ok {
			continue // removed from the gazetteer since: it has no page any more
		}
		n := len(items[slug])
		count := "1 new article"
		if n != 1 {
			count = strconv.Itoa(n) + " new articles"
		}
		ts.topics[slug] = topicView{Name: e.Name, URL: s.baseURL + "/topics/" + url.PathEscape(slug), Count: count, Items: items[slug]}
	}
	return ts, nil
}

// apply puts the subscriber's section in the issue, or leaves the issue
// as it is (a nil ts included).
func (ts *topicSections) apply(r Rendered, subscriberID int64) (Rendered, error) {
	if ts == nil {
		return r, nil
	}
	var followed []string
	for _, t := range ts.follows[subscriberID] {
		if _, ok := ts.topics[t]; ok {
			followed = append(followed, t)
		}
	}
	if len(followed) == 0 {
		return r, nil
	}
	key := strings.Join(followed, "\n")
	ts.mu.Lock()
	parts, ok := ts.rendered[key]
	ts.mu.Unlock()
	if !ok {
		v := yourTopicsView{Preferences: ts.preferences}
		for _, t := range followed {
			v.Topics = append(v.Topics, ts.topics[t])
		}
		// Most new articles first; by name among equals.
		sort.SliceStable(v.Topics, func(i, j int) bool {
			if a, b := len(v.Topics[i].Items), len(v.Topics[j].Items); a != b {
				return a > b
			}
			return v.Topics[i].Name < v.Topics[j].Name
		})
		var h, t bytes.Buffer
		if err := yourTopicsHTML.Execute(&h, v); err != nil {
			return Rendered{}, fmt.Errorf("newsletter: your topics: %w", err)
		}
		if err := yourTopicsText.Execute(&t, v); err != nil {
			return Rendered{}, fmt.Errorf("newsletter: your topics: %w", err)
		}
		parts = sectionParts{html: h.String(), text: t.String()}
		ts.mu.Lock()
		ts.rendered[key] = parts
		ts.mu.Unlock()
	}
	return Rendered{Subject: r.Subject, HTML: strings.Replace(r.HTML, topicsMarker, parts.html, 1),
		Text: strings.Replace(r.Text, topicsMarker, parts.text, 1)}, nil
}
