package media_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"

	"masthead/internal/media"
	"masthead/internal/media/s3test"
)

func TestS3PutOpenRemove(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t, "magazine")
	cfg := srv.Config("magazine")
	cfg.Prefix = "latitude"
	cfg.PublicURL = "https://cdn.example.org/"
	s, err := media.NewS3(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Check(ctx); err != nil {
		t.Fatalf("Check: %v", err)
	}
	data := bytes.Repeat([]byte("0123456789"), 1000)
	key := "uploads/2026/11/photo-0123abcd.jpg"
	if _, err := s.Open(ctx, key); !errors.Is(err, media.ErrNotFound) {
		t.Fatalf("Open before Put = %v, want ErrNotFound", err)
	}
	if err := s.Put(ctx, key, bytes.NewReader(data)); err != nil {
		t.Fatalf("Put: %v", err)
	}
	// A reader of unknown length is stored too.
	if err := s.Put(ctx, "uploads/other.png", io.MultiReader(strings.NewReader("png"), strings.NewReader("data"))); err != nil {
		t.Fatalf("Put of unknown length: %v", err)
	}
	obj, err := s.Open(ctx, key)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if obj.Size() != int64(len(data)) {
		t.Errorf("Size = %d, want %d", obj.Size(), len(data))
	}
	if _, err := obj.Seek(5000, io.SeekStart); err != nil {
		t.Fatalf("Seek: %v", err)
	}
	rest, err := io.ReadAll(obj)
	obj.Close()
	if err != nil || !bytes.Equal(rest, data[5000:]) {
		t.Fatalf("read after Seek: %d bytes, err %v", len(rest), err)
	}
	if ok, err := s.Exists(ctx, key, int64(len(data))); err != nil || !ok {
		t.Errorf("Exists with the right size = %v, %v", ok, err)
	}
	if ok, err := s.Exists(ctx, key, 1); err != nil || ok {
		t.Errorf("Exists with another size = %v, %v", ok, err)
	}
	if got, want := s.PublicURL(key), "https://cdn.example.org/latitude/"+key; got != want {
		t.Errorf("PublicURL = %q, want %q", got, want)
	}
	if err := media.RemoveQuietly(ctx, s, key); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if _, err := s.Open(ctx, key); !errors.Is(err, media.ErrNotFound) {
		t.Fatalf("Open after Remove = %v, want ErrNotFound", err)
	}
	if err := s.Remove(ctx, key); err != nil {
		t.Errorf("removing a missing object = %v, want nil", err)
	}
	if err := s.Put(ctx, "../escape.jpg", strings.NewReader("x")); err == nil {
		t.Error("Put accepted a key with a parent reference")
	}
}

func TestS3Errors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := s3test.Start(t, "magazine")

	missing, err := media.NewS3(srv.Config("no-such-bucket"))
	if err != nil {
		t.Fatal(err)
	}
	if err := missing.Check(ctx); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("Check of a missing bucket = %v", err)
	}
	if err := missing.Put(ctx, "a/b.jpg", strings.NewReader("x")); err == nil || !strings.Contains(err.Error(), "bucket does not exist") {
		t.Errorf("Put in a missing bucket = %v", err)
	}

	// A server that is not there fails quickly with a clear message.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := srv.Config("magazine")
	cfg.Endpoint = "http://" + addr
	gone, err := media.NewS3(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := gone.Put(ctx, "a/b.jpg", strings.NewReader("x")); err == nil || !strings.Contains(err.Error(), "cannot reach") {
		t.Errorf("Put to an absent server = %v", err)
	}
	if _, err := gone.Open(ctx, "a/b.jpg"); err == nil || errors.Is(err, media.ErrNotFound) {
		t.Errorf("Open on an absent server = %v, want an error other than not found", err)
	}
}

func TestS3ConfigValidate(t *testing.T) {
	t.Parallel()
	good := media.S3Config{Endpoint: "s3.example.net", Bucket: "magazine"}
	if err := good.Validate(); err != nil {
		t.Errorf("valid config: %v", err)
	}
	bad := media.S3Config{Endpoint: "ftp://x/y", Bucket: "A", AccessKey: "k", Prefix: "../x", PublicURL: "cdn"}
	err := bad.Validate()
	if err == nil {
		t.Fatal("bad config accepted")
	}
	for _, want := range []string{"endpoint", "bucket", "secret key", "prefix", "public URL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

// FuzzS3Config checks that any settings are either refused with an error
// or give a usable client, never a panic.
func FuzzS3Config(f *testing.F) {
	f.Add("s3.example.net", "magazine", "latitude/", "https://cdn.example.org")
	f.Add("http://127.0.0.1:9000", "a.b-c", "", "")
	f.Add("https://host/path", "A", "../x", "cdn")
	f.Add("ftp://x", "", "/", "http://")
	f.Fuzz(func(t *testing.T, endpoint, bucket, prefix, public string) {
		c := media.S3Config{Endpoint: endpoint, Bucket: bucket, Prefix: prefix, PublicURL: public}
		err := c.Validate()
		s, nerr := media.NewS3(c)
		if (err == nil) != (nerr == nil) {
			t.Fatalf("Validate = %v but NewS3 = %v", err, nerr)
		}
		if nerr == nil {
			if u := s.PublicURL("a/b.jpg"); public != "" && !strings.HasSuffix(u, "/a/b.jpg") {
				t.Fatalf("PublicURL = %q", u)
			}
		}
	})
}
