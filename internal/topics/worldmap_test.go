package topics

import (
	"bytes"
	"encoding/xml"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestWorldMapLayout(t *testing.T) {
	g := builtin(t)
	m, err := g.WorldMap()
	if err != nil {
		t.Fatal(err)
	}
	type cell struct{ col, row int }
	seen := map[cell]string{}
	placed := map[string]Tile{}
	for _, tile := range m.Tiles {
		c := cell{tile.Col, tile.Row}
		if other, ok := seen[c]; ok {
			t.Errorf("%s and %s share a tile", other, tile.Slug)
		}
		seen[c] = tile.Slug
		placed[tile.Slug] = tile
		if tile.Col < 0 || tile.Row < 0 || tile.Col >= m.Cols || tile.Row >= m.Rows {
			t.Errorf("%s is off the grid: %+v", tile.Slug, tile)
		}
	}
	for _, e := range g.Entries() {
		if _, ok := placed[e.Slug]; !ok && e.Code != "" {
			t.Errorf("%s (%s) is not on the map", e.Slug, e.Code)
		}
	}
	// Neighbours stay roughly where they are.
	west := func(a, b string) bool { return placed[a].Col < placed[b].Col }
	north := func(a, b string) bool { return placed[a].Row < placed[b].Row }
	for _, c := range [][3]string{
		{"west", "united-states", "china"}, {"west", "france", "germany"}, {"west", "iran", "india"},
		{"west", "brazil", "south-africa"}, {"north", "russia", "india"}, {"north", "norway", "italy"},
		{"north", "egypt", "south-africa"}, {"north", "canada", "mexico"},
	} {
		ok := west(c[1], c[2])
		if c[0] == "north" {
			ok = north(c[1], c[2])
		}
		if !ok {
			t.Errorf("%s is not %s of %s", c[1], c[0], c[2])
		}
	}
	if testing.Verbose() {
		grid := make([][]string, m.Rows)
		for r := range grid {
			grid[r] = make([]string, m.Cols)
			for c := range grid[r] {
				grid[r][c] = "  "
			}
		}
		for _, tile := range m.Tiles {
			grid[tile.Row][tile.Col] = tile.Code
		}
		var b strings.Builder
		for _, row := range grid {
			b.WriteString(strings.TrimRight(strings.Join(row, ""), " ") + "\n")
		}
		t.Logf("%d×%d tiles:\n%s", m.Cols, m.Rows, b.String())
	}
}

func TestWorldMapSVG(t *testing.T) {
	g := builtin(t)
	m, err := g.WorldMap()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{"iran": 120, "israel": 80, "united-states": 60, "ukraine": 45, "russia": 40, "china": 30,
		"sudan": 7, "haiti": 3, "fiji": 1}
	var buf bytes.Buffer
	err = m.RenderSVG(&buf, counts, MapOptions{Title: `Coverage <by> "country"`,
		Href: func(slug string) string {
			if slug == "fiji" {
				return ""
			}
			return "/topics/" + slug + "?a=1&b=2"
		}})
	if err != nil {
		t.Fatal(err)
	}
	svg := buf.Bytes()
	// Well-formed XML, names and links escaped.
	d := xml.NewDecoder(bytes.NewReader(svg))
	for {
		if _, err := d.Token(); err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("not well-formed: %v", err)
			}
			break
		}
	}
	for _, want := range []string{
		`<title id="topics-map-title">Coverage &lt;by&gt; &#34;country&#34;</title>`,
		`<a href="/topics/iran?a=1&amp;b=2"><title>Iran: 120 articles</title>`,
		`<title>Côte d&#39;Ivoire: 0 articles</title>`,
		`<g><title>Fiji: 1 article</title>`,
		`class="tm-5" fill="#85330f"`,
	} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("SVG lacks %s", want)
		}
	}
	const golden = "testdata/worldmap.svg"
	if *update {
		if err := os.WriteFile(golden, svg, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(svg, want) {
		t.Errorf("SVG differs from %s; run go test -update and look at the difference", golden)
	}
}

func TestShade(t *testing.T) {
	for _, tt := range []struct{ n, most, want int }{
		{0, 10, 0}, {1, 1, 5}, {1, 1000, 1}, {1000, 1000, 5}, {30, 1000, 2}, {5, 0, 0},
	} {
		if got := shade(tt.n, tt.most); got != tt.want {
			t.Errorf("shade(%d, %d) = %d, want %d", tt.n, tt.most, got, tt.want)
		}
	}
}
