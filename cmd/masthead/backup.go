package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"masthead/internal/store"
)

func backupUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: masthead backup [flags] FILE")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Writes a consistent copy of the SQLite database to FILE (which must not exist)")
	fmt.Fprintln(w, "while the site keeps running. Media files are not in it: copy the media")
	fmt.Fprintln(w, "directory (or the S3 bucket) beside it. To restore, stop the server and put")
	fmt.Fprintln(w, "the copy in place of masthead.db in the data directory.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "On PostgreSQL use pg_dump instead, e.g.")
	fmt.Fprintln(w, "  pg_dump --format=custom --file=masthead.dump \"$MASTHEAD_DATABASE_URL\"")
}

func runBackup(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" || a == "help" {
			backupUsage(stdout)
			return flag.ErrHelp
		}
	}
	cfg, rest, err := parseFlags("backup", "[flags] FILE", args, env, stderr, nil, "data", "database-url")
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		backupUsage(stderr)
		return errUsage
	}
	if cfg.DatabaseURL != "" {
		return errors.New("the database is PostgreSQL: back it up with pg_dump, e.g. pg_dump --format=custom --file=masthead.dump \"$MASTHEAD_DATABASE_URL\"")
	}
	dbPath := cfg.SQLitePath()
	if _, err := os.Stat(dbPath); err != nil {
		// Opening would create an empty database and back that up.
		return fmt.Errorf("no database at %s: %w", dbPath, err)
	}
	st, err := store.Open(ctx, store.Options{SQLitePath: dbPath})
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	if err := st.Backup(ctx, rest[0]); err != nil {
		return err
	}
	fi, err := os.Stat(rest[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s (%d KB) in %s\n", dbPath, rest[0], fi.Size()>>10, time.Since(start).Round(time.Millisecond))
	return nil
}
