package site

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"masthead/internal/content"
	"masthead/internal/editorial"
	"masthead/internal/store"
)

// topicRig is a site whose articles have topics: 22 on Iran (three of
// them also on NATO, one published late on the last evening of January
// UTC, which is February in Tehran), one with only a suggestion, and a
// draft on Iran readers must not see.
func topicRig(t *testing.T) *rig {
	t.Helper()
	r := newRig(t)
	if err := r.store.SetSetting(r.ctx, editorial.SettingTimezone, "Asia/Tehran"); err != nil {
		t.Fatal(err)
	}
	accept := func(p content.Post, slugs ...string) {
		t.Helper()
		for _, s := range slugs {
			if err := r.store.DecidePostTopic(r.ctx, p.ID, s, store.TopicAccepted, testNow); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := range 21 {
		p := r.post(fmt.Sprintf("Iran dispatch %02d", i), testNow.Add(-time.Duration(i+1)*24*time.Hour), nil)
		if i < 3 {
			accept(p, "iran", "nato")
		} else {
			accept(p, "iran")
		}
	}
	late := r.post("Late night in Tehran", time.Date(2025, 1, 31, 22, 0, 0, 0, time.UTC), nil)
	accept(late, "iran", "iaea")
	suggested := r.post("Paris notes", testNow.Add(-time.Hour), nil)
	if err := r.store.SetDetectedTopics(r.ctx, suggested.ID, []store.DetectedTopic{{Topic: "france", Mentions: 3, Confidence: 1}}, testNow); err != nil {
		t.Fatal(err)
	}
	draft := r.post("Secret Iran draft", time.Time{}, func(p *content.Post) { p.Status = content.StatusDraft })
	accept(draft, "iran")
	return r
}

func TestTopicIndexShowsMapAndRegions(t *testing.T) {
	t.Parallel()
	r := topicRig(t)
	_, doc := r.getOK("/topics")
	svg := find(doc, "svg", "class", "topics-map")
	if svg == nil {
		t.Fatal("no map on /topics")
	}
	// Iran's tile links to its page and is shaded; France, with only a
	// suggestion, is not linked.
	var iranTile, franceTile *html.Node
	for _, a := range findAll(svg, "a") {
		if attr(a, "href") == "/topics/iran" {
			iranTile = a
		}
		if attr(a, "href") == "/topics/france" {
			franceTile = a
		}
	}
	if iranTile == nil || franceTile != nil {
		t.Fatalf("map links: Iran %v, France %v", iranTile != nil, franceTile != nil)
	}
	if rect := find(iranTile, "rect"); rect == nil || attr(rect, "class") == "tm-0" {
		t.Errorf("Iran's tile is not shaded")
	}
	if title := text(find(iranTile, "title")); title != "Iran: 22 articles" {
		t.Errorf("Iran's tile says %q", title)
	}

	regions := map[string][]string{}
	for _, sec := range findAll(doc, "section", "class", "topics-region") {
		name := text(find(sec, "h2"))
		for _, li := range findAll(sec, "li") {
			regions[name] = append(regions[name], strings.Join(strings.Fields(text(li)), " "))
		}
	}
	if got := strings.Join(regions["Middle East"], "|"); got != "Iran 22 articles" {
		t.Errorf("Middle East: %q (all %v)", got, regions)
	}
	if got := strings.Join(regions["International organisations"], "|"); got != "NATO 3 articles|International Atomic Energy Agency 1 article" {
		t.Errorf("organisations: %q", got)
	}
	if _, ok := regions["Europe"]; ok {
		t.Errorf("a region without accepted coverage is listed: %v", regions["Europe"])
	}
}

func TestTopicPageRiverTimelineRelatedAndPaging(t *testing.T) {
	t.Parallel()
	r := topicRig(t)
	res, doc := r.getOK("/topics/iran")
	if h := text(find(doc, "h1")); h != "Iran" {
		t.Errorf("h1 %q", h)
	}
	heads := headlines(doc)
	if len(heads) != riverPageSize || heads[0] != "Iran dispatch 00" {
		t.Errorf("page 1: %d entries, first %q", len(heads), heads)
	}
	if strings.Contains(res.body, "Secret Iran draft") || strings.Contains(res.body, "Paris notes") {
		t.Error("the topic river shows a draft or an article without the topic")
	}
	if next := find(doc, "link", "rel", "next"); next == nil || attr(next, "href") != testBaseURL+"/topics/iran?page=2" {
		t.Errorf("rel=next: %v", next)
	}
	if find(doc, "link", "rel", "prev") != nil {
		t.Error("page 1 has rel=prev")
	}
	// The feed is linked on the page and for autodiscovery.
	if a := find(doc, "a", "href", "/topics/iran/feed.xml"); a == nil {
		t.Error("no visible link to the topic's feed")
	}
	if l := find(doc, "link", "href", testBaseURL+"/topics/iran/atom.xml"); l == nil {
		t.Error("no autodiscovery link to the topic's Atom feed")
	}
	// Related topics by co-occurrence, the most shared first.
	var related []string
	if nav := find(doc, "nav", "class", "topic-related"); nav != nil {
		for _, a := range findAll(nav, "a") {
			related = append(related, text(a)+" "+attr(a, "href"))
		}
	}
	if strings.Join(related, "|") != "NATO /topics/nato|International Atomic Energy Agency /topics/iaea" {
		t.Errorf("related: %q", related)
	}
	// The timeline counts by month in the site's timezone: the late
	// article of 31 January UTC is February's in Tehran, so there is no
	// January.
	chart := find(doc, "svg", "class", "topic-timeline-chart")
	if chart == nil {
		t.Fatal("no timeline")
	}
	bars := map[string]string{}
	for _, g := range findAll(chart, "g") {
		title := text(find(g, "title"))
		month, count, _ := strings.Cut(title, ": ")
		bars[month] = count
	}
	if len(bars) != 2 || bars["February 2025"] != "13 articles" || bars["March 2025"] != "9 articles" {
		t.Errorf("timeline bars: %v", bars)
	}
	if s := text(find(doc, "p", "class", "topic-timeline-summary")); s != "22 articles from February 2025 to March 2025" {
		t.Errorf("timeline summary %q", s)
	}
	ld := jsonLD(t, "/topics/iran", doc)
	if field(ld["BreadcrumbList"], "itemListElement.2.name") != "Iran" {
		t.Errorf("breadcrumb: %v", ld["BreadcrumbList"])
	}

	_, doc = r.getOK("/topics/iran?page=2")
	if heads := headlines(doc); len(heads) != 2 {
		t.Errorf("page 2: %q", heads)
	}
	if prev := find(doc, "link", "rel", "prev"); prev == nil || attr(prev, "href") != testBaseURL+"/topics/iran" {
		t.Errorf("rel=prev on page 2: %v", prev)
	}
	for path, want := range map[string]int{
		"/topics/iran?page=3": http.StatusNotFound, "/topics/iran?page=x": http.StatusBadRequest,
		"/topics/atlantis": http.StatusNotFound, "/topics/atlantis/feed.xml": http.StatusNotFound,
	} {
		if got := r.get(path).status; got != want {
			t.Errorf("GET %s: %d, want %d", path, got, want)
		}
	}
	// A known topic without coverage has a page that says so.
	res, doc = r.getOK("/topics/france")
	if !strings.Contains(res.body, "Nothing has been published on this topic yet.") || find(doc, "svg", "class", "topic-timeline-chart") != nil {
		t.Error("/topics/france should be an empty river without a timeline")
	}
}

func TestTopicFeeds(t *testing.T) {
	t.Parallel()
	r := topicRig(t)
	for _, file := range []string{"feed.xml", "atom.xml", "feed.json"} {
		path := "/topics/iran/" + file
		f := parseFeed(t, path, r.get(path))
		if !strings.Contains(f.Title, "Iran") || len(f.Items) != feedItems {
			t.Errorf("%s: title %q, %d items", path, f.Title, len(f.Items))
			continue
		}
		if f.Items[0].Title != "Iran dispatch 00" {
			t.Errorf("%s: first item %q", path, f.Items[0].Title)
		}
		for _, it := range f.Items {
			if it.Title == "Secret Iran draft" || it.Title == "Paris notes" {
				t.Errorf("%s carries %q", path, it.Title)
			}
		}
	}
	f := parseFeed(t, "/topics/nato/feed.xml", r.get("/topics/nato/feed.xml"))
	if len(f.Items) != 3 {
		t.Errorf("NATO feed: %d items", len(f.Items))
	}
}

func TestArticleListsTopicsAndJSONLDAbout(t *testing.T) {
	t.Parallel()
	r := topicRig(t)
	_, doc := r.getOK("/articles/late-night-in-tehran")
	nav := find(doc, "nav", "aria-label", "Topics")
	if nav == nil {
		t.Fatal("the article lists no topics")
	}
	var links []string
	for _, a := range findAll(nav, "a") {
		links = append(links, text(a)+" "+attr(a, "href"))
	}
	if strings.Join(links, "|") != "International Atomic Energy Agency /topics/iaea|Iran /topics/iran" {
		t.Errorf("topic links: %q", links)
	}
	ld := jsonLD(t, "/articles/late-night-in-tehran", doc)
	art := ld["NewsArticle"]
	about, _ := field(art, "about").([]any)
	if len(about) != 2 {
		t.Fatalf("about: %v", field(art, "about"))
	}
	want := map[string]string{"International Atomic Energy Agency": "Organization", "Iran": "Country"}
	for _, a := range about {
		m := a.(map[string]any)
		name := fmt.Sprint(m["name"])
		if want[name] != m["@type"] {
			t.Errorf("about %s: @type %v", name, m["@type"])
		}
		if name == "Iran" && (m["identifier"] != "IR" || m["url"] != testBaseURL+"/topics/iran") {
			t.Errorf("about Iran: %v", m)
		}
	}
	// Suggestions are not shown to readers.
	_, doc = r.getOK("/articles/paris-notes")
	if find(doc, "nav", "aria-label", "Topics") != nil {
		t.Error("an article with only a suggested topic lists topics")
	}
	if art := jsonLD(t, "/articles/paris-notes", doc)["NewsArticle"]; art == nil || art["about"] != nil {
		t.Errorf("JSON-LD of an article with only a suggestion: %v", art)
	}
}

func TestTopicPageFollowsDecisions(t *testing.T) {
	t.Parallel()
	r := topicRig(t)
	r.run()
	if body := r.get("/topics/nato").body; strings.Contains(body, "Paris notes") {
		t.Fatal("Paris notes is on NATO's page before anyone accepted it")
	}
	p, err := r.store.PostBySlug(r.ctx, "paris-notes")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.store.DecidePostTopic(r.ctx, p.ID, "nato", store.TopicAccepted, testNow); err != nil {
		t.Fatal(err)
	}
	r.site.Invalidate()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(r.get("/topics/nato").body, "Paris notes") {
		if time.Now().After(deadline) {
			t.Fatal("the cached topic page never showed the newly accepted article")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestTimelineFillsEmptyMonthsAndKeepsTheRecentOnes(t *testing.T) {
	t.Parallel()
	at := func(y int, m time.Month, _ int) time.Time { return time.Date(y, m, 15, 12, 0, 0, 0, time.UTC) }
	tl := newTimeline([]time.Time{at(2024, 11, 1), at(2025, 2, 1), at(2025, 2, 1)}, time.UTC)
	var got []string
	for _, m := range tl.Months {
		got = append(got, fmt.Sprintf("%s=%d", m.Label, m.Posts))
	}
	if strings.Join(got, " ") != "November 2024=1 December 2024=0 January 2025=0 February 2025=2" {
		t.Errorf("months: %v", got)
	}
	if newTimeline(nil, time.UTC) != nil {
		t.Error("a timeline without articles")
	}
	// Ten years of coverage show the last timelineMonths months.
	long := newTimeline([]time.Time{at(2015, 1, 1), at(2025, 6, 1)}, time.UTC)
	if len(long.Months) != timelineMonths || long.Months[len(long.Months)-1].Label != "June 2025" {
		t.Errorf("long timeline: %d months ending %q", len(long.Months), long.Months[len(long.Months)-1].Label)
	}
}

func FuzzTimeline(f *testing.F) {
	f.Add(int64(0), int64(86400*40), int64(-86400*400))
	f.Add(int64(1<<40), int64(-1<<40), int64(7))
	f.Fuzz(func(t *testing.T, a, b, c int64) {
		// Times from year 1 to 9999, in any order.
		clamp := func(x int64) time.Time {
			const lo, hi = -62135596800, 253402300799
			x = lo + ((x%(hi-lo))+(hi-lo))%(hi-lo)
			return time.Unix(x, 0)
		}
		times := []time.Time{clamp(a), clamp(b), clamp(c)}
		loc, _ := time.LoadLocation("Asia/Kathmandu")
		tl := newTimeline(times, loc)
		if tl == nil || len(tl.Months) == 0 || len(tl.Months) > timelineMonths {
			t.Fatalf("timeline of %v: %+v", times, tl)
		}
		if _, err := html.Parse(strings.NewReader(string(tl.SVG))); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(tl.SVG), "<svg") || !strings.HasSuffix(string(tl.SVG), "</svg>") {
			t.Fatalf("svg: %.200s", tl.SVG)
		}
	})
}

func TestSitemapListsTopicsWithArticles(t *testing.T) {
	t.Parallel()
	r := topicRig(t)
	var pages parsedURLSet
	getXML(t, r, "/sitemaps/pages.xml", &pages)
	var locs []string
	for _, u := range pages.URLs {
		if strings.HasPrefix(u.Loc, testBaseURL+"/topics") {
			locs = append(locs, strings.TrimPrefix(u.Loc, testBaseURL))
		}
	}
	if got := strings.Join(locs, " "); got != "/topics /topics/iaea /topics/iran /topics/nato" {
		t.Errorf("topic pages in the sitemap: %q", got)
	}
}
