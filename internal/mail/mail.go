// Package mail builds the emails Masthead sends (a plain-text and an HTML
// body) and hands them to a Sender: the outbox in the database for now, an
// SMTP server later, without callers noticing the difference.
package mail

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
)

// Message is one email to one recipient.
type Message struct {
	To      string // one address, optionally with a display name: "Ann Lee <ann@example.org>"
	From    string // empty means the sender's default
	Subject string
	Text    string // the plain-text body; every message has one
	HTML    string // the HTML body; optional
	// Headers are further header fields, such as Reply-To or
	// List-Unsubscribe. The fields the sender writes itself (To, From,
	// Subject, Date, the MIME fields…) cannot be set here.
	Headers map[string]string
	Kind    string // what the message is for, e.g. "invite" or "reset"; kept with it
	// MessageID is the Message-ID, "<unique@domain>"; empty means the
	// sender makes one. Bulk mail sets its own, the same for every attempt
	// at one delivery, so that a copy sent twice can be recognised.
	MessageID string
}

// Sender delivers messages. Send returns an error wrapping ErrInvalid when
// the message itself is at fault (a bad address, a header that would
// inject others), so callers can tell the user; other errors are delivery
// failures.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrInvalid marks a message that cannot be sent as it is.
var ErrInvalid = errors.New("mail: invalid message")

// reserved are the header fields a sender writes itself.
var reserved = map[string]bool{
	"to": true, "from": true, "subject": true, "cc": true, "bcc": true, "date": true, "message-id": true,
	"mime-version": true, "content-type": true, "content-transfer-encoding": true, "sender": true,
	"return-path": true, "received": true,
}

// ParseAddress checks one address and returns it with its display name.
// It refuses lists, groups and anything with a line break.
func ParseAddress(s string) (*mail.Address, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, fmt.Errorf("%w: address %q holds a line break", ErrInvalid, s)
	}
	a, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("%w: address %q: %w", ErrInvalid, s, err)
	}
	if a.Address == "" || strings.ContainsAny(a.Address, "\r\n") || strings.ContainsAny(a.Name, "\r\n") {
		return nil, fmt.Errorf("%w: address %q", ErrInvalid, s)
	}
	return a, nil
}

// Validate checks everything a sender relies on: one valid recipient, a
// valid sender when set, a subject and a text body, and header fields
// that are well formed, not reserved and free of line breaks (which would
// let a value inject further headers or a body).
func (m Message) Validate() error {
	if _, err := ParseAddress(m.To); err != nil {
		return fmt.Errorf("to: %w", err)
	}
	if m.From != "" {
		if _, err := ParseAddress(m.From); err != nil {
			return fmt.Errorf("from: %w", err)
		}
	}
	if strings.TrimSpace(m.Subject) == "" {
		return fmt.Errorf("%w: no subject", ErrInvalid)
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return fmt.Errorf("%w: the subject holds a line break", ErrInvalid)
	}
	if strings.TrimSpace(m.Text) == "" {
		return fmt.Errorf("%w: no text body", ErrInvalid)
	}
	if m.MessageID != "" && !validMessageID(m.MessageID) {
		return fmt.Errorf("%w: Message-ID %q is not <id@domain>", ErrInvalid, m.MessageID)
	}
	for name, value := range m.Headers {
		if !validFieldName(name) {
			return fmt.Errorf("%w: header name %q", ErrInvalid, name)
		}
		if reserved[strings.ToLower(name)] {
			return fmt.Errorf("%w: header %s is set by the sender", ErrInvalid, name)
		}
		if strings.ContainsAny(value, "\r\n\x00") {
			return fmt.Errorf("%w: header %s holds a line break", ErrInvalid, name)
		}
	}
	return nil
}

// validFieldName follows RFC 5322: printable ASCII except the colon.
func validFieldName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range []byte(name) {
		if c < 33 || c > 126 || c == ':' {
			return false
		}
	}
	return true
}

// validMessageID accepts "<left@right>" of printable ASCII without spaces
// or further angle brackets.
func validMessageID(id string) bool {
	if len(id) < 5 || len(id) > 250 || !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, ">") {
		return false
	}
	inner := id[1 : len(id)-1]
	left, right, ok := strings.Cut(inner, "@")
	if !ok || left == "" || right == "" || strings.Contains(right, "@") {
		return false
	}
	for _, c := range []byte(inner) {
		if c <= ' ' || c > '~' || c == '<' || c == '>' {
			return false
		}
	}
	return true
}
