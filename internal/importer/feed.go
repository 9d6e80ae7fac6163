package importer

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"

	"masthead/internal/content"
	"masthead/internal/store"
)

// maxFeedBytes bounds a feed file: feeds carry recent items, and even a
// full-content archive of a large newsletter stays far below this.
const maxFeedBytes = 256 << 20

// ReadFeed reads an RSS, Atom or JSON feed, for moving from Substack,
// Medium or any blog: the full content where the feed has it
// (content:encoded, Atom content), else the summary; authors, categories
// as tags, dates, and the item's image (media:content, media:thumbnail,
// an image enclosure). Every item is published at its date; its link
// becomes an old address that redirects to it.
func ReadFeed(ctx context.Context, path string) (*Archive, error) {
	name := filepath.Base(path)
	arc := &Archive{Format: "feed", Source: name}
	fail := func(msg string) (*Archive, error) {
		arc.Problems = append(arc.Problems, Problem{Path: name, Line: 1, Msg: msg})
		arc.Posts = func(context.Context, func(*ArchivePost) error) error { return nil }
		return arc, nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	if fi.Size() > maxFeedBytes {
		return fail(fmt.Sprintf("the feed is larger than %d MB", maxFeedBytes>>20))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	head, _ := br.Peek(64 << 10)
	if bytes.Contains(head, []byte("<!ENTITY")) {
		return fail("the feed declares XML entities (<!ENTITY …>), which no feed needs; it is refused before anything is expanded")
	}
	feed, err := gofeed.NewParser().Parse(br)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return fail("not a readable RSS, Atom or JSON feed: " + err.Error())
	}

	authors := map[string]bool{}
	var posts []*ArchivePost
	for i, it := range feed.Items {
		p := feedPost(name, i+1, feed, it)
		for _, key := range p.Authors {
			if !authors[key] {
				authors[key] = true
				arc.Authors = append(arc.Authors, ArchiveAuthor{Pos: p.Pos, Key: key, Slug: content.Slugify(key), Name: key})
			}
		}
		posts = append(posts, p)
	}
	arc.Posts = func(ctx context.Context, fn func(*ArchivePost) error) error {
		for _, p := range posts {
			if err := ctx.Err(); err != nil {
				return err
			}
			// Each reading gets its own copy, as the writer may keep it.
			c := *p
			if err := fn(&c); err != nil {
				return err
			}
		}
		return nil
	}
	return arc, nil
}

// feedPost turns the n-th item of a feed into a post.
func feedPost(name string, n int, feed *gofeed.Feed, it *gofeed.Item) *ArchivePost {
	p := &ArchivePost{Pos: Pos{Path: name}, Title: html2text(it.Title), Status: content.StatusPublished}
	if p.Title == "" {
		p.Problems = append(p.Problems, fmt.Sprintf("item %d has no title", n))
	}
	if u, err := url.Parse(it.Link); err == nil && it.Link != "" {
		p.Slug = path.Base(strings.TrimRight(u.Path, "/"))
		if rp := store.RedirectPath(u.Path, u.Query()); rp != "/" {
			p.OldPaths = []string{rp}
		}
	}

	switch {
	case it.PublishedParsed != nil:
		p.PublishedAt = it.PublishedParsed.UTC()
	case it.Published != "":
		if t, ok := parseLooseDate(it.Published); ok {
			p.PublishedAt = t
		} else {
			p.Problems = append(p.Problems, fmt.Sprintf("no usable date: published %q is not a date", it.Published))
		}
	case it.UpdatedParsed != nil:
		p.PublishedAt = it.UpdatedParsed.UTC()
	default:
		p.Problems = append(p.Problems, "no date: the item has neither a publication nor an update date")
	}

	people := it.Authors
	if len(people) == 0 && it.DublinCoreExt != nil {
		for _, c := range it.DublinCoreExt.Creator {
			people = append(people, &gofeed.Person{Name: c})
		}
	}
	if len(people) == 0 {
		people = feed.Authors
	}
	for _, a := range people {
		if a == nil {
			continue
		}
		key := strings.TrimSpace(cmpOrString(a.Name, a.Email))
		if key != "" {
			p.Authors = append(p.Authors, key)
		}
	}
	for _, c := range it.Categories {
		if c = strings.TrimSpace(c); c != "" {
			p.Tags = append(p.Tags, ArchiveTag{Slug: content.Slugify(c), Name: c})
		}
	}

	body := it.Content
	if strings.TrimSpace(body) == "" {
		body = it.Description
		if body != "" {
			p.Warnings = append(p.Warnings, "the feed has only a summary of this item, not its full text")
		}
	} else if d := plainHTML(it.Description); d != "" {
		p.Excerpt = truncateWords(d, 300)
	}
	if !strings.Contains(body, "<") {
		body = autop(body)
	}
	res := htmlToMarkdown(body)
	p.Body, p.BodyImages = res.markdown, res.images
	if len(res.dropped) > 0 {
		p.Warnings = append(p.Warnings, "content that Markdown cannot hold was left out or linked: "+strings.Join(res.dropped, ", "))
	}
	p.Image = ArchiveImage{URL: feedImage(it)}
	return p
}

// feedImage finds an item's picture: its image, a media:content or
// media:thumbnail, or an image enclosure.
func feedImage(it *gofeed.Item) string {
	if it.Image != nil && webURL(it.Image.URL, "http", "https") {
		return it.Image.URL
	}
	for _, key := range []string{"content", "thumbnail"} {
		for _, e := range mediaExtensions(it.Extensions, key) {
			u := e.Attrs["url"]
			medium, typ := e.Attrs["medium"], e.Attrs["type"]
			if webURL(u, "http", "https") && (medium == "image" || strings.HasPrefix(typ, "image/") || key == "thumbnail" || medium == "" && typ == "") {
				return u
			}
		}
	}
	for _, enc := range it.Enclosures {
		if enc != nil && strings.HasPrefix(enc.Type, "image/") && webURL(enc.URL, "http", "https") {
			return enc.URL
		}
	}
	return ""
}

// mediaExtensions returns the Media RSS elements called key, including
// those inside media:group.
func mediaExtensions(exts ext.Extensions, key string) []ext.Extension {
	media := exts["media"]
	if media == nil {
		return nil
	}
	out := append([]ext.Extension(nil), media[key]...)
	for _, g := range media["group"] {
		out = append(out, g.Children[key]...)
	}
	return out
}

func cmpOrString(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}
