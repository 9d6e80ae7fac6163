package newsletter

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"
)

// What a link from an email lets its holder do.
const (
	purposeConfirm byte = 1 // confirm one subscription request
	purposeManage  byte = 2 // see and change the subscriber's preferences, unsubscribe
)

// macSize is the length of a link's signature: 128 bits cannot be
// guessed, and the links stay short.
const macSize = 16

// linkToken is what a signed link says.
type linkToken struct {
	purpose      byte
	subscriberID int64
	expires      time.Time // zero: never
	// stamp ties a confirmation link to the request that sent it (the
	// subscriber's ConsentAt, in microseconds).
	stamp int64
}

// key returns the site's link secret, making and storing one on first
// use.
func (s *Service) key(ctx context.Context) ([]byte, error) {
	s.mu.Lock()
	secret := s.secret
	s.mu.Unlock()
	if secret != nil {
		return secret, nil
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("newsletter: link secret: %w", err)
	}
	v, err := s.store.InitSetting(ctx, SettingSecret, hex.EncodeToString(b[:]))
	if err != nil {
		return nil, fmt.Errorf("newsletter: link secret: %w", err)
	}
	secret, err = hex.DecodeString(v)
	if err != nil || len(secret) < 16 {
		return nil, fmt.Errorf("newsletter: the stored link secret is unusable")
	}
	s.mu.Lock()
	s.secret = secret
	s.mu.Unlock()
	return secret, nil
}

// sign makes the text of a link: the token's fields and their HMAC, in
// URL-safe base64.
func sign(key []byte, t linkToken) string {
	buf := make([]byte, 0, 1+3*binary.MaxVarintLen64+macSize)
	buf = append(buf, t.purpose)
	buf = binary.AppendUvarint(buf, uint64(t.subscriberID))
	var exp int64
	if !t.expires.IsZero() {
		exp = t.expires.Unix()
	}
	buf = binary.AppendVarint(buf, exp)
	buf = binary.AppendVarint(buf, t.stamp)
	mac := hmac.New(sha256.New, key)
	mac.Write(buf)
	buf = mac.Sum(buf)[:len(buf)+macSize]
	return base64.RawURLEncoding.EncodeToString(buf)
}

// verify checks a link's signature, purpose and expiry at now. Anything
// wrong is ErrInvalidLink, with no hint of what.
func verify(key []byte, text string, purpose byte, now time.Time) (linkToken, error) {
	if len(text) > 100 {
		return linkToken{}, ErrInvalidLink
	}
	raw, err := base64.RawURLEncoding.DecodeString(text)
	if err != nil || len(raw) < 1+macSize {
		return linkToken{}, ErrInvalidLink
	}
	body, sum := raw[:len(raw)-macSize], raw[len(raw)-macSize:]
	mac := hmac.New(sha256.New, key)
	mac.Write(body)
	if !hmac.Equal(mac.Sum(nil)[:macSize], sum) {
		return linkToken{}, ErrInvalidLink
	}
	t := linkToken{purpose: body[0]}
	rest := body[1:]
	id, n := binary.Uvarint(rest)
	if n <= 0 {
		return linkToken{}, ErrInvalidLink
	}
	rest = rest[n:]
	exp, n := binary.Varint(rest)
	if n <= 0 {
		return linkToken{}, ErrInvalidLink
	}
	rest = rest[n:]
	t.stamp, n = binary.Varint(rest)
	if n <= 0 || n != len(rest) {
		return linkToken{}, ErrInvalidLink
	}
	t.subscriberID = int64(id)
	if exp != 0 {
		t.expires = time.Unix(exp, 0)
	}
	if t.purpose != purpose || t.subscriberID <= 0 || (!t.expires.IsZero() && !now.Before(t.expires)) {
		return linkToken{}, ErrInvalidLink
	}
	return t, nil
}

// manageToken is the subscriber's link to their preferences and to
// unsubscribing. It does not expire: an unsubscribe link in an old email
// must still work.
func (s *Service) manageToken(key []byte, subscriberID int64) string {
	return sign(key, linkToken{purpose: purposeManage, subscriberID: subscriberID})
}

func (s *Service) confirmURL(token string) string     { return s.baseURL + "/subscribe/confirm/" + token }
func (s *Service) preferencesURL(token string) string { return s.baseURL + "/preferences/" + token }
func (s *Service) unsubscribeURL(token string) string { return s.baseURL + "/unsubscribe/" + token }
