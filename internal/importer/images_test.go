package importer

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"masthead/internal/store/storetest"
)

func TestFetcherRefusesInsideAddresses(t *testing.T) {
	srv := imageServer(t)
	port := srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]
	f := NewFetcher(0) // as the command builds it: nothing but public addresses
	for _, u := range []string{
		srv.URL + "/berbera.jpg",
		"http://localhost:" + port + "/berbera.jpg", // a name resolving inside is checked after resolution
		"http://[::1]:" + port + "/berbera.jpg",
		"http://0.0.0.0:" + port + "/berbera.jpg",
	} {
		_, err := f.Load(context.Background(), u)
		if err == nil || !strings.Contains(err.Error(), "not a public address") {
			t.Errorf("Load(%s) = %v, want a refusal", u, err)
		}
	}
	if _, err := f.Load(context.Background(), "file:///etc/passwd"); err == nil || !strings.Contains(err.Error(), "not an http(s) address") {
		t.Errorf("file URL: %v", err)
	}
}

func TestPublicAddr(t *testing.T) {
	for s, want := range map[string]bool{
		"93.184.215.14": true, "2606:4700::1111": true,
		"127.0.0.1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false, "169.254.169.254": false,
		"100.64.0.1": false, "0.0.0.0": false, "::1": false, "fe80::1": false, "fc00::1": false, "ff02::1": false,
		"64:ff9b::a00:1": false, "2002:a00:1::": false, "224.0.0.1": false, "255.255.255.255": false,
	} {
		if got := publicAddr(netip.MustParseAddr(s)); got != want {
			t.Errorf("publicAddr(%s) = %v, want %v", s, got, want)
		}
	}
}

func TestFetcherLimits(t *testing.T) {
	img := jpegBytes(10, 10)
	mux := http.NewServeMux()
	mux.HandleFunc("/ok.jpg", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(img)
	})
	mux.HandleFunc("/page.jpg", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html>"))
	})
	mux.HandleFunc("/big.jpg", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Header().Set("Content-Length", strconv.Itoa(maxImageBytes+1))
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("/endless.jpg", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		chunk := bytes.Repeat([]byte{0xff}, 64<<10)
		for range (maxImageBytes / len(chunk)) + 2 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/to-ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://files.example/x.jpg", http.StatusFound)
	})
	mux.HandleFunc("/slow.jpg", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	f := NewFetcher(0)
	f.allowAddr = func(ip netip.Addr) bool { return ip.IsLoopback() }
	ctx := context.Background()
	if data, err := f.Load(ctx, srv.URL+"/ok.jpg"); err != nil || !bytes.Equal(data, img) {
		t.Fatalf("ok.jpg: %v", err)
	}
	for path, want := range map[string]string{
		"/missing.jpg": "the server answered 404",
		"/page.jpg":    `the server sent "text/html", not a JPEG`,
		"/big.jpg":     "larger than 20 MB",
		"/endless.jpg": "larger than 20 MB",
		"/loop":        "more than 3 redirects",
		"/to-ftp":      "redirect to a ftp: address",
	} {
		_, err := f.Load(ctx, srv.URL+path)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", path, err, want)
		}
	}
	// A short time limit of its own, so that reading 20 MB above stays
	// within the real one even under the race detector.
	slow := NewFetcher(0)
	slow.allowAddr = f.allowAddr
	slow.client.Timeout = 300 * time.Millisecond
	if _, err := slow.Load(ctx, srv.URL+"/slow.jpg"); err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Errorf("/slow.jpg: %v, want a time-out", err)
	}

	few := NewFetcher(2)
	few.allowAddr = f.allowAddr
	for i := range 3 {
		_, err := few.Load(ctx, srv.URL+"/ok.jpg")
		if (err != nil) != (i == 2) || i == 2 && !strings.Contains(err.Error(), "more than 2 images") {
			t.Errorf("fetch %d of at most 2: %v", i+1, err)
		}
	}
}

func TestImageDir(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "uploads/2019/03/port.jpg", jpegBytes(4, 4))
	writeFile(t, root, "secret.jpg", jpegBytes(4, 4))
	d := imageDir(t, root)
	ctx := context.Background()
	for _, u := range []string{
		"https://old.example/wp-content/uploads/2019/03/port.jpg",
		"/uploads/2019/03/port.jpg",
		"https://cdn.example/site/uploads/2019/03/port.jpg?w=300",
	} {
		if _, err := d.Load(ctx, u); err != nil {
			t.Errorf("Load(%s): %v", u, err)
		}
	}
	if _, err := d.Load(ctx, "https://old.example/nothing.jpg"); err == nil || err.Error() != "not in the image folder" {
		t.Errorf("missing image: %v", err)
	}
	// Parent references never leave the folder.
	outside := t.TempDir()
	writeFile(t, outside, "private.jpg", jpegBytes(4, 4))
	if _, err := d.Load(ctx, "/../../../../"+strings.TrimPrefix(outside, "/")+"/private.jpg"); err == nil {
		t.Errorf("read a file outside the folder")
	}
}

func TestImageFailuresKeepOldAddresses(t *testing.T) {
	st := storetest.Open(t)
	files, mediaDir := newMedia(t)
	ctx := context.Background()
	// No image folder holds the fixture's uploads: each image fails, is
	// reported, and keeps its address on the old site.
	empty := imageDir(t, t.TempDir())
	rep, err := ImportArchive(ctx, st, files, readFixture(t, ctx, "parallax.xml"), Options{Now: importNow, Images: empty})
	if err != nil {
		t.Fatal(err)
	}
	if rep.ImagesFailed != 2 || rep.ImagesStored != 0 {
		t.Errorf("report %+v", rep)
	}
	want := "image https://parallax.example/wp-content/uploads/2019/03/tanker.jpg could not be loaded (not in the image folder)"
	found := false
	for _, w := range rep.Warnings {
		found = found || strings.Contains(w, want)
	}
	if !found {
		t.Errorf("warnings %q", rep.Warnings)
	}
	p, err := st.PostBySlug(ctx, "the-strait-after-the-ceasefire")
	if err != nil {
		t.Fatal(err)
	}
	if p.Image.Key != "https://parallax.example/wp-content/uploads/2019/03/tanker.jpg" ||
		!strings.Contains(p.Body, "](https://parallax.example/wp-content/uploads/2019/03/tanker.jpg)") {
		t.Errorf("image %+v, body\n%s", p.Image, p.Body)
	}
	if s := snapshot(t, st, mediaDir); len(s.Media) != 0 {
		t.Errorf("media %v", s.Media)
	}
}
