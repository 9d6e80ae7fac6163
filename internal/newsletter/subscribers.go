package newsletter

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"masthead/internal/store"
)

// maxImportBytes bounds an uploaded subscriber list.
const maxImportBytes = 32 << 20

// ImportReport says what an import did, row by row where it matters.
type ImportReport struct {
	Rows       int // data rows read
	Added      int
	Duplicates int // already on the list, or repeated in the file
	Problems   []ImportProblem
	// Converted is set when the file was not UTF-8 and was read as
	// Windows-1252 (what spreadsheets on Windows write).
	Converted bool
}

// ImportProblem is a row left out, and why.
type ImportProblem struct {
	Line   int
	Value  string
	Reason string
}

// ImportCSV adds the subscribers of a CSV file: a header row naming an
// "email" column (and optionally "name"), or rows of address and name
// without header. Imported addresses are confirmed, with "import" and the
// time as their consent: importing says the publication holds their
// consent from before. Bad rows are reported and left out; the good ones
// are added together or not at all. Addresses already on the list keep
// their state: an import never re-subscribes someone who left.
func (s *Service) ImportCSV(ctx context.Context, r io.Reader) (ImportReport, error) {
	var rep ImportReport
	data, err := io.ReadAll(io.LimitReader(r, maxImportBytes+1))
	if err != nil {
		return rep, fmt.Errorf("newsletter: import: %w", err)
	}
	if len(data) > maxImportBytes {
		return rep, userError(fmt.Sprintf("The file is larger than %d MB; split it", maxImportBytes>>20), nil)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a BOM
	if !utf8.Valid(data) {
		if data, err = charmap.Windows1252.NewDecoder().Bytes(data); err != nil {
			return rep, userError("The file is neither UTF-8 nor Windows-1252 text", err)
		}
		rep.Converted = true
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	if first, _, _ := bytes.Cut(data, []byte("\n")); bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		cr.Comma = ';' // as spreadsheets write in much of Europe
	}
	records, err := cr.ReadAll()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return rep, userError(fmt.Sprintf("The file is not valid CSV (line %d: %v)", pe.Line, pe.Err), err)
		}
		return rep, userError("The file is not valid CSV", err)
	}
	if len(records) == 0 {
		return rep, userError("The file is empty", nil)
	}
	// Without a header the columns are address and name; with one, the
	// columns it names.
	emailCol, nameCol, start := 0, 1, 0
	header := records[0]
	named := -1
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(h)) {
		case "email", "e-mail", "email address", "address":
			emailCol, start = i, 1
		case "name", "full name":
			named = i
		}
	}
	if start == 1 {
		nameCol = named
	}
	if start == 0 && !strings.Contains(field(header, 0), "@") {
		return rep, userError(`The first row names no "email" column, and its first field is not an address`, nil)
	}

	now := s.now()
	seen := map[string]int{}
	var subs []store.Subscriber
	for i, rec := range records[start:] {
		line := start + i + 1
		raw := strings.TrimSpace(field(rec, emailCol))
		if raw == "" && len(strings.Join(rec, "")) == 0 {
			continue // a blank line
		}
		rep.Rows++
		addr, err := NormalizeAddress(raw)
		if err != nil {
			rep.Problems = append(rep.Problems, ImportProblem{Line: line, Value: raw, Reason: "not a valid email address"})
			continue
		}
		name, err := cleanName(field(rec, nameCol))
		if err != nil {
			rep.Problems = append(rep.Problems, ImportProblem{Line: line, Value: raw, Reason: "the name holds line breaks or is too long"})
			continue
		}
		if first, dup := seen[addr]; dup {
			rep.Duplicates++
			if name != "" && subs[first].Name == "" {
				subs[first].Name = name // merged
			}
			continue
		}
		seen[addr] = len(subs)
		subs = append(subs, store.Subscriber{Email: addr, Name: name, Status: store.SubscriberConfirmed, WantsRoundup: true,
			ConsentSource: SourceImport, ConsentAt: now, ConfirmedAt: now, CreatedAt: now})
	}
	added, err := s.store.ImportSubscribers(ctx, subs)
	if err != nil {
		return rep, fmt.Errorf("newsletter: import: %w", err)
	}
	rep.Added = added
	rep.Duplicates += len(subs) - added
	return rep, nil
}

func field(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return rec[i]
}

// ExportCSV writes the subscribers in one state (all when status is
// empty) as CSV, with their consent, for a backup or a move. Values a
// spreadsheet would take for a formula are quoted with an apostrophe.
func (s *Service) ExportCSV(ctx context.Context, w io.Writer, status store.SubscriberStatus) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"email", "name", "status", "wants_roundup", "wants_every_article", "paused", "consent_source",
		"consent_ip", "consent_at", "confirmed_at", "unsubscribed_at", "created_at"})
	when := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	for offset := 0; ; {
		page, err := s.store.Subscribers(ctx, store.SubscriberFilter{Status: status, Limit: 1000, Offset: offset})
		if err != nil {
			return fmt.Errorf("newsletter: export: %w", err)
		}
		for _, sub := range page.Subscribers {
			cw.Write([]string{cell(sub.Email), cell(sub.Name), string(sub.Status), strconv.FormatBool(sub.WantsRoundup),
				strconv.FormatBool(sub.WantsEveryArticle), strconv.FormatBool(sub.Paused), cell(sub.ConsentSource),
				sub.ConsentIP, when(sub.ConsentAt), when(sub.ConfirmedAt), when(sub.UnsubscribedAt), when(sub.CreatedAt)})
		}
		offset += len(page.Subscribers)
		if len(page.Subscribers) == 0 || offset >= page.Total {
			break
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("newsletter: export: %w", err)
	}
	return nil
}

// cell keeps a value from being read as a formula by a spreadsheet.
func cell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// EraseSubscriber deletes a subscriber and the record of what was sent
// to them, as when they ask for their personal data to be removed.
func (s *Service) EraseSubscriber(ctx context.Context, id int64) error {
	if err := s.store.DeleteSubscriber(ctx, id); err != nil {
		return fmt.Errorf("newsletter: erase: %w", err)
	}
	return nil
}
