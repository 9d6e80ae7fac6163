package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"masthead/internal/server"
)

func searchUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: masthead search reindex [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Rebuilds the full-text search index from the posts, a few hundred at a time,")
	fmt.Fprintln(w, "with a progress line. The site keeps serving meanwhile. Saving a post already")
	fmt.Fprintln(w, "keeps its entry current; reindex after restoring a backup or changing the")
	fmt.Fprintln(w, "database by hand.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'masthead search reindex --help' for the flags.")
}

func runSearch(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if err := subcommand(args, "search", "reindex", searchUsage, stdout, stderr); err != nil {
		return err
	}
	cfg, rest, err := parseFlags("search reindex", "[flags]", args[1:], env, stderr, nil,
		"data", "database-url", "auto-migrate", "log-level", "log-format")
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected arguments %q", rest)
	}
	st, err := server.OpenStore(ctx, cfg, cfg.AutoMigrate, cfg.Logger(stderr))
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	var indexed int
	progress := progressLine(stderr, "indexing posts")
	err = st.Reindex(ctx, func(done, total int) {
		indexed = done
		progress(done, total)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "search index rebuilt: %d posts in %s\n", indexed, time.Since(start).Round(time.Millisecond))
	return nil
}
