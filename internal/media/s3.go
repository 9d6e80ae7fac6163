package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config names an S3-compatible bucket (AWS S3, MinIO, Garage,
// versitygw, a cloud provider's object storage).
type S3Config struct {
	// Endpoint is the server: "https://s3.example.net", or host:port
	// (HTTPS). An http:// URL talks without TLS, as to a server on the
	// same private network.
	Endpoint string
	Bucket   string
	Region   string // may be empty for servers that ignore it
	// AccessKey and SecretKey sign the requests; both empty means the
	// bucket is accessed anonymously.
	AccessKey string
	SecretKey string
	// PathStyle puts the bucket in the path (https://host/bucket/key)
	// instead of the host name (https://bucket.host/key), as most
	// self-hosted servers need.
	PathStyle bool
	// Prefix is put before every key, so that one bucket can hold several
	// publications or other data ("masthead/").
	Prefix string
	// PublicURL, when set, is where readers' browsers fetch objects
	// directly (the bucket's public address or a CDN in front of it):
	// PublicURL + "/" + key.
	PublicURL string
	// Timeout bounds each request; 0 means 30 seconds.
	Timeout time.Duration
}

// endpoint splits the configured endpoint into host:port and whether it
// uses TLS.
func (c S3Config) endpoint() (host string, secure bool, err error) {
	e := strings.TrimSpace(c.Endpoint)
	if e == "" {
		return "", false, errors.New("no endpoint")
	}
	if !strings.Contains(e, "://") {
		e = "https://" + e
	}
	u, err := url.Parse(e)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", false, fmt.Errorf("endpoint %q is not host[:port] or an http(s) URL", c.Endpoint)
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
		return "", false, fmt.Errorf("endpoint %q must not have a path; name the bucket separately", c.Endpoint)
	}
	return u.Host, u.Scheme == "https", nil
}

// Validate reports every missing or malformed value at once.
func (c S3Config) Validate() error {
	var errs []error
	if _, _, err := c.endpoint(); err != nil {
		errs = append(errs, err)
	}
	if c.Bucket == "" {
		errs = append(errs, errors.New("no bucket"))
	} else if !validBucket(c.Bucket) {
		errs = append(errs, fmt.Errorf("bucket %q is not a valid bucket name", c.Bucket))
	}
	if (c.AccessKey == "") != (c.SecretKey == "") {
		errs = append(errs, errors.New("give both the access key and the secret key, or neither"))
	}
	if c.Prefix != "" && !ValidKey(strings.TrimSuffix(c.Prefix, "/")) {
		errs = append(errs, fmt.Errorf("prefix %q is not a clean relative path", c.Prefix))
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
			errs = append(errs, fmt.Errorf("public URL %q is not an absolute http(s) URL", c.PublicURL))
		}
	}
	return errors.Join(errs...)
}

// validBucket accepts S3's bucket names: 3 to 63 lower-case letters,
// digits, dots and hyphens, starting and ending with a letter or digit.
func validBucket(b string) bool {
	if len(b) < 3 || len(b) > 63 {
		return false
	}
	for i, r := range b {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || (r == '.' || r == '-') && i > 0 && i < len(b)-1
		if !ok {
			return false
		}
	}
	return true
}

// S3 stores media as objects in an S3-compatible bucket, so that every
// app node sees every upload.
type S3 struct {
	client    *minio.Client
	bucket    string
	prefix    string
	publicURL string
	timeout   time.Duration
	where     string // endpoint and bucket, for messages
}

// NewS3 returns storage in the configured bucket. It does not contact
// the server; Check does.
func NewS3(c S3Config) (*S3, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("media: s3: %w", err)
	}
	host, secure, _ := c.endpoint()
	lookup := minio.BucketLookupDNS
	if c.PathStyle {
		lookup = minio.BucketLookupPath
	}
	var creds *credentials.Credentials
	if c.AccessKey != "" {
		creds = credentials.NewStaticV4(c.AccessKey, c.SecretKey, "")
	} else {
		creds = credentials.New(&credentials.Static{Value: credentials.Value{SignerType: credentials.SignatureAnonymous}})
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	// A dead server must fail the upload in seconds, not hang it for the
	// operating system's TCP timeout.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	transport.ResponseHeaderTimeout = timeout
	client, err := minio.New(host, &minio.Options{Creds: creds, Secure: secure, Region: c.Region,
		BucketLookup: lookup, Transport: transport,
		// A few quick retries ride out a blip; an editor waiting on an
		// upload hears of an outage in seconds, and jobs retry later.
		MaxRetries: 3})
	if err != nil {
		return nil, fmt.Errorf("media: s3: %w", err)
	}
	prefix := strings.Trim(c.Prefix, "/")
	if prefix != "" {
		prefix += "/"
	}
	scheme := "https"
	if !secure {
		scheme = "http"
	}
	return &S3{client: client, bucket: c.Bucket, prefix: prefix, publicURL: strings.TrimRight(c.PublicURL, "/"),
		timeout: timeout, where: scheme + "://" + host + "/" + c.Bucket}, nil
}

// String names the bucket, for logs and progress lines.
func (s *S3) String() string { return "s3 " + s.where }

// Check makes sure the bucket can be reached and exists, so that a wrong
// setting stops the server at start instead of failing every upload.
func (s *S3) Check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("media: s3 %s: %w", s.where, describe(err))
	}
	if !ok {
		return fmt.Errorf("media: s3 %s: the bucket does not exist", s.where)
	}
	return nil
}

// Put uploads the object in one request. S3 makes an object visible only
// once it is whole, so a failed upload leaves nothing behind.
func (s *S3) Put(ctx context.Context, key string, r io.Reader) error {
	if !ValidKey(key) {
		return fmt.Errorf("media: invalid key %q", key)
	}
	size := int64(-1)
	switch l := r.(type) {
	case interface{ Len() int }: // bytes.Reader, strings.Reader: what is left
		size = int64(l.Len())
	case *io.SectionReader: // a file's section, read from its start
		size = l.Size()
	}
	ctype := mime.TypeByExtension(path.Ext(key))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	_, err := s.client.PutObject(ctx, s.bucket, s.prefix+key, r, size, minio.PutObjectOptions{
		ContentType: ctype,
		// Keys name their content, so whoever serves the object directly
		// may let browsers keep it for good.
		CacheControl: "public, max-age=31536000, immutable",
		// Media objects are small; one request keeps the upload atomic
		// without multipart bookkeeping left behind on failure.
		DisableMultipart: size >= 0,
		PartSize:         16 << 20,
	})
	if err != nil {
		return fmt.Errorf("media: put %s in s3 %s: %w", key, s.where, describe(err))
	}
	return nil
}

// Open returns the object; reading it streams from the bucket, and
// seeking asks for a byte range, so large files are never held whole.
func (s *S3) Open(ctx context.Context, key string) (Object, error) {
	if !ValidKey(key) {
		return nil, ErrNotFound
	}
	// The object is read after Open returns, by the caller's request: its
	// context bounds the reading, not a timeout here.
	obj, err := s.client.GetObject(ctx, s.bucket, s.prefix+key, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("media: open %s in s3 %s: %w", key, s.where, describe(err))
	}
	info, err := obj.Stat()
	if err != nil {
		obj.Close()
		if isNoSuchKey(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("media: open %s in s3 %s: %w", key, s.where, describe(err))
	}
	return &s3Object{Object: obj, size: info.Size, modTime: info.LastModified}, nil
}

// Remove deletes the object; a missing object is not an error.
func (s *S3) Remove(ctx context.Context, key string) error {
	if !ValidKey(key) {
		return fmt.Errorf("media: invalid key %q", key)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := s.client.RemoveObject(ctx, s.bucket, s.prefix+key, minio.RemoveObjectOptions{}); err != nil && !isNoSuchKey(err) {
		return fmt.Errorf("media: remove %s from s3 %s: %w", key, s.where, describe(err))
	}
	return nil
}

// Exists reports whether an object is stored under key with the given
// size (any size when size < 0), which is how a copy is known to be done.
func (s *S3) Exists(ctx context.Context, key string, size int64) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	info, err := s.client.StatObject(ctx, s.bucket, s.prefix+key, minio.StatObjectOptions{})
	if isNoSuchKey(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("media: stat %s in s3 %s: %w", key, s.where, describe(err))
	}
	return size < 0 || info.Size == size, nil
}

// PublicURL returns where a browser can fetch the object directly, or ""
// when objects are served through the app.
func (s *S3) PublicURL(key string) string {
	if s.publicURL == "" || !ValidKey(key) {
		return ""
	}
	return s.publicURL + "/" + s.prefix + key
}

type s3Object struct {
	*minio.Object
	size    int64
	modTime time.Time
}

func (o *s3Object) Size() int64 { return o.size }

// ModTime is when the object was stored; the site sends it as
// Last-Modified.
func (o *s3Object) ModTime() time.Time { return o.modTime }

func isNoSuchKey(err error) bool {
	if err == nil {
		return false
	}
	code := minio.ToErrorResponse(err).Code
	return code == minio.NoSuchKey || code == "NotFound"
}

// describe turns an S3 error into a message an operator can act on; the
// server's own words follow.
func describe(err error) error {
	resp := minio.ToErrorResponse(err)
	switch {
	case resp.Code == minio.NoSuchBucket:
		return fmt.Errorf("the bucket does not exist: %w", err)
	case resp.Code == "AccessDenied" || resp.Code == "InvalidAccessKeyId" || resp.Code == "SignatureDoesNotMatch":
		return fmt.Errorf("access refused (check the access and secret keys and the bucket policy): %w", err)
	case resp.StatusCode >= 500:
		return fmt.Errorf("the storage server failed (%d): %w", resp.StatusCode, err)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("the storage server did not answer in time: %w", err)
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return fmt.Errorf("cannot reach the storage server: %w", err)
	}
	return err
}

// Remover is storage that can delete objects; callers use it to take back
// what they stored when a later step fails.
type Remover interface {
	Remove(ctx context.Context, key string) error
}

// RemoveQuietly deletes keys from st when it can, for cleaning up after a
// failure: errors are returned joined but the caller usually only logs them.
func RemoveQuietly(ctx context.Context, st Storage, keys ...string) error {
	rm, ok := st.(Remover)
	if !ok {
		return nil
	}
	var errs []error
	for _, k := range keys {
		if err := rm.Remove(ctx, k); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
