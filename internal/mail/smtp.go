package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// TLS modes of an SMTP connection.
const (
	TLSNone     = "none"     // plain text; for a relay on the same host or network
	TLSStartTLS = "starttls" // upgrade a plain connection; refuse a server that cannot
	TLSImplicit = "tls"      // TLS from the first byte (usually port 465)
)

// SMTPConfig says how to reach the mail server.
type SMTPConfig struct {
	Host string
	// Port defaults to the usual one of the TLS mode: 25 for none, 587
	// for starttls, 465 for tls.
	Port int
	// TLS is TLSNone, TLSStartTLS or TLSImplicit; empty means starttls.
	TLS string
	// Username and Password turn on authentication, with the strongest
	// mechanism the server offers.
	Username string
	Password string
	// From is the sender of messages that name none.
	From string
	// HELO is the name given in EHLO; empty means this host's name.
	HELO string
	// Timeout bounds connecting and each message; 0 means 30 s.
	Timeout time.Duration
	// MaxConns is how many connections may be open at once, each carrying
	// one message at a time; 0 means 4. Send waits for a free one.
	MaxConns int
	// MaxPerConn is how many messages one connection carries before it is
	// closed and a fresh one opened; 0 means 500.
	MaxPerConn int
	// IdleTimeout closes connections unused this long (servers drop idle
	// clients); 0 means 30 s.
	IdleTimeout time.Duration
	// TLSConfig replaces the default TLS settings (system roots, the
	// server name Host, TLS 1.2 or later), e.g. to trust a private CA.
	TLSConfig *tls.Config
}

// SMTP is a Sender that delivers through an SMTP server, keeping a few
// connections open between messages. It is safe for concurrent use.
type SMTP struct {
	cfg    SMTPConfig
	client *gomail.Client
	conns  chan struct{} // a token per connection that may be open

	mu     sync.Mutex
	idle   []*smtpConn
	closed bool
}

// smtpConn is an open connection and what it has carried.
type smtpConn struct {
	c        *smtp.Client
	sent     int
	lastUsed time.Time
}

// NewSMTP checks cfg and prepares a sender; it connects on the first Send.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	cfg.Host = strings.TrimSpace(cfg.Host)
	if cfg.Host == "" {
		return nil, errors.New("mail: smtp: no host")
	}
	if cfg.TLS == "" {
		cfg.TLS = TLSStartTLS
	}
	if cfg.Port == 0 {
		switch cfg.TLS {
		case TLSNone:
			cfg.Port = 25
		case TLSImplicit:
			cfg.Port = 465
		default:
			cfg.Port = 587
		}
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("mail: smtp: port %d is not from 1 to 65535", cfg.Port)
	}
	if cfg.From != "" {
		if _, err := ParseAddress(cfg.From); err != nil {
			return nil, fmt.Errorf("mail: smtp: sender: %w", err)
		}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = 4
	}
	if cfg.MaxPerConn <= 0 {
		cfg.MaxPerConn = 500
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Second
	}
	tlsConfig := cfg.TLSConfig
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
	}
	opts := []gomail.Option{
		gomail.WithPort(cfg.Port),
		gomail.WithTimeout(cfg.Timeout),
		gomail.WithTLSConfig(tlsConfig),
		// A connection that went away is found out by the next command
		// and replaced (see send); a NOOP before each message would cost a
		// round trip to learn the same. After a message is accepted the
		// session is ready for the next without RSET.
		gomail.WithoutNoop(),
		gomail.WithoutRset(),
	}
	switch cfg.TLS {
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	default:
		return nil, fmt.Errorf("mail: smtp: TLS mode %q is not none, starttls or tls", cfg.TLS)
	}
	if cfg.HELO != "" {
		opts = append(opts, gomail.WithHELO(cfg.HELO))
	}
	if cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	client, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: smtp: %w", err)
	}
	return &SMTP{cfg: cfg, client: client, conns: make(chan struct{}, cfg.MaxConns)}, nil
}

// errClosed is the failure of a message handed to a closed sender; nothing
// was transmitted.
var errClosed = errors.New("sender is closed")

// SMTPError is a delivery failure. Permanent ones (a 5xx reply) will fail
// again; the others (a 4xx reply, a connection refused, dropped or timed
// out) may succeed later.
type SMTPError struct {
	Code      int    // the server's reply code; 0 when the connection failed
	Enhanced  string // the enhanced status code, e.g. "5.1.1", when the server gave one
	Permanent bool
	Err       error
}

func (e *SMTPError) Error() string {
	kind := "temporary"
	if e.Permanent {
		kind = "permanent"
	}
	return fmt.Sprintf("mail: smtp: %s failure: %v", kind, e.Err)
}

func (e *SMTPError) Unwrap() error { return e.Err }

// IsPermanent reports whether sending failed in a way that trying again
// cannot fix: the message is invalid, or the server refused it or its
// recipient with a 5xx reply. Any other failure is temporary.
func IsPermanent(err error) bool {
	if errors.Is(err, ErrInvalid) {
		return true
	}
	var se *SMTPError
	return errors.As(err, &se) && se.Permanent
}

// Send validates m and hands it to the server. It returns nil only once
// the server has accepted the message. ctx bounds waiting for a connection
// and connecting; once the message is being transmitted it runs to its
// end or the timeout, so that a message the server accepts is never
// reported as failed because the caller stopped meanwhile.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	if m.From == "" {
		m.From = s.cfg.From
	}
	if m.From == "" {
		return fmt.Errorf("mail: smtp: %w: no sender", ErrInvalid)
	}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("mail: smtp: %w", err)
	}
	msg, err := buildMsg(m, time.Now())
	if err != nil {
		return fmt.Errorf("mail: smtp: %w", err)
	}

	select {
	case s.conns <- struct{}{}:
	case <-ctx.Done():
		return &SMTPError{Err: ctx.Err()}
	}
	defer func() { <-s.conns }()

	conn, reused, err := s.take(ctx)
	if err != nil {
		return err
	}
	err = s.client.SendWithSMTPClient(conn.c, msg)
	if err != nil && reused && notStarted(err) {
		// The server closed the idle connection: nothing was sent on it,
		// so the message goes out on a fresh one.
		conn.c.Close()
		if conn, _, err = s.take(ctx); err != nil {
			return err
		}
		err = s.client.SendWithSMTPClient(conn.c, msg)
	}
	if err == nil || msg.IsDelivered() {
		conn.sent++
		s.give(conn)
		return nil
	}
	if keepsSession(err) {
		s.give(conn)
	} else {
		conn.c.Close()
	}
	return classify(err)
}

// take returns an idle connection, or a new one when there is none.
func (s *SMTP) take(ctx context.Context) (*smtpConn, bool, error) {
	now := time.Now()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, false, &SMTPError{Err: errClosed}
	}
	var stale []*smtpConn
	var conn *smtpConn
	for len(s.idle) > 0 && conn == nil {
		c := s.idle[len(s.idle)-1]
		s.idle = s.idle[:len(s.idle)-1]
		if now.Sub(c.lastUsed) > s.cfg.IdleTimeout {
			stale = append(stale, c)
			continue
		}
		conn = c
	}
	s.mu.Unlock()
	for _, c := range stale {
		s.client.CloseWithSMTPClient(c.c)
	}
	if conn != nil {
		return conn, true, nil
	}
	c, err := s.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		// Whatever the server said while we connected (a refused login, a
		// missing STARTTLS), it concerns the configuration, not the
		// recipient: never permanent for the message.
		return nil, false, &SMTPError{Code: replyCode(err), Err: fmt.Errorf("connect to %s: %w", s.cfg.hostPort(), err)}
	}
	return &smtpConn{c: c}, false, nil
}

// give puts a connection back for the next message, or closes it when it
// has carried enough.
func (s *SMTP) give(c *smtpConn) {
	c.lastUsed = time.Now()
	s.mu.Lock()
	if !s.closed && c.sent < s.cfg.MaxPerConn {
		s.idle = append(s.idle, c)
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	s.client.CloseWithSMTPClient(c.c)
}

// Close says goodbye on the idle connections. Sends in flight finish and
// close their own.
func (s *SMTP) Close() error {
	s.mu.Lock()
	idle := s.idle
	s.idle, s.closed = nil, true
	s.mu.Unlock()
	var errs []error
	for _, c := range idle {
		if err := s.client.CloseWithSMTPClient(c.c); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("mail: smtp: close: %w", err)
	}
	return nil
}

// notStarted reports whether err came before the server was asked to
// take the message: the MAIL command failed without a reply, as on a
// connection the server has closed.
func notStarted(err error) bool {
	var se *gomail.SendError
	return errors.As(err, &se) && se.Reason == gomail.ErrSMTPMailFrom && se.ErrorCode() == 0
}

// keepsSession reports whether the connection is still in a known state
// after err: the server answered MAIL or RCPT with a refusal, and the
// transaction was reset.
func keepsSession(err error) bool {
	var se *gomail.SendError
	if !errors.As(err, &se) {
		return false
	}
	return (se.Reason == gomail.ErrSMTPMailFrom || se.Reason == gomail.ErrSMTPRcptTo) && se.ErrorCode() >= 400
}

// classify turns a failure into an SMTPError: a 5xx reply is permanent,
// everything else temporary.
func classify(err error) error {
	code, enhanced := replyCode(err), ""
	var se *gomail.SendError
	if errors.As(err, &se) {
		if c := se.ErrorCode(); c != 0 {
			code = c
		}
		enhanced = se.EnhancedStatusCode()
	}
	return &SMTPError{Code: code, Enhanced: enhanced, Permanent: code >= 500 && code < 600, Err: err}
}

// replyCode finds the server's reply code in err, or 0.
func replyCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

// buildMsg writes m as a MIME message: the text body, and the HTML body
// as its alternative, both UTF-8 in quoted-printable; names and subject
// encoded as RFC 2047 words when they are not ASCII.
func buildMsg(m Message, now time.Time) (*gomail.Msg, error) {
	from, _ := ParseAddress(m.From) // checked by Validate
	to, _ := ParseAddress(m.To)
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(from)
	msg.ToMailAddress(to)
	msg.Subject(m.Subject)
	msg.SetDateWithValue(now)
	id := m.MessageID
	if id == "" {
		var err error
		if id, err = NewMessageID(from.Address); err != nil {
			return nil, err
		}
	}
	msg.SetMessageIDWithValue(strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">"))
	for name, value := range m.Headers {
		msg.SetGenHeader(gomail.Header(textproto.CanonicalMIMEHeaderKey(name)), value)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// NewMessageID returns a new, unique Message-ID, in angle brackets, in the
// domain of the sender's address.
func NewMessageID(sender string) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("mail: message id: %w", err)
	}
	return "<" + hex.EncodeToString(b[:]) + "@" + messageIDDomain(sender) + ">", nil
}

func messageIDDomain(sender string) string {
	if at := strings.LastIndexByte(sender, '@'); at >= 0 && at < len(sender)-1 {
		if d := strings.Trim(sender[at+1:], "<> "); d != "" {
			return d
		}
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "localhost"
}

// Environment variables of SMTPConfigFromEnv.
const (
	EnvSMTPHost        = "MASTHEAD_SMTP_HOST"
	EnvSMTPPort        = "MASTHEAD_SMTP_PORT"
	EnvSMTPTLS         = "MASTHEAD_SMTP_TLS"
	EnvSMTPUsername    = "MASTHEAD_SMTP_USERNAME"
	EnvSMTPPassword    = "MASTHEAD_SMTP_PASSWORD" // or a file named by MASTHEAD_SMTP_PASSWORD_FILE
	EnvSMTPFrom        = "MASTHEAD_SMTP_FROM"
	EnvSMTPHELO        = "MASTHEAD_SMTP_HELO"
	EnvSMTPTimeout     = "MASTHEAD_SMTP_TIMEOUT"
	EnvSMTPMaxConns    = "MASTHEAD_SMTP_MAX_CONNS"
	EnvSMTPIdleTimeout = "MASTHEAD_SMTP_IDLE_TIMEOUT"
)

// SMTPConfigFromEnv reads the SMTP settings from MASTHEAD_SMTP_*
// variables. ok is false when MASTHEAD_SMTP_HOST is unset: mail then goes
// to the outbox. Every bad value is reported at once.
func SMTPConfigFromEnv(env func(string) string) (cfg SMTPConfig, ok bool, err error) {
	get := func(k string) string { return strings.TrimSpace(env(k)) }
	cfg.Host = get(EnvSMTPHost)
	if cfg.Host == "" {
		return SMTPConfig{}, false, nil
	}
	var errs []error
	if v := get(EnvSMTPPort); v != "" {
		if n, perr := strconv.Atoi(v); perr != nil || n < 1 || n > 65535 {
			errs = append(errs, fmt.Errorf("%s: %q is not a port number", EnvSMTPPort, v))
		} else {
			cfg.Port = n
		}
	}
	cfg.TLS = strings.ToLower(get(EnvSMTPTLS))
	switch cfg.TLS {
	case "", TLSNone, TLSStartTLS, TLSImplicit:
	default:
		errs = append(errs, fmt.Errorf("%s: %q is not none, starttls or tls", EnvSMTPTLS, cfg.TLS))
	}
	cfg.Username = get(EnvSMTPUsername)
	cfg.Password = env(EnvSMTPPassword)
	if cfg.Password == "" {
		if file := get(EnvSMTPPassword + "_FILE"); file != "" {
			b, ferr := os.ReadFile(file)
			if ferr != nil {
				errs = append(errs, fmt.Errorf("%s_FILE: %w", EnvSMTPPassword, ferr))
			}
			cfg.Password = strings.TrimRight(string(b), "\r\n")
		}
	}
	cfg.From = get(EnvSMTPFrom)
	if cfg.From != "" {
		if _, perr := ParseAddress(cfg.From); perr != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not an address", EnvSMTPFrom, cfg.From))
		}
	}
	cfg.HELO = get(EnvSMTPHELO)
	duration := func(key string, into *time.Duration) {
		if v := get(key); v != "" {
			d, perr := time.ParseDuration(v)
			if perr != nil || d <= 0 {
				errs = append(errs, fmt.Errorf("%s: %q is not a duration such as 30s", key, v))
				return
			}
			*into = d
		}
	}
	duration(EnvSMTPTimeout, &cfg.Timeout)
	duration(EnvSMTPIdleTimeout, &cfg.IdleTimeout)
	if v := get(EnvSMTPMaxConns); v != "" {
		if n, perr := strconv.Atoi(v); perr != nil || n < 1 || n > 100 {
			errs = append(errs, fmt.Errorf("%s: %q is not a number from 1 to 100", EnvSMTPMaxConns, v))
		} else {
			cfg.MaxConns = n
		}
	}
	if err := errors.Join(errs...); err != nil {
		return cfg, true, fmt.Errorf("mail: smtp settings:\n%w", err)
	}
	return cfg, true, nil
}

// hostPort is the server's address, for messages.
func (c SMTPConfig) hostPort() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }
