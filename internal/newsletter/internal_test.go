package newsletter

import (
	"strings"
	"testing"
	"time"
)

func TestTokens(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	now := time.Date(2025, 3, 7, 9, 0, 0, 0, time.UTC)
	tok := linkToken{purpose: purposeConfirm, subscriberID: 1234567, expires: now.Add(time.Hour), stamp: now.UnixMicro()}
	text := sign(key, tok)
	if len(text) > 60 || strings.ContainsAny(text, "+/=") {
		t.Errorf("token %q is not short and URL-safe", text)
	}
	got, err := verify(key, text, purposeConfirm, now)
	if err != nil || got.subscriberID != tok.subscriberID || got.stamp != tok.stamp || !got.expires.Equal(tok.expires) {
		t.Fatalf("verify = %+v, %v", got, err)
	}
	for name, tt := range map[string]struct {
		key     []byte
		purpose byte
		now     time.Time
	}{
		"other key":     {[]byte("another key, another site......."), purposeConfirm, now},
		"other purpose": {key, purposeManage, now},
		"expired":       {key, purposeConfirm, now.Add(time.Hour)},
	} {
		if _, err := verify(tt.key, text, tt.purpose, tt.now); err != ErrInvalidLink {
			t.Errorf("%s: %v", name, err)
		}
	}
	forever := sign(key, linkToken{purpose: purposeManage, subscriberID: 9})
	if got, err := verify(key, forever, purposeManage, now.AddDate(30, 0, 0)); err != nil || !got.expires.IsZero() {
		t.Errorf("a manage link expired: %+v, %v", got, err)
	}
	if _, err := verify(key, sign(key, linkToken{purpose: purposeManage}), purposeManage, now); err != ErrInvalidLink {
		t.Errorf("a link to subscriber 0: %v", err)
	}
}

func TestWrap(t *testing.T) {
	in := "A fairly long sentence that goes on and on, well past the width of a line in a plain-text email.\n\n" +
		"https://review.example/a/very/long/address/that/cannot/be/broken/anywhere/at/all/ever"
	out := wrap(in, 30)
	for _, line := range strings.Split(out, "\n") {
		if len([]rune(line)) > 30 && !strings.HasPrefix(line, "https://") {
			t.Errorf("line too long: %q", line)
		}
	}
	if strings.Join(strings.Fields(out), " ") != strings.Join(strings.Fields(in), " ") {
		t.Errorf("wrap changed the words:\n%s", out)
	}
	if !strings.Contains(out, "\n\nhttps://") {
		t.Errorf("wrap lost the paragraph break:\n%s", out)
	}
}

func TestErrorWindow(t *testing.T) {
	w := &errorWindow{outcomes: make([]bool, 10), min: 4, threshold: 0.5}
	w.add(true, "a")
	w.add(true, "b")
	if w.tripped() {
		t.Error("tripped before the minimum of samples")
	}
	w.add(false, "")
	w.add(true, "c")
	if fails, n, last, tripped := w.state(); !tripped || fails != 3 || n != 4 || last != "c" {
		t.Errorf("state = %d, %d, %q, %v", fails, n, last, tripped)
	}
	// Old failures leave the window.
	for range 10 {
		w.add(false, "")
	}
	if fails, n, _, tripped := w.state(); tripped || fails != 0 || n != 10 {
		t.Errorf("after ten successes: %d of %d, tripped %v", fails, n, tripped)
	}
	for range 5 {
		w.add(true, "x")
	}
	if w.tripped() {
		t.Error("five of ten is not more than half")
	}
	w.add(true, "x")
	if !w.tripped() {
		t.Error("six of ten is more than half")
	}
}

func TestListPhraseAndDomain(t *testing.T) {
	for in, want := range map[string]string{
		"The Review":            "The Review",
		"Foreign Affairs, Inc.": `"Foreign Affairs, Inc."`,
		"Le Monde diplo\r\nX":   "Le Monde diploX",
		"Café Europa":           "=?utf-8?q?Caf=C3=A9_Europa?=",
	} {
		if got := listPhrase(in); got != want {
			t.Errorf("listPhrase(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"review.example": "review.example", "127.0.0.1": "localhost", "::1": "localhost", "": "localhost"} {
		if got := listDomain(in); got != want {
			t.Errorf("listDomain(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRetryDelay(t *testing.T) {
	s := &Service{opts: Options{RetryBase: time.Minute}}
	for attempts, want := range map[int]time.Duration{1: time.Minute, 2: 2 * time.Minute, 3: 4 * time.Minute, 7: time.Hour, 30: time.Hour} {
		if got := s.retryDelay(attempts); got != want {
			t.Errorf("retryDelay(%d) = %v, want %v", attempts, got, want)
		}
	}
}
