package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"masthead/internal/benchdata"
	"masthead/internal/config"
	"masthead/internal/server"
)

// seed fills a fresh data directory (or the PostgreSQL database named by
// MASTHEAD_DATABASE_URL) with a benchmark archive.
func seed(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("masthead-load seed", flag.ContinueOnError)
	data := fs.String("data", "", "data directory to create (must not exist yet)")
	articles := fs.Int("articles", 10_000, "how many articles to write")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the seeding to this file")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: masthead-load seed -data DIR [-articles N]\n\nWrites a benchmark archive: N articles an hour apart, 6 sections, 30 tags, 50 authors.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *data == "" || *articles < 1 {
		fs.Usage()
		return errors.New("-data and a positive -articles are required")
	}
	if _, err := os.Stat(*data); err == nil {
		return fmt.Errorf("%s exists already: seed writes into a new directory only", *data)
	}
	abs, err := filepath.Abs(*data)
	if err != nil {
		return err
	}
	cfg := config.Config{DataDir: abs, DatabaseURL: os.Getenv("MASTHEAD_DATABASE_URL")}
	ctx := context.Background()
	st, err := server.OpenStore(ctx, cfg, true, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	defer st.Close()
	files, err := server.OpenMedia(cfg)
	if err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	err = benchdata.Seed(ctx, st, files, benchdata.Spec{
		Articles: *articles,
		Progress: func(done, total int) { fmt.Fprintf(out, "\rseeding articles: %d/%d", done, total) },
	})
	fmt.Fprintln(out)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "wrote %d articles to %s in %s; article URLs are /articles/%s … /articles/%s\n",
		*articles, abs, time.Since(start).Round(time.Millisecond), benchdata.Slug(0), benchdata.Slug(*articles-1))
	return nil
}
