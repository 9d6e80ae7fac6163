package exporter

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"masthead/internal/media"
	"masthead/internal/store"
)

// ErrNotEmpty refuses to export into a directory that holds files.
var ErrNotEmpty = errors.New("export: the directory is not empty")

// WriteDir exports the publication into dir. It writes into a new
// directory beside dir and renames it into place only when everything is
// written, so that dir never holds half an export. A dir that exists and
// holds files is refused with ErrNotEmpty unless force is set; it is then
// replaced whole. The export holds subscribers' personal data, so its
// directories are readable by their owner only.
func WriteDir(ctx context.Context, st *store.Store, files media.Storage, dir string, force bool, opts Options) (Manifest, error) {
	dir = filepath.Clean(dir)
	entries, err := os.ReadDir(dir)
	exists := err == nil
	switch {
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return Manifest{}, fmt.Errorf("export: %w", err)
	case len(entries) > 0 && !force:
		return Manifest{}, fmt.Errorf("%w: %s (use --force to replace it)", ErrNotEmpty, dir)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), filepath.Base(dir)+".tmp-")
	if err != nil {
		return Manifest{}, fmt.Errorf("export: %w", err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	root, err := os.OpenRoot(tmp)
	if err != nil {
		return Manifest{}, fmt.Errorf("export: %w", err)
	}
	out := &dirSink{root: root}
	m, err := export(ctx, st, files, out, opts)
	if cerr := out.close(); err == nil && cerr != nil {
		err = fmt.Errorf("export: %w", cerr)
	}
	root.Close()
	if err != nil {
		return Manifest{}, err
	}

	if exists {
		// The old directory steps aside first and comes back should the
		// new one fail to take its place.
		old, err := os.MkdirTemp(filepath.Dir(dir), filepath.Base(dir)+".old-")
		if err != nil {
			return Manifest{}, fmt.Errorf("export: %w", err)
		}
		if err := os.Remove(old); err != nil {
			return Manifest{}, fmt.Errorf("export: %w", err)
		}
		if err := os.Rename(dir, old); err != nil {
			return Manifest{}, fmt.Errorf("export: %w", err)
		}
		if err := os.Rename(tmp, dir); err != nil {
			os.Rename(old, dir)
			return Manifest{}, fmt.Errorf("export: %w", err)
		}
		done = true
		if err := os.RemoveAll(old); err != nil {
			return m, fmt.Errorf("export: written, but the old export could not be removed: %w", err)
		}
		return m, nil
	}
	if err := os.Rename(tmp, dir); err != nil {
		return Manifest{}, fmt.Errorf("export: %w", err)
	}
	done = true
	return m, nil
}

// dirSink writes files below a directory.
type dirSink struct {
	root *os.Root
	cur  *os.File
}

func (s *dirSink) create(name string, _ bool) (io.Writer, error) {
	if err := s.close(); err != nil {
		return nil, err
	}
	if d := path.Dir(name); d != "." {
		if err := s.root.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
	}
	f, err := s.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	s.cur = f
	return f, nil
}

// close finishes the file being written, making sure it reached the disk
// before the directory is renamed into place.
func (s *dirSink) close() error {
	if s.cur == nil {
		return nil
	}
	f := s.cur
	s.cur = nil
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// WriteZip exports the publication as a zip file written to w as it goes,
// every file inside the folder named folder (a single path segment), so
// that unpacking it gives one directory to import. Memory stays bounded
// whatever the size of the archive. On an error w holds an incomplete zip
// file, which must be discarded.
func WriteZip(ctx context.Context, st *store.Store, files media.Storage, w io.Writer, folder string, opts Options) (Manifest, error) {
	if folder == "" || folder != path.Base(folder) || folder == "." || folder == ".." {
		return Manifest{}, fmt.Errorf("export: %q is not a folder name", folder)
	}
	zw := zip.NewWriter(w)
	out := &zipSink{zw: zw, folder: folder}
	m, err := export(ctx, st, files, out, opts)
	if err != nil {
		return Manifest{}, err
	}
	if err := zw.Close(); err != nil {
		return Manifest{}, fmt.Errorf("export: %w", err)
	}
	return m, nil
}

// zipSink writes files into a zip archive.
type zipSink struct {
	zw     *zip.Writer
	folder string
}

func (s *zipSink) create(name string, compress bool) (io.Writer, error) {
	method := zip.Store
	if compress {
		method = zip.Deflate
	}
	// No modification time: the same publication gives the same archive.
	return s.zw.CreateHeader(&zip.FileHeader{Name: s.folder + "/" + name, Method: method})
}
