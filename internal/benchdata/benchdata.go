// Package benchdata fills a store with a large, realistic-looking archive
// for benchmarks and load tests: sections, tags, authors and articles with
// a top photo, published an hour apart.
package benchdata

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"strings"
	"time"

	"masthead/internal/content"
	"masthead/internal/media"
	"masthead/internal/store"
)

// Spec says how large an archive to make.
type Spec struct {
	Articles int
	Sections int       // default 6
	Tags     int       // default 30
	Authors  int       // default 50
	Newest   time.Time // publication time of article-0; default now
	// Progress, when set, is called after every batch of articles.
	Progress func(done, total int)
}

// Slug returns the slug of the i-th article Seed writes.
func Slug(i int) string { return fmt.Sprintf("article-%d", i) }

// Body is the Markdown body every article gets: about 600 words with a
// subheading, a quotation and links, like a short magazine piece.
func Body() string {
	var b strings.Builder
	for i := range 14 {
		if i == 5 {
			b.WriteString("## A subheading in the middle\n\n> A quotation that someone said, with [a link](https://example.org/).\n\n")
		}
		b.WriteString("Paragraph of analysis about diplomacy, trade and the balance of power, long enough to be a real paragraph of a real article, with *emphasis* and a second sentence that carries the argument further.\n\n")
	}
	return b.String()
}

// Seed writes the archive. Articles are written in transactions of 1,000.
func Seed(ctx context.Context, st *store.Store, files media.Storage, spec Spec) error {
	if spec.Sections <= 0 {
		spec.Sections = 6
	}
	if spec.Tags <= 0 {
		spec.Tags = 30
	}
	if spec.Authors <= 0 {
		spec.Authors = 50
	}
	if spec.Newest.IsZero() {
		spec.Newest = time.Now().UTC().Truncate(time.Second)
	}
	photo, err := storePhoto(ctx, files)
	if err != nil {
		return err
	}
	var sections, tags []content.Tag
	var authors []content.Author
	err = st.InTx(ctx, func(tx *store.Store) error {
		for i := range spec.Sections {
			t := content.Tag{Slug: fmt.Sprintf("section-%d", i), Name: fmt.Sprintf("Section %d", i), IsSection: true, Position: i}
			if err := tx.SaveTag(ctx, &t); err != nil {
				return err
			}
			sections = append(sections, t)
		}
		for i := range spec.Tags {
			t := content.Tag{Slug: fmt.Sprintf("tag-%d", i), Name: fmt.Sprintf("Tag %d", i)}
			if err := tx.SaveTag(ctx, &t); err != nil {
				return err
			}
			tags = append(tags, t)
		}
		for i := range spec.Authors {
			a := content.Author{Slug: fmt.Sprintf("author-%d", i), Name: fmt.Sprintf("Author %d", i),
				Role: "Correspondent", Bio: "Writes about the world from its capitals.", Photo: photo}
			if err := tx.SaveAuthor(ctx, &a); err != nil {
				return err
			}
			authors = append(authors, a)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("benchdata: %w", err)
	}
	body := Body()
	const batch = 1000
	for start := 0; start < spec.Articles; start += batch {
		end := min(start+batch, spec.Articles)
		err := st.InTx(ctx, func(tx *store.Store) error {
			for i := start; i < end; i++ {
				p := content.Post{
					Slug:        Slug(i),
					Title:       fmt.Sprintf("Article number %d about the world", i),
					Deck:        "A deck that says what the article is about",
					Body:        body,
					Status:      content.StatusPublished,
					PublishedAt: spec.Newest.Add(-time.Duration(i) * time.Hour),
					Authors:     []content.Author{authors[i%len(authors)], authors[(i+7)%len(authors)]},
					Section:     &sections[i%len(sections)],
					Tags:        []content.Tag{tags[i%len(tags)], tags[(i+11)%len(tags)]},
					Image:       photo,
				}
				if err := tx.SavePost(ctx, &p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("benchdata: %w", err)
		}
		if spec.Progress != nil {
			spec.Progress(end, spec.Articles)
		}
	}
	return nil
}

// storePhoto stores one 1200×800 JPEG that every article uses as its top
// photo.
func storePhoto(ctx context.Context, files media.Storage) (content.Image, error) {
	img := image.NewRGBA(image.Rect(0, 0, 1200, 800))
	for y := range 800 {
		c := color.RGBA{R: uint8(40 + y/8), G: uint8(60 + y/10), B: uint8(90 + y/12), A: 255}
		for x := range 1200 {
			img.SetRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		return content.Image{}, err
	}
	info := media.Info{Format: "jpeg", Width: 1200, Height: 800}
	key := media.HashedKey("images", "bench", buf.Bytes(), info)
	if err := files.Put(ctx, key, bytes.NewReader(buf.Bytes())); err != nil {
		return content.Image{}, fmt.Errorf("benchdata: %w", err)
	}
	return content.Image{Key: key, Width: 1200, Height: 800, Alt: "A gradient of evening blue",
		Caption: "The evening sky over the capital.", Credit: "Masthead"}, nil
}
