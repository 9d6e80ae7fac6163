package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// ImageSource loads the images a foreign archive names by URL.
type ImageSource interface {
	// Load returns the bytes of the image at u (an absolute or a relative
	// URL, as the archive has it). The error says why it cannot, in words
	// fit for a report.
	Load(ctx context.Context, u string) ([]byte, error)
}

// ImageSources tries each source in turn and returns the first image
// found; the error is the last one's.
type ImageSources []ImageSource

// Load implements ImageSource.
func (ss ImageSources) Load(ctx context.Context, u string) ([]byte, error) {
	err := errors.New("no image source")
	for _, s := range ss {
		var data []byte
		if data, err = s.Load(ctx, u); err == nil {
			return data, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	return nil, err
}

// ImageDir finds an archive's images in a folder, such as a copy of
// WordPress's wp-content/uploads or Ghost's content/images: an image URL's
// path is looked up with its leading segments dropped one by one, so
// https://old.example/wp-content/uploads/2019/03/port.jpg is found as
// DIR/wp-content/uploads/2019/03/port.jpg, DIR/uploads/2019/03/port.jpg,
// DIR/2019/03/port.jpg, DIR/03/port.jpg or DIR/port.jpg, the first that
// exists. Nothing outside the folder can be read.
type ImageDir struct {
	root *os.Root
}

// OpenImageDir opens dir for reading images.
func OpenImageDir(dir string) (*ImageDir, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("import: image folder: %w", err)
	}
	return &ImageDir{root: root}, nil
}

// Close releases the folder.
func (d *ImageDir) Close() error { return d.root.Close() }

// Load implements ImageSource.
func (d *ImageDir) Load(_ context.Context, u string) ([]byte, error) {
	p := u
	if parsed, err := url.Parse(u); err == nil {
		p = parsed.Path
	}
	var segs []string
	for _, s := range strings.Split(p, "/") {
		if s == "" || s == "." || s == ".." || strings.HasPrefix(s, ".") {
			continue
		}
		segs = append(segs, s)
	}
	for i := range segs {
		name := path.Join(segs[i:]...)
		fi, err := fs.Stat(d.root.FS(), name)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if fi.Size() > maxImageBytes {
			return nil, fmt.Errorf("%s is larger than %d MB", name, maxImageBytes>>20)
		}
		data, err := fs.ReadFile(d.root.FS(), name)
		if err != nil {
			return nil, fmt.Errorf("%s cannot be read: %s", name, unwrapPathError(err))
		}
		return data, nil
	}
	return nil, errors.New("not in the image folder")
}

// Fetch limits: each image at most maxImageBytes, fetchTimeout from the
// request to the last byte, at most fetchRedirects redirects; at most
// DefaultMaxFetches images per import.
const (
	fetchTimeout      = 30 * time.Second
	fetchRedirects    = 3
	DefaultMaxFetches = 10_000
)

// fetchTypes are the content types an image response may have.
var fetchTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true}

// Fetcher loads images over HTTP(S) from the public internet, within
// limits on size, time, count, redirects and content type. It connects
// only to public addresses: private, loopback, link-local, multicast and
// other special addresses are refused when the connection is made, after
// the name is resolved, so a name that resolves to an inside address (or
// changes what it resolves to between two lookups) cannot reach one.
type Fetcher struct {
	client   *http.Client
	maxBytes int64
	maxCount int64
	fetched  atomic.Int64
	// allowAddr admits addresses that are not public; only the package's
	// tests set it, to reach their own test server.
	allowAddr func(netip.Addr) bool
}

// NewFetcher returns a Fetcher that loads at most maxCount images
// (DefaultMaxFetches when maxCount <= 0).
func NewFetcher(maxCount int) *Fetcher {
	if maxCount <= 0 {
		maxCount = DefaultMaxFetches
	}
	f := &Fetcher{maxBytes: maxImageBytes, maxCount: int64(maxCount)}
	dialer := &net.Dialer{Timeout: 10 * time.Second, Control: f.checkAddress}
	transport := &http.Transport{
		// No proxy: the address checked must be the one connected to.
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  15 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        30 * time.Second,
	}
	f.client = &http.Client{
		Transport: transport,
		Timeout:   fetchTimeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > fetchRedirects {
				return fmt.Errorf("more than %d redirects", fetchRedirects)
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("redirect to a %s: address", req.URL.Scheme)
			}
			return nil
		},
	}
	return f
}

// checkAddress runs for every connection, with the address about to be
// dialled, after name resolution.
func (f *Fetcher) checkAddress(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("refused address %q", address)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("refused address %q", address)
	}
	ip = ip.Unmap()
	if publicAddr(ip) || f.allowAddr != nil && f.allowAddr(ip) {
		return nil
	}
	return fmt.Errorf("refused to connect to %s: not a public address", ip)
}

// specialPrefixes are ranges that are not ordinary public unicast
// addresses, beyond those netip classifies itself.
var specialPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64: may reach inside IPv4 addresses
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("2002::/16"),       // 6to4: embeds any IPv4 address
	netip.MustParsePrefix("fec0::/10"),       // deprecated site-local
}

// publicAddr reports whether ip is an ordinary public unicast address.
func publicAddr(ip netip.Addr) bool {
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range specialPrefixes {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// Load implements ImageSource.
func (f *Fetcher) Load(ctx context.Context, u string) ([]byte, error) {
	parsed, err := url.Parse(u)
	if err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") || parsed.Host == "" {
		return nil, errors.New("not an http(s) address")
	}
	if f.fetched.Add(1) > f.maxCount {
		return nil, fmt.Errorf("more than %d images to fetch", f.maxCount)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, parsed.String(), nil)
	if err != nil {
		return nil, errors.New("not an http(s) address")
	}
	req.Header.Set("Accept", "image/jpeg, image/png, image/gif, image/webp")
	req.Header.Set("User-Agent", "Masthead-importer")
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fetchError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the server answered %s", resp.Status)
	}
	ctype, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if !fetchTypes[ctype] {
		return nil, fmt.Errorf("the server sent %q, not a JPEG, PNG, GIF or WebP image", ctype)
	}
	if resp.ContentLength > f.maxBytes {
		return nil, fmt.Errorf("the image is larger than %d MB", f.maxBytes>>20)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, f.maxBytes+1))
	if err != nil {
		return nil, fetchError(err)
	}
	if int64(len(data)) > f.maxBytes {
		return nil, fmt.Errorf("the image is larger than %d MB", f.maxBytes>>20)
	}
	return data, nil
}

// fetchError says what went wrong without the URL, which the report
// names already.
func fetchError(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		err = ue.Err
	}
	if oe, ok := errors.AsType[*net.OpError](err); ok && oe.Err != nil {
		err = oe.Err
	}
	if errors.Is(err, context.DeadlineExceeded) || os.IsTimeout(err) {
		return errors.New("timed out")
	}
	return err
}
