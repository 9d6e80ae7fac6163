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
	"math/rand/v2"
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

// Body is the Markdown body of the i-th article: about 600 words in
// fourteen paragraphs with a subheading, a quotation and links, like a
// short magazine piece. Its words vary from article to article the way a
// real archive's do (see Word), so that searching it is a fair test.
func Body(i int) string {
	rng := rand.New(rand.NewPCG(uint64(i), 0x6d617374))
	var b strings.Builder
	for p := range 14 {
		if p == 5 {
			b.WriteString("## A subheading in the middle\n\n> A quotation that someone said, with [a link](https://example.org/).\n\n")
		}
		b.WriteString("Paragraph of analysis about diplomacy, trade and the balance of power, with *emphasis*:")
		for range 30 {
			b.WriteByte(' ')
			if rng.IntN(3) == 0 {
				b.WriteString(commonWords[rng.IntN(len(commonWords))])
			} else {
				b.WriteString(Word(zipf(rng)))
			}
		}
		b.WriteString(".\n\n")
	}
	return b.String()
}

// Title is the headline of the i-th article: five words of the archive's
// vocabulary, mostly of the rarer sort, so that headlines differ.
func Title(i int) string {
	rng := rand.New(rand.NewPCG(uint64(i), 0x7469746c))
	words := make([]string, 5)
	for k := range words {
		w := Word(50 + zipf(rng))
		words[k] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}

// VocabularySize is how many distinct words Word makes.
const VocabularySize = 20_000

// Word returns the k-th word of the archive's made-up vocabulary (k from 0
// to VocabularySize-1): two to four syllables, different for every k.
func Word(k int) string {
	k %= VocabularySize
	var b strings.Builder
	// Mixed-radix digits of k pick the syllables; the length grows with k
	// so that frequent words are short, as in real languages.
	n := 2
	if k >= 1000 {
		n = 3
	}
	if k >= 8000 {
		n = 4
	}
	for range n {
		b.WriteString(syllables[k%len(syllables)])
		k /= len(syllables)
	}
	if k > 0 {
		b.WriteString(syllables[k%len(syllables)])
	}
	return b.String()
}

// WordRank draws the rank of a vocabulary word with Zipf's law, the way
// words occur in text: a few words are in every article, most in few.
func WordRank(rng *rand.Rand) int { return zipf(rng) }

func zipf(rng *rand.Rand) int {
	z := rand.NewZipf(rng, 1.07, 2, VocabularySize-1)
	return int(z.Uint64())
}

var syllables = []string{
	"sel", "lo", "mir", "sen", "ta", "vo", "dra", "bel", "nu", "qui",
	"ros", "tan", "ve", "zo", "gal", "pe", "ri", "sho", "tem", "ul",
	"ba", "cor", "di", "fen", "ga", "hal", "ix", "jor", "kev", "lu",
	"mo", "nar", "os", "pra", "rem", "sta", "tor", "un", "vel", "wen",
}

var commonWords = []string{
	"the", "of", "and", "to", "in", "a", "that", "is", "for", "on",
	"with", "as", "by", "at", "from", "its", "which", "but", "not", "their",
	"state", "government", "policy", "minister", "war", "border", "election", "market", "treaty", "region",
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
	const batch = 1000
	for start := 0; start < spec.Articles; start += batch {
		end := min(start+batch, spec.Articles)
		err := st.InTx(ctx, func(tx *store.Store) error {
			for i := start; i < end; i++ {
				p := content.Post{
					Slug:        Slug(i),
					Title:       Title(i),
					Deck:        "A deck that says what the article is about",
					Body:        Body(i),
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
