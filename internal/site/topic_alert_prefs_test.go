package site

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"masthead/internal/store"
)

// followWaysOf returns how the subscriber follows each topic: "instant"
// or "roundup".
func followWaysOf(t *testing.T, r *newsletterRig, email string) map[string]string {
	t.Helper()
	sub, err := r.store.SubscriberByEmail(r.ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := r.store.SubscriberTopics(r.ctx, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range fs {
		out[f.Topic] = map[bool]string{true: "instant", false: "roundup"}[f.Instant]
	}
	return out
}

// selectedWay returns the chosen option of a topic's "how" select.
func selectedWay(t *testing.T, r *newsletterRig, prefs, slug string) string {
	t.Helper()
	_, doc := r.getOK(prefs)
	sel := find(doc, "select", "name", "how-"+slug)
	if sel == nil {
		t.Fatalf("no choice of how to follow %s", slug)
	}
	for _, o := range findAll(sel, "option") {
		if hasAttr(o, "selected") {
			return attr(o, "value")
		}
	}
	return ""
}

func TestPreferencesChooseTopicAlerts(t *testing.T) {
	t.Parallel()
	r := newNewsletterRig(t, nil)
	p := r.rig.post("Iran and NATO", time.Now().Add(-time.Hour), nil)
	for _, slug := range []string{"iran", "nato"} {
		if err := r.store.DecidePostTopic(r.ctx, p.ID, slug, store.TopicAccepted, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if res := r.post("/subscribe", url.Values{"email": {"ann@example.org"}}, "192.0.2.41:1"); res.status != http.StatusOK {
		t.Fatal(res.status)
	}
	r.post(paths(t, r.to("ann@example.org")[0])["subscribe"], nil, "")
	prefs := paths(t, r.to("ann@example.org")[1])["preferences"]
	if got := selectedWay(t, r, prefs, "iran"); got != "roundup" {
		t.Errorf("the choice offered first = %q, want the round-up", got)
	}

	save := url.Values{"action": {"save"}, "roundup": {"1"}, "topics": {"shown"}, "topic": {"iran", "nato"},
		"how-iran": {"instant"}, "how-nato": {"roundup"}}
	if res := r.post(prefs, save, ""); res.status != http.StatusOK {
		t.Fatalf("save: %d\n%s", res.status, res.body)
	}
	if got := followWaysOf(t, r, "ann@example.org"); got["iran"] != "instant" || got["nato"] != "roundup" || len(got) != 2 {
		t.Errorf("following %v", got)
	}
	if got := selectedWay(t, r, prefs, "iran"); got != "instant" {
		t.Errorf("Iran shows %q, want right away", got)
	}
	if got := selectedWay(t, r, prefs, "nato"); got != "roundup" {
		t.Errorf("NATO shows %q, want the round-up", got)
	}

	// Changing the way of a followed topic.
	save.Set("how-iran", "roundup")
	save.Set("how-nato", "instant")
	if res := r.post(prefs, save, ""); res.status != http.StatusOK {
		t.Fatalf("change: %d", res.status)
	}
	if got := followWaysOf(t, r, "ann@example.org"); got["iran"] != "roundup" || got["nato"] != "instant" {
		t.Errorf("after changing: %v", got)
	}

	// A way the form does not offer refuses the whole form.
	bad := url.Values{"action": {"save"}, "every_article": {"1"}, "topics": {"shown"}, "topic": {"iran"},
		"how-iran": {"hourly"}}
	if res := r.post(prefs, bad, ""); res.status != http.StatusBadRequest {
		t.Errorf("unknown way: %d", res.status)
	}
	sub, _ := r.store.SubscriberByEmail(r.ctx, "ann@example.org")
	if got := followWaysOf(t, r, "ann@example.org"); got["iran"] != "roundup" || got["nato"] != "instant" || sub.WantsEveryArticle {
		t.Errorf("after a refused form: %v, every article %v", got, sub.WantsEveryArticle)
	}

	// A form that does not say how keeps the way a topic was followed.
	keep := url.Values{"action": {"save"}, "roundup": {"1"}, "topics": {"shown"}, "topic": {"nato"}}
	if res := r.post(prefs, keep, ""); res.status != http.StatusOK {
		t.Fatalf("keep: %d", res.status)
	}
	if got := followWaysOf(t, r, "ann@example.org"); got["nato"] != "instant" || len(got) != 1 {
		t.Errorf("after a form without the choice: %v", got)
	}
}
