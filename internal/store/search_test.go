package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"masthead/internal/content"
	"masthead/internal/store"
)

// search runs a public search at t0 and fails the test on an error.
func search(t *testing.T, s *store.Store, q store.SearchQuery) store.SearchPage {
	t.Helper()
	page, err := s.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search(%q): %v", q.Text, err)
	}
	return page
}

func hitSlugs(page store.SearchPage) []string {
	out := []string{}
	for _, h := range page.Hits {
		out = append(out, h.Post.Slug)
	}
	return out
}

func TestSearchRelevance(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		savePost(t, s, content.Post{Slug: "strait", Title: "The Strait After the Ceasefire", PublishedAt: days(-30),
			Body: "Shipping resumed slowly."})
		// The headline's words, many times over, but only in the body and
		// the deck, and newer: the headline match must still come first.
		savePost(t, s, content.Post{Slug: "echo", Title: "Shipping Lanes Reopen", PublishedAt: days(-1),
			Deck: "The strait after the ceasefire",
			Body: strings.Repeat("The strait after the ceasefire is calm. ", 20)})
		savePost(t, s, content.Post{Slug: "body-only", Title: "Notes From the Coast", PublishedAt: days(-2),
			Body: "Fishermen in Zanzibar mend their nets.\n\nThe second paragraph."})
		savePost(t, s, content.Post{Slug: "draft", Title: "The Strait After the Ceasefire, Again", Status: content.StatusDraft,
			Body: "Zanzibar draft."})
		savePost(t, s, content.Post{Slug: "review", Title: "Zanzibar in Review", Status: content.StatusReview})
		savePost(t, s, content.Post{Slug: "future", Title: "Zanzibar Tomorrow", PublishedAt: days(3)})
		savePost(t, s, content.Post{Slug: "archived", Title: "Zanzibar Archived", Status: content.StatusArchived, PublishedAt: days(-3)})

		page := search(t, s, store.PublicSearch("The Strait After the Ceasefire", t0))
		equal(t, "exact headline", hitSlugs(page), []string{"strait", "echo"})
		if page.Total != 2 {
			t.Errorf("Total = %d, want 2", page.Total)
		}
		page = search(t, s, store.PublicSearch("zanzibar", t0))
		equal(t, "body-only match", hitSlugs(page), []string{"body-only"})
		if got := page.Hits[0].SnippetHTML; !strings.Contains(got, "Fishermen in <mark>Zanzibar</mark> mend") {
			t.Errorf("snippet %q does not mark the match", got)
		}

		// Every status may be searched when the caller asks (the desk does).
		all := store.SearchQuery{Text: "zanzibar"}
		got := hitSlugs(search(t, s, all))
		slices.Sort(got)
		equal(t, "any status", got, []string{"archived", "body-only", "draft", "future", "review"})
	})
}

// TestSearchTiers checks the order of relevance: the whole query in the
// headline, then in the deck, bylines and tags, then only in the body;
// newest first within each.
func TestSearchTiers(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ana := saveAuthor(t, s, "ana", "Ana Monsoon")
		savePost(t, s, content.Post{Slug: "body-new", Title: "Rains", PublishedAt: days(-1),
			Body: strings.Repeat("The monsoon season came early. ", 30)})
		savePost(t, s, content.Post{Slug: "body-old", Title: "Dry", PublishedAt: days(-9), Body: "A monsoon season."})
		savePost(t, s, content.Post{Slug: "deck", Title: "Farmers Wait", PublishedAt: days(-2), Deck: "The monsoon season is late"})
		savePost(t, s, content.Post{Slug: "byline-and-body", Title: "Notes", PublishedAt: days(-3),
			Authors: []content.Author{ana}, Body: "A season of waiting."})
		savePost(t, s, content.Post{Slug: "title-old", Title: "Monsoon Season in Kerala", PublishedAt: days(-20)})
		savePost(t, s, content.Post{Slug: "title-new", Title: "A Late Monsoon Season", PublishedAt: days(-5)})
		savePost(t, s, content.Post{Slug: "half-title", Title: "Monsoon", PublishedAt: days(-4), Body: "The season."})
		got := hitSlugs(search(t, s, store.PublicSearch("monsoon season", t0)))
		equal(t, "tiers", got, []string{"title-new", "title-old", "deck", "body-new", "byline-and-body", "half-title", "body-old"})
	})
}

func TestSearchFieldsAndFolding(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ana := saveAuthor(t, s, "ana", "Ana Lima")
		erd := saveAuthor(t, s, "erd", "Selim Erdoğan")
		world := saveTag(t, s, "world", "World Affairs", true, 1)
		arctic := saveTag(t, s, "arctic", "Arctic Council", false, 0)
		savePost(t, s, content.Post{Slug: "a", Title: "Icebreakers", PublishedAt: days(-1), Authors: []content.Author{ana},
			Section: &world, Body: "Zürich and Ελλάδα and naïve café owners."})
		savePost(t, s, content.Post{Slug: "b", Title: "Pipelines", PublishedAt: days(-2), Authors: []content.Author{erd},
			Tags: []content.Tag{arctic}, Deck: "Gas under the ice", Body: "Nothing to see."})

		for _, c := range []struct{ q, want string }{
			{"ana lima", "a"},       // author
			{"ERDOGAN", "b"},        // author, diacritics folded
			{"world affairs", "a"},  // section
			{"arctic council", "b"}, // tag
			{"gas under", "b"},      // deck
			{"zurich", "a"},         // body, ü
			{"ZÜRICH", "a"},         // upper case with diacritic
			{"ελλαδα", "a"},         // Greek tonos
			{"naive cafe", "a"},     // ï, é
			{"icebreakers", "a"},    // headline
			{"Zu\u0308rich", "a"},   // decomposed ü
			{"\"ana lima\"", "a"},   // phrase across the byline
			{"\"lima ana\"", ""},    // wrong order
			{"pipelines ana", ""},   // all words must match
			{"nothing icebreakers", ""},
		} {
			page := search(t, s, store.PublicSearch(c.q, t0))
			want := []string{}
			if c.want != "" {
				want = []string{c.want}
			}
			equal(t, fmt.Sprintf("search %q", c.q), hitSlugs(page), want)
		}
	})
}

func TestSearchPhrasesAndPrefixes(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		savePost(t, s, content.Post{Slug: "balance", Title: "Power", PublishedAt: days(-1),
			Body: "The balance of power in Asia."})
		savePost(t, s, content.Post{Slug: "scattered", Title: "Scattered", PublishedAt: days(-2),
			Body: "Power shifts; the balance tips; of course."})
		savePost(t, s, content.Post{Slug: "diplomacy", Title: "Diplomacy", PublishedAt: days(-3),
			Body: "Diplomats practise diplomacy."})

		for _, c := range []struct {
			q      string
			typing bool
			want   []string
		}{
			{`"balance of power"`, false, []string{"balance"}},
			{`balance of power`, false, []string{"balance", "scattered"}},
			{`"balance of`, false, []string{"balance"}}, // unbalanced quote: phrase to the end
			{`"balance of pow`, true, []string{"balance"}},
			{`diplom`, false, []string{}},
			{`diplom`, true, []string{"diplomacy"}},
			{`diplom `, true, []string{}}, // a space ends the word
			{`diplomat`, true, []string{"diplomacy"}},
			{`d`, true, []string{}}, // one letter is too short to be a prefix
			{`"diplomats prac`, true, []string{"diplomacy"}},
			{`"zebra prac`, true, []string{}},
			{`"diplomats practise`, true, []string{"diplomacy"}},
			{`"zebra diplomats practise`, true, []string{}},
		} {
			q := store.PublicSearch(c.q, t0)
			q.Typing = c.typing
			equal(t, fmt.Sprintf("search %q typing=%v", c.q, c.typing), hitSlugs(search(t, s, q)), c.want)
		}
	})
}

func TestSearchFiltersAndPages(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ana := saveAuthor(t, s, "ana", "Ana Lima")
		ben := saveAuthor(t, s, "ben", "Ben Okoro")
		world := saveTag(t, s, "world", "World", true, 1)
		econ := saveTag(t, s, "economy", "Economy", true, 2)
		trade := saveTag(t, s, "trade", "Trade", false, 0)
		for i := range 7 {
			p := content.Post{Slug: fmt.Sprintf("p%d", i), Title: fmt.Sprintf("Harbour report %d", i),
				PublishedAt: days(-i - 1), Authors: []content.Author{ana}, Section: &world}
			if i%2 == 1 {
				p.Authors, p.Section, p.Tags = []content.Author{ben}, &econ, []content.Tag{trade}
			}
			savePost(t, s, p)
		}
		base := store.PublicSearch("harbour", t0)
		// The posts differ in length, which weighs on relevance; the
		// filters are checked on the sets found, the pages against the
		// whole list.
		whole := hitSlugs(search(t, s, base))
		for _, c := range []struct {
			name string
			fill func(*store.SearchQuery)
			want []string
		}{
			{"all", func(*store.SearchQuery) {}, []string{"p0", "p1", "p2", "p3", "p4", "p5", "p6"}},
			{"section", func(q *store.SearchQuery) { q.SectionSlug = "economy" }, []string{"p1", "p3", "p5"}},
			{"author", func(q *store.SearchQuery) { q.AuthorSlug = "ana" }, []string{"p0", "p2", "p4", "p6"}},
			{"tag", func(q *store.SearchQuery) { q.TagSlug = "trade" }, []string{"p1", "p3", "p5"}},
			{"unknown section", func(q *store.SearchQuery) { q.SectionSlug = "nope" }, []string{}},
			{"from", func(q *store.SearchQuery) { q.From = days(-3) }, []string{"p0", "p1", "p2"}},
			{"until", func(q *store.SearchQuery) { q.Until = days(-5) }, []string{"p5", "p6"}},
			{"range", func(q *store.SearchQuery) { q.From, q.Until = days(-4), days(-2) }, []string{"p2", "p3"}},
			{"past the end", func(q *store.SearchQuery) { q.Limit, q.Offset = 3, 30 }, []string{}},
		} {
			q := base
			c.fill(&q)
			page := search(t, s, q)
			got := hitSlugs(page)
			if c.name != "past the end" {
				slices.Sort(got)
				if page.Total != len(c.want) {
					t.Errorf("%s: Total = %d, want %d", c.name, page.Total, len(c.want))
				}
			}
			equal(t, c.name, got, c.want)
		}
		q := base
		q.Limit, q.Offset = 3, 3
		page := search(t, s, q)
		equal(t, "page 2", hitSlugs(page), whole[3:6])
		if page.Total != 7 {
			t.Errorf("page 2: Total = %d, want 7", page.Total)
		}
	})
}

func TestSearchIndexFollowsPosts(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		found := func(q string) []string {
			t.Helper()
			return hitSlugs(search(t, s, store.PublicSearch(q, t0)))
		}
		ana := saveAuthor(t, s, "ana", "Ana Lima")
		tag := saveTag(t, s, "ports", "Ports", false, 0)
		p := savePost(t, s, content.Post{Slug: "p", Title: "Lighthouses", Status: content.StatusDraft,
			Authors: []content.Author{{ID: ana.ID}}, Tags: []content.Tag{{ID: tag.ID}}})
		equal(t, "draft", found("lighthouses"), []string{})

		p.Status, p.PublishedAt = content.StatusPublished, days(-1)
		if err := s.SavePost(ctx, &p); err != nil {
			t.Fatal(err)
		}
		equal(t, "published", found("lighthouses"), []string{"p"})
		equal(t, "byline saved by ID", found("lima"), []string{"p"})

		p.Title, p.Body = "Foghorns", "Keepers of the light."
		if err := s.SavePost(ctx, &p); err != nil {
			t.Fatal(err)
		}
		equal(t, "old headline", found("lighthouses"), []string{})
		equal(t, "new headline", found("foghorns"), []string{"p"})
		equal(t, "new body", found("keepers"), []string{"p"})

		ana.Name = "Ana Souza"
		if err := s.SaveAuthor(ctx, &ana); err != nil {
			t.Fatal(err)
		}
		equal(t, "old author name", found("lima"), []string{})
		equal(t, "new author name", found("souza"), []string{"p"})
		tag.Name = "Harbours"
		if err := s.SaveTag(ctx, &tag); err != nil {
			t.Fatal(err)
		}
		equal(t, "old tag name", found("ports"), []string{})
		equal(t, "new tag name", found("harbours"), []string{"p"})

		// A save that rolls back leaves the index as it was.
		boom := errors.New("boom")
		err := s.InTx(ctx, func(tx *store.Store) error {
			q := p
			q.Title = "Sirens"
			if err := tx.SavePost(ctx, &q); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v", err)
		}
		equal(t, "rolled back", found("sirens"), []string{})
		equal(t, "kept", found("foghorns"), []string{"p"})

		p.Status = content.StatusDraft
		if err := s.SavePost(ctx, &p); err != nil {
			t.Fatal(err)
		}
		equal(t, "unpublished", found("foghorns"), []string{})
		if err := s.DeletePost(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		all := store.SearchQuery{Text: "foghorns"}
		equal(t, "deleted", hitSlugs(search(t, s, all)), []string{})
	})
}

func TestSearchHighlights(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		savePost(t, s, content.Post{Slug: "att", Title: "AT&T <b>and</b> the Cables", PublishedAt: days(-1),
			Body: "`<script>` and cables & wires.",
			Deck: "Cables deck"})
		savePost(t, s, content.Post{Slug: "deck", Title: "Other", PublishedAt: days(-2), Deck: "Undersea fibre & cables",
			Body: "Nothing here."})
		page := search(t, s, store.PublicSearch("cables", t0))
		equal(t, "hits", hitSlugs(page), []string{"att", "deck"})
		h := page.Hits[0]
		if want := "AT&amp;T &lt;b&gt;and&lt;/b&gt; the <mark>Cables</mark>"; h.TitleHTML != want {
			t.Errorf("TitleHTML = %q, want %q", h.TitleHTML, want)
		}
		if want := "&lt;script&gt; and <mark>cables</mark> &amp; wires."; h.SnippetHTML != want {
			t.Errorf("SnippetHTML = %q, want %q", h.SnippetHTML, want)
		}
		// No match in the body: the deck, marked.
		if want := "Undersea fibre &amp; <mark>cables</mark>"; page.Hits[1].SnippetHTML != want {
			t.Errorf("deck snippet = %q, want %q", page.Hits[1].SnippetHTML, want)
		}
	})
}

// TestSearchBadInput feeds the search what readers and robots type: query
// syntax of both databases, SQL, broken quotes, other scripts, and very
// long strings. None may fail; each gets an answer.
func TestSearchBadInput(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		savePost(t, s, content.Post{Slug: "near", Title: "Near and Far", PublishedAt: days(-1),
			Body: "The NEAR abroad, AND more: OR not. 東京 and Москва, 😀 emoji."})
		long := strings.Repeat("near ", 2100) // over 10 KB
		for _, c := range []struct {
			q          string
			typing     bool
			want       []string
			understood string
		}{
			{`near*`, false, []string{"near"}, "near"},
			{`*`, false, []string{}, ""},
			{`"`, false, []string{}, ""},
			{`""`, false, []string{}, ""},
			{`"near`, true, []string{"near"}, `near*`},
			{`near"`, false, []string{"near"}, "near"},
			{`NEAR(near far)`, false, []string{"near"}, "near far"},
			{`NEAR(near far, 2)`, false, []string{}, "near far 2"},
			{`near AND far`, false, []string{"near"}, "near and far"},
			{`near OR zebra`, false, []string{}, "near or zebra"},
			{`NOT far`, false, []string{"near"}, "not far"},
			{`-far +near ^near near:far`, false, []string{"near"}, "far near"},
			{`near & far | !far <-> far:*`, false, []string{"near"}, "near far"},
			{`'; DROP TABLE posts; --`, false, []string{}, "drop table posts"},
			{`near' OR '1'='1`, false, []string{}, "near or 1"},
			{`\"near\"`, false, []string{"near"}, "near"},
			{`(near`, false, []string{"near"}, "near"},
			{`東京`, false, []string{"near"}, "東京"},
			{`москва`, false, []string{"near"}, "москва"},
			{`😀`, false, []string{}, ""},
			{`😀near😀`, false, []string{"near"}, "near"},
			{"near\x00far", false, []string{"near"}, "near far"},
			{"\xff\xfe near", false, []string{"near"}, "near"},
			{long, true, []string{"near"}, "near"},
			{strings.Repeat("a", 5000), false, []string{}, ""}, // one word too long to be a word
			{strings.Repeat(`"`, 3000), false, []string{}, ""},
			{strings.Repeat("*", 10000), true, []string{}, ""},
		} {
			q := store.PublicSearch(c.q, t0)
			q.Typing = c.typing
			page := search(t, s, q)
			name := c.q
			if len(name) > 40 {
				name = name[:40] + "…"
			}
			equal(t, fmt.Sprintf("hits for %q", name), hitSlugs(page), c.want)
			if page.Understood != c.understood {
				t.Errorf("Understood for %q = %q, want %q", name, page.Understood, c.understood)
			}
			if !utf8.ValidString(page.Understood) {
				t.Errorf("Understood for %q is not UTF-8", name)
			}
		}
	})
}

func TestReindex(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for i := range 12 {
			savePost(t, s, content.Post{Slug: fmt.Sprintf("p%d", i), Title: fmt.Sprintf("Lagoon %d", i), PublishedAt: days(-i - 1)})
		}
		// Lose the index behind the store's back.
		if s.Dialect() == "postgres" {
			if err := s.ExecForTest(ctx, `DELETE FROM post_search`); err != nil {
				t.Fatal(err)
			}
		} else if err := s.ExecForTest(ctx, `INSERT INTO post_search (post_search) VALUES ('delete-all')`); err != nil {
			t.Fatal(err)
		}
		if got := search(t, s, store.PublicSearch("lagoon", t0)).Total; got != 0 {
			t.Fatalf("after losing the index: %d hits", got)
		}
		var calls [][2]int
		if err := s.Reindex(ctx, func(done, total int) { calls = append(calls, [2]int{done, total}) }); err != nil {
			t.Fatalf("Reindex: %v", err)
		}
		if len(calls) < 2 || calls[0] != [2]int{0, 12} || calls[len(calls)-1] != [2]int{12, 12} {
			t.Errorf("progress calls %v, want from [0 12] to [12 12]", calls)
		}
		if got := search(t, s, store.PublicSearch("lagoon", t0)).Total; got != 12 {
			t.Errorf("after Reindex: %d hits, want 12", got)
		}
		// Reindexing an index that is whole changes nothing.
		if err := s.Reindex(ctx, nil); err != nil {
			t.Fatalf("Reindex: %v", err)
		}
		if got := search(t, s, store.PublicSearch("lagoon", t0)).Total; got != 12 {
			t.Errorf("after a second Reindex: %d hits, want 12", got)
		}
	})
}

// TestSearchOneWordPost: a post whose every field is one word has no word
// pairs, and must be found all the same.
func TestSearchOneWordPost(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		savePost(t, s, content.Post{Slug: "solo", Title: "Solo", Body: "Alone.", PublishedAt: days(-1)})
		savePost(t, s, content.Post{Slug: "empty", Title: "", Body: "", PublishedAt: days(-2)})
		equal(t, "one word", hitSlugs(search(t, s, store.PublicSearch("alone", t0))), []string{"solo"})
		equal(t, "headline", hitSlugs(search(t, s, store.PublicSearch("solo", t0))), []string{"solo"})
	})
}

// TestSearchLargeArchive checks the window on an archive whose ids run
// far apart, as a big archive's do: the newest matches fill it, and a
// word found only in old posts is still found.
func TestSearchLargeArchive(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		when := "2025-01-01T00:00:00.000000Z"
		var ts any = when
		if s.Dialect() == "postgres" {
			ts = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		// Old posts 1–200, new posts 50001–51200; "tide" is in all, "moon"
		// in the old ones, "reef" in a few of each.
		for _, r := range [][2]int{{1, 200}, {50001, 51200}} {
			err := s.ExecForTest(ctx, `WITH RECURSIVE g(n) AS (SELECT CAST(? AS INTEGER) UNION ALL SELECT n + 1 FROM g WHERE n < ?)
				INSERT INTO posts (id, slug, status, published_at, created_at, modified_at, title, body, body_html)
				SELECT n, 'p' || n, 'published', ?, ?, ?, 'Tide ' || n,
					CASE WHEN n <= 200 THEN 'moon' ELSE '' END || CASE WHEN n % 100 = 7 THEN ' reef' ELSE '' END,
					'<p>' || CASE WHEN n <= 200 THEN 'moon' ELSE '' END || CASE WHEN n % 100 = 7 THEN ' reef' ELSE '' END || '</p>'
				FROM g`, r[0], r[1], ts, ts, ts)
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Reindex(ctx, nil); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
		page := search(t, s, store.PublicSearch("tide", now))
		if page.Total != store.SearchWindow || !page.Capped || len(page.Hits) == 0 || page.Hits[0].Post.Slug != "p51200" {
			t.Errorf("common word: total %d, capped %v, first %v", page.Total, page.Capped, hitSlugs(page)[:min(1, len(page.Hits))])
		}
		q := store.PublicSearch("tide", now)
		q.Offset = store.SearchWindow - 1
		if got := hitSlugs(search(t, s, q)); len(got) != 1 || got[0] != fmt.Sprintf("p%d", 51200-store.SearchWindow+1) {
			t.Errorf("last of the window: %q", got)
		}
		page = search(t, s, store.PublicSearch("moon", now))
		if page.Total != 200 || page.Capped || page.Hits[0].Post.Slug != "p200" {
			t.Errorf("old posts only: total %d, capped %v", page.Total, page.Capped)
		}
		for phrase, want := range map[string]string{`"tide 51200"`: "p51200", `"tide 7"`: "p7"} {
			if got := hitSlugs(search(t, s, store.PublicSearch(phrase, now))); len(got) != 1 || got[0] != want {
				t.Errorf("phrase %s: %q, want %s", phrase, got, want)
			}
		}
		q = store.PublicSearch("reef", now)
		q.Limit = 100
		if got := hitSlugs(search(t, s, q)); len(got) != 14 || got[0] != "p51107" || got[13] != "p7" {
			t.Errorf("old and new: %q", got)
		}
	})
}
