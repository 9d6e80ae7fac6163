package editorial_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"masthead/internal/editorial"
	"masthead/internal/mail"
	"masthead/internal/media"
	"masthead/internal/media/s3test"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// s3Service is a Service storing media in a bucket of srv.
func s3Service(t *testing.T, st *store.Store, cfg media.S3Config) (*editorial.Service, *media.S3) {
	t.Helper()
	m, err := media.NewS3(cfg)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := editorial.New(editorial.Options{Store: st, Media: m, Mail: &mail.Outbox{Store: st, From: "Desk <desk@example.org>"},
		BaseURL: "https://mag.example.org", RenditionWidths: []int{64}})
	if err != nil {
		t.Fatal(err)
	}
	return svc, m
}

func TestUploadToS3(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.OpenSQLite(t)
	srv := s3test.Start(t, "media")
	svc, bucket := s3Service(t, st, srv.Config("media"))
	r := newRig(t, st)
	editor := r.member(store.RoleEditor)

	item, err := svc.Upload(ctx, editor, "harbour.jpg", bytes.NewReader(jpegBytes(t, 200, 100)), editorial.MediaText{Alt: "The harbour"})
	if err != nil {
		t.Fatalf("Upload: %v", err)
	}
	if ok, err := bucket.Exists(ctx, item.Key, item.Bytes); err != nil || !ok {
		t.Fatalf("the upload is not in the bucket: %v", err)
	}
	// The renditions go to the bucket too.
	job, err := st.ClaimJob(ctx, time.Now(), time.Minute, editorial.KindRenditions)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.RenditionsHandler()(ctx, job.Payload); err != nil {
		t.Fatalf("renditions: %v", err)
	}
	got, err := st.MediaItemByID(ctx, item.ID)
	if err != nil || len(got.Renditions) == 0 {
		t.Fatalf("renditions recorded: %+v, %v", got.Renditions, err)
	}
	for _, rd := range got.Renditions {
		if ok, err := bucket.Exists(ctx, rd.Key, -1); err != nil || !ok {
			t.Errorf("rendition %s is not in the bucket: %v", rd.Key, err)
		}
	}

	// When recording the upload fails after the file was stored, the file
	// is taken back out of the bucket.
	ghost := editor
	ghost.Account.ID = 987654 // no such account: the media row cannot refer to it
	data := jpegBytes(t, 210, 100)
	_, err = svc.Upload(ctx, ghost, "ghost.jpg", bytes.NewReader(data), editorial.MediaText{Alt: "Ghost"})
	if err == nil {
		t.Fatal("upload by a missing account succeeded")
	}
	page, err := st.MediaItems(ctx, store.MediaFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range page.Items {
		if strings.Contains(m.Key, "ghost") {
			t.Errorf("a media row was left: %s", m.Key)
		}
	}
	key := media.HashedKey("uploads/"+time.Now().UTC().Format("2006/01"), "ghost", data, media.Info{Format: "jpeg"})
	if _, err := bucket.Open(ctx, key); !errors.Is(err, media.ErrNotFound) {
		t.Errorf("the unrecorded file %s stayed in the bucket: %v", key, err)
	}
}

func TestUploadWhenS3IsDown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.OpenSQLite(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	svc, _ := s3Service(t, st, media.S3Config{Endpoint: "http://" + addr, Bucket: "media", PathStyle: true})
	r := newRig(t, st)
	editor := r.member(store.RoleEditor)
	_, err = svc.Upload(ctx, editor, "harbour.jpg", bytes.NewReader(jpegBytes(t, 200, 100)), editorial.MediaText{Alt: "The harbour"})
	if err == nil || !strings.Contains(err.Error(), "cannot reach the storage server") {
		t.Fatalf("Upload with the storage down = %v", err)
	}
	page, err := st.MediaItems(ctx, store.MediaFilter{})
	if err != nil || page.Total != 0 {
		t.Errorf("media rows after a failed upload: %d, %v", page.Total, err)
	}
	if jobs, err := st.Jobs(ctx, store.JobFilter{}); err != nil || jobs.Total != 0 {
		t.Errorf("jobs after a failed upload: %d, %v", jobs.Total, err)
	}
}
