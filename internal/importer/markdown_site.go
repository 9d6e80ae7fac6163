package importer

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"masthead/internal/store"
)

// Besides authors, tags and posts, an import directory may hold what
// makes the rest of a publication, as `masthead export` writes it:
//
//	subscribers.csv  the newsletter's list, in the columns of the desk's
//	                 subscriber export (a header row naming at least
//	                 "email")
//	settings.json    editorial settings: {"site.name": "Latitude", …}

// Files of an import directory besides the Markdown.
const (
	SubscribersFile = "subscribers.csv"
	SettingsFile    = "settings.json"
)

// SubscriberColumns are the columns of subscribers.csv, in the order the
// export writes them: those of the desk's subscriber export, so that one
// file serves both.
var SubscriberColumns = []string{"email", "name", "status", "wants_roundup", "wants_every_article", "paused",
	"consent_source", "consent_ip", "consent_at", "confirmed_at", "unsubscribed_at", "created_at"}

// SettingKeys are the settings an import directory may set: the editorial
// ones. Secrets (the newsletter's signing key, mail server credentials)
// are never part of an import or an export; nor is the logo, which names
// an image of the media library.
var SettingKeys = []string{
	"site.name", "site.description", "site.timezone", "site.language",
	"newsletter.enabled", "newsletter.sender", "newsletter.roundup_day", "newsletter.roundup_time",
	"newsletter.roundup_auto_send",
}

// maxSubscriberBytes bounds subscribers.csv: larger than a Markdown file,
// since one row is a reader.
const maxSubscriberBytes = 256 << 20

// subscriberRow is a subscriber read from subscribers.csv.
type subscriberRow struct {
	sub  store.Subscriber
	line int
}

// readSubscribers reads subscribers.csv when there is one, recording
// problems by line.
func (imp *dirImport) readSubscribers() error {
	f, err := imp.fsys.Open(SubscribersFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		imp.problem(SubscribersFile, 1, "cannot read the file: %v", unwrapPathError(err))
		return nil
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > maxSubscriberBytes {
		imp.problem(SubscribersFile, 1, "file is larger than %d MB", maxSubscriberBytes>>20)
		return nil
	}
	rows, probs := parseSubscribers(io.LimitReader(f, maxSubscriberBytes), imp.now)
	imp.problems = append(imp.problems, probs...)
	imp.subscribers = rows
	return nil
}

// parseSubscribers reads the CSV of SubscriberColumns (in any order; only
// email is required). Missing values get what the desk's import gives: a
// confirmed subscriber of the round-up, consent "import" at now.
func parseSubscribers(r io.Reader, now time.Time) ([]subscriberRow, []Problem) {
	var probs []Problem
	add := func(line int, format string, args ...any) {
		probs = append(probs, Problem{Path: SubscribersFile, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil
	}
	if err != nil {
		add(csvLine(err), "not valid CSV: %v", csvMessage(err))
		return nil, probs
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
		if slices.Contains(SubscriberColumns, h) {
			col[h] = i
		}
	}
	if _, ok := col["email"]; !ok {
		add(1, `the first row must name the columns, among them "email"`)
		return nil, probs
	}
	now = now.UTC().Truncate(time.Microsecond)
	seen := map[string]int{}
	var rows []subscriberRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			add(csvLine(err), "not valid CSV: %v", csvMessage(err))
			return nil, probs
		}
		line, _ := cr.FieldPos(0)
		get := func(name string) string {
			i, ok := col[name]
			if !ok || i >= len(rec) {
				return ""
			}
			return uncell(rec[i])
		}
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue
		}
		sub := store.Subscriber{
			Email: store.NormalizeEmail(get("email")), Name: strings.TrimSpace(get("name")),
			Status: store.SubscriberConfirmed, WantsRoundup: true, ConsentSource: "import", ConsentIP: get("consent_ip"),
		}
		if !plausibleEmail(sub.Email) {
			add(line, "%q is not an email address", get("email"))
			continue
		}
		if first, dup := seen[sub.Email]; dup {
			add(line, "%s is also on line %d", sub.Email, first)
			continue
		}
		seen[sub.Email] = line
		if strings.ContainsAny(sub.Name, "\r\n\x00") {
			add(line, "the name of %s holds a line break", sub.Email)
		}
		if s := get("status"); s != "" {
			sub.Status = store.SubscriberStatus(s)
			if !sub.Status.Valid() {
				add(line, "status %q is not one of pending, confirmed, unsubscribed, bounced", s)
			}
		}
		for _, b := range []struct {
			name string
			dst  *bool
		}{{"wants_roundup", &sub.WantsRoundup}, {"wants_every_article", &sub.WantsEveryArticle}, {"paused", &sub.Paused}} {
			if s := get(b.name); s != "" {
				v, err := strconv.ParseBool(s)
				if err != nil {
					add(line, "%s must be true or false, not %q", b.name, s)
				}
				*b.dst = v
			}
		}
		if s := get("consent_source"); s != "" {
			sub.ConsentSource = s
		}
		imported := get("consent_at") == "" && get("created_at") == ""
		for _, t := range []struct {
			name string
			dst  *time.Time
		}{{"consent_at", &sub.ConsentAt}, {"confirmed_at", &sub.ConfirmedAt}, {"unsubscribed_at", &sub.UnsubscribedAt}, {"created_at", &sub.CreatedAt}} {
			s := get(t.name)
			if s == "" {
				continue
			}
			v, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				add(line, "%s %q is not an RFC 3339 time", t.name, s)
				continue
			}
			*t.dst = v.UTC().Truncate(time.Microsecond)
		}
		if imported {
			// A bare list of addresses: the publication vouches for their
			// consent now, as the desk's import does.
			sub.ConsentAt, sub.CreatedAt = now, now
			if sub.Status == store.SubscriberConfirmed && sub.ConfirmedAt.IsZero() {
				sub.ConfirmedAt = now
			}
		}
		if sub.CreatedAt.IsZero() {
			sub.CreatedAt = cmpOr(sub.ConsentAt, now)
		}
		rows = append(rows, subscriberRow{sub: sub, line: line})
	}
	return rows, probs
}

func cmpOr(t, fallback time.Time) time.Time {
	if t.IsZero() {
		return fallback
	}
	return t
}

// uncell undoes the apostrophe the subscriber export puts before values a
// spreadsheet would take for a formula (and before values that begin with
// such an apostrophe).
func uncell(v string) string {
	if len(v) >= 2 && v[0] == '\'' && strings.ContainsRune("=+-@\t\r'", rune(v[1])) {
		return v[1:]
	}
	return v
}

// plausibleEmail keeps obviously broken addresses out; the newsletter
// checks addresses properly when people subscribe.
func plausibleEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return len(s) <= 254 && at > 0 && at < len(s)-1 && strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}) < 0
}

func csvLine(err error) int {
	if pe, ok := errors.AsType[*csv.ParseError](err); ok {
		return max(pe.Line, 1)
	}
	return 1
}

func csvMessage(err error) string {
	if pe, ok := errors.AsType[*csv.ParseError](err); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// readSettings reads settings.json when there is one.
func (imp *dirImport) readSettings() {
	f, err := imp.fsys.Open(SettingsFile)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		imp.problem(SettingsFile, 1, "cannot read the file: %v", unwrapPathError(err))
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		imp.problem(SettingsFile, 1, "cannot read the file: %v", err)
		return
	}
	settings, probs := parseSettings(data)
	imp.problems = append(imp.problems, probs...)
	imp.settings = settings
}

// parseSettings reads a JSON object of SettingKeys to text values.
func parseSettings(data []byte) (map[string]string, []Problem) {
	var probs []Problem
	add := func(off int64, format string, args ...any) {
		line := 1 + strings.Count(string(data[:min(max(off, 0), int64(len(data)))]), "\n")
		probs = append(probs, Problem{Path: SettingsFile, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		var off int64
		if se, ok := errors.AsType[*json.SyntaxError](err); ok {
			off = se.Offset
		}
		add(off, "not a JSON object of settings: %v", err)
		return nil, probs
	}
	out := map[string]string{}
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range raw {
			if !yield(k) {
				return
			}
		}
	}) {
		at := int64(strings.Index(string(data), strconv.Quote(k)))
		if !slices.Contains(SettingKeys, k) {
			add(at, "unknown setting %q%s", k, suggest(k, SettingKeys))
			continue
		}
		var v string
		if err := json.Unmarshal(raw[k], &v); err != nil {
			add(at, "setting %q must be text", k)
			continue
		}
		v = strings.TrimSpace(v)
		if msg := checkSetting(k, v); msg != "" {
			add(at, "setting %q: %s", k, msg)
			continue
		}
		out[k] = v
	}
	return out, probs
}

// checkSetting returns what is wrong with a setting's value, or "".
func checkSetting(key, v string) string {
	switch key {
	case "site.timezone":
		if v != "" {
			if _, err := time.LoadLocation(v); err != nil {
				return fmt.Sprintf("%q is not a known timezone", v)
			}
		}
	case "newsletter.enabled", "newsletter.roundup_auto_send":
		if v != "" && v != "true" && v != "false" {
			return "must be true or false"
		}
	case "newsletter.roundup_time":
		if _, err := time.Parse("15:04", v); v != "" && err != nil {
			return fmt.Sprintf("%q is not a time such as 08:00", v)
		}
	}
	return ""
}

// writeSubscribers adds the subscribers not yet on the list; addresses on
// it keep their state, as with the desk's import.
func (imp *dirImport) writeSubscribers(ctx context.Context, s *store.Store, save bool, rep *Report) error {
	if len(imp.subscribers) == 0 {
		return nil
	}
	if !save {
		for _, r := range imp.subscribers {
			_, err := s.SubscriberByEmail(ctx, r.sub.Email)
			switch {
			case errors.Is(err, store.ErrNotFound):
				rep.SubscribersAdded++
			case err != nil:
				return fmt.Errorf("import: %s:%d: %w", SubscribersFile, r.line, err)
			}
		}
		return nil
	}
	subs := make([]store.Subscriber, len(imp.subscribers))
	for i, r := range imp.subscribers {
		subs[i] = r.sub
	}
	n, err := s.ImportSubscribers(ctx, subs)
	if err != nil {
		return fmt.Errorf("import: %s: %w", SubscribersFile, err)
	}
	rep.SubscribersAdded += n
	return nil
}

// writeSettings sets the settings whose value differs.
func (imp *dirImport) writeSettings(ctx context.Context, s *store.Store, save bool, rep *Report) error {
	for _, k := range SettingKeys {
		v, ok := imp.settings[k]
		if !ok {
			continue
		}
		old, err := s.Setting(ctx, k)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("import: %s: %w", SettingsFile, err)
		}
		if err == nil && old == v {
			continue
		}
		rep.SettingsChanged++
		if save {
			if err := s.SetSetting(ctx, k, v); err != nil {
				return fmt.Errorf("import: %s: %w", SettingsFile, err)
			}
		}
	}
	return nil
}
