// Package editorial holds the newsroom's rules and workflows: who may do
// what, accounts and sign-in, writing, scheduling and correcting posts,
// revisions, the media library, people and site settings. The desk and the
// admin API call the same services; nothing here knows about HTTP.
package editorial

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"masthead/internal/mail"
	"masthead/internal/media"
	"masthead/internal/store"
	"masthead/internal/topics/topicstore"
)

// The kinds of refusal. Every error a service returns because of what was
// asked (rather than because something broke) wraps one of them and is a
// *Refusal or FieldErrors whose text can be shown as it is.
var (
	ErrForbidden = errors.New("editorial: forbidden")
	ErrNotFound  = errors.New("editorial: not found")
	ErrInvalid   = errors.New("editorial: invalid")
	ErrConflict  = errors.New("editorial: conflict")
	// ErrTooManyAttempts refuses a sign-in while its account or address is
	// locked out after repeated failures.
	ErrTooManyAttempts = errors.New("editorial: too many attempts")
)

// Refusal is a request the rules turn down. Message is written for the
// person who asked and holds no internal detail.
type Refusal struct {
	Reason  error // ErrForbidden, ErrNotFound, ErrInvalid, ErrConflict or ErrTooManyAttempts
	Message string
	// RetryAfter is how long to wait before trying again, for
	// ErrTooManyAttempts.
	RetryAfter time.Duration
}

func (e *Refusal) Error() string { return e.Message }
func (e *Refusal) Unwrap() error { return e.Reason }

func forbidden(format string, args ...any) error {
	return &Refusal{Reason: ErrForbidden, Message: fmt.Sprintf(format, args...)}
}

func notFound(what string) error {
	return &Refusal{Reason: ErrNotFound, Message: what + " does not exist."}
}

func invalid(format string, args ...any) error {
	return &Refusal{Reason: ErrInvalid, Message: fmt.Sprintf(format, args...)}
}

func conflicting(format string, args ...any) error {
	return &Refusal{Reason: ErrConflict, Message: fmt.Sprintf(format, args...)}
}

// FieldErrors are the problems of a submitted form, by field name. It is an
// error wrapping ErrInvalid; a form shows each message next to its field.
type FieldErrors map[string]string

func (fe FieldErrors) Error() string {
	keys := slices.Sorted(maps.Keys(fe))
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+fe[k])
	}
	return "editorial: " + strings.Join(parts, "; ")
}

// Is makes errors.Is(fe, ErrInvalid) true.
func (fe FieldErrors) Is(target error) bool { return target == ErrInvalid }

// errOrNil returns fe as an error, or nil when it holds nothing.
func (fe FieldErrors) errOrNil() error {
	if len(fe) == 0 {
		return nil
	}
	return fe
}

// Actor is who asks for something: a signed-in account and the address
// the request came from, which the audit log records.
type Actor struct {
	store.Account
	IP string
}

// Defaults of a Service.
const (
	DefaultMaxUploadBytes = 20 << 20
	SessionLifetime       = 30 * 24 * time.Hour
	ResetLifetime         = time.Hour
	InviteLifetime        = 7 * 24 * time.Hour
)

// Options configures a Service.
type Options struct {
	Store *store.Store
	Media media.Storage
	// Mail delivers invitations and password resets.
	Mail mail.Sender
	// BaseURL is the public URL of the site, e.g. "https://example.org";
	// links in emails start with it.
	BaseURL string
	// Invalidate is called after every change readers can see (the site's
	// page cache drop). May be nil.
	Invalidate func()
	// WakeJobs is called after a job was enqueued, so that the runner looks
	// at once. May be nil.
	WakeJobs func()
	// MaxUploadBytes bounds an uploaded image; 0 means
	// DefaultMaxUploadBytes.
	MaxUploadBytes int64
	// RenditionWidths are the widths of responsive copies; nil means
	// media.DefaultWidths().
	RenditionWidths []int
	Logger          *slog.Logger
	Now             func() time.Time // nil means time.Now
}

// Service carries out editorial work. It is safe for concurrent use.
type Service struct {
	store      *store.Store
	media      media.Storage
	mail       mail.Sender
	baseURL    string
	invalidate func()
	wakeJobs   func()
	maxUpload  int64
	widths     []int
	log        *slog.Logger
	now        func() time.Time
	limiter    signinThrottle
	dummyHash  string
	mailTmpl   *mailTemplates
	topics     topicstore.Cache
}

// New returns a Service.
func New(opts Options) (*Service, error) {
	if opts.Store == nil {
		return nil, errors.New("editorial: no store")
	}
	s := &Service{
		store:      opts.Store,
		media:      opts.Media,
		mail:       opts.Mail,
		baseURL:    strings.TrimRight(opts.BaseURL, "/"),
		invalidate: opts.Invalidate,
		wakeJobs:   opts.WakeJobs,
		maxUpload:  opts.MaxUploadBytes,
		widths:     opts.RenditionWidths,
		log:        opts.Logger,
		now:        opts.Now,
	}
	if s.maxUpload <= 0 {
		s.maxUpload = DefaultMaxUploadBytes
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.limiter = newSigninThrottle(s.store, s.log)
	var err error
	// Signing in as an unknown address checks this hash, so that the time
	// taken does not tell which addresses have accounts.
	if s.dummyHash, err = HashPassword("not a password of anyone"); err != nil {
		return nil, err
	}
	if s.mailTmpl, err = loadMailTemplates(); err != nil {
		return nil, err
	}
	return s, nil
}

// Store returns the store the service works on.
func (s *Service) Store() *store.Store { return s.store }

// SetWakeJobs sets the function called after a job is enqueued; the server
// sets it once its job runner exists.
func (s *Service) SetWakeJobs(f func()) { s.wakeJobs = f }

// SetInvalidate sets the function called after changes readers can see.
func (s *Service) SetInvalidate(f func()) { s.invalidate = f }

// MaxUploadBytes is the size limit of an uploaded image.
func (s *Service) MaxUploadBytes() int64 { return s.maxUpload }

func (s *Service) changed() {
	if s.invalidate != nil {
		s.invalidate()
	}
}

func (s *Service) wake() {
	if s.wakeJobs != nil {
		s.wakeJobs()
	}
}

// audit records an action. A failure to record is logged, not returned:
// the action has already happened.
func (s *Service) audit(ctx context.Context, actor Actor, action, target, detail string) {
	e := store.AuditEntry{At: s.now(), AccountID: actor.ID, Action: action, Target: target, Detail: detail, IP: actor.IP}
	if err := s.store.AppendAudit(context.WithoutCancel(ctx), &e); err != nil {
		s.log.ErrorContext(ctx, "editorial: audit", "action", action, "err", err)
	}
}
