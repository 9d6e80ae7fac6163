package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"masthead/internal/media"
)

func mediaUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: masthead media migrate --to s3 [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Copies the media library from the data directory into the S3 bucket named by the")
	fmt.Fprintln(w, "s3-* settings (MASTHEAD_S3_ENDPOINT, MASTHEAD_S3_BUCKET, …), with a progress line.")
	fmt.Fprintln(w, "Objects already in the bucket with the same size are skipped, so it can be run")
	fmt.Fprintln(w, "again after an interruption, and once more right before switching the servers")
	fmt.Fprintln(w, "to --media-storage s3. The local files are left as they are.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'masthead media migrate --help' for the flags.")
}

func runMedia(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if err := subcommand(args, "media", "migrate", mediaUsage, stdout, stderr); err != nil {
		return err
	}
	var to string
	// The destination is the bucket the s3-* settings name, whatever
	// --media-storage says today: the servers switch after the copy.
	s3env := func(k string) string {
		if k == "MASTHEAD_MEDIA_STORAGE" {
			return "s3"
		}
		return env(k)
	}
	cfg, rest, err := parseFlags("media migrate", "--to s3 [flags]", args[1:], s3env, stderr,
		func(fs *flag.FlagSet) { fs.StringVar(&to, "to", "", "where to copy the library: s3") },
		"data", "s3-endpoint", "s3-bucket", "s3-region", "s3-access-key", "s3-secret-key", "s3-path-style", "s3-prefix")
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected arguments %q", rest)
	}
	if to != "s3" {
		return errors.New("--to s3 is required: S3 is the only destination")
	}
	dst, err := media.NewS3(*cfg.S3)
	if err != nil {
		return err
	}
	if err := dst.Check(ctx); err != nil {
		return err
	}
	res, err := migrateMedia(ctx, cfg.MediaDir(), dst, progressLine(stderr, "copying media"))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "media migrated from %s to %s: %d copied, %d already there, %d skipped (not media) in %s\n",
		cfg.MediaDir(), dst, res.copied, res.present, res.ignored, res.elapsed.Round(time.Millisecond))
	return nil
}

type migrateResult struct {
	copied, present, ignored int
	elapsed                  time.Duration
}

// migrateMedia copies every media file below dir into dst under its
// relative path, skipping those already there with the same size.
func migrateMedia(ctx context.Context, dir string, dst *media.S3, progress func(done, total int)) (migrateResult, error) {
	start := time.Now()
	var res migrateResult
	type file struct {
		key  string
		path string
		size int64
	}
	var files []file
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if !media.ValidKey(key) {
			// Temporary files of an upload in progress, and anything
			// else the app could never serve.
			res.ignored++
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		files = append(files, file{key: key, path: p, size: fi.Size()})
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) && len(files) == 0 {
		return res, fmt.Errorf("no media directory at %s", dir)
	}
	if err != nil {
		return res, fmt.Errorf("read the media directory: %w", err)
	}
	progress(0, len(files))
	for i, f := range files {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		ok, err := dst.Exists(ctx, f.key, f.size)
		if err != nil {
			return res, fmt.Errorf("%w (run again to go on: copied files are skipped)", err)
		}
		if ok {
			res.present++
		} else {
			if err := copyFile(ctx, dst, f.key, f.path, f.size); err != nil {
				return res, fmt.Errorf("%w (run again to go on: copied files are skipped)", err)
			}
			res.copied++
		}
		progress(i+1, len(files))
	}
	res.elapsed = time.Since(start)
	return res, nil
}

func copyFile(ctx context.Context, dst *media.S3, key, path string, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	// A section reader tells Put the length, so the object goes up in
	// one request.
	return dst.Put(ctx, key, io.NewSectionReader(f, 0, size))
}
