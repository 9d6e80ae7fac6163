package importer

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

func readFeedFixture(t *testing.T, name string) *Archive {
	t.Helper()
	arc, err := ReadFeed(context.Background(), filepath.Join("testdata", "feeds", name))
	if err != nil {
		t.Fatal(err)
	}
	return arc
}

// imageServer serves the feed fixtures' pictures, as their CDN would.
func imageServer(t *testing.T) *httptest.Server {
	imgs := map[string][]byte{"/berbera.jpg": jpegBytes(40, 30), "/drought.png": pngBytes(25, 25)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, ok := imgs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", http.DetectContentType(data))
		w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// testFetcher fetches from the test server whatever host the URL names:
// the fixtures name their real CDN.
func testFetcher(srv *httptest.Server) ImageSource {
	f := NewFetcher(0)
	f.allowAddr = func(ip netip.Addr) bool { return ip.IsLoopback() }
	return rewriteHost{f, strings.TrimPrefix(srv.URL, "http://")}
}

type rewriteHost struct {
	f    *Fetcher
	host string
}

func (r rewriteHost) Load(ctx context.Context, u string) ([]byte, error) {
	u = strings.Replace(strings.Replace(u, "https://", "http://", 1), "cdn.dispatches.example", r.host, 1)
	return r.f.Load(ctx, u)
}

func TestFeedImport(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		files, _ := newMedia(t)
		opts := Options{Now: importNow, Images: testFetcher(imageServer(t))}
		rep, err := ImportArchive(ctx, st, files, readFeedFixture(t, "dispatches.rss"), opts)
		if err != nil {
			t.Fatal(err)
		}
		checkCounts(t, "rss", rep, Report{AuthorsCreated: 1, PostsCreated: 2, TagsCreated: 2, ImagesStored: 2, RedirectsSaved: 2})
		port, err := st.PostBySlug(ctx, "the-port-that-changed-hands")
		if err != nil {
			t.Fatal(err)
		}
		if !port.PublishedAt.Equal(time.Date(2025, 2, 4, 6, 30, 0, 0, time.UTC)) || len(port.Authors) != 1 ||
			port.Authors[0].Name != "Hana Tesfaye" || len(port.Tags) != 2 || port.Tags[0].Name != "Ports" ||
			!strings.HasPrefix(port.Image.Key, "images/berbera-") || port.Excerpt != "Berbera's new owners have bigger plans than shipping." {
			t.Errorf("port: %+v", port)
		}
		for _, s := range []string{"few in **Hargeisa** expected", "### A quiet deal", "[An earlier dispatch](https://dispatches.example/p/earlier)"} {
			if !strings.Contains(port.Body, s) {
				t.Errorf("body lacks %q:\n%s", s, port.Body)
			}
		}
		if strings.Contains(port.Body, "Subscribe") {
			t.Errorf("the subscription form came along:\n%s", port.Body)
		}
		drought, err := st.PostBySlug(ctx, "letter-on-drought")
		if err != nil {
			t.Fatal(err)
		}
		if drought.Body != "Three failed rains in a row." || !strings.HasPrefix(drought.Image.Key, "images/drought-") ||
			!drought.PublishedAt.Equal(time.Date(2025, 1, 18, 6, 0, 0, 0, time.UTC)) {
			t.Errorf("drought: %+v", drought)
		}
		if !slices.ContainsFunc(rep.Warnings, func(w string) bool {
			return strings.Contains(w, `"Letter: On Drought": the feed has only a summary`)
		}) {
			t.Errorf("warnings %q", rep.Warnings)
		}
		if got, err := st.RedirectTarget(ctx, "/p/the-port-that-changed-hands"); err != nil || got != port.Slug {
			t.Errorf("old link: %q %v", got, err)
		}

		rep, err = ImportArchive(ctx, st, files, readFeedFixture(t, "field-notes.atom"), Options{Now: importNow})
		if err != nil {
			t.Fatal(err)
		}
		checkCounts(t, "atom", rep, Report{AuthorsCreated: 2, PostsCreated: 2, TagsCreated: 1, RedirectsSaved: 2})
		andes, err := st.PostBySlug(ctx, "elections-in-the-andes")
		if err != nil {
			t.Fatal(err)
		}
		if andes.Title != "Elections in the Andes & what follows" || andes.Authors[0].Name != "Lucía Ferrer" ||
			!strings.Contains(andes.Body, "*record* levels") || !strings.Contains(andes.Body, "> We walked for hours.") {
			t.Errorf("andes: %q %+v\n%s", andes.Title, andes.Authors, andes.Body)
		}
		lithium, err := st.PostBySlug(ctx, "lithium-triangle")
		if err != nil {
			t.Fatal(err)
		}
		if lithium.Authors[0].Name != "Diego Ruiz" || !strings.Contains(lithium.Body, "- Chile\n- Argentina\n- Bolivia") ||
			!lithium.PublishedAt.Equal(time.Date(2024, 10, 15, 12, 0, 0, 0, time.UTC)) {
			t.Errorf("lithium: %+v\n%s", lithium.Authors, lithium.Body)
		}
	})
}

func TestFeedBadInput(t *testing.T) {
	cases := []struct{ name, file, want string }{
		{"not a feed", `<html><body>hello</body></html>`, "not a readable RSS, Atom or JSON feed"},
		{"entity bomb", `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><rss><channel><item><title>&b;</title></item></channel></rss>`,
			"the feed declares XML entities"},
		{"no date", `<rss version="2.0"><channel><title>x</title><item><title>Undated</title><link>https://x.example/u</link><description>x</description></item></channel></rss>`,
			`f.xml: "Undated": no date: the item has neither`},
		{"odd date", `<rss version="2.0"><channel><title>x</title><item><title>Odd</title><pubDate>around noon</pubDate><description>x</description></item></channel></rss>`,
			`"Odd": no usable date: published "around noon" is not a date`},
		{"no title", `<rss version="2.0"><channel><title>x</title><item><link>https://x.example/a</link><pubDate>Tue, 04 Feb 2025 06:30:00 GMT</pubDate><description>x</description></item></channel></rss>`,
			`item 1 has no title`},
	}
	st := storetest.OpenSQLite(t)
	files, _ := newMedia(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			arc, err := ReadFeed(context.Background(), writeTemp(t, "f.xml", []byte(c.file)))
			if err != nil {
				t.Fatal(err)
			}
			_, err = ImportArchive(context.Background(), st, files, arc, Options{Now: importNow})
			var errs *Errors
			if !errors.As(err, &errs) || !strings.Contains(errs.Error(), c.want) {
				t.Fatalf("error %v, want problems containing %q", err, c.want)
			}
		})
	}
}

func FuzzReadFeed(f *testing.F) {
	for _, name := range []string{"dispatches.rss", "field-notes.atom"} {
		data, err := os.ReadFile(filepath.Join("testdata", "feeds", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "f.xml")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		arc, err := ReadFeed(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		arc.Posts(context.Background(), func(*ArchivePost) error { return nil })
	})
}
