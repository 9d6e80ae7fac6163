package newsletter_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/jobs"
	masthead "masthead/internal/mail"
	"masthead/internal/mail/smtptest"
	"masthead/internal/newsletter"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// BenchmarkDeliver composes a round-up and delivers it, without a rate
// limit and MASTHEAD_BENCH_CONCURRENCY messages at a time (default 16),
// to MASTHEAD_BENCH_SUBSCRIBERS subscribers (default 2,000) through an
// SMTP server in the process, over TCP, and reports messages per second
// and the process's peak memory (server included). With
// MASTHEAD_TEST_POSTGRES set it runs on PostgreSQL. For the issue's
// figure:
//
//	MASTHEAD_BENCH_SUBSCRIBERS=100000 go test -run '^$' -bench Deliver -benchtime 1x ./internal/newsletter/
func BenchmarkDeliver(b *testing.B) {
	n := 2000
	if v := os.Getenv("MASTHEAD_BENCH_SUBSCRIBERS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("MASTHEAD_BENCH_SUBSCRIBERS=%q", v)
		}
	}
	concurrency := 16
	if v := os.Getenv("MASTHEAD_BENCH_CONCURRENCY"); v != "" {
		concurrency, _ = strconv.Atoi(v)
	}
	ctx := context.Background()
	var total time.Duration
	for range b.N {
		b.StopTimer()
		st := storetest.Open(b)
		subs := make([]store.Subscriber, n)
		for i := range subs {
			subs[i] = store.Subscriber{Email: fmt.Sprintf("reader%06d@example.org", i), Name: fmt.Sprintf("Reader %d", i),
				Status: store.SubscriberConfirmed, WantsRoundup: true, ConsentSource: "bench"}
		}
		if _, err := st.ImportSubscribers(ctx, subs); err != nil {
			b.Fatal(err)
		}
		subs = nil
		for i := range 12 {
			p := content.Post{Slug: fmt.Sprintf("article-%d", i), Title: fmt.Sprintf("Article number %d of the week", i),
				Deck: "A deck that says what the article is about", Status: content.StatusPublished,
				PublishedAt: time.Now().Add(-time.Duration(i+1) * time.Hour),
				Body:        "The opening paragraph says something worth reading, at some length, as openings do.\n\nMore."}
			if err := st.SavePost(ctx, &p); err != nil {
				b.Fatal(err)
			}
		}
		sink := smtptest.Start(b, smtptest.Options{CountOnly: true})
		sender, err := masthead.NewSMTP(masthead.SMTPConfig{Host: sink.Host, Port: sink.Port, TLS: masthead.TLSNone,
			MaxConns: concurrency, MaxPerConn: 10000, From: "The Review <news@review.example>"})
		if err != nil {
			b.Fatal(err)
		}
		svc, err := newsletter.New(newsletter.Options{Store: st, Mail: sender, BaseURL: baseURL, Rate: -1, Concurrency: concurrency})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		is, err := svc.ComposeRoundup(ctx, time.Time{})
		if err != nil {
			b.Fatal(err)
		}
		runner := &jobs.Runner{Store: st, Handlers: svc.Handlers(), PollInterval: 50 * time.Millisecond}
		svc.SetWake(runner.Wake)
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- runner.Run(rctx) }()
		if _, err := svc.SendNow(ctx, is.ID); err != nil {
			b.Fatal(err)
		}
		for {
			cur, err := st.IssueByID(ctx, is.ID)
			if err != nil {
				b.Fatal(err)
			}
			if cur.Status == store.IssueSent {
				break
			}
			if cur.Status != store.IssueSending {
				b.Fatalf("issue %s: %s", cur.Status, cur.PauseReason)
			}
			time.Sleep(20 * time.Millisecond)
		}
		elapsed := time.Since(start)
		total += elapsed
		b.StopTimer()
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		sender.Close()
		if got := sink.Total(); got != n {
			b.Fatalf("the server got %d messages, want %d", got, n)
		}
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "msgs/s")
	if mb := peakRSSMB(); mb > 0 {
		b.ReportMetric(mb, "peak-RSS-MB")
	}
}
