package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"masthead/internal/importer"
	"masthead/internal/server"
)

// importFormats are the values of import --from.
var importFormats = []string{"markdown", "wordpress", "ghost", "feed"}

func runImport(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	var (
		dryRun, fetch bool
		from, images  string
		maxFetches    int
	)
	cfg, rest, err := parseFlags("import", "[flags] FILE_OR_DIR", args, env, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&dryRun, "dry-run", false, "check everything and report what would change, writing nothing")
		fs.StringVar(&from, "from", "", "what to import: markdown (a directory), wordpress (WXR export), ghost (JSON export) or feed (RSS/Atom); default: told from the path")
		fs.StringVar(&images, "images", "", "folder holding the export's images (wp-content/uploads, Ghost's content/images, …)")
		fs.BoolVar(&fetch, "fetch-images", false, "fetch images the folder lacks from their web addresses (public addresses only)")
		fs.IntVar(&maxFetches, "max-fetches", importer.DefaultMaxFetches, "most images --fetch-images loads")
	}, "data", "database-url", "auto-migrate", "log-level", "log-format")
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fmt.Fprintln(stderr, "Usage: masthead import [flags] FILE_OR_DIR (see --help)")
		return errUsage
	}
	src := rest[0]
	if from == "" {
		if from, err = detectFormat(src); err != nil {
			return err
		}
	}
	if from == "markdown" && (images != "" || fetch) {
		return fmt.Errorf("--images and --fetch-images are for foreign archives; a Markdown directory names its own images")
	}

	if env("GOMEMLIMIT") == "" {
		// An import holds little at a time but makes much garbage; a soft
		// limit makes the collector return it before the process grows.
		debug.SetMemoryLimit(importer.MemoryLimit)
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
	opts := importer.Options{DryRun: dryRun, Progress: progressLine(stderr, "importing posts")}

	var rep importer.Report
	if from == "markdown" {
		rep, err = importer.ImportMarkdownDir(ctx, st, m, src, opts)
	} else {
		var sources importer.ImageSources
		if images != "" {
			dir, err := importer.OpenImageDir(images)
			if err != nil {
				return err
			}
			defer dir.Close()
			sources = append(sources, dir)
		}
		if fetch {
			sources = append(sources, importer.NewFetcher(maxFetches))
		}
		if len(sources) > 0 {
			opts.Images = sources
		}
		opts.ImageProgress = progressLine(stderr, "loading images")
		var arc *importer.Archive
		switch from {
		case "wordpress":
			arc, err = importer.ReadWordPress(ctx, src)
		case "ghost":
			arc, err = importer.ReadGhost(ctx, src)
		case "feed":
			arc, err = importer.ReadFeed(ctx, src)
		default:
			return fmt.Errorf("--from %q: use one of %s", from, strings.Join(importFormats, ", "))
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "reading the %s export %s\n", arc.Format, src)
		rep, err = importer.ImportArchive(ctx, st, m, arc, opts)
	}
	if err != nil {
		return err
	}
	printReport(stdout, rep, dryRun)
	return nil
}

// detectFormat tells what to import from the path: a directory is the
// Markdown format; a .json file a Ghost export; an XML file a WordPress
// export when it says so near its start, a feed otherwise.
func detectFormat(src string) (string, error) {
	fi, err := os.Stat(src)
	if err != nil {
		return "", fmt.Errorf("import: %w", err)
	}
	if fi.IsDir() {
		return "markdown", nil
	}
	switch strings.ToLower(filepath.Ext(src)) {
	case ".json":
		return "ghost", nil
	case ".rss", ".atom":
		return "feed", nil
	case ".xml", ".wxr":
		f, err := os.Open(src)
		if err != nil {
			return "", fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		head := make([]byte, 8<<10)
		n, _ := io.ReadFull(f, head)
		if bytes.Contains(head[:n], []byte("wordpress.org/export")) {
			return "wordpress", nil
		}
		return "feed", nil
	}
	return "", fmt.Errorf("import: cannot tell what %s is; say it with --from %s", src, strings.Join(importFormats, "|"))
}

// printReport writes the final report: counts, then skipped items and
// warnings, one a line.
func printReport(w io.Writer, rep importer.Report, dryRun bool) {
	verb := "imported"
	if dryRun {
		verb = "would import (dry run, nothing written)"
	}
	fmt.Fprintf(w, "%s: authors %d new, %d updated, %d unchanged; posts %d new, %d updated, %d unchanged; tags %d new, %d updated; images %d stored",
		verb, rep.AuthorsCreated, rep.AuthorsUpdated, rep.AuthorsUnchanged, rep.PostsCreated, rep.PostsUpdated, rep.PostsUnchanged,
		rep.TagsCreated, rep.TagsUpdated, rep.ImagesStored)
	if rep.ImagesFailed > 0 {
		fmt.Fprintf(w, ", %d failed", rep.ImagesFailed)
	}
	if rep.RedirectsSaved > 0 {
		fmt.Fprintf(w, "; old addresses %d redirected", rep.RedirectsSaved)
	}
	if len(rep.Skipped) > 0 || rep.CommentsSkipped > 0 {
		fmt.Fprintf(w, "; skipped %d items and %d comments", len(rep.Skipped), rep.CommentsSkipped)
	}
	fmt.Fprintln(w)
	for _, s := range rep.Skipped {
		fmt.Fprintf(w, "skipped: %s\n", s)
	}
	for _, warn := range rep.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
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
