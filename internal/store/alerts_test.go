package store_test

import (
	"context"
	"testing"

	"masthead/internal/content"
	"masthead/internal/store"
)

func TestTopicAlertDeliveries(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := savePost(t, s, content.Post{Slug: "iran-talks", PublishedAt: days(-1)})
		other := savePost(t, s, content.Post{Slug: "other", PublishedAt: days(-1)})
		for _, d := range []struct {
			topic  string
			status store.PostTopicStatus
		}{{"iran", store.TopicAccepted}, {"iraq", store.TopicRejected}} {
			if err := s.DecidePostTopic(ctx, p.ID, d.topic, d.status, t0); err != nil {
				t.Fatal(err)
			}
		}
		confirmed := store.SubscriberConfirmed
		ann := addSubscriber(t, s, "ann@example.org", confirmed, nil)                                                      // instant Iran
		bob := addSubscriber(t, s, "bob@example.org", confirmed, nil)                                                      // Iran in the round-up
		cy := addSubscriber(t, s, "cy@example.org", confirmed, nil)                                                        // instant Iraq, rejected
		dee := addSubscriber(t, s, "dee@example.org", confirmed, func(x *store.Subscriber) { x.Paused = true })            // paused
		eve := addSubscriber(t, s, "eve@example.org", store.SubscriberPending, nil)                                        // unconfirmed
		fay := addSubscriber(t, s, "fay@example.org", confirmed, func(x *store.Subscriber) { x.WantsEveryArticle = true }) // both
		gus := addSubscriber(t, s, "gus@example.org", confirmed, func(x *store.Subscriber) { x.WantsEveryArticle = true }) // every article only
		for _, f := range []store.TopicFollow{{SubscriberID: ann.ID, Topic: "iran", Instant: true},
			{SubscriberID: ann.ID, Topic: "nato", Instant: true}, {SubscriberID: bob.ID, Topic: "iran"},
			{SubscriberID: cy.ID, Topic: "iraq", Instant: true}, {SubscriberID: dee.ID, Topic: "iran", Instant: true},
			{SubscriberID: eve.ID, Topic: "iran", Instant: true}, {SubscriberID: fay.ID, Topic: "iran", Instant: true}} {
			f.CreatedAt = t0
			if err := s.FollowTopic(ctx, f); err != nil {
				t.Fatal(err)
			}
		}
		is := store.Issue{Kind: store.IssueArticle, PostID: p.ID, Subject: "Iran talks", Items: []int64{p.ID}, CreatedAt: t0}
		if err := s.CreateIssue(ctx, &is); err != nil {
			t.Fatal(err)
		}
		_, err := s.AddTopicAlertDeliveries(ctx, is.ID, other.ID)
		wantErr(t, "alerts for another post", err, store.ErrInvalid)

		started, err := s.StartIssueForAlerts(ctx, is.ID, "<p>x</p>", "x", t0)
		if err != nil {
			t.Fatal(err)
		}
		if started.Status != store.IssueSending || started.AudienceAdded {
			t.Errorf("started for alerts: status %s, audience added %v", started.Status, started.AudienceAdded)
		}
		n, err := s.AddTopicAlertDeliveries(ctx, is.ID, p.ID)
		if err != nil || n != 2 {
			t.Fatalf("AddTopicAlertDeliveries = %d, %v; want 2 (ann, fay)", n, err)
		}
		if n, err := s.AddTopicAlertDeliveries(ctx, is.ID, p.ID); err != nil || n != 0 {
			t.Errorf("AddTopicAlertDeliveries again = %d, %v; want 0", n, err)
		}
		for _, sub := range []store.Subscriber{ann, fay} {
			d, err := s.DeliveryOf(ctx, is.ID, sub.ID)
			if err != nil || d.Reason != store.ReasonTopic || d.Status != store.DeliveryPending {
				t.Errorf("delivery of %s = %+v, %v", sub.Email, d, err)
			}
		}
		for _, sub := range []store.Subscriber{bob, cy, dee, eve, gus} {
			if _, err := s.DeliveryOf(ctx, is.ID, sub.ID); err == nil {
				t.Errorf("%s got a delivery", sub.Email)
			}
		}

		// The editor's send adds those wanting every article; fay keeps
		// her one delivery.
		n, err = s.AddIssueAudience(ctx, is.ID)
		if err != nil || n != 1 {
			t.Fatalf("AddIssueAudience = %d, %v; want 1 (gus)", n, err)
		}
		if d, err := s.DeliveryOf(ctx, is.ID, gus.ID); err != nil || d.Reason != store.ReasonAudience {
			t.Errorf("delivery of gus = %+v, %v", d, err)
		}
		if d, err := s.DeliveryOf(ctx, is.ID, fay.ID); err != nil || d.Reason != store.ReasonTopic {
			t.Errorf("delivery of fay = %+v, %v", d, err)
		}
		_, err = s.AddIssueAudience(ctx, is.ID)
		wantErr(t, "AddIssueAudience twice", err, store.ErrConflict)
		if got, err := s.IssueByID(ctx, is.ID); err != nil || !got.AudienceAdded {
			t.Errorf("issue after its audience = %+v, %v", got, err)
		}
		c, err := s.DeliveryCounts(ctx, is.ID)
		if err != nil || c.Total != 3 {
			t.Errorf("deliveries = %+v, %v; want 3", c, err)
		}

		// An issue started the usual way has its audience already.
		o := store.Issue{Kind: store.IssueArticle, PostID: other.ID, Subject: "Other", Items: []int64{other.ID}, CreatedAt: t0}
		if err := s.CreateIssue(ctx, &o); err != nil {
			t.Fatal(err)
		}
		_, err = s.AddIssueAudience(ctx, o.ID)
		wantErr(t, "AddIssueAudience on a draft", err, store.ErrConflict)
		if st, _, err := s.StartIssue(ctx, o.ID, "<p>x</p>", "x", t0); err != nil || !st.AudienceAdded {
			t.Fatalf("StartIssue = %+v, %v", st, err)
		}
		_, err = s.AddIssueAudience(ctx, o.ID)
		wantErr(t, "AddIssueAudience on an issue started for everyone", err, store.ErrConflict)
		if _, err := s.SetIssueStatus(ctx, o.ID, store.IssueCancelled, t0, "", store.IssueSending); err != nil {
			t.Fatal(err)
		}
		_, err = s.AddTopicAlertDeliveries(ctx, o.ID, other.ID)
		wantErr(t, "alerts on a cancelled issue", err, store.ErrConflict)

		r := store.Issue{Kind: store.IssueRoundup, Subject: "Week", CreatedAt: t0}
		if err := s.CreateIssue(ctx, &r); err != nil {
			t.Fatal(err)
		}
		_, err = s.StartIssueForAlerts(ctx, r.ID, "<p>x</p>", "x", t0)
		wantErr(t, "round-up started for alerts", err, store.ErrInvalid)
	})
}
