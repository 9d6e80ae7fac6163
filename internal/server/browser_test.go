package server_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"masthead/internal/browsertest"
	"masthead/internal/config"
	"masthead/internal/server"
	"masthead/internal/store"
)

// newBrowser starts a headless Chromium bounded by timeout and returns the
// context of its first tab, with the browser already running.
func newBrowser(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	bctx := browsertest.New(t, timeout)
	if err := chromedp.Do(bctx); err != nil { // start the browser
		t.Fatal(err)
	}
	return bctx
}

// startServer opens a real Masthead on SQLite in a temporary directory and
// serves it on a free loopback port until the test ends. (The services'
// tests cover PostgreSQL.)
func startServer(t *testing.T) (*server.App, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	cfg := config.Config{DataDir: t.TempDir(), Addr: ln.Addr().String(), BaseURL: base, AutoMigrate: true,
		LogLevel: slog.LevelWarn, LogFormat: "text", ShutdownTimeout: 5 * time.Second}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	ctx, cancel := context.WithCancel(context.Background())
	app, err := server.Open(ctx, cfg, log)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		app.Close()
	})
	return app, base
}

func photo(t *testing.T) string {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, 900, 600))
	for y := range 600 {
		for x := range 900 {
			m.Set(x, y, color.RGBA{uint8(40 + x/6), uint8(80 + y/5), 150, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "harbour-at-dawn.jpg")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// waitFor evaluates a JavaScript condition until it holds, through page
// loads: a click that submits a form replaces the page being asked.
func waitFor(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
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
				lastErr = err // the page is changing; ask again
			}
			select {
			case <-ctx.Done():
				if lastErr != nil {
					return chromedp.Void{}, fmt.Errorf("waiting for %s: %w (last: %v)", expr, ctx.Err(), lastErr)
				}
				return chromedp.Void{}, fmt.Errorf("waiting for %s: %w", expr, ctx.Err())
			case <-tick.C:
			}
		}
	}
}

// waitText waits until the element sel holds text.
func waitText(sel, text string) chromedp.Action[chromedp.Void] {
	return waitFor(`(function(){var e=document.querySelector(` + strconv.Quote(sel) + `);return !!e && e.textContent.includes(` + strconv.Quote(text) + `);})()`)
}

// TestNewsroomFlowInBrowser: the owner sets up the desk and invites a
// contributor, who accepts through the link from the outbox, writes a
// draft with an uploaded photo and submits it; the owner schedules it a
// few seconds ahead, and it appears on the public site at that time with
// its photo, credit and byline.
func TestNewsroomFlowInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser flow skipped in -short mode")
	}
	ctx := newBrowser(t, 2*time.Minute)
	app, base := startServer(t)
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
			t.Fatalf("%s: %v\nat %s\n%.1500s", name, err, loc, body)
		}
	}
	const ownerPass, writerPass = "owner password 1", "writer password 2"

	// The owner sets up the publication.
	step("open the desk", chromedp.Navigate(base+"/desk/"), chromedp.WaitVisible(chromedp.CSS(`form[action="/desk/setup"]`)))
	step("set up the owner",
		chromedp.SendKeys(chromedp.CSS("#name"), "Olga Owner"),
		chromedp.SendKeys(chromedp.CSS("#email"), "olga@example.org"),
		chromedp.SendKeys(chromedp.CSS("#password"), ownerPass),
		chromedp.SendKeys(chromedp.CSS("#confirm"), ownerPass),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		waitText("h1", "Hello, Olga Owner"))

	// The owner invites a contributor.
	step("invite", chromedp.Navigate(base+"/desk/accounts"),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/desk/accounts/invite"]`)),
		chromedp.SendKeys(chromedp.CSS("#email"), "carl@example.org"),
		chromedp.SetValue(chromedp.CSS("#role"), "contributor"),
		chromedp.Click(chromedp.CSS(`form[action="/desk/accounts/invite"] button`)),
		waitText(".flash-ok", "Invitation sent to carl@example.org"))
	msgs, err := app.Store.OutboxMessages(context.Background(), store.OutboxFilter{To: "carl@example.org", Kind: "invite"})
	if err != nil || msgs.Total != 1 {
		t.Fatalf("invitation in the outbox: %d, %v", msgs.Total, err)
	}
	link := regexp.MustCompile(`http://\S+/desk/invite/[A-Za-z0-9_-]+`).FindString(msgs.Messages[0].Text)
	if !strings.HasPrefix(link, base) {
		t.Fatalf("invitation link %q does not point at %s", link, base)
	}

	// The contributor, in a browser of their own, accepts and writes.
	writer, cancelWriter := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	defer cancelWriter()
	wstep := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(writer, actions...); err != nil {
			loc, _ := chromedp.Run(writer, chromedp.Location())
			body, _ := chromedp.Run(writer, chromedp.Text(chromedp.CSS("main")))
			t.Fatalf("%s: %v\nat %s\n%.1500s", name, err, loc, body)
		}
	}
	wstep("accept the invitation", chromedp.Navigate(link),
		waitText("main", "invited as Contributor"),
		chromedp.SendKeys(chromedp.CSS("#name"), "Carl Contributor"),
		chromedp.SendKeys(chromedp.CSS("#password"), writerPass),
		chromedp.SendKeys(chromedp.CSS("#confirm"), writerPass),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		waitText("h1", "Hello, Carl Contributor"))
	wstep("write a draft with a photo",
		chromedp.Click(chromedp.CSS(`a[href="/desk/posts/new"]`)),
		chromedp.WaitVisible(chromedp.CSS("#title")),
		chromedp.SendKeys(chromedp.CSS("#title"), "The harbour at dawn"),
		chromedp.SendKeys(chromedp.CSS("#deck"), "How a northern port keeps moving"),
		chromedp.SendKeys(chromedp.CSS("#body"), "## Before the ships\n\nThe cranes start at five.\n"),
		// The live preview shows the Markdown rendered.
		waitText("#preview h2", "Before the ships"),
		chromedp.SetUploadFiles(chromedp.CSS("#image_file"), []string{photo(t)}),
		chromedp.SendKeys(chromedp.CSS("#image_alt"), "Cranes against a pale sky"),
		chromedp.SendKeys(chromedp.CSS("#image_caption"), "The container terminal at first light."),
		chromedp.SendKeys(chromedp.CSS("#image_credit"), "Ines Photographer"),
		chromedp.Click(chromedp.CSS("#save")),
		waitText(".flash-ok", "Draft saved."))
	// No Publish button for a contributor.
	if n, err := chromedp.Run(writer, chromedp.Evaluate[int](`document.querySelectorAll("#publish, #schedule").length`)); err != nil || n != 0 {
		t.Errorf("contributor sees %d publishing buttons (%v)", n, err)
	}
	editURL, err := chromedp.Run(writer, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	wstep("submit for review", chromedp.Click(chromedp.CSS("#submit-review")), waitText(".flash-ok", "Submitted for review"))

	// The owner finds it in the review queue and schedules it a few
	// seconds ahead, in the site's timezone (UTC by default).
	path := strings.TrimPrefix(editURL, base)
	step("review queue", chromedp.Navigate(base+"/desk/home"), waitText("main", "The harbour at dawn"),
		chromedp.Click(chromedp.CSS(`a[href="`+path+`"]`)), chromedp.WaitVisible(chromedp.CSS("#publish_at")))
	at := time.Now().Add(6 * time.Second).UTC().Truncate(time.Second)
	step("schedule",
		// Minutes are enough for people; the test needs seconds.
		chromedp.SetAttributeValue(chromedp.CSS("#publish_at"), "step", "1"),
		chromedp.SetValue(chromedp.CSS("#publish_at"), at.Format("2006-01-02T15:04:05")),
		chromedp.Click(chromedp.CSS("#schedule")),
		waitText(".flash-ok", "Scheduled"))

	article := base + "/articles/the-harbour-at-dawn"
	if time.Now().Before(at.Add(-time.Second)) {
		if resp, err := http.Get(article); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				t.Errorf("the article is public before its time")
			}
		}
	}
	// Poll the public page until the job has published it.
	var body string
	deadline := time.Now().Add(40 * time.Second)
	for {
		resp, err := http.Get(article)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				body = string(b)
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the article did not appear by %v (scheduled for %v)", time.Now().UTC(), at)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if time.Now().Before(at) {
		t.Errorf("the article appeared at %v, before %v", time.Now().UTC(), at)
	}
	for _, want := range []string{"The harbour at dawn", "Carl Contributor", "Top photo credit: Ines Photographer",
		"The container terminal at first light.", `alt="Cranes against a pale sky"`, `src="/media/uploads/`} {
		if !strings.Contains(body, want) {
			t.Errorf("the public article lacks %q", want)
		}
	}
	// And a reader's browser shows the photo.
	step("read the article", chromedp.Navigate(article),
		waitFor(`(function(){var i=document.querySelector('img[alt="Cranes against a pale sky"]');return !!i && i.complete && i.naturalWidth > 0;})()`))
}
