package site

import (
	"context"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"masthead/internal/browsertest"
	"masthead/internal/content"
)

// newBrowser starts a headless Chromium for the test, bounded by a minute.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	return browsertest.New(t, time.Minute)
}

// TestKeepReadingInBrowser unfolds a river entry in place and folds it back,
// with the summary and with the button the script adds at the end.
func TestKeepReadingInBrowser(t *testing.T) {
	r := newRig(t)
	r.post("Older piece", testNow.Add(-2*time.Hour), nil)
	p := r.post("Long read", testNow.Add(-time.Hour), func(p *content.Post) {
		p.Image = r.image("long", 600, 400)
	})
	srv := httptest.NewServer(r.h)
	t.Cleanup(srv.Close)
	ctx := newBrowser(t)

	entry := "#post-" + strconv.FormatInt(p.ID, 10)
	summary := chromedp.CSS(entry + " details.more > summary")
	last := chromedp.CSS(entry + " .more-body > p:last-of-type")
	fold := chromedp.CSS(entry + " .more-body > button.fold")
	home := srv.URL + "/"

	if err := chromedp.Do(ctx, chromedp.Navigate(home)); err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.TextContent(last))
	if err != nil {
		t.Fatal(err)
	}
	if text != "The last paragraph of Long read." {
		t.Fatalf("last paragraph %q", text)
	}
	// Chromium hides closed <details> content with content-visibility, which
	// the Wait*Visible queries do not see; checkVisibility does.
	shown := func(sel chromedp.CSS, want bool) chromedp.Action[chromedp.Void] {
		expr := `document.querySelector(` + strconv.Quote(string(sel)) + `).checkVisibility()`
		if !want {
			expr = "!" + expr
		}
		return chromedp.Poll[chromedp.Void](expr)
	}
	steps := []struct {
		name   string
		action chromedp.Action[chromedp.Void]
	}{
		{"folded at first", shown(last, false)},
		{"summary says Keep reading", chromedp.WaitVisible(chromedp.CSS(entry + " summary .more-closed"))},
		{"click Keep reading", chromedp.Click(summary)},
		{"the last paragraph shows", shown(last, true)},
		{"summary says Show less", chromedp.WaitVisible(chromedp.CSS(entry + " summary .more-open"))},
		{"click Show less", chromedp.Click(summary)},
		{"folded again", shown(last, false)},
		{"click Keep reading again", chromedp.Click(summary)},
		{"unfolded again", shown(last, true)},
		{"click the Show less at the end", chromedp.Click(fold)},
		{"folded by the button", shown(last, false)},
		{"the button hides with the text", shown(fold, false)},
	}
	for _, s := range steps {
		if err := chromedp.Do(ctx, s.action); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		if loc != home {
			t.Fatalf("%s: the page navigated to %s", s.name, loc)
		}
	}
	open, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("`+entry+` details.more").open`))
	if err != nil || open {
		t.Errorf("details still open after folding: %v %v", open, err)
	}
}
