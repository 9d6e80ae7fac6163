package desk_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"masthead/internal/browsertest"
	"masthead/internal/editorial"
	"masthead/internal/store"
)

// jsWait evaluates a JavaScript condition until it holds, through page
// loads: a click that submits a form replaces the page being asked.
func jsWait(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		var lastErr error
		for {
			ok, err := chromedp.Evaluate[bool](expr)(ctx, t)
			if err == nil && ok {
				return chromedp.Void{}, nil
			}
			if err != nil {
				lastErr = err
			}
			select {
			case <-ctx.Done():
				return chromedp.Void{}, fmt.Errorf("waiting for %s: %w (last: %v)", expr, ctx.Err(), lastErr)
			case <-tick.C:
			}
		}
	}
}

func jsHasText(sel, text string) chromedp.Action[chromedp.Void] {
	return jsWait(`(function(){var e=document.querySelector(` + strconv.Quote(sel) + `);return !!e && e.textContent.includes(` +
		strconv.Quote(text) + `);})()`)
}

// TestRoundupInBrowser: an editor composes the round-up, reorders it,
// looks at the previews, sends it to a real SMTP server and watches the
// progress bar reach 100%.
func TestRoundupInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser flow skipped in -short mode")
	}
	ctx := browsertest.New(t, 2*time.Minute)
	if err := chromedp.Do(ctx); err != nil { // start the browser
		t.Fatal(err)
	}
	const readers = 30
	n := newNewsRig(t, 15) // messages per second: the send takes a couple of seconds
	older := n.publish("Ships return to the strait", "Security")
	newer := n.publish("Drones over the border", "Security")
	grain := n.publish("Grain prices fall", "Economy")
	for i := range readers {
		n.subscribe(fmt.Sprintf("reader%02d@example.org", i), true, false)
	}
	if _, err := n.svc.CreateAccount(n.ctx, editorial.NewAccount{Email: "eddie@example.org", Role: store.RoleEditor, Password: password}); err != nil {
		t.Fatal(err)
	}
	base := n.srv.URL
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
			t.Fatalf("%s: %v\nat %s\n%.2000s", name, err, loc, body)
		}
	}
	titles := `Array.from(document.querySelectorAll(".issue-item .item-title")).map(function(e){return e.textContent}).join("|")`

	step("sign in", chromedp.Navigate(base+"/desk/signin"), chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "eddie@example.org"),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		jsHasText("h1", "Hello"))
	step("compose", chromedp.Click(chromedp.CSS(`a[href="/desk/newsletter"]`)),
		chromedp.WaitVisible(chromedp.CSS("#compose")),
		chromedp.Click(chromedp.CSS("#compose")),
		jsHasText(".flash-ok", "A round-up was composed"),
		jsWait(titles+` === `+strconv.Quote(newer.Title+"|"+older.Title+"|"+grain.Title)))
	step("reorder", chromedp.Click(chromedp.CSS(`button[aria-label="Move `+newer.Title+` down"]`)),
		jsHasText(".flash-ok", "Article moved"),
		jsWait(titles+` === `+strconv.Quote(older.Title+"|"+newer.Title+"|"+grain.Title)))

	// Both previews are framed and loaded, and the text version is shown.
	step("previews", jsHasText("#preview-text", older.Title), jsWait(`(function(){
		var p=document.getElementById("preview-phone"), d=document.getElementById("preview-desktop");
		return !!p && !!d && p.getBoundingClientRect().width === 375 && d.getBoundingClientRect().width === 700;})()`))
	// The previews are sandboxed, so Chromium runs them as frames of
	// their own: the browser lists them, at their address when the desk
	// allowed the framing (a refused frame shows an error page instead).
	var frames []string
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := chromedp.CallBrowser(ctx, target.GetTargets, target.GetTargetsParams{})
		if err != nil {
			t.Fatal(err)
		}
		frames = frames[:0]
		for _, info := range res.TargetInfos {
			if info.Type == "iframe" && strings.HasSuffix(info.URL, "/preview.html") {
				frames = append(frames, info.URL+" "+info.Title)
			}
		}
		if len(frames) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("preview frames: %v", frames)
		}
		time.Sleep(50 * time.Millisecond)
	}

	step("confirm the send", chromedp.Click(chromedp.CSS("#send-now")),
		jsHasText("#recipients", strconv.Itoa(readers)),
		chromedp.Click(chromedp.CSS("#confirm-send")),
		jsHasText(".flash-ok", fmt.Sprintf("Sending to %d subscribers has started", readers)))
	// Deliveries start once the page polls for progress, so that the
	// bar is seen to move by itself.
	step("poll for progress", jsWait(`performance.getEntriesByType("resource").some(function(e){return /\/progress$/.test(e.name)})`))
	n.runJobs()
	step("watch the progress bar reach 100%",
		jsWait(fmt.Sprintf(`(function(){var b=document.getElementById("progress-bar"), p=document.querySelector('[data-field="percent"]');
			return !!b && !!p && b.max === %d && b.value === %d && p.textContent === "100";})()`, readers, readers)),
		jsHasText("#issue-status", "Sent"),
		jsHasText(`[data-field="sent"]`, strconv.Itoa(readers)),
		jsHasText(`[data-field="remaining"]`, "0"))
	for i := range readers {
		addr := fmt.Sprintf("reader%02d@example.org", i)
		if c := n.smtp.Count(addr); c != 1 {
			t.Errorf("%s got %d copies", addr, c)
		}
	}
	// What went out is the issue as the editor ordered it.
	issues, err := n.news.Issues(n.ctx, store.IssueFilter{})
	if err != nil || issues.Total != 1 {
		t.Fatalf("issues: %d, %v", issues.Total, err)
	}
	sent, err := n.news.Issue(n.ctx, issues.Issues[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if i, j := strings.Index(sent.Text, older.Title), strings.Index(sent.Text, newer.Title); i < 0 || j < 0 || i > j {
		t.Errorf("the issue sent does not have the order the editor chose (%d, %d)", i, j)
	}
	if n.smtp.Total() != readers {
		t.Errorf("%d messages for %d readers", n.smtp.Total(), readers)
	}
}
