package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
)

func addSubscriber(t *testing.T, s *store.Store, email string, status store.SubscriberStatus, change func(*store.Subscriber)) store.Subscriber {
	t.Helper()
	sub := store.Subscriber{Email: email, Status: status, WantsRoundup: true, ConsentSource: "test", ConsentAt: t0, CreatedAt: t0}
	if change != nil {
		change(&sub)
	}
	if err := s.CreateSubscriber(context.Background(), &sub); err != nil {
		t.Fatalf("CreateSubscriber(%s): %v", email, err)
	}
	return sub
}

func TestSubscribers(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ann := store.Subscriber{Email: "  Ann.Lee@Example.ORG ", Name: "Ann Lee", Status: store.SubscriberPending,
			WantsRoundup: true, ConsentSource: "subscribe form", ConsentIP: "192.0.2.7", ConsentAt: t0, CreatedAt: t0}
		if err := s.CreateSubscriber(ctx, &ann); err != nil {
			t.Fatal(err)
		}
		if ann.Email != "ann.lee@example.org" || ann.ID == 0 || !ann.UpdatedAt.Equal(t0) {
			t.Errorf("after CreateSubscriber: %+v", ann)
		}
		got, err := s.SubscriberByEmail(ctx, "ANN.LEE@example.org")
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "SubscriberByEmail", got, ann)
		got, err = s.SubscriberByID(ctx, ann.ID)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "SubscriberByID", got, ann)

		dup := store.Subscriber{Email: "ann.lee@EXAMPLE.org", Status: store.SubscriberPending}
		wantErr(t, "CreateSubscriber of a known address", s.CreateSubscriber(ctx, &dup), store.ErrConflict)
		for name, bad := range map[string]store.Subscriber{
			"no address":            {Status: store.SubscriberPending},
			"no domain":             {Email: "ann@", Status: store.SubscriberPending},
			"line break in name":    {Email: "x@example.org", Name: "X\r\nBcc: y@example.org", Status: store.SubscriberPending},
			"unknown status":        {Email: "x@example.org", Status: "lurking"},
			"space inside address":  {Email: "a b@example.org", Status: store.SubscriberPending},
			"negative bounce count": {Email: "x@example.org", Status: store.SubscriberPending, BounceCount: -1},
		} {
			wantErr(t, "CreateSubscriber with "+name, s.CreateSubscriber(ctx, &bad), store.ErrInvalid)
		}

		ann.Status, ann.ConfirmedAt, ann.WantsEveryArticle, ann.UpdatedAt = store.SubscriberConfirmed, t0.Add(time.Hour), true, t0.Add(time.Hour)
		if err := s.UpdateSubscriber(ctx, ann); err != nil {
			t.Fatal(err)
		}
		got, _ = s.SubscriberByID(ctx, ann.ID)
		equal(t, "after UpdateSubscriber", got, ann)
		missing := ann
		missing.ID += 100
		wantErr(t, "UpdateSubscriber(missing)", s.UpdateSubscriber(ctx, missing), store.ErrNotFound)

		bob := addSubscriber(t, s, "bob@example.org", store.SubscriberUnsubscribed, func(sb *store.Subscriber) { sb.Name = "Bob Okafor" })
		taken := bob
		taken.Email = "ANN.LEE@example.org"
		wantErr(t, "UpdateSubscriber to a taken address", s.UpdateSubscriber(ctx, taken), store.ErrConflict)

		page, err := s.Subscribers(ctx, store.SubscriberFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 2 || page.Subscribers[0].ID != bob.ID {
			t.Errorf("Subscribers, newest first: %+v", page)
		}
		page, _ = s.Subscribers(ctx, store.SubscriberFilter{Query: "OKAF"})
		if page.Total != 1 || page.Subscribers[0].ID != bob.ID {
			t.Errorf("Subscribers matching a name: %+v", page)
		}
		page, _ = s.Subscribers(ctx, store.SubscriberFilter{Query: "lee@", Status: store.SubscriberConfirmed})
		if page.Total != 1 || page.Subscribers[0].ID != ann.ID {
			t.Errorf("confirmed subscribers matching an address: %+v", page)
		}
		page, _ = s.Subscribers(ctx, store.SubscriberFilter{Query: "%"})
		if page.Total != 0 {
			t.Errorf("a LIKE wildcard matched literally nothing, got %+v", page)
		}
		counts, err := s.SubscriberCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "SubscriberCounts", counts, map[store.SubscriberStatus]int{store.SubscriberConfirmed: 1, store.SubscriberUnsubscribed: 1})

		if err := s.DeleteSubscriber(ctx, bob.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.SubscriberByID(ctx, bob.ID)
		wantErr(t, "SubscriberByID after erasure", err, store.ErrNotFound)
		wantErr(t, "DeleteSubscriber twice", s.DeleteSubscriber(ctx, bob.ID), store.ErrNotFound)
	})
}

func TestImportSubscribers(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		addSubscriber(t, s, "known@example.org", store.SubscriberConfirmed, nil)
		var subs []store.Subscriber
		for i := range 130 {
			subs = append(subs, store.Subscriber{Email: fmt.Sprintf("reader%03d@example.org", i), Status: store.SubscriberConfirmed,
				WantsRoundup: true, ConsentSource: "import", ConsentAt: t0})
		}
		subs = append(subs, store.Subscriber{Email: "KNOWN@example.org", Status: store.SubscriberConfirmed},
			store.Subscriber{Email: "reader007@example.org", Status: store.SubscriberPending})
		n, err := s.ImportSubscribers(ctx, subs)
		if err != nil {
			t.Fatal(err)
		}
		if n != 130 {
			t.Errorf("ImportSubscribers added %d, want 130 (duplicates merged)", n)
		}
		counts, _ := s.SubscriberCounts(ctx)
		if counts[store.SubscriberConfirmed] != 131 || counts[store.SubscriberPending] != 0 {
			t.Errorf("counts after import: %v", counts)
		}
		bad := []store.Subscriber{{Email: "new@example.org", Status: store.SubscriberConfirmed}, {Email: "broken", Status: store.SubscriberConfirmed}}
		_, err = s.ImportSubscribers(ctx, bad)
		wantErr(t, "ImportSubscribers with a bad row", err, store.ErrInvalid)
		_, err = s.SubscriberByEmail(ctx, "new@example.org")
		wantErr(t, "a good row of a refused import", err, store.ErrNotFound)
	})
}

func TestIssues(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p1 := savePost(t, s, content.Post{Slug: "one", PublishedAt: days(-2)})
		p2 := savePost(t, s, content.Post{Slug: "two", PublishedAt: days(-1)})

		is := store.Issue{Kind: store.IssueRoundup, Subject: "The week in review", Intro: "Hello.", Items: []int64{p2.ID, p1.ID},
			CoversFrom: days(-7), CoversUntil: t0, CreatedAt: t0}
		if err := s.CreateIssue(ctx, &is); err != nil {
			t.Fatal(err)
		}
		if is.Status != store.IssueDraft || is.ID == 0 {
			t.Errorf("after CreateIssue: %+v", is)
		}
		got, err := s.IssueByID(ctx, is.ID)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "IssueByID", got, is)

		for name, bad := range map[string]store.Issue{
			"unknown kind":          {Kind: "digest"},
			"article without post":  {Kind: store.IssueArticle},
			"round-up with a post":  {Kind: store.IssueRoundup, PostID: p1.ID},
			"line break in subject": {Kind: store.IssueRoundup, Subject: "Hi\nBcc: x@example.org"},
			"repeated item":         {Kind: store.IssueRoundup, Items: []int64{p1.ID, p1.ID}},
			"missing post":          {Kind: store.IssueArticle, PostID: p2.ID + 100},
		} {
			wantErr(t, "CreateIssue with "+name, s.CreateIssue(ctx, &bad), store.ErrInvalid)
		}

		art := store.Issue{Kind: store.IssueArticle, PostID: p1.ID, Subject: "One"}
		if err := s.CreateIssue(ctx, &art); err != nil {
			t.Fatal(err)
		}
		again := store.Issue{Kind: store.IssueArticle, PostID: p1.ID, Subject: "One again"}
		wantErr(t, "a second issue for one post", s.CreateIssue(ctx, &again), store.ErrConflict)
		if got, err := s.IssueByPost(ctx, p1.ID); err != nil || got.ID != art.ID {
			t.Errorf("IssueByPost = %+v, %v", got, err)
		}

		is.Subject, is.Items = "Revised", []int64{p1.ID}
		if err := s.UpdateIssueContent(ctx, is); err != nil {
			t.Fatal(err)
		}
		got, _ = s.IssueByID(ctx, is.ID)
		if got.Subject != "Revised" || len(got.Items) != 1 || got.Items[0] != p1.ID {
			t.Errorf("after UpdateIssueContent: %+v", got)
		}

		page, err := s.Issues(ctx, store.IssueFilter{Kind: store.IssueRoundup})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 1 || page.Issues[0].ID != is.ID || page.Issues[0].HTML != "" {
			t.Errorf("Issues(round-ups): %+v", page)
		}

		_, err = s.LastRoundup(ctx)
		wantErr(t, "LastRoundup with only a draft", err, store.ErrNotFound)

		at := t0.Add(24 * time.Hour)
		sched, err := s.SetIssueStatus(ctx, is.ID, store.IssueScheduled, at, "", store.IssueDraft)
		if err != nil {
			t.Fatal(err)
		}
		if sched.Status != store.IssueScheduled || !sched.ScheduledAt.Equal(at) {
			t.Errorf("scheduled: %+v", sched)
		}
		if last, err := s.LastRoundup(ctx); err != nil || last.ID != is.ID {
			t.Errorf("LastRoundup = %+v, %v", last, err)
		}
		_, err = s.SetIssueStatus(ctx, is.ID, store.IssuePaused, at, "", store.IssueSending)
		wantErr(t, "pausing an issue that is not sending", err, store.ErrConflict)

		started, n, err := s.StartIssue(ctx, is.ID, "<p>html</p>", "text", at)
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 || started.Status != store.IssueSending || started.HTML != "<p>html</p>" || !started.StartedAt.Equal(at) {
			t.Errorf("StartIssue = %+v, %d", started, n)
		}
		wantErr(t, "UpdateIssueContent while sending", s.UpdateIssueContent(ctx, is), store.ErrConflict)
		_, _, err = s.StartIssue(ctx, is.ID, "x", "x", at)
		wantErr(t, "StartIssue twice", err, store.ErrConflict)

		paused, err := s.SetIssueStatus(ctx, is.ID, store.IssuePaused, at.Add(time.Minute), "too many errors", store.IssueSending)
		if err != nil {
			t.Fatal(err)
		}
		if paused.PauseReason != "too many errors" {
			t.Errorf("paused: %+v", paused)
		}
		resumed, err := s.SetIssueStatus(ctx, is.ID, store.IssueSending, at.Add(2*time.Minute), "", store.IssuePaused)
		if err != nil {
			t.Fatal(err)
		}
		if resumed.PauseReason != "" || !resumed.StartedAt.Equal(at) {
			t.Errorf("resumed: %+v", resumed)
		}
		sent, err := s.SetIssueStatus(ctx, is.ID, store.IssueSent, at.Add(3*time.Minute), "", store.IssueSending)
		if err != nil {
			t.Fatal(err)
		}
		if !sent.FinishedAt.Equal(at.Add(3 * time.Minute)) {
			t.Errorf("sent: %+v", sent)
		}
		wantErr(t, "DeleteIssue of a sent issue", s.DeleteIssue(ctx, is.ID), store.ErrConflict)
		if err := s.DeleteIssue(ctx, art.ID); err != nil {
			t.Errorf("DeleteIssue of a draft: %v", err)
		}
		_, err = s.SetIssueStatus(ctx, is.ID+100, store.IssueSent, at, "", store.IssueSending)
		wantErr(t, "SetIssueStatus(missing)", err, store.ErrNotFound)
	})
}

func TestDeliveries(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ann := addSubscriber(t, s, "ann@example.org", store.SubscriberConfirmed, nil)
		bob := addSubscriber(t, s, "bob@example.org", store.SubscriberConfirmed, func(sb *store.Subscriber) { sb.WantsEveryArticle = true })
		addSubscriber(t, s, "cy@example.org", store.SubscriberConfirmed, func(sb *store.Subscriber) { sb.Paused = true })
		addSubscriber(t, s, "di@example.org", store.SubscriberPending, nil)
		addSubscriber(t, s, "ed@example.org", store.SubscriberUnsubscribed, nil)
		fay := addSubscriber(t, s, "fay@example.org", store.SubscriberConfirmed, func(sb *store.Subscriber) { sb.WantsRoundup = false })

		is := store.Issue{Kind: store.IssueRoundup, Subject: "Week"}
		if err := s.CreateIssue(ctx, &is); err != nil {
			t.Fatal(err)
		}
		_, n, err := s.StartIssue(ctx, is.ID, "<p>x</p>", "x", t0)
		if err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Fatalf("StartIssue created %d deliveries, want 2 (confirmed, unpaused, wanting round-ups)", n)
		}
		if _, err := s.DeliveryOf(ctx, is.ID, fay.ID); err == nil {
			t.Error("a subscriber who does not want round-ups got a delivery")
		}

		until := t0.Add(time.Minute)
		targets, err := s.ClaimDeliveries(ctx, is.ID, t0, until, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(targets) != 2 || targets[0].Subscriber.Email != "ann@example.org" || targets[1].SubscriberID != bob.ID ||
			!targets[0].ClaimedUntil.Equal(until) {
			t.Fatalf("ClaimDeliveries = %+v", targets)
		}
		// Claimed rows are nobody else's until the lease ends.
		if more, err := s.ClaimDeliveries(ctx, is.ID, t0, until, 10); err != nil || len(more) != 0 {
			t.Errorf("second claim = %+v, %v; want nothing", more, err)
		}
		if next, _ := s.NextDeliveryDue(ctx, is.ID, t0); !next.Equal(until) {
			t.Errorf("NextDeliveryDue with both claimed = %v, want the lease end %v", next, until)
		}

		if err := s.MarkDeliverySent(ctx, targets[0].ID, ann.ID, t0.Add(time.Second), "<1@example.org>", false); err != nil {
			t.Fatal(err)
		}
		retryAt := t0.Add(10 * time.Minute)
		if bounced, err := s.MarkDeliveryFailed(ctx, store.DeliveryFailure{ID: targets[1].ID, SubscriberID: bob.ID, At: t0,
			Error: "451 try later", RetryAt: retryAt}); err != nil || bounced {
			t.Fatalf("MarkDeliveryFailed(temporary) = %v, %v", bounced, err)
		}
		c, err := s.DeliveryCounts(ctx, is.ID)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "counts", c, store.DeliveryCounts{Sent: 1, Retrying: 1, Total: 2})
		if c.Remaining() != 1 {
			t.Errorf("Remaining = %d", c.Remaining())
		}
		if next, _ := s.NextDeliveryDue(ctx, is.ID, t0); !next.Equal(retryAt) {
			t.Errorf("NextDeliveryDue = %v, want the retry time %v", next, retryAt)
		}
		if got, _ := s.ClaimDeliveries(ctx, is.ID, t0.Add(time.Minute), t0.Add(2*time.Minute), 10); len(got) != 0 {
			t.Errorf("a delivery was claimed before its retry time: %+v", got)
		}
		got, err := s.ClaimDeliveries(ctx, is.ID, retryAt, retryAt.Add(time.Minute), 10)
		if err != nil || len(got) != 1 || got[0].Attempts != 1 || got[0].LastError != "451 try later" {
			t.Fatalf("claim after the retry time = %+v, %v", got, err)
		}
		// A sender that stops gives its claims back; they are due at once.
		if err := s.ReleaseDeliveries(ctx, []int64{got[0].ID}, retryAt.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		got, err = s.ClaimDeliveries(ctx, is.ID, retryAt, retryAt.Add(time.Minute), 10)
		if err != nil || len(got) != 1 {
			t.Fatalf("claim after release = %+v, %v", got, err)
		}

		if n, err := s.DeliveriesSentSince(ctx, is.ID, t0); err != nil || n != 1 {
			t.Errorf("DeliveriesSentSince = %d, %v", n, err)
		}
		d, err := s.DeliveryOf(ctx, is.ID, ann.ID)
		if err != nil || d.Status != store.DeliverySent || d.MessageID != "<1@example.org>" || d.Attempts != 1 || !d.ClaimedUntil.IsZero() {
			t.Errorf("Ann's delivery = %+v, %v", d, err)
		}
		// What was sent stays sent.
		_, err = s.MarkDeliveryFailed(ctx, store.DeliveryFailure{ID: d.ID, At: t0, Error: "late"})
		wantErr(t, "failing a sent delivery", err, store.ErrNotFound)
		wantErr(t, "skipping a sent delivery", s.MarkDeliverySkipped(ctx, d.ID, "left"), store.ErrNotFound)

		if err := s.MarkDeliverySkipped(ctx, got[0].ID, "unsubscribed"); err != nil {
			t.Fatal(err)
		}
		page, err := s.Deliveries(ctx, store.DeliveryFilter{IssueID: is.ID, Statuses: []store.DeliveryStatus{store.DeliverySkipped}})
		if err != nil || page.Total != 1 || page.Deliveries[0].Email != "bob@example.org" || page.Deliveries[0].LastError != "unsubscribed" {
			t.Errorf("skipped deliveries = %+v, %v", page, err)
		}

		// Starting an issue again creates no second delivery.
		art := store.Issue{Kind: store.IssueArticle, PostID: savePost(t, s, content.Post{Slug: "a", PublishedAt: t0}).ID, Subject: "A"}
		if err := s.CreateIssue(ctx, &art); err != nil {
			t.Fatal(err)
		}
		if _, n, err := s.StartIssue(ctx, art.ID, "", "x", t0); err != nil || n != 1 {
			t.Fatalf("StartIssue(article) = %d, %v; want Bob alone", n, err)
		}
	})
}

func TestBounces(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sub := addSubscriber(t, s, "gone@example.org", store.SubscriberConfirmed, nil)
		var ids []int64
		for i := range 4 {
			is := store.Issue{Kind: store.IssueRoundup, Subject: fmt.Sprint("Week ", i)}
			if err := s.CreateIssue(ctx, &is); err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.StartIssue(ctx, is.ID, "", "x", t0); err != nil {
				t.Fatal(err)
			}
			d, err := s.DeliveryOf(ctx, is.ID, sub.ID)
			if err != nil {
				t.Fatalf("issue %d: %v", i, err)
			}
			ids = append(ids, d.ID)
		}
		fail := func(id int64) bool {
			t.Helper()
			bounced, err := s.MarkDeliveryFailed(ctx, store.DeliveryFailure{ID: id, SubscriberID: sub.ID, At: t0,
				Error: "550 no such user", Bounce: true, BounceLimit: 3})
			if err != nil {
				t.Fatal(err)
			}
			return bounced
		}
		if fail(ids[0]) || fail(ids[1]) {
			t.Fatal("bounced before the third permanent failure")
		}
		// A success in between starts the count again.
		if err := s.MarkDeliverySent(ctx, ids[2], sub.ID, t0, "<x@example.org>", true); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.SubscriberByID(ctx, sub.ID); got.BounceCount != 0 || got.Status != store.SubscriberConfirmed {
			t.Fatalf("after a success: %+v", got)
		}
		if fail(ids[3]) {
			t.Fatal("bounced after one failure")
		}
		sub2 := addSubscriber(t, s, "gone2@example.org", store.SubscriberConfirmed, func(sb *store.Subscriber) { sb.BounceCount = 2 })
		is := store.Issue{Kind: store.IssueRoundup, Subject: "Last"}
		if err := s.CreateIssue(ctx, &is); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.StartIssue(ctx, is.ID, "", "x", t0); err != nil {
			t.Fatal(err)
		}
		d, _ := s.DeliveryOf(ctx, is.ID, sub2.ID)
		bounced, err := s.MarkDeliveryFailed(ctx, store.DeliveryFailure{ID: d.ID, SubscriberID: sub2.ID, At: t0,
			Error: "550 no such user", Bounce: true, BounceLimit: 3})
		if err != nil || !bounced {
			t.Fatalf("third permanent failure: bounced %v, %v", bounced, err)
		}
		if got, _ := s.SubscriberByID(ctx, sub2.ID); got.Status != store.SubscriberBounced || got.BounceCount != 3 {
			t.Errorf("after the third failure: %+v", got)
		}
	})
}

// TestClaimDeliveriesConcurrently has several senders claim one issue's
// deliveries at once: each delivery goes to exactly one of them.
func TestClaimDeliveriesConcurrently(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var subs []store.Subscriber
		for i := range 300 {
			subs = append(subs, store.Subscriber{Email: fmt.Sprintf("r%d@example.org", i), Status: store.SubscriberConfirmed, WantsRoundup: true})
		}
		if _, err := s.ImportSubscribers(ctx, subs); err != nil {
			t.Fatal(err)
		}
		is := store.Issue{Kind: store.IssueRoundup, Subject: "Week"}
		if err := s.CreateIssue(ctx, &is); err != nil {
			t.Fatal(err)
		}
		if _, n, err := s.StartIssue(ctx, is.ID, "", "x", t0); err != nil || n != 300 {
			t.Fatalf("StartIssue = %d, %v", n, err)
		}
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				for {
					ts, err := s.ClaimDeliveries(ctx, is.ID, t0, t0.Add(time.Hour), 7)
					if err != nil {
						t.Error(err)
						return
					}
					if len(ts) == 0 {
						return
					}
					mu.Lock()
					for _, tg := range ts {
						seen[tg.ID]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(seen) != 300 {
			t.Errorf("%d deliveries claimed, want 300", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("delivery %d claimed %d times", id, n)
			}
		}
	})
}

func TestInitSetting(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		v, err := s.InitSetting(ctx, "newsletter.secret", "first")
		if err != nil || v != "first" {
			t.Fatalf("InitSetting = %q, %v", v, err)
		}
		if v, err := s.InitSetting(ctx, "newsletter.secret", "second"); err != nil || v != "first" {
			t.Errorf("InitSetting again = %q, %v; want the first value kept", v, err)
		}
		if v, _ := s.Setting(ctx, "newsletter.secret"); v != "first" {
			t.Errorf("Setting = %q", v)
		}
	})
}
