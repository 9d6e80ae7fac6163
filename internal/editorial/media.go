package editorial

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"masthead/internal/content"
	"masthead/internal/jobs"
	"masthead/internal/media"
	"masthead/internal/store"
)

// KindRenditions makes the responsive copies of an uploaded image. Its
// payload is {"media_id": N}.
const KindRenditions = "media.renditions"

type renditionsPayload struct {
	MediaID int64 `json:"media_id"`
}

// MediaText is the editorial text stored with an image and offered when it
// is used.
type MediaText struct {
	Alt     string
	Caption string
	Credit  string
}

func (t *MediaText) check() FieldErrors {
	fe := FieldErrors{}
	t.Alt, t.Caption, t.Credit = strings.TrimSpace(t.Alt), strings.TrimSpace(t.Caption), strings.TrimSpace(t.Credit)
	for field, v := range map[string]string{"alt": t.Alt, "caption": t.Caption, "credit": t.Credit} {
		if utf8.RuneCountInString(v) > maxImageText {
			fe[field] = fmt.Sprintf("Keep this under %d characters.", maxImageText)
		}
	}
	return fe
}

// Upload checks an uploaded image (its type read from its content, its
// pixels bounded, a damaged file refused, location metadata removed),
// stores it, adds it to the media library and enqueues the making of its
// renditions, which the request does not wait for. A refused file gets a
// *Refusal saying why, and nothing is stored.
func (s *Service) Upload(ctx context.Context, actor Actor, filename string, r io.Reader, text MediaText) (store.MediaItem, error) {
	if err := Can(actor.Account, MediaUpload, Target{}); err != nil {
		return store.MediaItem{}, err
	}
	if s.media == nil {
		return store.MediaItem{}, errors.New("editorial: upload: no media storage")
	}
	if fe := text.check(); len(fe) > 0 {
		return store.MediaItem{}, fe
	}
	name := path.Base(strings.ReplaceAll(filename, `\`, "/"))
	if name == "." || name == "/" || name == "" {
		name = "the file"
	}
	data, info, err := media.CheckUpload(r, s.maxUpload)
	var ue *media.UploadError
	if errors.As(err, &ue) {
		return store.MediaItem{}, &Refusal{Reason: ErrInvalid, Message: fmt.Sprintf("%s was not uploaded: %s.", name, ue.Message)}
	}
	if err != nil {
		return store.MediaItem{}, fmt.Errorf("editorial: upload: %w", err)
	}

	base := content.Slugify(strings.TrimSuffix(name, path.Ext(name)))
	if len(base) > 60 {
		base = strings.TrimRight(base[:60], "-")
	}
	if base == "" {
		base = "image"
	}
	key := media.HashedKey("uploads/"+s.now().UTC().Format("2006/01"), base, data, info)
	if item, err := s.store.MediaItemByKey(ctx, key); err == nil {
		return item, nil // the same file, uploaded again
	} else if !errors.Is(err, store.ErrNotFound) {
		return store.MediaItem{}, fmt.Errorf("editorial: upload: %w", err)
	}
	if err := s.media.Put(ctx, key, bytes.NewReader(data)); err != nil {
		return store.MediaItem{}, fmt.Errorf("editorial: upload: %w", err)
	}
	item := store.MediaItem{Key: key, Format: info.Format, Width: info.Width, Height: info.Height, Bytes: int64(len(data)),
		Alt: text.Alt, Caption: text.Caption, Credit: text.Credit, UploadedBy: actor.ID, CreatedAt: s.now(),
		RenditionStatus: store.RenditionsPending}
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.CreateMediaItem(ctx, &item); err != nil {
			return err
		}
		payload, err := json.Marshal(renditionsPayload{MediaID: item.ID})
		if err != nil {
			return err
		}
		return tx.EnqueueJob(ctx, &store.Job{Kind: KindRenditions, Payload: payload,
			UniqueKey: KindRenditions + ":" + strconv.FormatInt(item.ID, 10)})
	})
	if errors.Is(err, store.ErrConflict) {
		// The same file arrived twice at once; the other upload added it.
		if other, oerr := s.store.MediaItemByKey(ctx, key); oerr == nil {
			return other, nil
		}
	}
	if err != nil {
		// Nothing refers to the stored file: take it back.
		if rerr := media.RemoveQuietly(context.WithoutCancel(ctx), s.media, key); rerr != nil {
			s.log.WarnContext(ctx, "editorial: upload: remove the unrecorded file", "key", key, "err", rerr)
		}
		return store.MediaItem{}, fmt.Errorf("editorial: upload: %w", err)
	}
	s.wake()
	s.audit(ctx, actor, "media.upload", key, "")
	return item, nil
}

// RenditionsHandler returns the handler of KindRenditions jobs: it reads
// the original, makes the resized copies (several widths, WebP and the
// original's format), stores them and records them with the image.
func (s *Service) RenditionsHandler() jobs.Handler {
	return func(ctx context.Context, payload []byte) error {
		var p renditionsPayload
		if err := json.Unmarshal(payload, &p); err != nil || p.MediaID <= 0 {
			return jobs.Permanent(fmt.Errorf("editorial: renditions: bad payload %q", payload))
		}
		item, err := s.store.MediaItemByID(ctx, p.MediaID)
		if errors.Is(err, store.ErrNotFound) {
			return nil // deleted meanwhile
		}
		if err != nil {
			return err
		}
		if s.media == nil {
			return errors.New("editorial: renditions: no media storage")
		}
		fail := func(cause error) error {
			if err := s.store.SetMediaRenditions(context.WithoutCancel(ctx), item.ID, store.RenditionsFailed, nil); err != nil {
				s.log.ErrorContext(ctx, "editorial: record failed renditions", "media", item.ID, "err", err)
			}
			return jobs.Permanent(cause)
		}
		obj, err := s.media.Open(ctx, item.Key)
		if errors.Is(err, media.ErrNotFound) {
			return fail(fmt.Errorf("editorial: renditions of %s: the original is missing", item.Key))
		}
		if err != nil {
			return err
		}
		data, err := io.ReadAll(obj)
		obj.Close()
		if err != nil {
			return err
		}
		rs, err := media.MakeRenditions(ctx, data, media.Info{Format: item.Format, Width: item.Width, Height: item.Height}, s.widths)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			return fail(fmt.Errorf("editorial: renditions of %s: %w", item.Key, err))
		}
		stored := make([]store.Rendition, 0, len(rs))
		for _, r := range rs {
			sr := r.Stored(item.Key)
			if err := s.media.Put(ctx, sr.Key, bytes.NewReader(r.Data)); err != nil {
				// No half set of renditions stays behind; the retry
				// stores them all again.
				keys := make([]string, len(stored))
				for i, st := range stored {
					keys[i] = st.Key
				}
				if rerr := media.RemoveQuietly(context.WithoutCancel(ctx), s.media, keys...); rerr != nil {
					s.log.WarnContext(ctx, "editorial: renditions: remove a partial set", "media", item.ID, "err", rerr)
				}
				return err
			}
			stored = append(stored, store.Rendition{Key: sr.Key, Width: sr.Width, Height: sr.Height, Format: sr.Format})
		}
		if err := s.store.SetMediaRenditions(ctx, item.ID, store.RenditionsDone, stored); err != nil {
			return err
		}
		s.changed()
		return nil
	}
}

// MediaItems returns a page of the media library.
func (s *Service) MediaItems(ctx context.Context, actor Actor, f store.MediaFilter) (store.MediaPage, error) {
	if err := Can(actor.Account, MediaUpload, Target{}); err != nil {
		return store.MediaPage{}, err
	}
	page, err := s.store.MediaItems(ctx, f)
	if err != nil {
		return page, fmt.Errorf("editorial: media: %w", err)
	}
	return page, nil
}

// MediaItem returns one image of the library.
func (s *Service) MediaItem(ctx context.Context, actor Actor, id int64) (store.MediaItem, error) {
	if err := Can(actor.Account, MediaUpload, Target{}); err != nil {
		return store.MediaItem{}, err
	}
	item, err := s.store.MediaItemByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return item, notFound("The image")
	}
	if err != nil {
		return item, fmt.Errorf("editorial: media %d: %w", id, err)
	}
	return item, nil
}

// UpdateMediaText stores an image's alt text, caption and credit. Posts
// already using it keep their own copies.
func (s *Service) UpdateMediaText(ctx context.Context, actor Actor, id int64, text MediaText) (store.MediaItem, error) {
	item, err := s.MediaItem(ctx, actor, id)
	if err != nil {
		return item, err
	}
	if err := Can(actor.Account, MediaEdit, Target{UploadedBy: item.UploadedBy}); err != nil {
		return item, err
	}
	if fe := text.check(); len(fe) > 0 {
		return item, fe
	}
	if err := s.store.UpdateMediaText(ctx, id, text.Alt, text.Caption, text.Credit); err != nil {
		return item, fmt.Errorf("editorial: media %d: %w", id, err)
	}
	item.Alt, item.Caption, item.Credit = text.Alt, text.Caption, text.Credit
	return item, nil
}
