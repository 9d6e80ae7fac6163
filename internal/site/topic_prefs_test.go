package site

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"masthead/internal/store"
)

func followed(t *testing.T, r *newsletterRig, email string) string {
	t.Helper()
	sub, err := r.store.SubscriberByEmail(r.ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := r.store.SubscriberTopics(r.ctx, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fs {
		out = append(out, f.Topic)
	}
	return strings.Join(out, " ")
}

func TestPreferencesFollowTopics(t *testing.T) {
	t.Parallel()
	r := newNewsletterRig(t, nil)
	for _, title := range []string{"Iran and NATO", "Iran alone"} {
		p := r.rig.post(title, time.Now().Add(-time.Hour), nil)
		for _, slug := range strings.Fields(map[string]string{"Iran and NATO": "iran nato", "Iran alone": "iran"}[title]) {
			if err := r.store.DecidePostTopic(r.ctx, p.ID, slug, store.TopicAccepted, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	if res := r.post("/subscribe", url.Values{"email": {"ann@example.org"}}, "192.0.2.31:1"); res.status != http.StatusOK {
		t.Fatal(res.status)
	}
	r.post(paths(t, r.to("ann@example.org")[0])["subscribe"], nil, "")
	prefs := paths(t, r.to("ann@example.org")[1])["preferences"]

	_, doc := r.getOK(prefs)
	var offered []string
	for _, in := range findAll(doc, "input", "name", "topic") {
		offered = append(offered, attr(in, "value"))
		if hasAttr(in, "checked") {
			t.Errorf("topic %s is ticked before the reader chose it", attr(in, "value"))
		}
	}
	if got := strings.Join(offered, " "); got != "iran nato" {
		t.Fatalf("topics offered: %q", got)
	}

	save := url.Values{"action": {"save"}, "roundup": {"1"}, "topics": {"shown"}, "topic": {"nato", "iran"}}
	res := r.post(prefs, save, "")
	if res.status != http.StatusOK || !strings.Contains(res.body, "Your preferences are saved") {
		t.Fatalf("save: %d\n%s", res.status, res.body)
	}
	if got := followed(t, r, "ann@example.org"); got != "iran nato" {
		t.Errorf("following %q", got)
	}
	_, doc = r.getOK(prefs)
	for _, in := range findAll(doc, "input", "name", "topic") {
		if !hasAttr(in, "checked") {
			t.Errorf("followed topic %s is not ticked", attr(in, "value"))
		}
	}

	// Bad input: an unknown topic refuses the whole form and changes nothing.
	bad := url.Values{"action": {"save"}, "every_article": {"1"}, "topics": {"shown"}, "topic": {"iran", "atlantis"}}
	if res := r.post(prefs, bad, ""); res.status != http.StatusBadRequest {
		t.Errorf("unknown topic: %d", res.status)
	}
	sub, _ := r.store.SubscriberByEmail(r.ctx, "ann@example.org")
	if got := followed(t, r, "ann@example.org"); got != "iran nato" || sub.WantsEveryArticle {
		t.Errorf("after a refused form: following %q, every article %v", got, sub.WantsEveryArticle)
	}
	// A form refused by the newsletter's own rules leaves the topics too.
	if res := r.post(prefs, url.Values{"action": {"save"}, "topics": {"shown"}}, ""); res.status != http.StatusBadRequest {
		t.Errorf("saving nothing: %d", res.status)
	}
	if got := followed(t, r, "ann@example.org"); got != "iran nato" {
		t.Errorf("after a refused save: %q", got)
	}

	// Unticking unfollows.
	res = r.post(prefs, url.Values{"action": {"save"}, "roundup": {"1"}, "topics": {"shown"}, "topic": {"iran"}}, "")
	if res.status != http.StatusOK {
		t.Fatalf("untick: %d", res.status)
	}
	if got := followed(t, r, "ann@example.org"); got != "iran" {
		t.Errorf("after unticking NATO: %q", got)
	}
	// A form without the checklist (an older page) leaves the topics alone.
	r.post(prefs, url.Values{"action": {"save"}, "roundup": {"1"}}, "")
	if got := followed(t, r, "ann@example.org"); got != "iran" {
		t.Errorf("a form without topics changed them: %q", got)
	}
}
