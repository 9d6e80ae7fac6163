package metrics_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"masthead/internal/metrics"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

func TestMetrics(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		ctx := context.Background()
		if err := st.EnqueueJob(ctx, &store.Job{Kind: "post.publish", RunAt: time.Now().Add(-time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if err := st.EnqueueJob(ctx, &store.Job{Kind: "post.publish", RunAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		var subs []store.Subscriber
		for i := range 3 {
			subs = append(subs, store.Subscriber{Email: fmt.Sprintf("r%d@example.org", i), Status: store.SubscriberConfirmed, WantsRoundup: true})
		}
		if _, err := st.ImportSubscribers(ctx, subs); err != nil {
			t.Fatal(err)
		}
		is := store.Issue{Kind: store.IssueRoundup, Subject: "Week"}
		if err := st.CreateIssue(ctx, &is); err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.StartIssue(ctx, is.ID, "", "text", time.Now()); err != nil {
			t.Fatal(err)
		}

		m := metrics.New(metrics.Options{Store: st, Cache: func() (uint64, uint64) { return 7, 2 }})
		app := m.Instrument(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/missing" {
				http.NotFound(w, r)
				return
			}
			io.WriteString(w, "page")
		}))
		for _, p := range []string{"/", "/articles/x", "/missing", "/desk/posts", "/desk/api/v1/posts", "/media/a.jpg"} {
			app.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
		}

		h := m.Handler("a-long-enough-metrics-token")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("without the token: %d", rec.Code)
		}
		req := httptest.NewRequest("GET", "/metrics", nil)
		req.Header.Set("Authorization", "Bearer wrong")
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("with a wrong token: %d", rec.Code)
		}
		req.Header.Set("Authorization", "Bearer a-long-enough-metrics-token")
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("with the token: %d %s", rec.Code, rec.Body)
		}
		body := rec.Body.String()
		for _, want := range []string{
			`masthead_http_requests_total{area="site",code="2xx"} 2`,
			`masthead_http_requests_total{area="site",code="4xx"} 1`,
			`masthead_http_requests_total{area="desk",code="2xx"} 1`,
			`masthead_http_requests_total{area="api",code="2xx"} 1`,
			`masthead_http_requests_total{area="media",code="2xx"} 1`,
			`masthead_http_request_duration_seconds_count{area="site"} 3`,
			`masthead_page_cache_requests_total{result="hit"} 7`,
			`masthead_page_cache_requests_total{result="miss"} 2`,
			`masthead_jobs{kind="post.publish",status="pending"} 2`,
			`masthead_jobs_due{kind="post.publish"} 1`,
			fmt.Sprintf(`masthead_newsletter_deliveries{issue="%d",status="pending"} 3`, is.ID),
			`masthead_metrics_store_up 1`,
			`go_goroutines`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		if t.Failed() {
			t.Logf("metrics:\n%s", body)
		}
	})
}

func TestArea(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]string{
		"/": "site", "/articles/a": "site", "/desk": "desk", "/desk/posts/1": "desk", "/desk/api/v1/posts": "api",
		"/media/x.jpg": "media", "/static/site.css": "static", "/healthz": "health", "/metrics": "health",
		"/desktop": "site",
	} {
		if got := metrics.Area(path); got != want {
			t.Errorf("Area(%q) = %q, want %q", path, got, want)
		}
	}
}
