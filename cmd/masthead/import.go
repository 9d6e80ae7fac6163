package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"masthead/internal/importer"
	"masthead/internal/server"
)

func runImport(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	var dryRun bool
	cfg, rest, err := parseFlags("import", "[flags] DIR", args, env, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&dryRun, "dry-run", false, "check the directory and report what would change, writing nothing")
	}, "data", "database-url", "auto-migrate", "log-level", "log-format")
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fmt.Fprintln(stderr, "Usage: masthead import [flags] DIR (see --help)")
		return errUsage
	}
	log := cfg.Logger(stderr)
	st, err := server.OpenStore(ctx, cfg, cfg.AutoMigrate, log)
	if err != nil {
		return err
	}
	defer st.Close()
	m, err := server.OpenMedia(cfg)
	if err != nil {
		return err
	}
	rep, err := importer.ImportMarkdownDir(ctx, st, m, rest[0], importer.Options{
		DryRun:   dryRun,
		Progress: progressLine(stderr, "importing posts"),
	})
	if err != nil {
		return err
	}
	verb := "imported"
	if dryRun {
		verb = "would import (dry run, nothing written)"
	}
	fmt.Fprintf(stdout, "%s: authors %d new, %d updated, %d unchanged; posts %d new, %d updated, %d unchanged; tags %d new, %d updated; images %d stored\n",
		verb, rep.AuthorsCreated, rep.AuthorsUpdated, rep.AuthorsUnchanged, rep.PostsCreated, rep.PostsUpdated, rep.PostsUnchanged,
		rep.TagsCreated, rep.TagsUpdated, rep.ImagesStored)
	for _, w := range rep.Warnings {
		fmt.Fprintf(stdout, "warning: %s\n", w)
	}
	return nil
}

// progressLine returns a callback that keeps one progress line up to date on
// w, ending it when the work is done.
func progressLine(w io.Writer, what string) func(done, total int) {
	return func(done, total int) {
		if total <= 0 {
			return
		}
		fmt.Fprintf(w, "\r%s: %d/%d (%d%%)", what, done, total, done*100/total)
		if done >= total {
			fmt.Fprintln(w)
		}
	}
}
