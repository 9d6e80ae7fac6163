package server

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientAddr(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	for _, tc := range []struct {
		remote string
		xff    []string
		want   string
	}{
		{"10.1.2.3:5000", []string{"198.51.100.7"}, "198.51.100.7:5000"},
		// Proxies in a chain are skipped from the right; what a client
		// wrote left of its own address is not believed.
		{"10.1.2.3:5000", []string{"6.6.6.6, 198.51.100.7, 10.9.9.9"}, "198.51.100.7:5000"},
		{"10.1.2.3:5000", []string{"6.6.6.6", "198.51.100.7"}, "198.51.100.7:5000"},
		// A peer that is not a trusted proxy is the client, whatever it says.
		{"198.51.100.7:4444", []string{"203.0.113.77"}, "198.51.100.7:4444"},
		// Nothing forwarded, or only proxies: the last address seen.
		{"10.1.2.3:5000", nil, "10.1.2.3:5000"},
		{"10.1.2.3:5000", []string{"10.4.4.4"}, "10.4.4.4:5000"},
		// A garbled hop ends the walk at the last good address.
		{"10.1.2.3:5000", []string{"198.51.100.7, garbage"}, "10.1.2.3:5000"},
		{"[::1]:5000", []string{"2001:db8::1"}, "[2001:db8::1]:5000"},
		{"[::ffff:10.1.2.3]:5000", []string{"::ffff:198.51.100.9"}, "198.51.100.9:5000"},
		{"not an address", []string{"198.51.100.7"}, "not an address"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.remote
		for _, v := range tc.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := clientAddr(r, trusted); got != tc.want {
			t.Errorf("clientAddr(%s, %q) = %s, want %s", tc.remote, tc.xff, got, tc.want)
		}
	}
}
