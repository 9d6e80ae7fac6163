// Package s3test runs an S3-compatible server inside a test, over real
// HTTP on 127.0.0.1, with buckets kept in memory. Only tests import it.
package s3test

import (
	"net/http/httptest"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"masthead/internal/media"
)

// Server is a running S3 server.
type Server struct {
	// URL is the endpoint, http://127.0.0.1:PORT.
	URL     string
	backend *s3mem.Backend
}

// Start runs a server until the test ends, with the named buckets made.
// It accepts any credentials.
func Start(t testing.TB, buckets ...string) *Server {
	t.Helper()
	be := s3mem.New()
	for _, b := range buckets {
		if err := be.CreateBucket(b); err != nil {
			t.Fatalf("s3test: create bucket %s: %v", b, err)
		}
	}
	ts := httptest.NewServer(gofakes3.New(be).Server())
	t.Cleanup(ts.Close)
	return &Server{URL: ts.URL, backend: be}
}

// Config is the configuration of path-style storage in bucket.
func (s *Server) Config(bucket string) media.S3Config {
	return media.S3Config{Endpoint: s.URL, Bucket: bucket, Region: "us-east-1", AccessKey: "test", SecretKey: "test-secret",
		PathStyle: true}
}
