package newsletter_test

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	masthead "masthead/internal/mail"
	"masthead/internal/newsletter"
	"masthead/internal/store"
)

var t0 = time.Date(2025, 3, 7, 9, 0, 0, 0, time.UTC)

func clockRig(t *testing.T, change func(*newsletter.Options)) (*rig, *clock) {
	c := &clock{t: t0}
	r := newRig(t, rigOptions{options: func(o *newsletter.Options) {
		o.Now = c.Now
		if change != nil {
			change(o)
		}
	}})
	return r, c
}

func userMessage(err error) string {
	var ue interface{ UserMessage() string }
	if errors.As(err, &ue) {
		return ue.UserMessage()
	}
	return ""
}

func TestSubscribeConfirmWelcome(t *testing.T) {
	t.Parallel()
	r, c := clockRig(t, nil)
	if err := r.svc.Subscribe(r.ctx, " Ann.Lee@Example.ORG ", "Ann Lee", "192.0.2.1", ""); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	sub, err := r.st.SubscriberByEmail(r.ctx, "ann.lee@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if sub.Status != store.SubscriberPending || sub.Name != "Ann Lee" || sub.ConsentIP != "192.0.2.1" ||
		sub.ConsentSource != newsletter.SourceForm || !sub.ConsentAt.Equal(t0) || !sub.WantsRoundup {
		t.Errorf("after Subscribe: %+v", sub)
	}
	msgs := r.messagesTo("ann.lee@example.org")
	if len(msgs) != 1 || !strings.Contains(subject(msgs[0]), "Confirm your subscription to The Review") {
		t.Fatalf("confirmation email: %+v", msgs)
	}
	token := link(t, msgs[0], "subscribe/confirm")

	// Looking at the link confirms nothing.
	got, err := r.svc.Confirmation(r.ctx, token)
	if err != nil || got.ID != sub.ID {
		t.Fatalf("Confirmation = %+v, %v", got, err)
	}
	if s, _ := r.st.SubscriberByID(r.ctx, sub.ID); s.Status != store.SubscriberPending {
		t.Fatalf("the confirmation page changed the status to %s", s.Status)
	}

	c.Advance(time.Hour)
	got, err = r.svc.Confirm(r.ctx, token)
	if err != nil || got.Status != store.SubscriberConfirmed || !got.ConfirmedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("Confirm = %+v, %v", got, err)
	}
	msgs = r.messagesTo("ann.lee@example.org")
	if len(msgs) != 2 || !strings.Contains(subject(msgs[1]), "Welcome to The Review") {
		t.Fatalf("after Confirm, messages: %d", len(msgs))
	}
	welcome := msgs[1]
	if welcome.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" ||
		!strings.Contains(welcome.Header.Get("List-Unsubscribe"), "https://review.example/unsubscribe/") {
		t.Errorf("welcome email headers: %v", welcome.Header)
	}
	if to := welcome.Header.Get("To"); !strings.Contains(to, "Ann Lee") {
		t.Errorf("welcome To: %q", to)
	}

	// A second click, as from an impatient reader or a double-clicking
	// mouse, changes nothing and sends nothing.
	if again, err := r.svc.Confirm(r.ctx, token); err != nil || again.Status != store.SubscriberConfirmed {
		t.Errorf("second Confirm = %+v, %v", again, err)
	}
	if n := len(r.messagesTo("ann.lee@example.org")); n != 2 {
		t.Errorf("a second confirmation sent more mail: %d messages", n)
	}
}

func TestSubscribeAnswersTheSameForKnownAddresses(t *testing.T) {
	t.Parallel()
	r, c := clockRig(t, nil)
	r.subscribers(1, nil) // reader000@example.org, confirmed
	for _, addr := range []string{"reader000@example.org", "new@example.org"} {
		if err := r.svc.Subscribe(r.ctx, addr, "", "192.0.2.2", ""); err != nil {
			t.Errorf("Subscribe(%s) = %v, want nil like any other", addr, err)
		}
	}
	// The confirmed reader gets a note with their preferences link, not a
	// second subscription.
	msgs := r.messagesTo("reader000@example.org")
	if len(msgs) != 1 || !strings.Contains(subject(msgs[0]), "already subscribed") {
		t.Fatalf("mail to the known reader: %d messages", len(msgs))
	}
	if s, _ := r.st.SubscriberByEmail(r.ctx, "reader000@example.org"); s.Status != store.SubscriberConfirmed {
		t.Errorf("status changed to %s", s.Status)
	}
	prefs := link(t, msgs[0], "preferences")
	if sub, err := r.svc.Preferences(r.ctx, prefs); err != nil || sub.Email != "reader000@example.org" {
		t.Errorf("the note's preferences link: %+v, %v", sub, err)
	}

	// One address gets one such email per few minutes, however often it
	// is entered.
	for range 3 {
		if err := r.svc.Subscribe(r.ctx, "new@example.org", "", "192.0.2.3", ""); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(r.messagesTo("new@example.org")); n != 1 {
		t.Errorf("new@example.org got %d emails, want 1", n)
	}
	c.Advance(newsletter.DefaultResendAfter + time.Second)
	if err := r.svc.Subscribe(r.ctx, "new@example.org", "", "192.0.2.3", ""); err != nil {
		t.Fatal(err)
	}
	msgs = r.messagesTo("new@example.org")
	if len(msgs) != 2 {
		t.Fatalf("after the pause, new@example.org got %d emails, want 2", len(msgs))
	}
	// Only the latest request's link works.
	first, second := link(t, msgs[0], "subscribe/confirm"), link(t, msgs[1], "subscribe/confirm")
	if _, err := r.svc.Confirm(r.ctx, first); !errors.Is(err, newsletter.ErrInvalidLink) {
		t.Errorf("an earlier request's link: %v, want ErrInvalidLink", err)
	}
	if _, err := r.svc.Confirm(r.ctx, second); err != nil {
		t.Errorf("the latest link: %v", err)
	}
}

func TestSubscribeRefusesBadInput(t *testing.T) {
	t.Parallel()
	r, _ := clockRig(t, func(o *newsletter.Options) { o.SubscribeBurst = 100 })
	for _, tt := range []struct{ email, name string }{
		{"", ""},
		{"ann", ""},
		{"ann@", ""},
		{"@example.org", ""},
		{"ann@example", ""},
		{"ann example@example.org", ""},
		{"Ann <ann@example.org>", ""},
		{"ann@example.org, bob@example.org", ""},
		{"ann@example.org\r\nBcc: victim@example.org", ""},
		{"ann@exa mple.org", ""},
		{"zoë@example.org", ""},
		{strings.Repeat("a", 65) + "@example.org", ""},
		{"ann@" + strings.Repeat("a", 250) + ".org", ""},
		{"ann@example.org", "Ann\r\nBcc: victim@example.org"},
		{"ann@example.org", "Ann\nLee"},
		{"ann@example.org", strings.Repeat("x", 101)},
	} {
		err := r.svc.Subscribe(r.ctx, tt.email, tt.name, "192.0.2.9", "")
		if userMessage(err) == "" {
			t.Errorf("Subscribe(%q, %q) = %v, want an error for the reader", tt.email, tt.name, err)
		}
	}
	if page, _ := r.st.Subscribers(r.ctx, store.SubscriberFilter{}); page.Total != 0 {
		t.Errorf("%d subscribers stored from bad input", page.Total)
	}
	if n := r.smtp.Total(); n != 0 {
		t.Errorf("%d emails sent for bad input", n)
	}
	// International domains are kept in their ASCII form.
	if err := r.svc.Subscribe(r.ctx, "ann@bücher.example", "", "192.0.2.9", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := r.st.SubscriberByEmail(r.ctx, "ann@xn--bcher-kva.example"); err != nil {
		t.Errorf("international domain: %v", err)
	}
}

func TestHoneypot(t *testing.T) {
	t.Parallel()
	r, _ := clockRig(t, nil)
	if err := r.svc.Subscribe(r.ctx, "bot@example.org", "", "192.0.2.4", "http://spam.example"); err != nil {
		t.Errorf("a filled-in honeypot answered %v, want the usual nil", err)
	}
	if _, err := r.st.SubscriberByEmail(r.ctx, "bot@example.org"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the form filler was stored: %v", err)
	}
	if n := r.smtp.Total(); n != 0 {
		t.Errorf("%d emails sent to a form filler", n)
	}
}

func TestSubscribeRateLimitPerNetwork(t *testing.T) {
	t.Parallel()
	r, c := clockRig(t, func(o *newsletter.Options) { o.SubscribeBurst, o.SubscribeEvery = 3, time.Minute })
	try := func(ip string, i int) error {
		return r.svc.Subscribe(r.ctx, "r"+strings.ReplaceAll(ip, ":", "-")+"-"+string(rune('a'+i))+"@example.org", "", ip, "")
	}
	for i := range 3 {
		if err := try("192.0.2.5", i); err != nil {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	err := try("192.0.2.5", 3)
	var rl *newsletter.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter() <= 0 || userMessage(err) == "" {
		t.Fatalf("fourth attempt = %v, want a RateLimitError", err)
	}
	if err := try("192.0.2.6", 0); err != nil {
		t.Errorf("another address: %v", err)
	}
	// One IPv6 /64 is one network.
	for i := range 3 {
		if err := try("2001:db8:1:2::"+string(rune('a'+i)), i); err != nil {
			t.Fatal(err)
		}
	}
	if err := try("2001:db8:1:2:ffff::1", 3); !errors.As(err, &rl) {
		t.Errorf("a fourth address of one /64 = %v, want a RateLimitError", err)
	}
	c.Advance(time.Minute)
	if err := try("192.0.2.5", 4); err != nil {
		t.Errorf("after a minute: %v", err)
	}
}

func TestForgedAndExpiredLinks(t *testing.T) {
	t.Parallel()
	r, c := clockRig(t, nil)
	if err := r.svc.Subscribe(r.ctx, "ann@example.org", "", "192.0.2.7", ""); err != nil {
		t.Fatal(err)
	}
	token := link(t, r.messagesTo("ann@example.org")[0], "subscribe/confirm")
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	for name, bad := range map[string]string{
		"empty":                   "",
		"garbage":                 "not-a-token",
		"a changed character":     flip(token, 3),
		"a changed signature":     flip(token, len(token)-2),
		"cut short":               token[:len(token)-4],
		"made longer":             token + "AA",
		"padding and punctuation": token + "==",
		"very long":               strings.Repeat("A", 5000),
	} {
		if _, err := r.svc.Confirm(r.ctx, bad); !errors.Is(err, newsletter.ErrInvalidLink) {
			t.Errorf("%s: Confirm = %v, want ErrInvalidLink", name, err)
		}
		if _, err := r.svc.Unsubscribe(r.ctx, bad); !errors.Is(err, newsletter.ErrInvalidLink) {
			t.Errorf("%s: Unsubscribe = %v, want ErrInvalidLink", name, err)
		}
	}
	// A confirmation link does not open the preferences, nor the other way.
	if _, err := r.svc.Preferences(r.ctx, token); !errors.Is(err, newsletter.ErrInvalidLink) {
		t.Errorf("a confirmation link opened the preferences: %v", err)
	}
	// A link from another site's secret is refused.
	other := newRig(t, rigOptions{})
	if err := other.svc.Subscribe(other.ctx, "ann@example.org", "", "192.0.2.7", ""); err != nil {
		t.Fatal(err)
	}
	foreign := link(t, other.messagesTo("ann@example.org")[0], "subscribe/confirm")
	if _, err := r.svc.Confirm(r.ctx, foreign); !errors.Is(err, newsletter.ErrInvalidLink) {
		t.Errorf("another site's link: %v", err)
	}
	// Links expire.
	c.Advance(newsletter.DefaultConfirmTTL + time.Second)
	if _, err := r.svc.Confirmation(r.ctx, token); !errors.Is(err, newsletter.ErrInvalidLink) {
		t.Errorf("an expired link: %v", err)
	}
	if _, err := r.svc.Confirm(r.ctx, token); !errors.Is(err, newsletter.ErrInvalidLink) {
		t.Errorf("an expired link confirmed: %v", err)
	}
	if s, _ := r.st.SubscriberByEmail(r.ctx, "ann@example.org"); s.Status != store.SubscriberPending {
		t.Errorf("status %s after refused links", s.Status)
	}
}

func TestPreferencesUnsubscribeResubscribe(t *testing.T) {
	t.Parallel()
	r, c := clockRig(t, nil)
	if err := r.svc.Subscribe(r.ctx, "ann@example.org", "", "192.0.2.8", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.Confirm(r.ctx, link(t, r.messagesTo("ann@example.org")[0], "subscribe/confirm")); err != nil {
		t.Fatal(err)
	}
	welcome := r.messagesTo("ann@example.org")[1]
	prefs, unsub := link(t, welcome, "preferences"), link(t, welcome, "unsubscribe")

	sub, err := r.svc.UpdatePreferences(r.ctx, prefs, false, true, true)
	if err != nil || sub.WantsRoundup || !sub.WantsEveryArticle || !sub.Paused {
		t.Fatalf("UpdatePreferences = %+v, %v", sub, err)
	}
	if _, err := r.svc.UpdatePreferences(r.ctx, prefs, false, false, false); userMessage(err) == "" {
		t.Errorf("choosing nothing = %v, want an error for the reader", err)
	}

	c.Advance(time.Minute)
	sub, err = r.svc.Unsubscribe(r.ctx, unsub)
	if err != nil || sub.Status != store.SubscriberUnsubscribed || !sub.UnsubscribedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("Unsubscribe = %+v, %v", sub, err)
	}
	if again, err := r.svc.Unsubscribe(r.ctx, unsub); err != nil || !again.UnsubscribedAt.Equal(sub.UnsubscribedAt) {
		t.Errorf("a second unsubscribe = %+v, %v", again, err)
	}
	if _, err := r.svc.UpdatePreferences(r.ctx, prefs, true, false, false); userMessage(err) == "" {
		t.Errorf("preferences of an unsubscribed reader = %v, want an error for the reader", err)
	}

	// Back through the preferences page: the link proves the address.
	sub, err = r.svc.Resubscribe(r.ctx, prefs, "192.0.2.9")
	if err != nil || sub.Status != store.SubscriberConfirmed || sub.ConsentSource != newsletter.SourcePreferences ||
		sub.ConsentIP != "192.0.2.9" || !sub.UnsubscribedAt.IsZero() {
		t.Fatalf("Resubscribe = %+v, %v", sub, err)
	}
	// And back through the form: a new confirmation.
	if _, err := r.svc.Unsubscribe(r.ctx, unsub); err != nil {
		t.Fatal(err)
	}
	c.Advance(newsletter.DefaultResendAfter)
	if err := r.svc.Subscribe(r.ctx, "ann@example.org", "", "192.0.2.8", ""); err != nil {
		t.Fatal(err)
	}
	msgs := r.messagesTo("ann@example.org")
	last := msgs[len(msgs)-1]
	if !strings.Contains(subject(last), "Confirm") {
		t.Fatalf("re-subscribing sent %q", subject(last))
	}
	if sub, err := r.svc.Confirm(r.ctx, link(t, last, "subscribe/confirm")); err != nil || sub.Status != store.SubscriberConfirmed {
		t.Errorf("confirming again = %+v, %v", sub, err)
	}

	// A link to an erased subscriber is just invalid.
	if err := r.st.DeleteSubscriber(r.ctx, sub.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.Unsubscribe(r.ctx, unsub); !errors.Is(err, newsletter.ErrInvalidLink) {
		t.Errorf("unsubscribe link of an erased subscriber: %v", err)
	}
}

func TestSubscribeWhenMailIsDown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	down, err := masthead.NewSMTP(masthead.SMTPConfig{Host: "127.0.0.1", Port: port, TLS: masthead.TLSNone, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer down.Close()
	r := newRig(t, rigOptions{sender: down})
	err = r.svc.Subscribe(r.ctx, "ann@example.org", "", "192.0.2.40", "")
	var unavailable *newsletter.UnavailableError
	if !errors.As(err, &unavailable) || userMessage(err) == "" {
		t.Fatalf("Subscribe with the mail server down = %v, want an UnavailableError", err)
	}
	// The reader may try again at once: nothing counts as sent.
	sub, err := r.st.SubscriberByEmail(r.ctx, "ann@example.org")
	if err != nil || sub.Status != store.SubscriberPending || !sub.ConfirmSentAt.IsZero() {
		t.Errorf("after the failed email: %+v, %v", sub, err)
	}
}
