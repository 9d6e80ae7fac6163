package topics

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"html"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

//go:embed data/tiles.tsv
var tilesTSV []byte

// The topics index draws the world as a tile map: one equal square per
// country or territory, placed near where the place is and shaded by how
// much the publication covered it. Equal tiles give Luxembourg the same say
// as Russia, which is what a map of coverage wants, and need no shapes, so
// the map is drawn on the server from a small table of approximate centres
// (data/tiles.tsv) with no external tiles.

// tileDegrees is the size of a grid cell in degrees; the grid starts at
// 76°N and 180°W. At seven degrees the continents close up into blocks of
// touching tiles while Europe's crowd of countries, spread over the cells
// around it, keeps a recognisable shape.
const (
	tileDegrees = 7.0
	tileTopLat  = 76.0
	tileLeftLon = -180.0
)

// Tile is one place on the map, at a column and row of its grid.
type Tile struct {
	Slug, Code, Name string
	Col, Row         int
}

// WorldMap is a tile layout of the gazetteer's countries and territories.
type WorldMap struct {
	Tiles      []Tile // in reading order: by row, then column
	Cols, Rows int
}

type centre struct {
	code     string
	lat, lon float64
}

func parseCentres() (map[string]centre, error) {
	out := map[string]centre{}
	sc := bufio.NewScanner(bytes.NewReader(tilesTSV))
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			return nil, fmt.Errorf("topics: tiles.tsv:%d: %d fields, want 3", n, len(f))
		}
		lat, err1 := strconv.ParseFloat(f[1], 64)
		lon, err2 := strconv.ParseFloat(f[2], 64)
		if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
			return nil, fmt.Errorf("topics: tiles.tsv:%d: bad coordinates", n)
		}
		out[f[0]] = centre{code: f[0], lat: lat, lon: lon}
	}
	return out, sc.Err()
}

// WorldMap lays out every entry with an ISO code that the map knows. The
// layout depends only on the entries, so it is the same on every node.
func (g *Gazetteer) WorldMap() (WorldMap, error) {
	centres, err := parseCentres()
	if err != nil {
		return WorldMap{}, err
	}
	type place struct {
		entry  Entry
		c      centre
		crowd  int
		tx, ty float64
	}
	var places []place
	for _, e := range g.entries {
		if c, ok := centres[e.Code]; ok && e.Code != "" {
			places = append(places, place{entry: e, c: c,
				tx: (c.lon - tileLeftLon) / tileDegrees, ty: (tileTopLat - c.lat) / tileDegrees})
		}
	}
	// Crowded places choose first: a small country among many keeps a
	// cell near its own, and places with room around them move instead.
	for i := range places {
		for j := range places {
			if i != j && math.Abs(places[i].c.lat-places[j].c.lat) < 8 && math.Abs(places[i].c.lon-places[j].c.lon) < 8 {
				places[i].crowd++
			}
		}
	}
	sort.Slice(places, func(i, j int) bool {
		if places[i].crowd != places[j].crowd {
			return places[i].crowd > places[j].crowd
		}
		return places[i].entry.Code < places[j].entry.Code
	})
	type cell struct{ col, row int }
	taken := map[cell]bool{}
	var m WorldMap
	minCol, minRow := math.MaxInt, math.MaxInt
	for _, p := range places {
		// The nearest free cell to the place's centre, searched in growing
		// squares; ties go to the lower row, then the lower column.
		cx, cy := int(math.Floor(p.tx)), int(math.Floor(p.ty))
		var best cell
		bestD := math.Inf(1)
		for r := 0; math.IsInf(bestD, 1) || float64(r-1) < math.Sqrt(bestD); r++ {
			for row := cy - r; row <= cy+r; row++ {
				for col := cx - r; col <= cx+r; col++ {
					if max(abs(row-cy), abs(col-cx)) != r || taken[cell{col, row}] {
						continue
					}
					dx, dy := float64(col)+0.5-p.tx, float64(row)+0.5-p.ty
					d := dx*dx + dy*dy
					if d < bestD || d == bestD && (row < best.row || row == best.row && col < best.col) {
						best, bestD = cell{col, row}, d
					}
				}
			}
		}
		taken[best] = true
		m.Tiles = append(m.Tiles, Tile{Slug: p.entry.Slug, Code: p.entry.Code, Name: p.entry.Name, Col: best.col, Row: best.row})
		minCol, minRow = min(minCol, best.col), min(minRow, best.row)
	}
	for i := range m.Tiles {
		m.Tiles[i].Col -= minCol
		m.Tiles[i].Row -= minRow
		m.Cols = max(m.Cols, m.Tiles[i].Col+1)
		m.Rows = max(m.Rows, m.Tiles[i].Row+1)
	}
	sort.Slice(m.Tiles, func(i, j int) bool {
		a, b := m.Tiles[i], m.Tiles[j]
		if a.Row != b.Row {
			return a.Row < b.Row
		}
		return a.Col < b.Col
	})
	return m, nil
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// mapShades are the fills from no coverage to the most; the site's CSS may
// override them through the tm-N classes.
var mapShades = [...]string{"#e9e6df", "#f3d9c4", "#e8ad86", "#d8804f", "#b9552b", "#85330f"}

// shade returns the level (0 to 5) of n articles when the most covered
// place has most: logarithmic, so a topic with a handful of articles shows
// next to one with hundreds.
func shade(n, most int) int {
	if n <= 0 || most <= 0 {
		return 0
	}
	return min(5, 1+int(4*math.Log1p(float64(n))/math.Log1p(float64(most))))
}

// MapOptions says how to draw the map.
type MapOptions struct {
	// Href returns the link of a tile's topic page, or "" for no link.
	Href func(slug string) string
	// Title names the map for screen readers.
	Title string
}

// RenderSVG writes the map as an SVG document shaded by counts (articles
// per entry slug). Every tile names its place and count in a tooltip and
// links to its topic page.
func (m WorldMap) RenderSVG(w io.Writer, counts map[string]int, opts MapOptions) error {
	const size, gap = 16, 2
	most := 0
	for _, t := range m.Tiles {
		most = max(most, counts[t.Slug])
	}
	width := m.Cols * size
	legendY := m.Rows*size + size
	height := legendY + size + 4
	title := opts.Title
	if title == "" {
		title = "Coverage by country and territory"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" class="topics-map" role="img" aria-labelledby="topics-map-title">`+"\n", width, height)
	fmt.Fprintf(&b, `<title id="topics-map-title">%s</title>`+"\n", html.EscapeString(title))
	for _, t := range m.Tiles {
		n := counts[t.Slug]
		level := shade(n, most)
		href := ""
		if opts.Href != nil {
			href = opts.Href(t.Slug)
		}
		if href != "" {
			fmt.Fprintf(&b, `<a href="%s">`, html.EscapeString(href))
		} else {
			b.WriteString(`<g>`)
		}
		articles := "articles"
		if n == 1 {
			articles = "article"
		}
		text := "#3b3b3b"
		if level >= 4 {
			text = "#ffffff"
		}
		x, y := t.Col*size, t.Row*size
		fmt.Fprintf(&b, `<title>%s: %d %s</title><rect x="%d" y="%d" width="%d" height="%d" rx="2" class="tm-%d" fill="%s"/>`,
			html.EscapeString(t.Name), n, articles, x, y, size-gap, size-gap, level, mapShades[level])
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="6" font-family="sans-serif" text-anchor="middle" fill="%s">%s</text>`,
			x+(size-gap)/2, y+(size-gap)/2+2, text, html.EscapeString(t.Code))
		if href != "" {
			b.WriteString("</a>\n")
		} else {
			b.WriteString("</g>\n")
		}
	}
	// The legend: fewer articles to more.
	fmt.Fprintf(&b, `<g class="topics-map-legend" font-size="8" font-family="sans-serif" fill="#3b3b3b">`)
	fmt.Fprintf(&b, `<text x="0" y="%d">No articles</text>`, legendY+9)
	for i, fill := range mapShades {
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" rx="2" class="tm-%d" fill="%s"/>`, 52+i*size, legendY, size-gap, size-gap, i, fill)
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d">most (%d)</text></g>`+"\n", 52+len(mapShades)*size+2, legendY+9, most)
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}
