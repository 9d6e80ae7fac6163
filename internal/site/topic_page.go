package site

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"masthead/internal/store"
	"masthead/internal/topics"
)

// relatedTopics is how many related topics a topic page lists.
const relatedTopics = 8

// timelineMonths is how many months the timeline shows at most: the most
// recent ones.
const timelineMonths = 60

// topicView is a topic's page: its river with a timeline of coverage and
// the topics covered with it.
type topicView struct {
	riverView
	Kind     string
	Timeline *timelineView
	Related  []topicLink
	FeedURL  string
}

// timelineView is the bar chart of articles per month.
type timelineView struct {
	SVG     template.HTML
	Summary string
	Months  []monthView
}

// monthView is one bar.
type monthView struct {
	Label string
	Posts int
}

// topic shows /topics/{slug}: every article on the topic, newest first.
func (s *Site) topic(r *http.Request) (pageView, error) {
	ctx := r.Context()
	e, g, err := s.topicEntry(ctx, r.PathValue("slug"))
	if err != nil {
		return pageView{}, err
	}
	lv, err := s.layout(r, e.Name)
	if err != nil {
		return pageView{}, err
	}
	path := topicURL(e.Slug)
	s.addFeeds(&lv, path, e.Name)
	lv.Description = "Coverage of " + e.Name + " from " + lv.SiteName + "."
	lv.JSONLD = append(lv.JSONLD, s.breadcrumbLD(lv.SiteName, []linkView{{Name: "Topics", URL: topicsURL()}, {Name: e.Name, URL: path}}))
	v := &topicView{riverView: riverView{layoutView: lv, Heading: e.Name}, Kind: kindLabel(e), FeedURL: path + "/" + formatRSS.file}

	f := store.PublicFilter(s.now())
	if err := s.topicRiver(r, v, e.Slug, f, path); err != nil {
		return pageView{}, err
	}
	times, err := s.store.TopicPublishTimes(ctx, e.Slug, f)
	if err != nil {
		return pageView{}, err
	}
	v.Timeline = newTimeline(times, s.location(ctx))
	related, err := s.store.RelatedTopics(ctx, e.Slug, f, relatedTopics)
	if err != nil {
		return pageView{}, err
	}
	for _, tc := range related {
		if re, ok := g.Entry(tc.Topic); ok {
			v.Related = append(v.Related, newTopicLink(re, tc.Posts))
		}
	}
	return pageView{"topic", v}, nil
}

// kindLabel says what an entry is, under its name.
func kindLabel(e topics.Entry) string {
	label := map[topics.Kind]string{
		topics.KindCountry: "Country", topics.KindTerritory: "Territory", topics.KindOrganisation: "International organisation",
		topics.KindPerson: "Person", topics.KindGroup: "Group",
	}[e.Kind]
	if e.Region != "" && (e.Kind == topics.KindCountry || e.Kind == topics.KindTerritory) {
		label += " · " + e.Region
	}
	return label
}

// topicRiver fills v with one page of the articles on topic, as river does
// for sections and tags.
func (s *Site) topicRiver(r *http.Request, v *topicView, topic string, f store.PostFilter, path string) error {
	n, err := pageNumber(r)
	if err != nil {
		return err
	}
	f.Limit = riverPageSize
	f.Offset = (n - 1) * riverPageSize
	page, err := s.store.TopicPosts(r.Context(), topic, f)
	if err != nil {
		return err
	}
	return s.fillRiver(r, &v.riverView, page, n, path)
}

// newTimeline counts the articles per month in loc, from the first month
// with one to the last (at most timelineMonths), months without any
// included, and draws them as bars. It is nil without articles.
func newTimeline(times []time.Time, loc *time.Location) *timelineView {
	if len(times) == 0 {
		return nil
	}
	monthOf := func(t time.Time) int {
		t = t.In(loc)
		return t.Year()*12 + int(t.Month()) - 1
	}
	first, last := monthOf(times[0]), monthOf(times[0])
	for _, t := range times {
		m := monthOf(t)
		first, last = min(first, m), max(last, m)
	}
	first = max(first, last-timelineMonths+1)
	counts := make([]int, last-first+1)
	for _, t := range times {
		if m := monthOf(t); m >= first {
			counts[m-first]++
		}
	}
	tl := &timelineView{}
	most, total := 0, 0
	for i, n := range counts {
		m := first + i
		label := time.Month(m%12+1).String() + " " + strconv.Itoa(m/12)
		tl.Months = append(tl.Months, monthView{Label: label, Posts: n})
		most, total = max(most, n), total+n
	}
	tl.Summary = fmt.Sprintf("%d %s from %s to %s", total, plural(total, "article", "articles"), tl.Months[0].Label, tl.Months[len(tl.Months)-1].Label)
	tl.SVG = timelineSVG(tl.Months, most)
	return tl
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// timelineSVG draws one bar per month, as high as its share of the
// busiest month, with the year under each January and the first month.
func timelineSVG(months []monthView, most int) template.HTML {
	const barW, gap, chartH, labelH = 10, 2, 60, 14
	width := len(months)*(barW+gap) + gap
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="topic-timeline-chart" viewBox="0 0 %d %d" role="img" aria-labelledby="timeline-title">`, width, chartH+labelH)
	fmt.Fprintf(&b, `<title id="timeline-title">Articles per month</title>`)
	fmt.Fprintf(&b, `<line x1="0" y1="%d" x2="%d" y2="%d" stroke="#bbbbbb" stroke-width="1"/>`, chartH, width, chartH)
	for i, m := range months {
		x := gap + i*(barW+gap)
		h := 0
		if most > 0 && m.Posts > 0 {
			h = max(2, m.Posts*(chartH-4)/most)
		}
		fmt.Fprintf(&b, `<g><title>%s: %d %s</title><rect x="%d" y="%d" width="%d" height="%d" fill="#8c2f39"/>`,
			template.HTMLEscapeString(m.Label), m.Posts, plural(m.Posts, "article", "articles"), x, chartH-h, barW, h)
		if i == 0 || strings.HasPrefix(m.Label, "January ") {
			year := m.Label[strings.LastIndexByte(m.Label, ' ')+1:]
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="9" font-family="sans-serif" fill="#555555">%s</text>`, x, chartH+labelH-3, year)
		}
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	// Every text in it is a month name, a year or a number.
	return template.HTML(b.String())
}
