package editorial

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"masthead/internal/content"
	"masthead/internal/store"
	"masthead/internal/topics"
	"masthead/internal/topics/topicstore"
)

// TopicEntryFilter narrows the gazetteer list of the desk.
type TopicEntryFilter struct {
	Query  string // in the name, slug, code or an alias; any case
	Kind   topics.Kind
	Region string
}

// TopicEntryInput is the desk's form for a gazetteer entry. For a built-in
// entry only the aliases are taken.
type TopicEntryInput struct {
	Name    string
	Kind    topics.Kind
	Aliases string // one per line, in the gazetteer's notation
}

// AddableTopicKinds are the kinds of entry editors add: countries,
// territories come with Masthead.
func AddableTopicKinds() []topics.Kind {
	return []topics.Kind{topics.KindPerson, topics.KindGroup, topics.KindOrganisation, topics.KindOther}
}

// GazetteerEntries returns the gazetteer entries that match the filter, by
// region (entries without one last) and then name.
func (s *Service) GazetteerEntries(ctx context.Context, actor Actor, f TopicEntryFilter) ([]topics.Entry, error) {
	if !CanDecideTopics(actor.Account) {
		return nil, forbidden("Only editors manage topics.")
	}
	g, err := s.topics.Get(ctx, s.store)
	if err != nil {
		return nil, err
	}
	q := strings.ToLower(strings.TrimSpace(f.Query))
	var out []topics.Entry
	for _, e := range g.Entries() {
		if (f.Kind != "" && e.Kind != f.Kind) || (f.Region != "" && e.Region != f.Region) || (q != "" && !entryMatches(e, q)) {
			continue
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b topics.Entry) int {
		if (a.Region == "") != (b.Region == "") {
			if a.Region == "" {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)))
	})
	return out, nil
}

func entryMatches(e topics.Entry, q string) bool {
	if strings.Contains(strings.ToLower(e.Name), q) || strings.Contains(e.Slug, q) || strings.ToLower(e.Code) == q {
		return true
	}
	return slices.ContainsFunc(e.Aliases, func(a topics.Alias) bool { return strings.Contains(strings.ToLower(a.Text), q) })
}

// GazetteerEntry returns one entry of the gazetteer.
func (s *Service) GazetteerEntry(ctx context.Context, actor Actor, slug string) (topics.Entry, error) {
	if !CanDecideTopics(actor.Account) {
		return topics.Entry{}, forbidden("Only editors manage topics.")
	}
	g, err := s.topics.Get(ctx, s.store)
	if err != nil {
		return topics.Entry{}, err
	}
	e, ok := g.Entry(slug)
	if !ok {
		return topics.Entry{}, notFound("The topic")
	}
	return e, nil
}

// AddTopicEntry adds a person, armed group, organisation or other actor to
// the gazetteer. Its slug comes from its name.
func (s *Service) AddTopicEntry(ctx context.Context, actor Actor, in TopicEntryInput) (topics.Entry, error) {
	if !CanDecideTopics(actor.Account) {
		return topics.Entry{}, forbidden("Only editors manage topics.")
	}
	fe := FieldErrors{}
	name := strings.Join(strings.Fields(in.Name), " ")
	switch {
	case name == "":
		fe["name"] = "Give the topic a name."
	case utf8.RuneCountInString(name) > 100:
		fe["name"] = "Keep the name under 100 characters."
	}
	if !slices.Contains(AddableTopicKinds(), in.Kind) {
		fe["kind"] = "Choose a person, an armed group, an organisation or another actor."
	}
	aliases, lines, err := parseAliasInput(in.Aliases)
	if err != nil {
		fe["aliases"] = err.Error()
	}
	if len(fe) > 0 {
		return topics.Entry{}, fe
	}
	e := topics.Entry{Slug: content.Slugify(name), Name: name, Kind: in.Kind, Aliases: aliases}
	g, _, err := topicstore.LoadGazetteer(ctx, s.store)
	if err != nil {
		return topics.Entry{}, err
	}
	if e.Slug == "" {
		return topics.Entry{}, FieldErrors{"name": "Use a name with letters or digits."}
	}
	if _, taken := g.Entry(e.Slug); taken {
		return topics.Entry{}, FieldErrors{"name": fmt.Sprintf("There is already a topic at %q; give this one a fuller name.", e.Slug)}
	}
	if err := g.Add(e); err != nil {
		return topics.Entry{}, gazetteerFieldErrors(err)
	}
	err = s.store.SaveTopicEntry(ctx, store.TopicEntry{Slug: e.Slug, Name: e.Name, Kind: string(e.Kind), Aliases: lines}, s.now())
	if errors.Is(err, store.ErrConflict) {
		return topics.Entry{}, FieldErrors{"name": fmt.Sprintf("There is already a topic at %q.", e.Slug)}
	}
	if err != nil {
		return topics.Entry{}, fmt.Errorf("editorial: add topic: %w", err)
	}
	s.audit(ctx, actor, "topic.add", "topic "+e.Slug, e.Name)
	s.changed()
	added, _ := g.Entry(e.Slug)
	return added, nil
}

// SaveTopicEntry changes an entry: the aliases of any entry, and also the
// name and kind of one the desk added.
func (s *Service) SaveTopicEntry(ctx context.Context, actor Actor, slug string, in TopicEntryInput) (topics.Entry, error) {
	if !CanDecideTopics(actor.Account) {
		return topics.Entry{}, forbidden("Only editors manage topics.")
	}
	g, _, err := topicstore.LoadGazetteer(ctx, s.store)
	if err != nil {
		return topics.Entry{}, err
	}
	e, ok := g.Entry(slug)
	if !ok {
		return topics.Entry{}, notFound("The topic")
	}
	fe := FieldErrors{}
	if !e.Builtin {
		name := strings.Join(strings.Fields(in.Name), " ")
		switch {
		case name == "":
			fe["name"] = "Give the topic a name."
		case utf8.RuneCountInString(name) > 100:
			fe["name"] = "Keep the name under 100 characters."
		}
		if !slices.Contains(AddableTopicKinds(), in.Kind) {
			fe["kind"] = "Choose a person, an armed group, an organisation or another actor."
		}
		e.Name, e.Kind = name, in.Kind
	}
	aliases, lines, err := parseAliasInput(in.Aliases)
	if err != nil {
		fe["aliases"] = err.Error()
	}
	if len(fe) > 0 {
		return topics.Entry{}, fe
	}
	e.Aliases = aliases
	if err := g.Update(e); err != nil {
		return topics.Entry{}, gazetteerFieldErrors(err)
	}
	err = s.store.SaveTopicEntry(ctx, store.TopicEntry{Slug: e.Slug, Name: e.Name, Kind: string(e.Kind), Code: e.Code,
		Region: e.Region, UNStatus: e.UNStatus, Aliases: lines, Builtin: e.Builtin}, s.now())
	if err != nil {
		return topics.Entry{}, fmt.Errorf("editorial: save topic: %w", err)
	}
	s.audit(ctx, actor, "topic.edit", "topic "+e.Slug, e.Name)
	s.changed()
	saved, _ := g.Entry(e.Slug)
	return saved, nil
}

// RemoveTopicEntry removes an entry the desk added. Built-in entries stay
// (their aliases can be emptied); articles keep the removed topic's slug.
func (s *Service) RemoveTopicEntry(ctx context.Context, actor Actor, slug string) (topics.Entry, error) {
	e, err := s.GazetteerEntry(ctx, actor, slug)
	if err != nil {
		return topics.Entry{}, err
	}
	if e.Builtin {
		return topics.Entry{}, invalid("%s comes with Masthead and cannot be removed; edit its aliases instead.", e.Name)
	}
	err = s.store.DeleteTopicEntry(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		return topics.Entry{}, notFound("The topic")
	}
	if err != nil {
		return topics.Entry{}, fmt.Errorf("editorial: remove topic: %w", err)
	}
	s.audit(ctx, actor, "topic.remove", "topic "+e.Slug, e.Name)
	s.changed()
	return e, nil
}

// parseAliasInput reads the aliases text box: the aliases, and the lines
// to store as written (with "(s)" kept, so the form shows them as typed).
func parseAliasInput(text string) ([]topics.Alias, []string, error) {
	var lines []string
	for l := range strings.Lines(strings.ReplaceAll(text, "\r\n", "\n")) {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > 200 {
		return nil, nil, errors.New("Keep to 200 aliases.")
	}
	aliases, err := topics.ParseAliasLines(lines)
	if err != nil {
		return nil, nil, errors.New(strings.TrimPrefix(err.Error(), "topics: "))
	}
	return aliases, lines, nil
}

// gazetteerFieldErrors turns the gazetteer's refusal into the form's
// field errors: a clash of the name, or of an alias.
func gazetteerFieldErrors(err error) error {
	field := "aliases"
	var ce *topics.ConflictError
	if errors.As(err, &ce) && strings.HasPrefix(ce.Error(), "topics: name ") {
		field = "name"
	}
	return FieldErrors{field: strings.TrimPrefix(err.Error(), "topics: ")}
}
