package editorial_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/editorial"
	"masthead/internal/jobs"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
	"masthead/internal/topics/topicstore"
)

func topicStatus(ts []editorial.PostTopic) map[string]store.PostTopicStatus {
	out := map[string]store.PostTopicStatus{}
	for _, t := range ts {
		out[t.Topic] = t.Status
	}
	return out
}

func TestSaveSuggestsTopicsAndEditorsDecide(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		r := newRig(t, st)
		writer := r.member(store.RoleAuthor)
		ed := r.member(store.RoleEditor)

		p, err := r.svc.CreateDraft(r.ctx, writer, editorial.PostInput{
			Title: "Tehran answers the IAEA",
			Body:  "Iran's foreign minister said the Iranian programme was peaceful. NATO was not mentioned by Iran again.\n",
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.svc.PostTopics(r.ctx, ed, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		status := topicStatus(got)
		for _, want := range []string{"iran", "iaea", "nato"} {
			if status[want] != store.TopicSuggested {
				t.Errorf("after save, topic %q is %q, want suggested (all: %+v)", want, status[want], got)
			}
		}
		var iran editorial.PostTopic
		for _, tp := range got {
			if tp.Topic == "iran" {
				iran = tp
			}
		}
		if iran.Name != "Iran" || iran.Mentions < 4 {
			t.Errorf("iran suggestion: %+v, want name Iran and at least 4 mentions", iran)
		}

		// Writers below editor may not decide; nothing changes.
		if err := r.svc.DecidePostTopic(r.ctx, writer, p.ID, "iran", store.TopicAccepted); !errors.Is(err, editorial.ErrForbidden) {
			t.Fatalf("writer accepting: %v, want forbidden", err)
		}
		// An unknown topic is refused with a message.
		err = r.svc.DecidePostTopic(r.ctx, ed, p.ID, "atlantis", store.TopicAccepted)
		if !errors.Is(err, editorial.ErrInvalid) || !strings.Contains(err.Error(), "atlantis") {
			t.Fatalf("unknown topic: %v", err)
		}
		if err := r.svc.DecidePostTopic(r.ctx, ed, p.ID, "iran", store.TopicAccepted); err != nil {
			t.Fatal(err)
		}
		if err := r.svc.DecidePostTopic(r.ctx, ed, p.ID, "nato", store.TopicRejected); err != nil {
			t.Fatal(err)
		}
		// An editor may add a topic detection did not find.
		if err := r.svc.DecidePostTopic(r.ctx, ed, p.ID, "france", store.TopicAccepted); err != nil {
			t.Fatal(err)
		}
		if err := r.svc.DecidePostTopic(r.ctx, ed, 999999, "iran", store.TopicAccepted); !errors.Is(err, editorial.ErrNotFound) {
			t.Fatalf("missing post: %v", err)
		}

		// Saving again keeps the decisions; a suggestion the text lost goes.
		in := input(r.reload(p.ID))
		in.Body = "Iran again, and Iran once more. No more agencies.\n"
		in.Title = "Plain title"
		if _, err := r.svc.SavePost(r.ctx, writer, p.ID, in, editorial.SaveOptions{}); err != nil {
			t.Fatal(err)
		}
		got, err = r.svc.PostTopics(r.ctx, ed, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		status = topicStatus(got)
		want := map[string]store.PostTopicStatus{"iran": store.TopicAccepted, "nato": store.TopicRejected, "france": store.TopicAccepted}
		for k, v := range want {
			if status[k] != v {
				t.Errorf("after second save %q is %q, want %q", k, status[k], v)
			}
		}
		if _, ok := status["iaea"]; ok {
			t.Errorf("the IAEA suggestion should be gone once the text no longer names it: %+v", got)
		}
		// Accepted ones come first.
		if len(got) == 0 || got[0].Status != store.TopicAccepted {
			t.Errorf("order: %+v", got)
		}
	})
}

func TestTopicDecisionOnPublishedPostRefreshesTheSite(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		r := newRig(t, st)
		ed := r.member(store.RoleEditor)
		p := r.post(content.StatusPublished, ed.AuthorID)
		before := r.invalidated.Load()
		if err := r.svc.DecidePostTopic(r.ctx, ed, p.ID, "iran", store.TopicAccepted); err != nil {
			t.Fatal(err)
		}
		if r.invalidated.Load() == before {
			t.Error("accepting a topic of a published post did not refresh the site")
		}
	})
}

func TestGazetteerCacheFollowsStoredEntries(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		r := newRig(t, st)
		var c topicstore.Cache
		g1, err := c.Get(r.ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		if g2, _ := c.Get(r.ctx, st); g2 != g1 {
			t.Error("an unchanged store compiled the gazetteer again")
		}
		if got := g1.Detector.Suggest("Mullah Omar spoke."); len(got) != 0 {
			t.Fatalf("before the entry: %+v", got)
		}
		e := store.TopicEntry{Slug: "mullah-omar", Name: "Mullah Omar", Kind: "person", Aliases: []string{"Omar"}}
		if err := st.SaveTopicEntry(r.ctx, e, time.Now()); err != nil {
			t.Fatal(err)
		}
		g3, err := c.Get(r.ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		if got := g3.Detector.Suggest("Mullah Omar spoke."); len(got) != 1 || got[0].Slug != "mullah-omar" {
			t.Errorf("after adding the entry: %+v", got)
		}
		// A stored row that no longer parses is skipped, not fatal.
		bad := store.TopicEntry{Slug: "broken", Name: "Broken", Kind: "person", Aliases: []string{"Bad~7"}}
		if err := st.SaveTopicEntry(r.ctx, bad, time.Now()); err != nil {
			t.Fatal(err)
		}
		g4, err := c.Get(r.ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		if len(g4.Skipped) != 1 {
			t.Errorf("skipped: %v", g4.Skipped)
		}
		if _, ok := g4.Entry("mullah-omar"); !ok {
			t.Error("a bad row hid the good one")
		}
	})
}

// TestPublishingAndAcceptingQueueTopicAlerts checks the two moments a
// post's followers may hear of it: when it is published, and when an
// editor accepts one more topic of it once it is out.
func TestPublishingAndAcceptingQueueTopicAlerts(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		r := newRig(t, st)
		ed := r.member(store.RoleEditor)

		// Publishing queues the alerts in the same transaction.
		draft := r.post(content.StatusDraft, ed.AuthorID)
		if _, err := st.JobByUniqueKey(r.ctx, jobs.TopicAlertsKey(draft.ID)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a draft has topic alerts queued: %v", err)
		}
		if _, err := r.svc.Publish(r.ctx, ed, draft.ID); err != nil {
			t.Fatal(err)
		}
		job, err := st.JobByUniqueKey(r.ctx, jobs.TopicAlertsKey(draft.ID))
		if err != nil || job.Kind != jobs.KindTopicAlerts {
			t.Fatalf("after publishing, the alert job is %+v, %v", job, err)
		}

		// Accepting a topic of a published post queues them; rejecting
		// one, or deciding on a draft, does not.
		out := r.post(content.StatusPublished, ed.AuthorID)
		if err := r.svc.DecidePostTopic(r.ctx, ed, out.ID, "iran", store.TopicRejected); err != nil {
			t.Fatal(err)
		}
		if _, err := st.JobByUniqueKey(r.ctx, jobs.TopicAlertsKey(out.ID)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("rejecting a topic queued alerts: %v", err)
		}
		if err := r.svc.DecidePostTopic(r.ctx, ed, out.ID, "iran", store.TopicAccepted); err != nil {
			t.Fatal(err)
		}
		if _, err := st.JobByUniqueKey(r.ctx, jobs.TopicAlertsKey(out.ID)); err != nil {
			t.Errorf("accepting a topic of a published post queued no alerts: %v", err)
		}
		other := r.post(content.StatusDraft, ed.AuthorID)
		if err := r.svc.DecidePostTopic(r.ctx, ed, other.ID, "iran", store.TopicAccepted); err != nil {
			t.Fatal(err)
		}
		if _, err := st.JobByUniqueKey(r.ctx, jobs.TopicAlertsKey(other.ID)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("accepting a topic of a draft queued alerts: %v", err)
		}
	})
}
