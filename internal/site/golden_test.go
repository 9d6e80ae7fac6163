package site

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"masthead/internal/content"
)

var assetHash = regexp.MustCompile(`(/static/[^"]+)\.[0-9a-f]{8}(\.[a-z0-9]+)"`)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestGoldenPages compares whole rendered pages with the files under
// testdata/, so that any change to the markup is seen in review. Run with
// -update to accept a change.
func TestGoldenPages(t *testing.T) {
	r := newRig(t)
	for k, v := range map[string]string{"site.name": "Latitude", "site.description": "A magazine of world affairs"} {
		if err := r.store.SetSetting(r.ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	world := r.tag("World", true)
	economy := r.tag("Economy", true)
	trade := r.tag("Trade", false)
	ana := r.author("Ana Lima", "Senior Fellow, Americas Program", "Ana Lima writes about *Brazil* and its neighbours.", true)
	ben := r.author("Ben Okoro", "Correspondent, Lagos", "Ben Okoro reports from West Africa.", false)
	day := 24 * time.Hour
	r.post("The Quiet Winners of the New Cold War", testNow.Add(-2*day), func(p *content.Post) {
		p.Deck = "Middle powers are learning to profit from the divide"
		p.Authors = []content.Author{ana, ben}
		p.Section = &world
		p.Tags = []content.Tag{trade}
		p.Image = r.image("winners", 120, 80)
		p.Image.Alt = "Container ships at anchor"
		p.Image.Caption = "Ships wait to enter the port of *Rotterdam*."
		p.Image.Credit = "Jane Doe / Agency"
		p.UpdatedAt = testNow.Add(-day)
		p.Corrections = []content.Correction{{Date: testNow.Add(-day), Note: "An earlier version misstated the **share** of trade."}}
		p.Body = longBody("The Quiet Winners") + "\nA claim with a source.[^1]\n\n[^1]: The source.\n"
	})
	r.post("Sanctions Lost Their Bite", testNow.Add(-3*day), func(p *content.Post) {
		p.Authors = []content.Author{ana}
		p.Section = &economy
		p.Tags = []content.Tag{trade}
		p.Image = r.image("sanctions", 120, 80)
		p.Image.Alt = "A closed border crossing"
	})
	r.post("A Short Note", testNow.Add(-4*day), func(p *content.Post) {
		p.Authors = []content.Author{ben}
		p.Section = &world
		p.Body = "Only one paragraph here."
	})

	for name, path := range map[string]string{
		"article": "/articles/the-quiet-winners-of-the-new-cold-war",
		"river":   "/",
	} {
		t.Run(name, func(t *testing.T) {
			res, _ := r.getOK(path)
			// Asset hashes change with every stylesheet edit; TestStaticFiles
			// checks them, the golden files check the markup.
			body := assetHash.ReplaceAllString(res.body, `$1.HASH$2"`)
			file := filepath.Join("testdata", name+".golden.html")
			if *update {
				if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if body != string(want) {
				t.Errorf("GET %s differs from %s (run with -update to accept):\n%s", path, file, firstDiff(string(want), body))
			}
		})
	}
}

// firstDiff shows where two texts first part ways.
func firstDiff(want, got string) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	from := max(0, i-120)
	return "want: …" + want[from:min(len(want), i+120)] + "\n got: …" + got[from:min(len(got), i+120)]
}
