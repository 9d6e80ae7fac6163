package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"masthead/internal/exporter"
	"masthead/internal/server"
)

func runExport(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	var force bool
	cfg, rest, err := parseFlags("export", "[flags] DIR", args, env, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&force, "force", false, "replace DIR when it already holds files")
	}, "data", "database-url", "base-url", "auto-migrate", "log-level", "log-format")
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fmt.Fprintln(stderr, "Usage: masthead export [flags] DIR (see --help)")
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
	man, err := exporter.WriteDir(ctx, st, m, rest[0], force, exporter.Options{
		BaseURL:  cfg.BaseURL,
		Progress: progressLine(stderr, "exporting posts"),
	})
	if err != nil {
		return err
	}
	c := man.Counts
	fmt.Fprintf(stdout, "exported to %s: %d posts, %d authors, %d tags, %d images, %d subscribers, %d settings\n",
		rest[0], c.Posts, c.Authors, c.Tags, c.Images, c.Subscribers, c.Settings)
	for _, w := range man.Warnings {
		fmt.Fprintf(stdout, "warning: %s\n", w)
	}
	return nil
}
