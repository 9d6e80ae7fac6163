package desk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"

	"masthead/internal/editorial"
	"masthead/internal/media"
	"masthead/internal/store"
)

// importStart keeps the uploaded archive in media storage, where any node
// running the job finds it, under a key nobody can guess, records the
// import and queues its job, then shows its progress.
func (d *Desk) importStart(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := canImport(req); err != nil {
		return err
	}
	if d.media == nil {
		return &editorial.Refusal{Reason: editorial.ErrNotFound, Message: "Importing is not available on this server; use masthead import on the command line."}
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxImportUpload+maxFormBytes)
	err := r.ParseMultipartForm(8 << 20)
	if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return redirect(w, r, "/desk/import", "error", fmt.Sprintf("The file is too large: at most %d MB.", mbe.Limit>>20))
	}
	if err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return redirect(w, r, "/desk/import", "error", "The upload could not be read; try again.")
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	f, fh, err := r.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return redirect(w, r, "/desk/import", "error", "Choose a file to import.")
	}
	if err != nil {
		return fmt.Errorf("desk: import: %w", err)
	}
	defer f.Close()
	name := path.Base(strings.ReplaceAll(fh.Filename, `\`, "/"))

	head := make([]byte, 8<<10)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return fmt.Errorf("desk: import: %w", err)
	}
	if n == 0 {
		return redirect(w, r, "/desk/import", "error", name+" is empty.")
	}
	format := r.PostFormValue("format")
	if format == "" || format == "auto" {
		var ok bool
		if format, ok = detectImportFormat(name, head[:n]); !ok {
			return redirect(w, r, "/desk/import", "error", "Cannot tell what "+name+" is; choose its kind.")
		}
	}
	switch format {
	case "wordpress", "ghost", "feed", "markdown":
	default:
		return redirect(w, r, "/desk/import", "error", "Choose one of the kinds offered.")
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("desk: import: %w", err)
	}

	random := make([]byte, 16)
	rand.Read(random)
	key := media.PrivatePrefix + hex.EncodeToString(random) + "/upload"
	ctx := r.Context()
	if err := d.media.Put(ctx, key, f); err != nil {
		return fmt.Errorf("desk: import: keep the upload: %w", err)
	}
	im := store.Import{Format: format, Filename: name, DryRun: r.PostFormValue("mode") == "dry-run",
		FetchImages: r.PostFormValue("fetch_images") != "" && format != "markdown", FileKey: key, CreatedBy: req.actor.ID}
	st := d.svc.Store()
	err = st.InTx(ctx, func(tx *store.Store) error {
		if err := tx.CreateImport(ctx, &im); err != nil {
			return err
		}
		payload, err := json.Marshal(importPayload{ImportID: im.ID})
		if err != nil {
			return err
		}
		return tx.EnqueueJob(ctx, &store.Job{Kind: KindImport, Payload: payload, MaxAttempts: importJobAttempts,
			UniqueKey: KindImport + ":" + fmt.Sprint(im.ID)})
	})
	if err != nil {
		if rerr := media.RemoveQuietly(context.WithoutCancel(ctx), d.media, key); rerr != nil {
			d.log.WarnContext(ctx, "desk: import: remove the unrecorded upload", "err", rerr)
		}
		return fmt.Errorf("desk: import: %w", err)
	}
	d.wakeJobs()
	detail := format
	if im.DryRun {
		detail += ", dry run"
	}
	d.audit(ctx, req, "site.import", importTarget(im.ID)+" "+name, detail)
	return redirect(w, r, fmt.Sprintf("/desk/import/%d", im.ID), "", "")
}
