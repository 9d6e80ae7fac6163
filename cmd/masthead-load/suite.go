package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"masthead/internal/benchdata"
)

// suitePage is a page the suite measures.
type suitePage struct {
	name string
	path string
}

// suitePages are the pages of an archive of n articles that the suite
// loads: the home river, an article from the middle of the archive, a
// section river, the site's feed and a search for a word of that
// article's headline.
func suitePages(n int) []suitePage {
	mid := n / 2
	word := strings.ToLower(strings.Fields(benchdata.Title(mid))[0])
	return []suitePage{
		{"home", "/"},
		{"article", "/articles/" + benchdata.Slug(mid)},
		{"section", "/sections/section-1"},
		{"feed", "/feed.xml"},
		{"search", "/search?q=" + word},
	}
}

// fetchedPage is a page's answer, kept for the limit server.
type fetchedPage struct {
	path  string
	ctype string
	body  []byte
}

// suite runs the whole benchmark: for each archive size it seeds a data
// directory (once; later runs reuse it), starts the server binary, loads
// each page, reads the server's memory, and then loads a limit server
// answering with the same bytes, printing a table per size.
func suite(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("masthead-load suite", flag.ContinueOnError)
	bin := fs.String("bin", "", "the masthead binary to start")
	work := fs.String("work", "masthead-bench", "directory for the seeded archives, one data directory per size, kept for later runs")
	sizes := fs.String("articles", "1000,10000,100000", "comma-separated archive sizes")
	conns := fs.Int("c", 32, "concurrent connections")
	dur := fs.Duration("d", 10*time.Second, "load duration per page")
	warm := fs.Duration("warmup", 2*time.Second, "load sent to each page first and not counted")
	self, _ := os.Executable()
	limitBin := fs.String("limit-bin", self, "the masthead-load binary that runs the limit server")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: masthead-load suite -bin BINARY [-work DIR] [-articles 1000,10000,100000] [-c 32] [-d 10s]\n\n"+
			"For each size: seeds an archive (or reuses the one in DIR), starts `BINARY serve` on a loopback port,\n"+
			"measures start-up, requests/s, p50 and p99 of the home page, an article, a section, the feed and a\n"+
			"search, and the server's memory; then measures a minimal server answering the same bytes from memory\n"+
			"(the limit) and prints each page's ratio to it.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *bin == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("-bin is required, and no arguments")
	}
	if *conns < 1 || *conns > 5000 || *dur <= 0 || *dur > 5*time.Minute {
		return errors.New("-c must be from 1 to 5000 and -d positive and at most 5m")
	}
	var ns []int
	for _, f := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 10 {
			return fmt.Errorf("-articles: %q is not a size of at least 10", f)
		}
		ns = append(ns, n)
	}
	if err := os.MkdirAll(*work, 0o755); err != nil {
		return err
	}
	fmt.Fprintf(out, "%d connections, %s per page after %s of warm-up; client and servers share this machine\n\n", *conns, *dur, *warm)
	var failed []string
	for _, n := range ns {
		if err := suiteSize(out, *bin, *limitBin, filepath.Join(*work, fmt.Sprintf("articles-%d", n)), n, *conns, *dur, *warm); err != nil {
			failed = append(failed, fmt.Sprintf("%d articles: %v", n, err))
			fmt.Fprintf(out, "%d articles: %v\n\n", n, err)
		}
	}
	if len(failed) > 0 {
		return errors.New(strings.Join(failed, "; "))
	}
	return nil
}

// suiteSize measures one archive size.
func suiteSize(out io.Writer, bin, limitBin, data string, n, conns int, dur, warm time.Duration) error {
	fmt.Fprintf(out, "## %d articles\n\n", n)
	if err := ensureSeeded(data, n, out); err != nil {
		return err
	}
	srv, err := startProcess(bin, []string{"serve", "--data", data, "--log-level", "warn"})
	if err != nil {
		return err
	}
	defer srv.stop()
	rssStart, _ := memoryKB(srv.pid(), "VmRSS")

	pages := suitePages(n)
	var fetched []fetchedPage
	for _, p := range pages {
		f, err := fetch(srv.base + p.path)
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		f.path = p.path
		fetched = append(fetched, f)
	}
	results := make([]stats, len(pages))
	for i, p := range pages {
		results[i] = measure([]string{srv.base + p.path}, conns, dur, warm, 0)
	}
	rss, _ := memoryKB(srv.pid(), "VmRSS")
	peak, _ := memoryKB(srv.pid(), "VmHWM")
	srv.stop()

	dir, err := os.MkdirTemp("", "masthead-limit-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	manifest, err := writeLimitPages(dir, fetched)
	if err != nil {
		return err
	}
	lim, err := startProcess(limitBin, []string{"limit", "-pages", manifest})
	if err != nil {
		return fmt.Errorf("limit server: %w", err)
	}
	limits := make([]stats, len(pages))
	for i, p := range pages {
		limits[i] = measure([]string{lim.base + p.path}, conns, dur, warm, 0)
	}
	lim.stop()

	fmt.Fprintf(out, "start-up: %s from exec until /readyz answered  \n", srv.startup.Round(time.Millisecond))
	fmt.Fprintf(out, "server memory: %.1f MB resident after start, %.1f MB after the load, %.1f MB at the peak\n\n",
		mb(rssStart), mb(rss), mb(peak))
	fmt.Fprintln(out, "| page | path | size | requests/s | p50 | p99 | limit requests/s | limit p99 | ratio |")
	fmt.Fprintln(out, "| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	var errs []string
	for i, p := range pages {
		r, l := results[i], limits[i]
		fmt.Fprintf(out, "| %s | `%s` | %.1f KB | %.0f | %s | %s | %.0f | %s | %.0f%% |\n", p.name, p.path,
			float64(len(fetched[i].body))/1024, r.rate(), ms(r.p50), ms(r.p99), l.rate(), ms(l.p99), 100*r.rate()/l.rate())
		if err := r.err(); err != nil {
			errs = append(errs, p.name+": "+err.Error())
		}
		if err := l.err(); err != nil {
			errs = append(errs, p.name+" (limit): "+err.Error())
		}
	}
	fmt.Fprintln(out)
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

// ensureSeeded seeds data with n articles unless an earlier run did; a
// marker file written after a complete seed tells them apart from a
// directory that was left half-done.
func ensureSeeded(data string, n int, out io.Writer) error {
	marker := filepath.Join(data, "masthead-load-seeded")
	if b, err := os.ReadFile(marker); err == nil {
		if strings.TrimSpace(string(b)) != strconv.Itoa(n) {
			return fmt.Errorf("%s holds an archive of %s articles, not %d", data, strings.TrimSpace(string(b)), n)
		}
		fmt.Fprintf(out, "archive: reused %s  \n", data)
		return nil
	}
	if _, err := os.Stat(data); err == nil {
		return fmt.Errorf("%s exists but was not seeded completely: remove it to seed again", data)
	}
	start := time.Now()
	if err := seed([]string{"-data", data, "-articles", strconv.Itoa(n)}, io.Discard); err != nil {
		return err
	}
	fmt.Fprintf(out, "archive: seeded %s in %s  \n", data, time.Since(start).Round(100*time.Millisecond))
	return os.WriteFile(marker, []byte(strconv.Itoa(n)+"\n"), 0o644)
}

// fetch gets a page, which must answer 200, without compression.
func fetch(url string) (fetchedPage, error) {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableCompression: true}}
	res, err := client.Get(url)
	if err != nil {
		return fetchedPage{}, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return fetchedPage{}, err
	}
	if res.StatusCode != http.StatusOK {
		return fetchedPage{}, fmt.Errorf("GET %s: %s", url, res.Status)
	}
	return fetchedPage{ctype: res.Header.Get("Content-Type"), body: body}, nil
}

func mb(kb int) float64 { return float64(kb) / 1024 }

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }
