// Package topicstore joins the built-in gazetteer with the additions and
// edits the desk keeps in the store, and caches the compiled result.
package topicstore

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"sync"

	"masthead/internal/store"
	"masthead/internal/topics"
)

// LoadGazetteer returns the built-in gazetteer with the desk's stored
// additions and edits applied. A stored edit that no longer fits (a newer
// built-in gazetteer took its alias, say) is skipped and returned in
// skipped, so that one bad row never hides every topic.
func LoadGazetteer(ctx context.Context, st *store.Store) (g *topics.Gazetteer, skipped []error, err error) {
	stored, err := st.TopicEntries(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("topics: gazetteer: %w", err)
	}
	return gazetteerOf(stored)
}

func gazetteerOf(stored []store.TopicEntry) (*topics.Gazetteer, []error, error) {
	g, err := topics.Builtin()
	if err != nil {
		return nil, nil, fmt.Errorf("topics: gazetteer: %w", err)
	}
	var skipped []error
	edits := make([]topics.Edit, 0, len(stored))
	for _, e := range stored {
		aliases, err := topics.ParseAliasLines(e.Aliases)
		if err != nil {
			skipped = append(skipped, fmt.Errorf("entry %q: %w", e.Slug, err))
			continue
		}
		edits = append(edits, topics.Edit{Removed: e.Removed, Entry: topics.Entry{
			Slug: e.Slug, Name: e.Name, Kind: topics.Kind(e.Kind), Code: e.Code, Region: e.Region,
			UNStatus: e.UNStatus, Aliases: aliases, Builtin: e.Builtin,
		}})
	}
	skipped = append(skipped, g.ApplyEdits(edits)...)
	return g, skipped, nil
}

// Gazetteer is a compiled gazetteer: the entries and their detector.
type Gazetteer struct {
	*topics.Gazetteer
	Detector *topics.Detector
	// Skipped are the stored edits that could not be applied.
	Skipped []error
}

// Cache keeps the compiled gazetteer between requests and builds
// it again only when the stored entries changed: compiling takes far
// longer than reading the few stored rows. It is safe for concurrent use.
type Cache struct {
	mu  sync.Mutex
	key uint64
	g   *Gazetteer
}

// Get returns the gazetteer as the store has it now.
func (c *Cache) Get(ctx context.Context, st *store.Store) (*Gazetteer, error) {
	stored, err := st.TopicEntries(ctx)
	if err != nil {
		return nil, fmt.Errorf("topics: gazetteer: %w", err)
	}
	key := fingerprint(stored)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.g != nil && c.key == key {
		return c.g, nil
	}
	g, skipped, err := gazetteerOf(stored)
	if err != nil {
		return nil, err
	}
	c.g, c.key = &Gazetteer{Gazetteer: g, Detector: g.Compile(), Skipped: skipped}, key
	return c.g, nil
}

// fingerprint identifies a set of stored entries: every save changes an
// entry's update time, every deletion the list of slugs.
func fingerprint(stored []store.TopicEntry) uint64 {
	h := fnv.New64a()
	for _, e := range stored {
		h.Write([]byte(e.Slug))
		h.Write([]byte{0})
		h.Write([]byte(strconv.FormatInt(e.UpdatedAt.UnixNano(), 10)))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// topicText is what detection reads of a post.
func text(title, deck, body string) string {
	return title + "\n\n" + deck + "\n\n" + body
}

// Detect runs detection over a post's text, in the form the store
// keeps; with accept, new topics are stored as accepted.
func Detect(d *topics.Detector, title, deck, body string, accept bool) []store.DetectedTopic {
	found := d.Suggest(text(title, deck, body))
	out := make([]store.DetectedTopic, 0, len(found))
	for _, s := range found {
		out = append(out, store.DetectedTopic{Topic: s.Slug, Mentions: s.Count, Confidence: s.Confidence, Accept: accept})
	}
	return out
}
