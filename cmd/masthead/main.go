// Command masthead runs a Masthead publication: the public site, and the
// tools to set up, migrate and fill its database.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand of masthead.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{name: "serve", summary: "serve the publication over HTTP", run: runServe},
		{name: "demo", summary: "serve a sample magazine from a temporary database", run: runDemo},
		{name: "migrate", summary: "bring the database schema up to date", run: runMigrate},
		{name: "import", summary: "import a Markdown directory, a WordPress or Ghost export, or an RSS/Atom feed", run: runImport},
		{name: "export", summary: "write the whole publication to a Markdown directory that import reads", run: runExport},
		{name: "search", summary: "rebuild the full-text search index (search reindex)", run: runSearch},
		{name: "topics", summary: "find the countries and organisations articles name (topics detect)", run: runTopics},
		{name: "newsletter", summary: "compose, send and follow newsletter issues (newsletter send|status|pause|resume …)", run: runNewsletter},
		{name: "user", summary: "create a desk account (user create --email … --role …)", run: runUser},
		{name: "media", summary: "copy the media library into an S3 bucket (media migrate --to s3)", run: runMedia},
		{name: "backup", summary: "write a consistent copy of the SQLite database to a file", run: runBackup},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errUsage marks an error already explained by a usage message.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], env, stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		default:
			fmt.Fprintf(stderr, "masthead %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "masthead: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Masthead: a publishing platform for independent magazines.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: masthead COMMAND [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	cs := commands()
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'masthead COMMAND --help' for the flags of a command.")
}
