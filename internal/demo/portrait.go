package demo

import (
	"image"
	"math"
)

// Author photographs are abstract head-and-shoulders portraits: a soft
// studio backdrop and a figure in the author's own colour, so that bylines
// and author boxes show a face-shaped picture without pretending to be
// anyone.
const portraitSize = 400

// figureColours are deep enough to stand against every backdrop and far
// enough apart that no two of the first ten authors look alike.
var figureColours = []string{
	"#2f5d62", "#7a3b3b", "#2c3e66", "#5b6131", "#5a3d5c",
	"#a8732f", "#46525e", "#2f5141", "#9a4f2c", "#3d3a75",
}

var backdrops = []string{"#e8e1d5", "#dfe6e6", "#e9dcd3", "#dde3d6", "#e2dde9", "#e6e0cc"}

// figure is the geometry and colouring of one portrait.
type figure struct {
	fig, bg, hairCol      rgb
	cx, headY             float64
	headRX, headRY        float64
	shoulderRX, shoulderY float64
	shoulderRY, neckW     float64
	shirtTop              float64
	hair                  int     // 0 close-cropped, 1 hair over the crown, 2 long hair
	light                 float64 // +1 or -1: the side the light falls from
	gx, gy                float64 // direction of the backdrop's gradient
	haloX, haloY          float64
}

// paintPortrait paints the portrait for the author with the given slug;
// index is the author's place among all authors and picks the figure's
// colour, which keeps colours distinct where a hash of the slug could not.
func paintPortrait(slug string, index int) *image.RGBA {
	r := newRNG("author/" + slug)
	f := figure{
		fig: hex(figureColours[index%len(figureColours)]),
		bg:  hex(backdrops[r.intn(len(backdrops))]),
		cx:  200 + r.between(-22, 22),
	}
	f.hairCol = f.fig.scale(0.66)
	f.headY = r.between(150, 172)
	f.headRX, f.headRY = r.between(60, 68), r.between(76, 86)
	f.shoulderRX, f.shoulderRY = r.between(150, 178), r.between(118, 138)
	f.shoulderY = f.headY + f.headRY + 22 + f.shoulderRY
	f.neckW = r.between(30, 36)
	f.shirtTop = f.headY + f.headRY + 16
	f.hair = r.intn(3)
	f.light = 1
	if r.float() < 0.5 {
		f.light = -1
	}
	angle := r.between(0, math.Pi)
	f.gx, f.gy = math.Cos(angle), math.Sin(angle)
	f.haloX, f.haloY = f.cx+r.between(-60, 60), f.headY+r.between(-20, 30)

	c := newCanvas(portraitSize, portraitSize)
	f.paint(c)
	c.finish(r, 7, 0.18)
	return c.img
}

// paint fills the canvas with the portrait.
//
//go:norace
func (f *figure) paint(c *canvas) {
	for y := range c.h {
		fy := float64(y) + 0.5
		row := c.img.Pix[y*c.img.Stride : y*c.img.Stride+c.w*4]
		for x := range c.w {
			col := f.colour(float64(x)+0.5, fy)
			row[x*4], row[x*4+1], row[x*4+2], row[x*4+3] = to8(col.r), to8(col.g), to8(col.b), 255
		}
	}
}

// colour returns the colour of the portrait at (x, y).
//
//go:norace
func (f *figure) colour(x, y float64) rgb {
	t := ((x-200)*f.gx+(y-200)*f.gy)/560 + 0.5
	col := mix(f.bg.scale(1.03), f.bg.scale(0.86), t)
	col = mix(col, rgb{255, 255, 255}, 0.45*(1-smoothstep(40, 190, math.Hypot(x-f.haloX, y-f.haloY))))
	if f.hair == 2 {
		// Long hair falls behind the head and stops at the shoulders.
		d := ellipseDist(x-f.cx, y-(f.headY+22), f.headRX*1.22, f.headRY*1.25)
		col = mix(col, f.hairCol, coverage(max(d, y-(f.headY+f.headRY+70))))
	}
	head := ellipseDist(x-f.cx, y-f.headY, f.headRX, f.headRY)
	neck := boxDist(x-f.cx, y-(f.headY+f.headRY), f.neckW, 30, 10)
	shoulders := ellipseDist(x-f.cx, y-f.shoulderY, f.shoulderRX, f.shoulderRY)
	if cov := coverage(smin(smin(head, neck, 12), shoulders, 22)); cov > 0 {
		shade := 0.88 + 0.22*clamp01(0.5+(x-f.cx)/260*f.light) - 0.08*smoothstep(f.shirtTop, 400, y)
		body := f.fig.scale(shade)
		// An open collar: a lighter V below the neck.
		if v := y - f.shirtTop; v > 0 {
			body = mix(body, f.bg, 0.35*clamp01(36-v*0.55-math.Abs(x-f.cx))*clamp01(v))
		}
		col = mix(col, body, cov)
	}
	if f.hair == 1 {
		// Hair over the crown and down the temples, its line tilted toward
		// the side of the parting.
		d := ellipseDist(x-f.cx, y-(f.headY-4), f.headRX*1.07, f.headRY*1.05)
		u := (x - f.cx) / f.headRX
		line := f.headY - 0.3*f.headRY + 0.5*f.headRY*u*u + 0.12*f.headRY*u*f.light
		col = mix(col, f.hairCol, coverage(max(d, y-line)))
	}
	return col
}

// coverage turns a signed distance (negative inside) into pixel coverage.
func coverage(d float64) float64 { return clamp01(0.5 - d) }

// ellipseDist approximates the signed distance from a point to an ellipse
// centred on the origin: exact enough for smooth edges a pixel wide.
func ellipseDist(x, y, rx, ry float64) float64 {
	k := math.Hypot(x/rx, y/ry)
	return (k - 1) * min(rx, ry)
}

// boxDist is the signed distance to a rounded rectangle of half-size w×h.
func boxDist(x, y, w, h, radius float64) float64 {
	qx, qy := math.Abs(x)-w+radius, math.Abs(y)-h+radius
	return math.Hypot(max(qx, 0), max(qy, 0)) + min(max(qx, qy), 0) - radius
}

// smin joins two shapes with a smooth fillet of size k, the way a neck
// meets shoulders.
func smin(a, b, k float64) float64 {
	h := max(k-math.Abs(a-b), 0) / k
	return min(a, b) - h*h*k/4
}
