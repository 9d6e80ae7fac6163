package demo

import (
	"hash/fnv"
	"image"
	"math"
	"strconv"
)

// The pictures are painted straight into the pixel slice of an image.RGBA:
// a handful of fills over 1.4 million pixels is fast enough only without the
// per-pixel interface calls of image/draw.
//
// The per-pixel loops are marked go:norace. Each canvas belongs to the one
// goroutine painting it, so there is nothing for the race detector to find
// there, and instrumenting every pixel access would make race-enabled test
// runs of anything that starts the demo several times slower.

// rgb is a colour with channels in 0..255, kept as floats so that mixing
// and shading do not band.
type rgb struct{ r, g, b float64 }

// hex parses "#rrggbb". The palettes are constants in this package, so a
// malformed one is a programming error.
func hex(s string) rgb {
	if len(s) != 7 || s[0] != '#' {
		panic("demo: bad colour " + s)
	}
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		panic("demo: bad colour " + s)
	}
	return rgb{float64(v >> 16 & 0xff), float64(v >> 8 & 0xff), float64(v & 0xff)}
}

func mix(a, b rgb, t float64) rgb {
	return rgb{a.r + (b.r-a.r)*t, a.g + (b.g-a.g)*t, a.b + (b.b-a.b)*t}
}

func (c rgb) scale(f float64) rgb { return rgb{c.r * f, c.g * f, c.b * f} }

func clamp01(t float64) float64 { return max(0, min(1, t)) }

func smoothstep(e0, e1, x float64) float64 {
	t := clamp01((x - e0) / (e1 - e0))
	return t * t * (3 - 2*t)
}

func to8(v float64) uint8 {
	if v <= 0 {
		return 0
	}
	if v >= 255 {
		return 255
	}
	return uint8(v + 0.5)
}

// rng is a small splitmix64 generator. It is ours rather than math/rand's so
// that a slug paints the same picture whatever the Go release.
type rng struct{ s uint64 }

func newRNG(seed string) *rng {
	h := fnv.New64a()
	h.Write([]byte(seed))
	return &rng{s: h.Sum64()}
}

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// float returns a number in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// between returns a number in [lo, hi).
func (r *rng) between(lo, hi float64) float64 { return lo + (hi-lo)*r.float() }

// intn returns an integer in [0, n).
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

type canvas struct {
	img  *image.RGBA
	w, h int
}

func newCanvas(w, h int) *canvas {
	return &canvas{img: image.NewRGBA(image.Rect(0, 0, w, h)), w: w, h: h}
}

// blend paints col over the pixel at (x, y) with opacity a; a must be in [0, 1].
//
//go:norace
func (c *canvas) blend(x, y int, col rgb, a float64) {
	if x < 0 || y < 0 || x >= c.w || y >= c.h || a <= 0 {
		return
	}
	p := c.img.Pix[y*c.img.Stride+x*4 : y*c.img.Stride+x*4+4 : y*c.img.Stride+x*4+4]
	if a >= 1 {
		p[0], p[1], p[2], p[3] = to8(col.r), to8(col.g), to8(col.b), 255
		return
	}
	p[0] = to8(float64(p[0]) + (col.r-float64(p[0]))*a)
	p[1] = to8(float64(p[1]) + (col.g-float64(p[1]))*a)
	p[2] = to8(float64(p[2]) + (col.b-float64(p[2]))*a)
	p[3] = 255
}

// span paints the part of row y between x0 and x1, with partial coverage at
// both ends so that edges are smooth.
//
//go:norace
func (c *canvas) span(y int, x0, x1 float64, col rgb, a float64) {
	if y < 0 || y >= c.h || x1 <= x0 {
		return
	}
	lo, hi := int(math.Floor(x0)), int(math.Floor(x1))
	if lo == hi {
		c.blend(lo, y, col, a*(x1-x0))
		return
	}
	c.blend(lo, y, col, a*(float64(lo+1)-x0))
	for x := max(lo+1, 0); x < min(hi, c.w); x++ {
		c.blend(x, y, col, a)
	}
	c.blend(hi, y, col, a*(x1-float64(hi)))
}

// rect fills an axis-aligned rectangle, with soft left and right edges.
func (c *canvas) rect(x0, y0, x1, y1 float64, col rgb, a float64) {
	for y := max(int(math.Round(y0)), 0); y < min(int(math.Round(y1)), c.h); y++ {
		c.span(y, x0, x1, col, a)
	}
}

type pt struct{ x, y float64 }

// convex fills a convex polygon, sampling each row at its centre.
func (c *canvas) convex(pts []pt, col rgb, a float64) {
	minY, maxY := math.Inf(1), math.Inf(-1)
	for _, p := range pts {
		minY, maxY = min(minY, p.y), max(maxY, p.y)
	}
	for y := max(int(math.Floor(minY)), 0); y <= min(int(math.Ceil(maxY)), c.h-1); y++ {
		cy := float64(y) + 0.5
		lo, hi := math.Inf(1), math.Inf(-1)
		for i, p := range pts {
			q := pts[(i+1)%len(pts)]
			if (p.y <= cy) == (q.y <= cy) {
				continue
			}
			x := p.x + (cy-p.y)/(q.y-p.y)*(q.x-p.x)
			lo, hi = min(lo, x), max(hi, x)
		}
		if lo < hi {
			c.span(y, lo, hi, col, a)
		}
	}
}

// line strokes a straight segment of the given width as a thin quad.
func (c *canvas) line(x0, y0, x1, y1, width float64, col rgb, a float64) {
	dx, dy := x1-x0, y1-y0
	l := math.Hypot(dx, dy)
	if l == 0 {
		return
	}
	nx, ny := -dy/l*width/2, dx/l*width/2
	c.convex([]pt{{x0 + nx, y0 + ny}, {x1 + nx, y1 + ny}, {x1 - nx, y1 - ny}, {x0 - nx, y0 - ny}}, col, a)
}

// disc fills a circle with an anti-aliased rim.
//
//go:norace
func (c *canvas) disc(cx, cy, r float64, col rgb, a float64) {
	for y := max(int(cy-r-1), 0); y <= min(int(cy+r+1), c.h-1); y++ {
		dy := float64(y) + 0.5 - cy
		for x := max(int(cx-r-1), 0); x <= min(int(cx+r+1), c.w-1); x++ {
			dx := float64(x) + 0.5 - cx
			cov := clamp01(r - math.Sqrt(dx*dx+dy*dy) + 0.5)
			c.blend(x, y, col, a*cov)
		}
	}
}

// below fills everything under the curve h (one height per column), shading
// from top at the curve's highest point to bottom at the lower edge of the
// picture. The pixel the curve crosses gets partial coverage.
//
//go:norace
func (c *canvas) below(h []float64, top, bottom rgb) {
	minH := math.Inf(1)
	for _, v := range h {
		minH = min(minH, v)
	}
	y0 := max(int(math.Floor(minH)), 0)
	for y := y0; y < c.h; y++ {
		col := mix(top, bottom, float64(y-y0)/float64(max(c.h-y0, 1)))
		r, g, b := to8(col.r), to8(col.g), to8(col.b)
		fy := float64(y)
		row := c.img.Pix[y*c.img.Stride : y*c.img.Stride+c.w*4]
		for x, hx := range h[:c.w] {
			switch {
			case fy+1 <= hx:
				continue
			case fy < hx:
				c.blend(x, y, col, fy+1-hx)
			default:
				row[x*4], row[x*4+1], row[x*4+2], row[x*4+3] = r, g, b, 255
			}
		}
	}
}

// band lays a horizontal veil of col over rows y0..y1, strongest at peak
// (a fraction of the way down) and fading to nothing at both ends: mist in
// a valley, haze on the horizon.
func (c *canvas) band(y0, y1, peak float64, col rgb, a float64) {
	mid := y0 + (y1-y0)*peak
	for y := max(int(y0), 0); y < min(int(y1), c.h); y++ {
		fy := float64(y)
		var t float64
		if fy < mid {
			t = smoothstep(y0, mid, fy)
		} else {
			t = 1 - smoothstep(mid, y1, fy)
		}
		if t <= 0 {
			continue
		}
		c.span(y, 0, float64(c.w), col, a*t)
	}
}

// streak paints a long thin lens of colour: a cloud bank, a wave crest.
//
//go:norace
func (c *canvas) streak(cx, cy, halfLen, halfThick float64, col rgb, a float64) {
	for y := max(int(cy-halfThick), 0); y <= min(int(cy+halfThick), c.h-1); y++ {
		v := (float64(y) + 0.5 - cy) / halfThick
		fv := 1 - v*v
		if fv <= 0 {
			continue
		}
		// The lens is thinner at its ends.
		l := halfLen * math.Sqrt(fv)
		for x := max(int(cx-l), 0); x <= min(int(cx+l), c.w-1); x++ {
			u := (float64(x) + 0.5 - cx) / l
			fu := 1 - u*u
			if fu <= 0 {
				continue
			}
			c.blend(x, y, col, a*fu*fv)
		}
	}
}

// ridge returns a horizon line: a base height with a few long swells and a
// rougher fine texture, so that far ridges look like mountains and near ones
// like rolling land depending on the amplitudes.
func ridge(r *rng, w int, base, swell, rough float64) []float64 {
	type wave struct{ amp, freq, phase float64 }
	var waves []wave
	for i := range 3 {
		waves = append(waves, wave{
			amp:   swell * r.between(0.4, 1) / float64(i+1),
			freq:  r.between(0.7, 1.4) * float64(i+1) * 2 * math.Pi / float64(w),
			phase: r.between(0, 2*math.Pi),
		})
	}
	// Fine texture: value noise, a random height every few pixels,
	// interpolated smoothly, at two scales.
	noise := func(step int) []float64 {
		pts := make([]float64, w/step+2)
		for i := range pts {
			pts[i] = r.between(-1, 1)
		}
		out := make([]float64, w)
		for x := range out {
			i, f := x/step, float64(x%step)/float64(step)
			f = f * f * (3 - 2*f)
			out[x] = pts[i] + (pts[i+1]-pts[i])*f
		}
		return out
	}
	coarse, fine := noise(90), noise(17)
	h := make([]float64, w)
	for x := range h {
		v := base
		for _, wv := range waves {
			v += wv.amp * math.Sin(wv.freq*float64(x)+wv.phase)
		}
		h[x] = v + rough*(coarse[x]+0.35*fine[x])
	}
	return h
}

// finish adds film grain and a gentle vignette, the two things that make a
// flat painting read as a photograph at a glance.
//
//go:norace
func (c *canvas) finish(r *rng, grain, vignette float64) {
	vx := make([]float64, c.w)
	for x := range vx {
		d := (float64(x)/float64(c.w) - 0.5) * 2
		vx[x] = d * d
	}
	s := r.next() | 1
	for y := range c.h {
		d := (float64(y)/float64(c.h) - 0.5) * 2
		vy := d * d
		row := c.img.Pix[y*c.img.Stride : y*c.img.Stride+c.w*4]
		for x := range c.w {
			// xorshift: far cheaper per pixel than the splitmix stream.
			s ^= s << 13
			s ^= s >> 7
			s ^= s << 17
			n := (float64(s>>40)/(1<<24) - 0.5) * grain
			f := 1 - vignette*(vx[x]+vy)*0.5
			p := row[x*4 : x*4+3 : x*4+3]
			p[0] = to8(float64(p[0])*f + n)
			p[1] = to8(float64(p[1])*f + n)
			p[2] = to8(float64(p[2])*f + n)
		}
	}
}
