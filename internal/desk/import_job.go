package desk

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"masthead/internal/importer"
	"masthead/internal/jobs"
	"masthead/internal/media"
	"masthead/internal/store"
)

// KindImport imports an archive uploaded on the import screen. Its payload
// is {"import_id": N}; the imports row says what to import and records the
// progress and the report.
const KindImport = "desk.import"

type importPayload struct {
	ImportID int64 `json:"import_id"`
}

// Limits on an uploaded archive and on a zip file's contents, which are
// checked while unpacking rather than trusted from the zip's directory.
const (
	maxImportUpload   = 512 << 20
	maxZipFiles       = 50_000
	maxZipBytes       = 2 << 30
	importJobAttempts = 3
	// maxImportRun bounds one import. The job keeps its lease however long
	// it runs, so an import stuck on something that never answers would
	// otherwise hold one of the node's job workers for good.
	maxImportRun = 4 * time.Hour
)

// errImportTooLong is the cause of an import's context ending at
// maxImportRun.
var errImportTooLong = errors.New("desk: import: ran longer than allowed")

// importProgress is how far the imports running on this node have come.
// Post progress is reported inside the import's transaction, when the
// database cannot take another write (SQLite has one writer), so it is
// kept here and merged into what the progress endpoint reads.
type importProgress struct {
	mu   sync.Mutex
	runs map[int64]importStep
	wake func()
}

type importStep struct {
	Phase       string
	Done, Total int
}

func (p *importProgress) set(id int64, phase string, done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.runs == nil {
		p.runs = map[int64]importStep{}
	}
	p.runs[id] = importStep{Phase: phase, Done: done, Total: total}
}

func (p *importProgress) get(id int64) (importStep, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.runs[id]
	return s, ok
}

func (p *importProgress) forget(id int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.runs, id)
}

// SetWakeJobs gives the desk the job runner's wake-up, so that an import
// starts at once rather than at the runner's next look.
func (d *Desk) SetWakeJobs(wake func()) {
	d.imports.mu.Lock()
	defer d.imports.mu.Unlock()
	d.imports.wake = wake
}

func (d *Desk) wakeJobs() {
	d.imports.mu.Lock()
	wake := d.imports.wake
	d.imports.mu.Unlock()
	if wake != nil {
		wake()
	}
}

// ImportJobHandler returns the handler of KindImport jobs. It fetches the
// uploaded file from media storage, runs the importer with the progress
// recorded, stores the report (or why the import failed) and removes the
// file. The job keeps its lease for as long as the import runs, up to
// maxImportRun. A job stopped by a shutdown (or taken over by another node)
// keeps the file and runs again; any other failure ends the import, as
// running it again would fail the same way.
func (d *Desk) ImportJobHandler() jobs.Handler {
	return func(ctx context.Context, payload []byte) error {
		ctx, cancel := jobs.KeepLease(ctx)
		defer cancel()
		var p importPayload
		if err := json.Unmarshal(payload, &p); err != nil || p.ImportID <= 0 {
			return jobs.Permanent(fmt.Errorf("desk: import: bad payload %q", payload))
		}
		st := d.svc.Store()
		im, err := st.ImportByID(ctx, p.ImportID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if im.Status.Finished() {
			return nil
		}
		defer d.imports.forget(im.ID)
		d.imports.set(im.ID, "reading", 0, 0)
		if err := st.SetImportProgress(ctx, im.ID, "reading", 0, 0); err != nil {
			return err
		}
		ictx, icancel := context.WithTimeoutCause(ctx, maxImportRun, errImportTooLong)
		rep, err := d.runImport(ictx, im)
		tooLong := errors.Is(context.Cause(ictx), errImportTooLong)
		icancel()
		if err != nil && ctx.Err() != nil {
			return err // the node stops: the job runs again, here or elsewhere
		}
		if err != nil && tooLong {
			// A second attempt would take as long.
			err = &uploadProblem{fmt.Sprintf("the import ran longer than %d hours; "+
				"import this file with masthead import on the command line", int(maxImportRun/time.Hour))}
		}
		bctx := context.WithoutCancel(ctx)
		status, report, message := store.ImportDone, "", ""
		if err != nil {
			status, message = store.ImportFailed, importFailure(err)
			d.log.ErrorContext(ctx, "desk: import failed", "import", im.ID, "err", err)
		} else {
			b, jerr := json.Marshal(rep)
			if jerr != nil {
				return jerr
			}
			report = string(b)
		}
		if err := st.FinishImport(bctx, im.ID, status, report, message); err != nil {
			return err
		}
		if im.FileKey != "" {
			if err := media.RemoveQuietly(bctx, d.media, im.FileKey); err != nil {
				d.log.WarnContext(ctx, "desk: import: remove the uploaded file", "import", im.ID, "err", err)
			}
		}
		if err == nil && !im.DryRun {
			// Renditions of the imported images were queued.
			d.wakeJobs()
		}
		return nil
	}
}

// importFailure is what the import screen says about a failed import: the
// importer's list of problems in the file, or a general message whose
// detail goes to the log only.
func importFailure(err error) string {
	if errs, ok := errors.AsType[*importer.Errors](err); ok {
		return "Nothing was imported. The file has these problems:\n" + errs.Error()
	}
	if ue, ok := errors.AsType[*uploadProblem](err); ok {
		return "Nothing was imported: " + ue.msg
	}
	return "Nothing was imported: the import stopped on an error (the server log has the details)."
}

// uploadProblem is something wrong with the uploaded file itself, said in
// words for the person who uploaded it.
type uploadProblem struct{ msg string }

func (e *uploadProblem) Error() string { return e.msg }

// runImport copies the uploaded file into a temporary directory, unpacking
// a zip file, and imports it.
func (d *Desk) runImport(ctx context.Context, im store.Import) (importer.Report, error) {
	if d.media == nil {
		return importer.Report{}, errors.New("desk: import: no media storage")
	}
	tmp, err := os.MkdirTemp("", "masthead-import-*")
	if err != nil {
		return importer.Report{}, fmt.Errorf("desk: import: %w", err)
	}
	defer os.RemoveAll(tmp)
	obj, err := d.media.Open(ctx, im.FileKey)
	if errors.Is(err, media.ErrNotFound) {
		return importer.Report{}, &uploadProblem{"the uploaded file is gone; upload it again"}
	}
	if err != nil {
		return importer.Report{}, fmt.Errorf("desk: import: %w", err)
	}
	src := filepath.Join(tmp, "upload")
	err = copyToFile(src, obj)
	obj.Close()
	if err != nil {
		return importer.Report{}, fmt.Errorf("desk: import: %w", err)
	}

	opts := importer.Options{
		DryRun:        im.DryRun,
		Progress:      func(done, total int) { d.imports.set(im.ID, "posts", done, total) },
		ImageProgress: func(done, total int) { d.imports.set(im.ID, "images", done, total) },
	}
	st := d.svc.Store()
	if im.Format == "markdown" {
		dir := filepath.Join(tmp, "export")
		if err := unpackZip(src, dir); err != nil {
			return importer.Report{}, err
		}
		return importer.ImportMarkdownDir(ctx, st, d.media, exportRoot(dir), opts)
	}
	if im.FetchImages {
		opts.Images = importer.NewFetcher(importer.DefaultMaxFetches)
	}
	var arc *importer.Archive
	switch im.Format {
	case "wordpress":
		arc, err = importer.ReadWordPress(ctx, src)
	case "ghost":
		arc, err = importer.ReadGhost(ctx, src)
	case "feed":
		arc, err = importer.ReadFeed(ctx, src)
	default:
		return importer.Report{}, &uploadProblem{fmt.Sprintf("unknown format %q", im.Format)}
	}
	if err != nil {
		if _, ok := errors.AsType[*importer.Errors](err); ok || ctx.Err() != nil {
			return importer.Report{}, err
		}
		// A file that cannot be read says why, in terms of the file.
		msg := strings.ReplaceAll(err.Error(), src, im.Filename)
		msg = strings.TrimPrefix(msg, filepath.Base(src)+": ")
		return importer.Report{}, &uploadProblem{im.Filename + ": " + msg}
	}
	// The importer names the file it read; people know it by its upload name.
	arc.Source = im.Filename
	return importer.ImportArchive(ctx, st, d.media, arc, opts)
}

func copyToFile(name string, r io.Reader) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// unpackZip unpacks the zip file src into dir. Names that would land
// outside dir (absolute, "..", backslashes) are refused, as are more than
// maxZipFiles entries or more than maxZipBytes unpacked, counted on the
// bytes actually read rather than on the sizes the zip claims.
func unpackZip(src, dir string) error {
	zr, err := zip.OpenReader(src)
	if err != nil {
		return &uploadProblem{"the file is not a zip file that can be read (" + strings.TrimPrefix(err.Error(), "zip: ") + ")"}
	}
	defer zr.Close()
	if len(zr.File) > maxZipFiles {
		return &uploadProblem{fmt.Sprintf("the zip file holds %d files, more than the %d allowed", len(zr.File), maxZipFiles)}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("desk: import: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("desk: import: %w", err)
	}
	defer root.Close()
	var budget int64 = maxZipBytes
	for _, f := range zr.File {
		name := f.Name
		if strings.Contains(name, `\`) || !filepath.IsLocal(filepath.FromSlash(strings.TrimSuffix(name, "/"))) {
			return &uploadProblem{fmt.Sprintf("the zip file holds %q, a name outside its folder", name)}
		}
		local := filepath.FromSlash(path.Clean(name))
		if f.FileInfo().IsDir() {
			if err := root.MkdirAll(local, 0o700); err != nil {
				return fmt.Errorf("desk: import: %w", err)
			}
			continue
		}
		if !f.Mode().IsRegular() {
			return &uploadProblem{fmt.Sprintf("the zip file holds %q, which is not a plain file", name)}
		}
		if dirName := filepath.Dir(local); dirName != "." {
			if err := root.MkdirAll(dirName, 0o700); err != nil {
				return fmt.Errorf("desk: import: %w", err)
			}
		}
		n, err := unpackFile(root, local, f, budget)
		if err != nil {
			return err
		}
		budget -= n
	}
	return nil
}

func unpackFile(root *os.Root, local string, f *zip.File, budget int64) (int64, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, &uploadProblem{fmt.Sprintf("%s cannot be read from the zip file (%v)", f.Name, err)}
	}
	defer rc.Close()
	out, err := root.OpenFile(local, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return 0, &uploadProblem{fmt.Sprintf("the zip file holds %s twice", f.Name)}
	}
	if err != nil {
		return 0, fmt.Errorf("desk: import: %w", err)
	}
	n, err := io.Copy(out, io.LimitReader(rc, budget+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrAlgorithm) {
			return 0, &uploadProblem{fmt.Sprintf("%s in the zip file is damaged (%v)", f.Name, err)}
		}
		return 0, fmt.Errorf("desk: import: %w", err)
	}
	if n > budget {
		return 0, &uploadProblem{fmt.Sprintf("the zip file unpacks to more than %d MB", maxZipBytes>>20)}
	}
	return n, nil
}

// exportRoot finds the Markdown directory in an unpacked zip file: the
// desk's export puts everything in one folder named after the site.
func exportRoot(dir string) string {
	for range 2 {
		if _, err := os.Stat(filepath.Join(dir, "posts")); err == nil {
			return dir
		}
		entries, err := os.ReadDir(dir)
		if err != nil || len(entries) != 1 || !entries[0].IsDir() {
			return dir
		}
		dir = filepath.Join(dir, entries[0].Name())
	}
	return dir
}

// detectImportFormat tells what an uploaded file is from its name and its
// first bytes: a zip file is a Markdown export, JSON a Ghost export, XML a
// WordPress export when it says so near its start and a feed otherwise.
func detectImportFormat(filename string, head []byte) (string, bool) {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "markdown", true
	case bytes.HasPrefix(bytes.TrimSpace(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))), []byte("{")):
		return "ghost", true
	case bytes.Contains(head, []byte("wordpress.org/export")):
		return "wordpress", true
	case bytes.Contains(head, []byte("<rss")) || bytes.Contains(head, []byte("<feed")):
		return "feed", true
	}
	switch strings.ToLower(path.Ext(filename)) {
	case ".zip":
		return "markdown", true
	case ".json":
		return "ghost", true
	case ".rss", ".atom":
		return "feed", true
	}
	return "", false
}

func importTarget(id int64) string { return "import " + strconv.FormatInt(id, 10) }
