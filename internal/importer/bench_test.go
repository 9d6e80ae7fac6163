package importer

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"masthead/internal/media"
	"masthead/internal/store/storetest"
)

// writeLargeWXR writes a WordPress export of n posts by 20 authors in 8
// categories and 50 tags, each post about 3 KB of classic-editor HTML with
// a featured image, a caption shortcode and two comments.
func writeLargeWXR(tb testing.TB, path string, n int) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(`<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Bench</title><link>https://bench.example</link><wp:wxr_version>1.2</wp:wxr_version>
`)
	for a := range 20 {
		fmt.Fprintf(w, "<wp:author><wp:author_login>writer%d</wp:author_login><wp:author_display_name>Writer Number %d</wp:author_display_name></wp:author>\n", a, a)
	}
	sections := []string{"Security", "Economy", "Climate", "Diplomacy", "Energy", "Migration", "Trade", "Technology"}
	para := "Diplomats in the region say the talks have stalled again, and that neither side is ready to " +
		"<em>concede</em> the points that matter. <a href=\"https://example.org/report\">A report</a> published " +
		"last week counted the costs of delay in lost trade, in displaced families and in trust. "
	for i := range n {
		sec := sections[i%len(sections)]
		body := strings.Repeat(para, 3) + "\n\n<h2>What comes next</h2>\n" + strings.Repeat(para, 4) +
			"\n\n[caption id=\"attachment_" + strconv.Itoa(1_000_000+i) + "\"]<img src=\"https://bench.example/wp-content/uploads/2020/01/photo-" +
			strconv.Itoa(i) + ".jpg\" alt=\"A photo\" /> A caption.[/caption]\n\n<blockquote>Nobody expects a quick deal.</blockquote>\n\n" + strings.Repeat(para, 3)
		date := time.Date(2015, 1, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * 7 * time.Hour)
		fmt.Fprintf(w, `<item><title>Dispatch number %d on the state of the talks</title>
<link>https://bench.example/%s/dispatch-%d/</link><dc:creator><![CDATA[writer%d]]></dc:creator>
<guid isPermaLink="false">https://bench.example/?p=%d</guid>
<content:encoded><![CDATA[%s]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>%d</wp:post_id><wp:post_date_gmt><![CDATA[%s]]></wp:post_date_gmt>
<wp:post_name><![CDATA[dispatch-%d]]></wp:post_name><wp:status><![CDATA[publish]]></wp:status><wp:post_type><![CDATA[post]]></wp:post_type>
<category domain="category" nicename="%s"><![CDATA[%s]]></category>
<category domain="post_tag" nicename="topic-%d"><![CDATA[Topic %d]]></category>
<category domain="post_tag" nicename="topic-%d"><![CDATA[Topic %d]]></category>
<wp:comment><wp:comment_content>First</wp:comment_content></wp:comment><wp:comment><wp:comment_content>Second</wp:comment_content></wp:comment>
</item>
`, i, date.Format("2006/01"), i, i%20, i, body, i, date.Format("2006-01-02 15:04:05"), i,
			strings.ToLower(sec), sec, i%50, i%50, (i+7)%50, (i+7)%50)
	}
	w.WriteString("</channel></rss>\n")
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkImportWordPress imports an export of 10,000 posts into a new
// SQLite database and reports the peak resident memory of the process.
//
//	go test ./internal/importer/ -run '^$' -bench ImportWordPress -benchtime 1x
func BenchmarkImportWordPress(b *testing.B) {
	const posts = 10_000
	path := filepath.Join(b.TempDir(), "large.xml")
	writeLargeWXR(b, path, posts)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	// As the import command runs.
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(MemoryLimit))
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		st := storetest.OpenSQLite(b)
		files, err := media.NewLocal(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		resetPeakRSS()
		b.StartTimer()
		arc, err := ReadWordPress(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := ImportArchive(ctx, st, files, arc, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if rep.PostsCreated != posts {
			b.Fatalf("%d posts created, want %d", rep.PostsCreated, posts)
		}
		if rss := peakRSS(); rss > 0 {
			b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MB")
		}
		b.ReportMetric(float64(fi.Size())/(1<<20), "file-MB")
		b.StartTimer()
	}
}

// resetPeakRSS starts the kernel's peak resident size count afresh (Linux).
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is the process's peak resident size in bytes since the last
// reset, or 0 where /proc does not tell.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

// TestLargeWXRImport imports a generated export of a few hundred posts:
// the benchmark's input, small enough for every run.
func TestLargeWXRImport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "large.xml")
	writeLargeWXR(t, path, 300)
	st := storetest.Open(t)
	files, _ := newMedia(t)
	ctx := context.Background()
	arc, err := ReadWordPress(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	done := 0
	rep, err := ImportArchive(ctx, st, files, arc, Options{Progress: func(d, total int) { done = d }})
	if err != nil {
		t.Fatal(err)
	}
	if rep.PostsCreated != 300 || rep.AuthorsCreated != 20 || rep.TagsCreated != 58 || rep.CommentsSkipped != 600 || done != 300 {
		t.Errorf("report %+v, progress %d", rep, done)
	}
}
