// Package smtptest runs an SMTP server inside a test, over real TCP on
// 127.0.0.1, that records what it accepts and can be told to misbehave:
// refuse chosen recipients with 4xx or 5xx replies, or drop the connection
// in the middle of a message. Only tests import it.
package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options configure a Server.
type Options struct {
	// KeepBodies keeps every accepted message whole; without it only the
	// envelope and the header are kept.
	KeepBodies bool
	// CountOnly keeps nothing but the count of messages per recipient,
	// for benchmarks with many messages.
	CountOnly bool
	// STARTTLS offers TLS with a certificate made for the test; clients
	// trust it through ClientTLSConfig.
	STARTTLS bool
	// Username and Password require authentication (PLAIN, only over TLS).
	Username, Password string
}

// Message is one accepted message.
type Message struct {
	From   string
	To     []string
	Header mail.Header
	Data   []byte // the whole message; nil unless KeepBodies
}

// RcptFunc decides on one recipient: nil accepts it, an *smtp.SMTPError
// refuses it with that reply. n counts the RCPT commands for the address
// so far, this one included.
type RcptFunc func(rcpt string, n int) error

// DataFunc decides whether to drop the connection in the middle of this
// message instead of accepting it.
type DataFunc func(from string, to []string) (drop bool)

// Server is a running test SMTP server.
type Server struct {
	Host string
	Port int

	opts     Options
	srv      *smtp.Server
	tlsRoots *x509.CertPool

	mu       sync.Mutex
	messages []Message
	accepted map[string]int // accepted messages per recipient
	rcptSeen map[string]int
	drops    int
	total    int
	sessions map[*smtp.Conn]bool // open connections
	opened   int
	rcpt     RcptFunc
	data     DataFunc
}

// Start runs a server on 127.0.0.1 at a free port until the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s := &Server{opts: opts, accepted: map[string]int{}, rcptSeen: map[string]int{}, sessions: map[*smtp.Conn]bool{}}
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain = "sink.test"
	s.srv.ReadTimeout = 30 * time.Second
	s.srv.WriteTimeout = 30 * time.Second
	s.srv.MaxMessageBytes = 10 << 20
	s.srv.MaxRecipients = 50
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	if opts.STARTTLS {
		cert, roots, err := selfSigned()
		if err != nil {
			t.Fatalf("smtptest: %v", err)
		}
		s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		s.tlsRoots = roots
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	s.Host, s.Port = "127.0.0.1", addr.Port
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.srv.Serve(ln)
	}()
	t.Cleanup(func() {
		s.srv.Close()
		// Serve may not have registered the listener with the server yet.
		ln.Close()
		<-done
	})
	return s
}

// Addr is host:port.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// ClientTLSConfig trusts the server's certificate.
func (s *Server) ClientTLSConfig() *tls.Config {
	return &tls.Config{RootCAs: s.tlsRoots, ServerName: s.Host, MinVersion: tls.VersionTLS12}
}

// OnRcpt sets how recipients are answered; nil accepts all.
func (s *Server) OnRcpt(f RcptFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rcpt = f
}

// OnData sets which messages are cut off by a dropped connection; nil
// drops none.
func (s *Server) OnData(f DataFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data = f
}

// Messages returns what was accepted so far, in order (nothing with
// CountOnly).
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Count is how many messages were accepted for the address.
func (s *Server) Count(rcpt string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted[strings.ToLower(rcpt)]
}

// Counts returns the accepted messages per recipient.
func (s *Server) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.accepted))
	for k, v := range s.accepted {
		out[k] = v
	}
	return out
}

// Total is how many messages were accepted.
func (s *Server) Total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// Drops is how many connections were dropped in the middle of a message.
func (s *Server) Drops() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.drops
}

// Refuse makes an SMTP reply for RcptFunc: a code such as 451 or 550 and
// a text.
func Refuse(code int, text string) error {
	class := code / 100
	return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{class, 0, 0}, Message: text}
}

type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	b.s.mu.Lock()
	if !b.s.sessions[c] {
		b.s.sessions[c] = true
		b.s.opened++
	}
	b.s.mu.Unlock()
	return &session{s: b.s, conn: c}, nil
}

// Connections is how many client connections have been opened so far.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opened
}

// DropAll closes every open client connection, as a server that restarts
// or times idle clients out does.
func (s *Server) DropAll() {
	s.mu.Lock()
	conns := make([]*smtp.Conn, 0, len(s.sessions))
	for c := range s.sessions {
		conns = append(conns, c)
	}
	clear(s.sessions)
	s.mu.Unlock()
	for _, c := range conns {
		c.Conn().Close()
	}
}

type session struct {
	s      *Server
	conn   *smtp.Conn
	authed bool
	from   string
	to     []string
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.opts.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != ss.s.opts.Username || password != ss.s.opts.Password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.opts.Username != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from, ss.to = from, nil
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	key := strings.ToLower(to)
	ss.s.mu.Lock()
	ss.s.rcptSeen[key]++
	n, f := ss.s.rcptSeen[key], ss.s.rcpt
	ss.s.mu.Unlock()
	if f != nil {
		if err := f(to, n); err != nil {
			return err
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	ss.s.mu.Lock()
	f := ss.s.data
	ss.s.mu.Unlock()
	if f != nil && f(ss.from, ss.to) {
		// Read a little of the message, then vanish before answering, as
		// a server that crashes or a network that fails would.
		io.CopyN(io.Discard, r, 512)
		ss.s.mu.Lock()
		ss.s.drops++
		ss.s.mu.Unlock()
		ss.conn.Conn().Close()
		return errors.New("smtptest: connection dropped on purpose")
	}
	if ss.s.opts.CountOnly {
		if _, err := io.Copy(io.Discard, r); err != nil {
			return err
		}
		ss.s.mu.Lock()
		ss.s.total++
		for _, to := range ss.to {
			ss.s.accepted[strings.ToLower(to)]++
		}
		ss.s.mu.Unlock()
		return nil
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "unreadable message: " + err.Error()}
	}
	m := Message{From: ss.from, To: append([]string(nil), ss.to...), Header: msg.Header}
	if ss.s.opts.KeepBodies {
		m.Data = data
	}
	ss.s.mu.Lock()
	ss.s.messages = append(ss.s.messages, m)
	ss.s.total++
	for _, to := range ss.to {
		ss.s.accepted[strings.ToLower(to)]++
	}
	ss.s.mu.Unlock()
	return nil
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error {
	ss.s.mu.Lock()
	delete(ss.s.sessions, ss.conn)
	ss.s.mu.Unlock()
	return nil
}

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "smtptest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, roots, nil
}
