package demo

import (
	"cmp"
	"image"
	"math"
	"slices"
)

// Post photographs are 16:9 landscapes painted from a seed: a sky, a sun or
// moon, and land, sea or city drawn as layered silhouettes. The section sets
// the palette and the article's tags choose the scene, so pieces on shipping
// show ships and a piece on a river shows a river.
const (
	postWidth  = 1600
	postHeight = 900
)

type palette struct {
	skyTop, skyMid, horizon, sun rgb
	far, near                    rgb // the haziest and the darkest land
	sea, land                    rgb // open water; fields and plains
	light                        rgb // lit windows
	night                        bool
}

func pal(top, mid, horizon, sun, far, near, sea, land, light string, night bool) palette {
	return palette{hex(top), hex(mid), hex(horizon), hex(sun), hex(far), hex(near), hex(sea), hex(land), hex(light), night}
}

// sectionPalettes are muted on purpose: a magazine's pictures sit beside
// type and should not shout.
var sectionPalettes = map[string][]palette{
	"World": {
		pal("#23394a", "#5d7f8f", "#e9c8a4", "#fbe8cc", "#6f8790", "#1f2b33", "#2c4652", "#5e6b4e", "#ffd9a0", false),
		pal("#4f6f8c", "#93acbd", "#f0dcc0", "#fff4de", "#8497a3", "#263440", "#3e5d70", "#6f7a57", "#ffe2b0", false),
	},
	"Security": {
		pal("#2a323d", "#5d6b78", "#b7c0c6", "#e8ecee", "#6d7a86", "#171d24", "#26313b", "#4a524a", "#f2e6c8", false),
		pal("#0f1624", "#28354b", "#5d6c82", "#e3e6ea", "#3a4659", "#0a0e15", "#141c28", "#222b36", "#ffd98e", true),
	},
	"Economy": {
		pal("#5e6f7a", "#c9a98a", "#f1d3a2", "#fff0cf", "#a4846a", "#3a2a21", "#4f5a5c", "#9a7a48", "#ffe0a8", false),
		pal("#4a4050", "#b0806a", "#f0b985", "#fde2b5", "#9a7464", "#2e221d", "#47434a", "#8c6a3e", "#ffd49a", false),
	},
	"Ideas": {
		pal("#3a3550", "#8a7590", "#e3b6a8", "#f8e0d2", "#7b6c86", "#241f30", "#3b3a52", "#6b5f64", "#ffd8b8", false),
		pal("#55507a", "#a69abb", "#e8d0cf", "#fbeee6", "#8e86a3", "#2d2a40", "#4a4d6a", "#7a7080", "#ffe6cc", false),
	},
}

type sceneKind int

const (
	sceneMountains sceneKind = iota
	sceneSea
	scenePort
	sceneRiver
	sceneFields
	sceneCity
	scenePower
)

// sceneFor picks what a post's picture shows from its tags.
func sceneFor(tags []string) sceneKind {
	has := func(t string) bool { return slices.Contains(tags, t) }
	switch {
	case has("Water"):
		return sceneRiver
	case has("Food Security"):
		return sceneFields
	case has("Shipping") && has("Trade"):
		return scenePort
	case has("Shipping"):
		return sceneSea
	case has("Elections"):
		return sceneCity
	case has("Energy"):
		return scenePower
	}
	return sceneMountains
}

type scene struct {
	*canvas
	r       *rng
	p       palette
	horizon float64 // y of the horizon line
	sunX    float64
	sunY    float64
	sunR    float64
	tankers bool // ships at sea are tankers rather than container ships
}

// paintPost paints the top photograph for the post with the given slug.
func paintPost(slug, section string, tags []string) *image.RGBA {
	r := newRNG("post/" + slug)
	pals, ok := sectionPalettes[section]
	if !ok {
		pals = sectionPalettes["World"]
	}
	s := &scene{canvas: newCanvas(postWidth, postHeight), r: r, p: pals[r.intn(len(pals))]}
	kind := sceneFor(tags)
	s.tankers = slices.Contains(tags, "Energy")
	switch kind {
	case sceneSea, scenePort, sceneCity:
		s.horizon = postHeight * r.between(0.56, 0.64)
	case sceneRiver, sceneFields:
		s.horizon = postHeight * r.between(0.44, 0.52)
	default:
		s.horizon = postHeight * r.between(0.55, 0.62)
	}
	s.sunR = r.between(38, 70)
	s.sunX = postWidth * r.between(0.18, 0.82)
	s.sunY = s.horizon - r.between(0.4, 3.2)*s.sunR
	if s.p.night {
		s.sunY = s.horizon * r.between(0.25, 0.45)
		s.sunR *= 0.6
	}
	s.sky()
	switch kind {
	case sceneSea:
		s.seaScene(false)
	case scenePort:
		s.seaScene(true)
	case sceneRiver:
		s.riverScene()
	case sceneFields:
		s.fieldsScene()
	case sceneCity:
		s.cityScene()
	case scenePower:
		s.powerScene()
	default:
		s.mountainScene()
	}
	s.finish(r, 9, 0.28)
	return s.img
}

// sky paints the gradient from zenith to horizon with the glow of the sun,
// then the sun itself and a few banks of cloud.
//
//go:norace
func (s *scene) sky() {
	p := s.p
	sigma2 := s.sunR * s.sunR * 9
	glow := 0.55
	if p.night {
		glow = 0.25
	}
	for y := range s.h {
		t := clamp01(float64(y) / s.horizon)
		var base rgb
		if t < 0.55 {
			base = mix(p.skyTop, p.skyMid, smoothstep(0, 0.55, t))
		} else {
			base = mix(p.skyMid, p.horizon, smoothstep(0.55, 1, t))
		}
		row := s.img.Pix[y*s.img.Stride : y*s.img.Stride+s.w*4]
		dy := (float64(y) - s.sunY) * 1.6 // the glow spreads along the horizon
		for x := range s.w {
			dx := float64(x) - s.sunX
			g := glow / (1 + (dx*dx+dy*dy)/sigma2)
			row[x*4] = to8(base.r + (p.sun.r-base.r)*g)
			row[x*4+1] = to8(base.g + (p.sun.g-base.g)*g)
			row[x*4+2] = to8(base.b + (p.sun.b-base.b)*g)
			row[x*4+3] = 255
		}
	}
	if p.night {
		for range 70 {
			x, y := s.r.between(0, float64(s.w)), s.r.between(0, s.horizon*0.7)
			s.disc(x, y, s.r.between(0.6, 1.3), p.sun, s.r.between(0.25, 0.7))
		}
	}
	s.disc(s.sunX, s.sunY, s.sunR, p.sun, 0.96)
	for range 3 + s.r.intn(4) {
		cy := s.r.between(s.horizon*0.25, s.horizon*0.9)
		col := mix(p.horizon, p.sun, 0.5)
		if s.r.float() < 0.5 {
			col = mix(p.skyMid, p.skyTop, 0.3)
		}
		s.streak(s.r.between(0, float64(s.w)), cy, s.r.between(180, 620), s.r.between(4, 13), col, s.r.between(0.2, 0.45))
	}
}

// haze returns the colour of land at the given depth: 0 is the foreground,
// 1 dissolves into the horizon.
func (s *scene) haze(base rgb, depth float64) rgb {
	return mix(base, s.p.horizon, depth*0.85)
}

// ranges draws n ridges receding from far to near between the heights top
// and bottom, with mist between them. The nearest ridge keeps nearHaze of
// the horizon's colour, so ranges behind a plain can stay pale.
func (s *scene) ranges(n int, top, bottom, swell, rough float64, base rgb, nearHaze float64) {
	for i := range n {
		depth := 1 - float64(i)/float64(max(n-1, 1))
		y := top + (bottom-top)*float64(i)/float64(max(n-1, 1))
		h := ridge(s.r, s.w, y, swell*(0.6+0.8*depth), rough*(0.5+0.7*depth))
		col := s.haze(base, nearHaze+(0.9-nearHaze)*depth)
		s.below(h, col, mix(col, s.p.near, 0.35))
		if i < n-1 {
			s.band(y-40, y+70, 0.6, s.p.horizon, 0.22*depth+0.05)
		}
	}
}

func (s *scene) mountainScene() {
	s.ranges(4+s.r.intn(2), s.horizon-170, s.horizon+170, 70, 34, s.p.near, 0.15)
}

// water fills everything below the horizon with the sky reflected in a
// slightly restless surface, tinted by the sea's own colour.
//
//go:norace
func (s *scene) water() {
	hy := int(s.horizon)
	offsets := make([]float64, s.h)
	for y := hy; y < s.h; y++ {
		t := float64(y-hy) / float64(s.h-hy)
		offsets[y] = math.Sin(float64(y)*0.9+s.r.between(0, 0.6)) * (1 + 10*t)
	}
	stride := s.img.Stride
	shade := 1.0
	for y := hy; y < s.h; y++ {
		t := float64(y-hy) / float64(s.h-hy)
		// Waves come in bands a few rows tall, each a little lighter or darker.
		if s.r.float() < 0.35 {
			shade = 1 + s.r.between(-0.025, 0.025)
		}
		src := max(int(s.horizon-float64(y-hy)*0.85-1), 0)
		tint := mix(mix(s.p.horizon, s.p.sea, 0.55), s.p.sea.scale(0.8), math.Pow(t, 0.6))
		k := 0.45 + 0.4*t
		srcRow := s.img.Pix[src*stride : src*stride+s.w*4]
		row := s.img.Pix[y*stride : y*stride+s.w*4]
		off := int(offsets[y])
		for x := range s.w {
			sx := min(max(x+off, 0), s.w-1)
			row[x*4] = to8((float64(srcRow[sx*4])*(1-k) + tint.r*k) * shade)
			row[x*4+1] = to8((float64(srcRow[sx*4+1])*(1-k) + tint.g*k) * shade)
			row[x*4+2] = to8((float64(srcRow[sx*4+2])*(1-k) + tint.b*k) * shade)
			row[x*4+3] = 255
		}
	}
	// The sun's road on the water: broken strokes that widen toward us.
	if s.sunY < s.horizon {
		for y := hy + 1; y < s.h; y++ {
			t := float64(y-hy) / float64(s.h-hy)
			spread := s.sunR * (0.5 + 3.5*t)
			for range 1 + s.r.intn(3) {
				off := s.r.between(-spread, spread)
				l := s.r.between(4, 36) * (0.3 + t)
				a := 0.55 * (1 - math.Abs(off)/spread) * s.r.between(0.3, 1)
				if s.p.night {
					a *= 0.6
				}
				s.span(y, s.sunX+off-l/2, s.sunX+off+l/2, s.p.sun, a)
			}
		}
	}
}

func (s *scene) seaScene(port bool) {
	// A headland on one side of the horizon.
	h := ridge(s.r, s.w, s.horizon-35, 25, 18)
	left := s.r.float() < 0.5
	reach := s.r.between(0.25, 0.5) * float64(s.w)
	for x := range h {
		d := float64(x)
		if !left {
			d = float64(s.w - x)
		}
		// Taper the land into the sea rather than cutting it off.
		h[x] += (s.horizon - h[x] + 1) * smoothstep(reach*0.6, reach, d)
	}
	s.below(h, s.haze(s.p.near, 0.7), s.haze(s.p.near, 0.6))
	if port {
		s.harbour(left, reach)
	}
	ships := 1 + s.r.intn(3)
	for i := range ships {
		// Keep ships off the headland and apart from one another.
		lo, hi := reach, float64(s.w)-60
		if !left {
			lo, hi = 60, float64(s.w)-reach
		}
		slot := (hi - lo) / float64(ships)
		l := s.r.between(130, 260) / (1 + 0.5*float64(i))
		x := lo + slot*float64(i) + s.r.between(0, max(slot-l, 1))
		s.ship(x, s.horizon, l, s.haze(s.p.near, 0.3+0.15*float64(i)))
	}
	s.water()
}

// ship draws a container ship or a tanker in profile, bow to the left.
func (s *scene) ship(x, water, l float64, col rgb) {
	deck := water - 0.06*l
	s.convex([]pt{{x, deck - 0.01*l}, {x + l, deck}, {x + l, water}, {x + 0.07*l, water}}, col, 1)
	if s.tankers {
		// A low deck: forecastle, pipe run and a mast amidships.
		s.rect(x+0.02*l, deck-0.025*l, x+0.1*l, deck+1, col, 1)
		s.rect(x+0.12*l, deck-0.014*l, x+0.78*l, deck-0.008*l, col, 1)
		s.rect(x+0.45*l, deck-0.07*l, x+0.455*l+1, deck+1, col, 1)
	} else {
		for bx := x + 0.12*l; bx < x+0.76*l; bx += 0.06 * l {
			tiers := 1 + s.r.intn(3)
			s.rect(bx, deck-float64(tiers)*0.03*l, bx+0.057*l, deck+1, col, 1)
		}
	}
	s.rect(x+0.8*l, deck-0.14*l, x+0.9*l, deck+1, col, 1)
	s.rect(x+0.86*l, deck-0.19*l, x+0.89*l, deck-0.13*l, col, 1)
}

// harbour puts gantry cranes and stacked containers on the headland.
func (s *scene) harbour(left bool, reach float64) {
	col := s.haze(s.p.near, 0.5)
	base := s.horizon + 2
	hgt := s.r.between(110, 150)
	// Space the cranes so that their legs and booms do not run together.
	gap := hgt * s.r.between(0.75, 0.95)
	n := min(max(int(reach*0.8/gap), 2), 5)
	for i := range n {
		h := hgt * s.r.between(0.92, 1.08)
		x := reach*0.08 + float64(i)*gap
		dir := 1.0
		if !left {
			x = float64(s.w) - x - 0.35*h
			dir = -1
		}
		s.crane(x, base, h, dir, col)
	}
	// Container stacks along the quay.
	for x := 0.0; x < reach*0.95; x += s.r.between(14, 30) {
		hgt := float64(1+s.r.intn(4)) * 7
		w := s.r.between(10, 26)
		cx := x
		if !left {
			cx = float64(s.w) - x - w
		}
		s.rect(cx, base-hgt, cx+w, base, col, 1)
	}
}

// crane draws a ship-to-shore gantry crane whose boom reaches over the water
// in direction dir (+1 right, -1 left).
func (s *scene) crane(x, base, hgt, dir float64, col rgb) {
	span := 0.35 * hgt
	lw := max(2, hgt*0.03)
	s.rect(x, base-hgt*0.8, x+lw, base, col, 1)
	s.rect(x+span-lw, base-hgt*0.8, x+span, base, col, 1)
	s.rect(x, base-hgt*0.55, x+span, base-hgt*0.55+lw, col, 1)
	// The boom runs out over the water, the back-reach over the land.
	boomY := base - hgt*0.8
	var from, to float64
	if dir > 0 {
		from, to = x-0.35*hgt, x+span+0.9*hgt
	} else {
		from, to = x-0.9*hgt, x+span+0.35*hgt
	}
	s.rect(from, boomY-lw*1.5, to, boomY, col, 1)
	apexX, apexY := x+span/2, base-hgt*1.05
	s.line(x, boomY, apexX, apexY, lw, col, 1)
	s.line(x+span, boomY, apexX, apexY, lw, col, 1)
	s.line(apexX, apexY, to-dir*0.1*hgt, boomY-lw, lw*0.5, col, 1)
	s.line(apexX, apexY, from+dir*0.05*hgt, boomY-lw, lw*0.5, col, 1)
	s.rect(x+span/2-lw*2, boomY, x+span/2+lw*2, boomY+lw*3, col, 1)
}

func (s *scene) cityScene() {
	// Two rows of buildings along a waterfront: a hazy far row and a nearer
	// darker one with a few lit windows.
	for layer := range 2 {
		depth := 1 - float64(layer)
		col := s.haze(s.p.near, 0.25+0.45*depth)
		base := s.horizon + 1
		for x := s.r.between(-40, 0); x < float64(s.w); {
			w := s.r.between(26, 90) * (1 - 0.3*depth)
			hgt := s.r.between(30, 150) * (1 - 0.35*depth)
			if s.r.float() < 0.08 {
				hgt *= 1.8 // a tower or two
			}
			if s.r.float() < 0.15 {
				x += w * s.r.between(0.3, 1.2) // a gap
				continue
			}
			s.rect(x, base-hgt, x+w, base, col, 1)
			switch s.r.intn(5) {
			case 0: // a stepped crown
				s.rect(x+w*0.2, base-hgt-hgt*0.1, x+w*0.8, base-hgt+1, col, 1)
			case 1: // a mast
				s.rect(x+w*0.48, base-hgt-s.r.between(15, 45), x+w*0.52+1, base-hgt+1, col, 1)
			case 2: // a dome
				s.disc(x+w/2, base-hgt, w*0.3, col, 1)
			}
			if layer == 1 {
				s.windows(x, base-hgt, w, hgt)
			}
			x += w + s.r.between(-8, 4)
		}
	}
	s.water()
}

// windows lights a few windows in a building's face.
func (s *scene) windows(x, top, w, hgt float64) {
	for wy := top + 8; wy < top+hgt-8; wy += 11 {
		for wx := x + 6; wx < x+w-8; wx += 10 {
			if s.r.float() < 0.13 {
				s.rect(wx, wy, wx+4, wy+5, s.p.light, s.r.between(0.35, 0.8))
			}
		}
	}
}

func (s *scene) riverScene() {
	s.ranges(3, s.horizon-110, s.horizon-15, 45, 26, s.p.near, 0.45)
	hy := s.horizon
	flat := make([]float64, s.w)
	for x := range flat {
		flat[x] = hy
	}
	s.below(flat, s.haze(s.p.land, 0.55), mix(s.p.land, s.p.near, 0.55))
	s.strips(hy)
	// The river winds from a vanishing point on the horizon toward us.
	vp := float64(s.w) * s.r.between(0.35, 0.65)
	phase := s.r.between(0, 2*math.Pi)
	drift := s.r.between(-0.25, 0.25) * float64(s.w)
	bank := mix(s.p.land, s.p.near, 0.7)
	centre := func(y float64) (cx, hw float64) {
		p := math.Pow((y-hy)/(float64(s.h)-hy), 1.3)
		return vp + math.Sin(p*9+phase)*p*float64(s.w)*0.18 + drift*p, 2 + 260*math.Pow(p, 1.2)
	}
	for y := int(hy); y < s.h; y++ {
		cx, hw := centre(float64(y) + 0.5)
		p := (float64(y) - hy) / (float64(s.h) - hy)
		s.span(y, cx-hw*1.12-1, cx+hw*1.12+1, bank, 1)
		s.span(y, cx-hw, cx+hw, mix(s.p.horizon, s.p.skyMid, p*0.8).scale(0.92), 1)
	}
	// Copses on the plain, far ones first, none standing in the river.
	type tree struct{ x, y float64 }
	var trees []tree
	for range 14 {
		y0 := hy + 4 + math.Pow(s.r.float(), 1.5)*(float64(s.h)-hy)
		x0 := s.r.between(0, float64(s.w))
		for range 2 + s.r.intn(6) {
			p := (y0 - hy) / (float64(s.h) - hy)
			y := y0 + s.r.between(-1, 1)*(2+25*p)
			x := x0 + s.r.between(-1, 1)*(10+120*p)
			cx, hw := centre(y)
			if math.Abs(x-cx) < hw*1.2+8+30*p {
				continue
			}
			trees = append(trees, tree{x, y})
		}
	}
	slices.SortFunc(trees, func(a, b tree) int { return cmp.Compare(a.y, b.y) })
	green := mix(s.p.near, s.p.land, 0.3)
	for _, t := range trees {
		p := (t.y - hy) / (float64(s.h) - hy)
		r := 2.5 + 24*p
		col := s.haze(green, 0.55*(1-p))
		s.disc(t.x, t.y-r*0.9, r, col, 1)
		s.disc(t.x-r*0.55, t.y-r*0.6, r*0.7, col, 1)
		s.disc(t.x+r*0.6, t.y-r*0.65, r*0.75, col, 1)
	}
}

// strips divides the plain below y0 into fields of slightly different
// shades, narrow in the distance and wide up close.
func (s *scene) strips(y0 float64) {
	for y := y0; y < float64(s.h); {
		t := (y - y0) / (float64(s.h) - y0)
		hgt := 2 + 70*t*t
		col := s.haze(s.p.land, 0.55*(1-t)).scale(s.r.between(0.9, 1.08))
		for row := int(y); row < min(int(y+hgt), s.h); row++ {
			s.span(row, 0, float64(s.w), col, 0.45)
		}
		y += hgt
	}
}

func (s *scene) fieldsScene() {
	s.ranges(2, s.horizon-70, s.horizon-12, 30, 16, mix(s.p.near, s.p.land, 0.5), 0.5)
	gold := mix(hex("#c9a865"), s.p.land, 0.35)
	n := 4
	for i := range n {
		depth := 1 - float64(i)/float64(n-1)
		y := s.horizon + (float64(s.h)-s.horizon)*(0.05+0.55*float64(i)/float64(n-1))
		h := ridge(s.r, s.w, y, 40, 6)
		col := s.haze(mix(gold, s.p.land, float64(i%2)*0.6), 0.1+0.55*depth)
		s.below(h, col, mix(col, s.p.near, 0.25))
		s.furrows(h, 0.22+0.5*depth, s.r.between(-0.02, 0.02), 0.035)
		if i == 1 {
			s.silos(h)
		}
		if i < n-1 && s.r.float() < 0.7 {
			s.hedgerow(h, s.haze(s.p.near, 0.3+0.5*depth), 3+6*(1-depth))
		}
	}
}

// furrows shades the land under h in stripes that follow its contour.
//
//go:norace
func (s *scene) furrows(h []float64, freq, slope, amp float64) {
	minH := slices.Min(h)
	for y := max(int(minH), 0); y < s.h; y++ {
		row := s.img.Pix[y*s.img.Stride : y*s.img.Stride+s.w*4]
		for x := range s.w {
			d := float64(y) - h[x]
			if d < 1 {
				continue
			}
			f := 1 + amp*math.Sin(d*freq+float64(x)*slope)
			row[x*4] = to8(float64(row[x*4]) * f)
			row[x*4+1] = to8(float64(row[x*4+1]) * f)
			row[x*4+2] = to8(float64(row[x*4+2]) * f)
		}
	}
}

// hedgerow lines the crest of h with trees.
func (s *scene) hedgerow(h []float64, col rgb, size float64) {
	start := s.r.between(0, float64(s.w)*0.5)
	end := start + s.r.between(0.3, 0.7)*float64(s.w)
	for x := start; x < min(end, float64(s.w-1)); x += size * s.r.between(0.8, 1.6) {
		r := size * s.r.between(0.7, 1.2)
		s.disc(x, h[int(x)]-r*0.6, r, col, 1)
	}
}

// silos stands a small grain elevator on the crest of h.
func (s *scene) silos(h []float64) {
	x := s.r.between(0.1, 0.8) * float64(s.w)
	col := s.haze(s.p.near, 0.45)
	base := h[int(x)] + 4
	for i := range 3 {
		w := 16.0
		hgt := s.r.between(55, 70)
		sx := x + float64(i)*(w+2)
		s.rect(sx, base-hgt, sx+w, base, col, 1)
		s.disc(sx+w/2, base-hgt, w/2, col, 1)
	}
	s.rect(x+3*18, base-95, x+3*18+14, base, col, 1)
}

func (s *scene) powerScene() {
	n := 4
	var grounds [][]float64
	for i := range n {
		depth := 1 - float64(i)/float64(n-1)
		y := s.horizon - 90 + float64(i)*85
		h := ridge(s.r, s.w, y, 35+25*depth, 20*depth+4)
		grounds = append(grounds, h)
		col := s.haze(mix(s.p.near, s.p.land, 0.35), 0.1+0.75*depth)
		s.below(h, col, mix(col, s.p.near, 0.3))
		if i == n-2 {
			s.pylons(grounds)
		}
	}
}

// pylons marches a transmission line from the far hills toward the viewer
// across the ground layers drawn so far.
func (s *scene) pylons(grounds [][]float64) {
	leftToRight := s.r.float() < 0.5
	const n = 5
	var prev []pt
	for i := range n {
		t := float64(i) / float64(n-1) // 0 far, 1 near
		p := t * t
		x := float64(s.w) * (0.55 + 0.4*p)
		if leftToRight {
			x = float64(s.w) - x
		}
		g := grounds[min(int(t*float64(len(grounds)-1)+0.5), len(grounds)-1)]
		base := g[min(max(int(x), 0), s.w-1)] + 3 + 6*p
		hgt := 40 + 300*p
		col := s.haze(s.p.near, 0.55*(1-t))
		arms := s.pylon(x, base, hgt, col)
		if prev != nil {
			for k := range arms {
				s.wire(prev[k].x, prev[k].y, arms[k].x, arms[k].y, 8+30*p, col)
			}
		}
		prev = arms
	}
}

// pylon draws a lattice tower and returns the tips of its arms, where the
// wires hang.
func (s *scene) pylon(x, base, hgt float64, col rgb) []pt {
	lw := max(1.1, hgt*0.018)
	bw, tw := hgt*0.16, hgt*0.035
	top := base - hgt
	s.line(x-bw, base, x-tw, top+hgt*0.1, lw, col, 1)
	s.line(x+bw, base, x+tw, top+hgt*0.1, lw, col, 1)
	s.convex([]pt{{x - tw, top + hgt*0.1}, {x, top}, {x + tw, top + hgt*0.1}}, col, 1)
	// Cross-bracing between the legs.
	for k := 0.0; k < 4; k++ {
		y0, y1 := base-hgt*0.9*k/4, base-hgt*0.9*(k+1)/4
		w0 := bw + (tw-bw)*(base-y0)/(hgt*0.9)
		w1 := bw + (tw-bw)*(base-y1)/(hgt*0.9)
		s.line(x-w0, y0, x+w1, y1, lw*0.6, col, 1)
		s.line(x+w0, y0, x-w1, y1, lw*0.6, col, 1)
	}
	var tips []pt
	for _, f := range []float64{0.72, 0.86} {
		ay := base - hgt*f
		reach := hgt * 0.2
		s.rect(x-reach, ay, x+reach, ay+lw*1.6, col, 1)
		tips = append(tips, pt{x - reach, ay + lw}, pt{x + reach, ay + lw})
	}
	return tips
}

// wire hangs a cable between two points with the given sag at its middle.
func (s *scene) wire(x0, y0, x1, y1, sag float64, col rgb) {
	if x1 < x0 {
		x0, y0, x1, y1 = x1, y1, x0, y0
	}
	for x := int(x0); x <= int(x1); x++ {
		u := (float64(x) - x0) / max(x1-x0, 1)
		y := y0 + (y1-y0)*u + sag*4*u*(1-u)
		fy := math.Floor(y)
		f := y - fy
		s.blend(x, int(fy), col, 0.8*(1-f))
		s.blend(x, int(fy)+1, col, 0.8*f)
	}
}
