package config

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"masthead/internal/media"
)

// parseOperations reads the settings for running several nodes: media
// storage, metrics and the
// reverse proxies in front.
func parseOperations(c *Config, get func(string) string, bad func(flagName, format string, args ...any)) {
	switch get("media-storage") {
	case "local":
	case "s3":
		pathStyle, err := strconv.ParseBool(get("s3-path-style"))
		if err != nil {
			bad("s3-path-style", "%q is not true or false", get("s3-path-style"))
		}
		s3 := media.S3Config{Endpoint: get("s3-endpoint"), Bucket: get("s3-bucket"), Region: get("s3-region"),
			AccessKey: get("s3-access-key"), SecretKey: get("s3-secret-key"), PathStyle: pathStyle,
			Prefix: get("s3-prefix"), PublicURL: get("s3-public-url")}
		// The message names what is wrong, never the secret key itself.
		if err := s3.Validate(); err != nil {
			bad("media-storage", "s3: %v", err)
		}
		c.S3 = &s3
	default:
		bad("media-storage", "%q is not local or s3", get("media-storage"))
	}

	proxies, err := parseProxies(get("trusted-proxies"))
	if err != nil {
		bad("trusted-proxies", "%v", err)
	}
	c.TrustedProxies = proxies

	c.MetricsToken = get("metrics-token")
	if len(c.MetricsToken) > 0 && len(c.MetricsToken) < 16 {
		bad("metrics-token", "must be at least 16 characters")
	}
	c.MetricsAddr = get("metrics-addr")
	if c.MetricsAddr != "" {
		host, port, err := net.SplitHostPort(c.MetricsAddr)
		if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
			bad("metrics-addr", "%q is not host:port", c.MetricsAddr)
		} else if !loopback(host) && c.MetricsToken == "" {
			bad("metrics-addr", "%q is reachable from other machines; listen on 127.0.0.1 or set --metrics-token", c.MetricsAddr)
		}
	}
}

// parseProxies reads comma-separated addresses and CIDR ranges.
func parseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or CIDR range", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// loopback reports whether host names only this machine.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}
