package config

import (
	"strings"
	"testing"
)

func TestPprofAddrLoopbackOnly(t *testing.T) {
	for _, tc := range []struct {
		addr string
		ok   bool
	}{
		{"", true},
		{"127.0.0.1:6060", true},
		{"[::1]:6060", true},
		{"localhost:0", true},
		{"0.0.0.0:6060", false},
		{":6060", false},
		{"192.168.1.4:6060", false},
		{"example.org:6060", false},
		{"127.0.0.1", false},
		{"127.0.0.1:99999", false},
	} {
		c, err := load(t, map[string]string{"MASTHEAD_PPROF_ADDR": tc.addr})
		if (err == nil) != tc.ok {
			t.Errorf("pprof-addr %q: err %v, want ok=%v", tc.addr, err, tc.ok)
			continue
		}
		if err != nil && !strings.Contains(err.Error(), "--pprof-addr") {
			t.Errorf("pprof-addr %q: error does not name the flag: %v", tc.addr, err)
		}
		if err == nil && c.PprofAddr != tc.addr {
			t.Errorf("PprofAddr = %q, want %q", c.PprofAddr, tc.addr)
		}
	}
}
