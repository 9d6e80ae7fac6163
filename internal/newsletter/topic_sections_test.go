package newsletter_test

import (
	"strings"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
)

// accept stores topics as accepted for a post, as an editor's decision
// would.
func (r *rig) accept(p content.Post, topics ...string) {
	r.t.Helper()
	var found []store.DetectedTopic
	for _, t := range topics {
		found = append(found, store.DetectedTopic{Topic: t, Mentions: 1, Confidence: 1, Accept: true})
	}
	if err := r.st.SetDetectedTopics(r.ctx, p.ID, found, time.Now()); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) follow(sub store.Subscriber, instant bool, topics ...string) {
	r.t.Helper()
	for _, t := range topics {
		if err := r.st.FollowTopic(r.ctx, store.TopicFollow{SubscriberID: sub.ID, Topic: t, Instant: instant, CreatedAt: time.Now()}); err != nil {
			r.t.Fatal(err)
		}
	}
}

func TestRoundupHasEachSubscribersTopics(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{})
	hour := time.Now().Add(-time.Hour)
	posts := r.publish(
		content.Post{Title: "Tehran Bets on the Strait", PublishedAt: hour, Section: &content.Tag{Slug: "security", Name: "Security"}},
		content.Post{Title: "Sanctions and the Rial", PublishedAt: hour, Section: &content.Tag{Slug: "economy", Name: "Economy"}},
		content.Post{Title: "The Alliance's Eastern Flank", PublishedAt: hour, Section: &content.Tag{Slug: "security", Name: "Security"}},
		content.Post{Title: "Iran and NATO Meet in Vienna", PublishedAt: hour, Section: &content.Tag{Slug: "diplomacy", Name: "Diplomacy"}},
	)
	r.accept(posts[0], "iran")
	r.accept(posts[1], "iran")
	r.accept(posts[2], "nato")
	r.accept(posts[3], "iran", "nato")
	// A suggestion nobody accepted is not the article's topic.
	if err := r.st.SetDetectedTopics(r.ctx, posts[1].ID, []store.DetectedTopic{
		{Topic: "iran", Mentions: 2, Confidence: 1}, {Topic: "russia", Mentions: 1, Confidence: 1}}, time.Now()); err != nil {
		t.Fatal(err)
	}

	subs := r.subscribers(5, nil)
	iranOnly, both, none, instantOnly, elsewhere := subs[0], subs[1], subs[2], subs[3], subs[4]
	r.follow(iranOnly, false, "iran")
	r.follow(both, false, "nato", "iran", "china") // china has nothing in this issue
	r.follow(instantOnly, true, "iran")            // alerts, not the round-up section
	r.follow(elsewhere, false, "china", "russia")

	is, err := r.svc.ComposeRoundup(r.ctx, time.Now().Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	r.runner(0)
	if _, err := r.svc.SendNow(r.ctx, is.ID); err != nil {
		t.Fatal(err)
	}
	r.waitStatus(is.ID, store.IssueSent)
	r.exactlyOnce(emails(subs))

	parts := func(sub store.Subscriber) map[string]string {
		msgs := r.messagesTo(sub.Email)
		if len(msgs) != 1 {
			t.Fatalf("%s got %d messages", sub.Email, len(msgs))
		}
		return body(t, msgs[0])
	}

	// Iran: three articles, NATO: two; linked to the articles and the topic page.
	p := parts(iranOnly)
	text, html := p["text/plain"], p["text/html"]
	for _, want := range []string{"YOUR TOPICS", "Iran — 3 new articles", "- Tehran Bets on the Strait\n  https://review.example/articles/tehran-bets-on-the-strait",
		"Change the topics you follow: https://review.example/preferences/"} {
		if !strings.Contains(text, want) {
			t.Errorf("%s's text lacks %q:\n%s", iranOnly.Email, want, text)
		}
	}
	if strings.Contains(text, "NATO —") || strings.Contains(html, "NATO</a> —") {
		t.Errorf("%s follows only Iran but got a NATO section", iranOnly.Email)
	}
	for _, want := range []string{">Your topics<", `href="https://review.example/topics/iran"`, ">Iran</a> — 3 new articles",
		`href="https://review.example/articles/sanctions-and-the-rial"`} {
		if !strings.Contains(html, want) {
			t.Errorf("%s's HTML lacks %q", iranOnly.Email, want)
		}
	}
	// The section comes before the articles.
	if i, j := strings.Index(text, "YOUR TOPICS"), strings.Index(text, "SECURITY"); i < 0 || j < 0 || i > j {
		t.Errorf("section not at the top:\n%s", text)
	}

	p = parts(both)
	text, html = p["text/plain"], p["text/html"]
	if i, j := strings.Index(text, "Iran — 3 new articles"), strings.Index(text, "NATO — 2 new articles"); i < 0 || j < i {
		t.Errorf("%s's text should list Iran (3) then NATO (2):\n%s", both.Email, text)
	}
	if !strings.Contains(html, ">NATO</a> — 2 new articles") || strings.Contains(text, "China") {
		t.Errorf("%s's section is wrong:\n%s", both.Email, text)
	}
	if strings.Contains(text, "__MASTHEAD") || strings.Contains(html, "__MASTHEAD") {
		t.Error("a marker is left in the message")
	}

	// Without a round-up follow among the issue's topics, the issue is unchanged.
	plain := parts(none)
	for _, sub := range []store.Subscriber{instantOnly, elsewhere} {
		p := parts(sub)
		if strings.Contains(p["text/plain"], "YOUR TOPICS") || strings.Contains(p["text/html"], "Your topics") {
			t.Errorf("%s got a section", sub.Email)
		}
		if len(p["text/plain"]) != len(plain["text/plain"]) {
			t.Errorf("%s's text differs from that of a subscriber without topics", sub.Email)
		}
	}
	if strings.Contains(plain["text/plain"], "__MASTHEAD") || strings.Contains(plain["text/html"], "__MASTHEAD") {
		t.Error("a marker is left in a message without a section")
	}
}

func TestPreviewShowsNoTopicsSection(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{})
	is := r.roundup()
	sub := r.subscribers(1, nil)[0]
	posts, err := r.st.PostByID(r.ctx, is.Items[0])
	if err != nil {
		t.Fatal(err)
	}
	r.accept(posts, "iran")
	r.follow(sub, false, "iran")
	got, err := r.svc.Preview(r.ctx, is.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got.HTML, "__MASTHEAD") || strings.Contains(got.Text, "__MASTHEAD") || strings.Contains(got.Text, "YOUR TOPICS") {
		t.Errorf("preview holds a marker or a subscriber's section:\n%s", got.Text)
	}
}
