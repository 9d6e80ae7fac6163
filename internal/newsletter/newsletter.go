// Package newsletter runs the publication's mailing list: double opt-in
// subscriptions, preferences and one-click unsubscribing, the weekly
// round-up composed from what was published, and the delivery of issues
// through any mail.Sender at a steady rate, once per subscriber, across
// crashes and restarts.
package newsletter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"masthead/internal/mail"
	"masthead/internal/store"
)

// Setting keys the newsletter reads. The desk edits the first ones; the
// secret is made on first use.
const (
	SettingEnabled   = "newsletter.enabled"           // "true" shows the subscribe box on the site
	SettingSender    = "newsletter.sender"            // From of every newsletter email
	SettingDay       = "newsletter.roundup_day"       // weekday the round-up is composed, e.g. "friday"; empty: never by itself
	SettingTime      = "newsletter.roundup_time"      // "HH:MM" in the site's timezone; default 08:00
	SettingAutoSend  = "newsletter.roundup_auto_send" // "true": send the composed round-up at once
	SettingSecret    = "newsletter.secret"            // HMAC key of the links in emails
	settingSiteName  = "site.name"
	settingTimezone  = "site.timezone"
	defaultSiteName  = "Masthead"
	maxSubjectLength = 200
)

// Defaults of Options.
const (
	DefaultRate        = 20 // messages per second
	DefaultConcurrency = 4
	DefaultRetryBase   = time.Minute
	DefaultMaxAttempts = 8
	DefaultBounceLimit = 3
	DefaultConfirmTTL  = 7 * 24 * time.Hour
	DefaultResendAfter = 5 * time.Minute
)

// Options configure a Service.
type Options struct {
	Store *store.Store
	// Mail delivers every message: an SMTP server, or the outbox when none
	// is configured.
	Mail mail.Sender
	// BaseURL is the site's absolute URL; links in emails start with it.
	BaseURL string
	Logger  *slog.Logger
	Now     func() time.Time // nil means time.Now
	// Wake is called after a delivery job is enqueued so that the jobs
	// runner starts it at once; see also SetWake.
	Wake func()

	// Rate is the most messages per second one sending node hands to the
	// mail server; 0 means DefaultRate, a negative value no limit.
	Rate float64
	// Concurrency is how many messages are in flight at once; 0 means
	// DefaultConcurrency. Give the SMTP sender as many connections.
	Concurrency int
	// BatchSize is how many deliveries a sender claims at once; 0 means
	// about a second's worth.
	BatchSize int
	// RetryBase is the wait after a delivery's first temporary failure,
	// doubled after each further one up to an hour; 0 means a minute.
	RetryBase time.Duration
	// MaxAttempts is how often a delivery is tried before it is given up;
	// 0 means DefaultMaxAttempts.
	MaxAttempts int
	// BounceLimit is how many permanent failures in a row make an address
	// bounced; 0 means DefaultBounceLimit.
	BounceLimit int
	// A send pauses itself when more than ErrorThreshold (0 means 0.5) of
	// the last ErrorWindow attempts (0 means 100) failed, once at least
	// MinErrorSamples (0 means 20) were made.
	ErrorWindow     int
	ErrorThreshold  float64
	MinErrorSamples int

	// ConfirmTTL is how long a confirmation link works; 0 means a week.
	ConfirmTTL time.Duration
	// ResendAfter is how long one address waits before another
	// confirmation email can be sent to it; 0 means five minutes.
	ResendAfter time.Duration
	// SubscribeBurst subscription attempts from one network are allowed
	// at once, then one every SubscribeEvery; 0 means 5 and a minute.
	SubscribeBurst int
	SubscribeEvery time.Duration
}

// Service is the newsletter. It is safe for concurrent use.
type Service struct {
	store   *store.Store
	mail    mail.Sender
	baseURL string
	host    string
	https   bool
	log     *slog.Logger
	now     func() time.Time
	opts    Options

	tmpl    *templates
	limiter networkLimiter

	mu      sync.Mutex
	wake    func()
	secret  []byte
	windows map[int64]*errorWindow // error windows of the issues this node sends
}

// New checks the options and parses the templates.
func New(opts Options) (*Service, error) {
	if opts.Store == nil {
		return nil, errors.New("newsletter: no store")
	}
	if opts.Mail == nil {
		return nil, errors.New("newsletter: no mail sender")
	}
	base := strings.TrimRight(opts.BaseURL, "/")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return nil, fmt.Errorf("newsletter: base URL %q is not an absolute http(s) URL", opts.BaseURL)
	}
	if opts.Rate == 0 {
		opts.Rate = DefaultRate
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.RetryBase <= 0 {
		opts.RetryBase = DefaultRetryBase
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	if opts.BounceLimit <= 0 {
		opts.BounceLimit = DefaultBounceLimit
	}
	if opts.ErrorWindow <= 0 {
		opts.ErrorWindow = 100
	}
	if opts.ErrorThreshold <= 0 || opts.ErrorThreshold >= 1 {
		opts.ErrorThreshold = 0.5
	}
	if opts.MinErrorSamples <= 0 {
		opts.MinErrorSamples = min(20, opts.ErrorWindow)
	}
	if opts.ConfirmTTL <= 0 {
		opts.ConfirmTTL = DefaultConfirmTTL
	}
	if opts.ResendAfter <= 0 {
		opts.ResendAfter = DefaultResendAfter
	}
	if opts.SubscribeBurst <= 0 {
		opts.SubscribeBurst = 5
	}
	if opts.SubscribeEvery <= 0 {
		opts.SubscribeEvery = time.Minute
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 500
		if opts.Rate > 0 {
			opts.BatchSize = min(500, max(int(opts.Rate), 2*opts.Concurrency))
		}
	}
	s := &Service{
		store:   opts.Store,
		mail:    opts.Mail,
		baseURL: base,
		host:    u.Hostname(),
		https:   u.Scheme == "https",
		log:     opts.Logger,
		now:     opts.Now,
		opts:    opts,
		wake:    opts.Wake,
		windows: map[int64]*errorWindow{},
		limiter: newNetworkLimiter(opts.Store, opts.SubscribeBurst, opts.SubscribeEvery),
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.tmpl, err = loadTemplates(); err != nil {
		return nil, err
	}
	return s, nil
}

// SetWake sets what to call after enqueueing a delivery job, for when the
// jobs runner is made after the service.
func (s *Service) SetWake(wake func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.wake = wake
}

func (s *Service) wakeJobs() {
	s.mu.Lock()
	wake := s.wake
	s.mu.Unlock()
	if wake != nil {
		wake()
	}
}

// UserError is a refusal whose message may be shown to the reader or
// editor who caused it.
type UserError struct {
	msg string
	err error
}

func (e *UserError) Error() string {
	if e.err != nil {
		return "newsletter: " + e.msg + ": " + e.err.Error()
	}
	return "newsletter: " + e.msg
}

// UserMessage is the message for people.
func (e *UserError) UserMessage() string { return e.msg }

func (e *UserError) Unwrap() error { return e.err }

func userError(msg string, err error) error { return &UserError{msg: msg, err: err} }

// ErrInvalidLink is returned for a link from an email that is forged,
// damaged, expired or no longer applies.
var ErrInvalidLink error = &UserError{msg: "This link is not valid, or it has expired"}

// RateLimitError is returned when one network tries to subscribe too
// often.
type RateLimitError struct{ Wait time.Duration }

func (e *RateLimitError) Error() string { return "newsletter: too many subscription attempts" }

// UserMessage is the message for people.
func (e *RateLimitError) UserMessage() string {
	return "Too many attempts from your network. Please try again in a few minutes"
}

// RetryAfter is how long to wait before trying again.
func (e *RateLimitError) RetryAfter() time.Duration { return e.Wait }

// UnavailableError is returned when the email a request needs could not
// be sent just now: the reader should try again later.
type UnavailableError struct{ err error }

func (e *UnavailableError) Error() string { return "newsletter: email not sent: " + e.err.Error() }

func (e *UnavailableError) Unwrap() error { return e.err }

// UserMessage is the message for people.
func (e *UnavailableError) UserMessage() string {
	return "We could not send you the email just now. Please try again in a few minutes"
}

// Unavailable marks the failure as the service's, not the request's.
func (e *UnavailableError) Unavailable() bool { return true }

// setting reads a site setting, def when it is unset or blank.
func (s *Service) setting(ctx context.Context, key, def string) (string, error) {
	v, err := s.store.Setting(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return def, nil
	}
	if err != nil {
		return "", fmt.Errorf("newsletter: %w", err)
	}
	if v = strings.TrimSpace(v); v == "" {
		return def, nil
	}
	return v, nil
}

// sender is the From of newsletter emails: the publication's setting, or
// the site's name at a no-reply address of its host.
func (s *Service) sender(ctx context.Context) (string, error) {
	from, err := s.setting(ctx, SettingSender, "")
	if err != nil {
		return "", err
	}
	name, err := s.setting(ctx, settingSiteName, defaultSiteName)
	if err != nil {
		return "", err
	}
	if from != "" {
		a, err := mail.ParseAddress(from)
		if err != nil {
			return "", fmt.Errorf("newsletter: the sender setting %q: %w", from, err)
		}
		if a.Name == "" {
			a.Name = name
		}
		return a.String(), nil
	}
	host := s.host
	if host == "" || strings.Contains(host, ":") || !strings.Contains(host, ".") && host != "localhost" {
		host = "localhost"
	}
	return (&netAddress{Name: name, Address: "newsletter@" + host}).String(), nil
}
