package newsletter

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"

	"masthead/internal/mail"
	"masthead/internal/store"
)

// netAddress formats an address with an optional display name, encoding
// the name as RFC 2047 requires.
type netAddress = netmail.Address

// Where a subscription came from, as recorded with the consent.
const (
	SourceForm        = "subscribe form"
	SourcePreferences = "preferences page"
	SourceImport      = "import"
)

var errBadAddress = userError("Please enter a valid email address, such as you@example.com", nil)

// NormalizeAddress checks that s is one bare email address (no display
// name, no line breaks, an ASCII mailbox and a domain with a dot) and
// returns it lower-cased, with an international domain in its ASCII
// form.
func NormalizeAddress(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 254 || strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) >= 0 {
		return "", errBadAddress
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return "", errBadAddress
	}
	local, domain := s[:at], s[at+1:]
	if len(local) > 64 {
		return "", errBadAddress
	}
	for i := 0; i < len(local); i++ {
		if local[i] >= utf8.RuneSelf {
			return "", userError("Please use an address whose part before the @ has no accents or other special letters", nil)
		}
	}
	ascii, err := idna.Lookup.ToASCII(strings.TrimSuffix(domain, "."))
	if err != nil || !strings.Contains(ascii, ".") {
		return "", errBadAddress
	}
	addr := strings.ToLower(local + "@" + ascii)
	// The mailbox must be one net/mail reads back as itself: no comments,
	// routes, groups or quoted display names.
	a, err := netmail.ParseAddress(addr)
	if err != nil || a.Name != "" || strings.ToLower(a.Address) != addr {
		return "", errBadAddress
	}
	return addr, nil
}

// cleanName checks an optional name given with a subscription.
func cleanName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if strings.ContainsAny(name, "\r\n\x00") {
		return "", userError("Your name cannot contain line breaks", nil)
	}
	if utf8.RuneCountInString(name) > 100 || !utf8.ValidString(name) {
		return "", userError("Please shorten your name to 100 characters", nil)
	}
	return name, nil
}

// Subscribe handles the subscribe form: email and an optional name, the
// reader's IP address, and the honeypot field that people never see nor
// fill in. The answer is the same whether or not the address is already
// on the list, so the form tells nobody who subscribes: a new or lapsed
// address is sent a confirmation link, a confirmed one a note with a link
// to its preferences. One address gets at most one such email every
// Options.ResendAfter; one network may try SubscribeBurst times at once.
// Errors are a *UserError (a bad address or name), a *RateLimitError, or
// a failure to store or send.
func (s *Service) Subscribe(ctx context.Context, email, name, ip, honeypot string) error {
	now := s.now()
	if strings.TrimSpace(honeypot) != "" {
		// A form filler: answer as if all went well, do nothing.
		s.log.InfoContext(ctx, "newsletter: honeypot filled in; subscription ignored", "ip", ip)
		return nil
	}
	wait, err := s.limiter.take(ctx, ip, now)
	if err != nil {
		// Subscribing needs the database anyway; when it cannot count,
		// the per-address limit still holds.
		s.log.WarnContext(ctx, "newsletter: subscribe limit unavailable", "err", err)
	}
	if wait > 0 {
		return &RateLimitError{Wait: wait}
	}
	addr, err := NormalizeAddress(email)
	if err != nil {
		return err
	}
	if name, err = cleanName(name); err != nil {
		return err
	}

	// What to send is decided, and recorded, in one transaction: two
	// requests racing for one address send one email.
	var sub store.Subscriber
	var send string // "confirm", "already" or ""
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		sub, err = tx.SubscriberByEmail(ctx, addr)
		switch {
		case errors.Is(err, store.ErrNotFound):
			sub = store.Subscriber{Email: addr, Name: name, Status: store.SubscriberPending, WantsRoundup: true,
				ConsentSource: SourceForm, ConsentIP: ip, ConsentAt: now, ConfirmSentAt: now, CreatedAt: now}
			send = "confirm"
			return tx.CreateSubscriber(ctx, &sub)
		case err != nil:
			return err
		}
		if !sub.ConfirmSentAt.IsZero() && now.Sub(sub.ConfirmSentAt) < s.opts.ResendAfter {
			return nil
		}
		sub.ConfirmSentAt, sub.UpdatedAt = now, now
		if sub.Status == store.SubscriberConfirmed {
			send = "already"
		} else {
			// A new request: the consent is this one, and links sent for
			// earlier ones stop working.
			send = "confirm"
			sub.Status, sub.ConsentSource, sub.ConsentIP, sub.ConsentAt = store.SubscriberPending, SourceForm, ip, now
			if name != "" {
				sub.Name = name
			}
			if !sub.WantsRoundup && !sub.WantsEveryArticle {
				sub.WantsRoundup = true
			}
		}
		return tx.UpdateSubscriber(ctx, sub)
	})
	if err != nil {
		return fmt.Errorf("newsletter: subscribe: %w", err)
	}
	sub.ConsentAt = sub.ConsentAt.UTC().Truncate(time.Microsecond)
	switch send {
	case "confirm":
		err = s.sendConfirmation(ctx, sub)
	case "already":
		err = s.sendAlreadySubscribed(ctx, sub)
	default:
		s.log.InfoContext(ctx, "newsletter: another subscription email to this address was sent moments ago; none sent", "subscriber", sub.ID)
		return nil
	}
	if err != nil {
		// Let the reader try again at once rather than wait for a mail
		// that never left.
		sub.ConfirmSentAt = time.Time{}
		if uerr := s.store.UpdateSubscriber(context.WithoutCancel(ctx), sub); uerr != nil {
			s.log.ErrorContext(ctx, "newsletter: subscribe: forget the failed email", "err", uerr)
		}
		s.log.ErrorContext(ctx, "newsletter: subscribe: email not sent", "subscriber", sub.ID, "err", err)
		return &UnavailableError{err: err}
	}
	return nil
}

func (s *Service) sendConfirmation(ctx context.Context, sub store.Subscriber) error {
	key, err := s.key(ctx)
	if err != nil {
		return err
	}
	expires := s.now().Add(s.opts.ConfirmTTL)
	link := s.confirmURL(sign(key, linkToken{purpose: purposeConfirm, subscriberID: sub.ID, expires: expires,
		stamp: sub.ConsentAt.UnixMicro()}))
	site, err := s.setting(ctx, settingSiteName, defaultSiteName)
	if err != nil {
		return err
	}
	m, err := s.tmpl.confirm.Execute(struct{ Site, Link, Expires string }{site, link, humanDuration(s.opts.ConfirmTTL)})
	if err != nil {
		return err
	}
	return s.sendTransactional(ctx, sub, m, "")
}

func (s *Service) sendAlreadySubscribed(ctx context.Context, sub store.Subscriber) error {
	key, err := s.key(ctx)
	if err != nil {
		return err
	}
	site, err := s.setting(ctx, settingSiteName, defaultSiteName)
	if err != nil {
		return err
	}
	tok := s.manageToken(key, sub.ID)
	m, err := s.tmpl.already.Execute(struct{ Site, Preferences string }{site, s.preferencesURL(tok)})
	if err != nil {
		return err
	}
	return s.sendTransactional(ctx, sub, m, "")
}

func (s *Service) sendWelcome(ctx context.Context, sub store.Subscriber) error {
	key, err := s.key(ctx)
	if err != nil {
		return err
	}
	site, err := s.setting(ctx, settingSiteName, defaultSiteName)
	if err != nil {
		return err
	}
	tok := s.manageToken(key, sub.ID)
	m, err := s.tmpl.welcome.Execute(struct {
		Site, Preferences, Unsubscribe string
		Roundup, EveryArticle          bool
	}{site, s.preferencesURL(tok), s.unsubscribeURL(tok), sub.WantsRoundup, sub.WantsEveryArticle})
	if err != nil {
		return err
	}
	return s.sendTransactional(ctx, sub, m, s.unsubscribeURL(tok))
}

// sendTransactional sends one of the subscription emails to sub. With an
// unsubscribe URL it carries the list's unsubscribe headers.
func (s *Service) sendTransactional(ctx context.Context, sub store.Subscriber, m mail.Message, unsubscribe string) error {
	from, err := s.sender(ctx)
	if err != nil {
		return err
	}
	m.From = from
	m.To = (&netAddress{Name: sub.Name, Address: sub.Email}).String()
	if unsubscribe != "" {
		m.Headers = s.listHeaders(ctx, unsubscribe)
	}
	if err := s.mail.Send(ctx, m); err != nil {
		return fmt.Errorf("send %s email to subscriber %d: %w", m.Kind, sub.ID, err)
	}
	return nil
}

// subscriberByLink verifies a link and returns its subscriber. A link to
// a subscriber who was erased is invalid like any other.
func (s *Service) subscriberByLink(ctx context.Context, token string, purpose byte) (store.Subscriber, linkToken, error) {
	key, err := s.key(ctx)
	if err != nil {
		return store.Subscriber{}, linkToken{}, err
	}
	t, err := verify(key, token, purpose, s.now())
	if err != nil {
		return store.Subscriber{}, linkToken{}, err
	}
	sub, err := s.store.SubscriberByID(ctx, t.subscriberID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Subscriber{}, linkToken{}, ErrInvalidLink
	}
	if err != nil {
		return store.Subscriber{}, linkToken{}, fmt.Errorf("newsletter: %w", err)
	}
	return sub, t, nil
}

// confirmable reports whether a confirmation link still applies to sub:
// it answers the subscriber's latest request, which is pending, or was
// already confirmed by it (a second click changes nothing).
func confirmable(sub store.Subscriber, t linkToken) bool {
	if sub.ConsentAt.UnixMicro() != t.stamp {
		return false
	}
	return sub.Status == store.SubscriberPending || sub.Status == store.SubscriberConfirmed
}

// Confirmation checks a confirmation link without using it, for the page
// that asks the reader to press the button: mail scanners follow links,
// so only the button's POST (Confirm) subscribes.
func (s *Service) Confirmation(ctx context.Context, token string) (store.Subscriber, error) {
	sub, t, err := s.subscriberByLink(ctx, token, purposeConfirm)
	if err != nil {
		return store.Subscriber{}, err
	}
	if !confirmable(sub, t) {
		return store.Subscriber{}, ErrInvalidLink
	}
	return sub, nil
}

// Confirm completes a subscription from its confirmation link and sends
// the welcome email. Confirming twice is harmless: the second time
// changes nothing and sends nothing.
func (s *Service) Confirm(ctx context.Context, token string) (store.Subscriber, error) {
	_, t, err := s.subscriberByLink(ctx, token, purposeConfirm)
	if err != nil {
		return store.Subscriber{}, err
	}
	now := s.now()
	var sub store.Subscriber
	welcome := false
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		if sub, err = tx.SubscriberByID(ctx, t.subscriberID); err != nil {
			return err
		}
		if !confirmable(sub, t) {
			return ErrInvalidLink
		}
		if sub.Status == store.SubscriberConfirmed {
			return nil
		}
		sub.Status, sub.ConfirmedAt, sub.UnsubscribedAt, sub.BounceCount, sub.UpdatedAt =
			store.SubscriberConfirmed, now, time.Time{}, 0, now
		welcome = true
		return tx.UpdateSubscriber(ctx, sub)
	})
	if errors.Is(err, store.ErrNotFound) {
		return store.Subscriber{}, ErrInvalidLink
	}
	if err != nil {
		if errors.Is(err, ErrInvalidLink) {
			return store.Subscriber{}, err
		}
		return store.Subscriber{}, fmt.Errorf("newsletter: confirm: %w", err)
	}
	if welcome {
		// The subscription stands whether or not the welcome arrives.
		if err := s.sendWelcome(ctx, sub); err != nil {
			s.log.ErrorContext(ctx, "newsletter: welcome email", "subscriber", sub.ID, "err", err)
		}
	}
	return sub, nil
}

// Preferences returns the subscriber a preferences or unsubscribe link
// belongs to.
func (s *Service) Preferences(ctx context.Context, token string) (store.Subscriber, error) {
	sub, _, err := s.subscriberByLink(ctx, token, purposeManage)
	return sub, err
}

// UpdatePreferences sets what a subscriber receives: the weekly round-up,
// every new article, or both, and whether they are paused. Asking for
// neither is refused; unsubscribing is its own button.
func (s *Service) UpdatePreferences(ctx context.Context, token string, roundup, everyArticle, paused bool) (store.Subscriber, error) {
	if !roundup && !everyArticle {
		return store.Subscriber{}, userError("Choose the weekly round-up, every new article, or both — or unsubscribe", nil)
	}
	return s.changeByLink(ctx, token, func(sub *store.Subscriber, now time.Time) error {
		if sub.Status != store.SubscriberConfirmed {
			return userError("This address is not subscribed. Subscribe again to choose what you receive", nil)
		}
		sub.WantsRoundup, sub.WantsEveryArticle, sub.Paused = roundup, everyArticle, paused
		return nil
	})
}

// Unsubscribe takes the subscriber of a preferences or unsubscribe link
// off the list at once; it is what the one-click (RFC 8058) POST calls.
// Unsubscribing twice is harmless.
func (s *Service) Unsubscribe(ctx context.Context, token string) (store.Subscriber, error) {
	return s.changeByLink(ctx, token, func(sub *store.Subscriber, now time.Time) error {
		if sub.Status == store.SubscriberUnsubscribed {
			return nil
		}
		sub.Status, sub.UnsubscribedAt = store.SubscriberUnsubscribed, now
		return nil
	})
}

// Resubscribe puts the subscriber of a preferences link back on the list.
// The link was mailed to the address, so holding it confirms the address
// and no second confirmation is asked for.
func (s *Service) Resubscribe(ctx context.Context, token, ip string) (store.Subscriber, error) {
	return s.changeByLink(ctx, token, func(sub *store.Subscriber, now time.Time) error {
		if sub.Status == store.SubscriberConfirmed {
			return nil
		}
		sub.Status, sub.ConfirmedAt, sub.UnsubscribedAt, sub.BounceCount = store.SubscriberConfirmed, now, time.Time{}, 0
		sub.ConsentSource, sub.ConsentIP, sub.ConsentAt = SourcePreferences, ip, now
		if !sub.WantsRoundup && !sub.WantsEveryArticle {
			sub.WantsRoundup = true
		}
		return nil
	})
}

// changeByLink applies change to the subscriber of a manage link in one
// transaction.
func (s *Service) changeByLink(ctx context.Context, token string, change func(*store.Subscriber, time.Time) error) (store.Subscriber, error) {
	key, err := s.key(ctx)
	if err != nil {
		return store.Subscriber{}, err
	}
	now := s.now()
	t, err := verify(key, token, purposeManage, now)
	if err != nil {
		return store.Subscriber{}, err
	}
	var sub store.Subscriber
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		if sub, err = tx.SubscriberByID(ctx, t.subscriberID); err != nil {
			return err
		}
		before := sub
		if err := change(&sub, now); err != nil {
			return err
		}
		if sub == before {
			return nil
		}
		sub.UpdatedAt = now
		return tx.UpdateSubscriber(ctx, sub)
	})
	var ue *UserError
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.Subscriber{}, ErrInvalidLink
	case errors.As(err, &ue):
		return store.Subscriber{}, err
	case err != nil:
		return store.Subscriber{}, fmt.Errorf("newsletter: %w", err)
	}
	return sub, nil
}

// humanDuration says how long a link works, in words.
func humanDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d/time.Hour))
	default:
		return fmt.Sprintf("%d minutes", max(1, int(d/time.Minute)))
	}
}
