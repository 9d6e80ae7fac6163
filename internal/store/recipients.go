package store

import (
	"context"
	"fmt"
)

// CountRecipients is how many subscribers an issue of kind would go to if
// it started now: the confirmed, unpaused ones who want that kind. It is
// the selection StartIssue makes, for the desk's "send to N" question.
func (s *Store) CountRecipients(ctx context.Context, kind IssueKind) (int, error) {
	if !kind.Valid() {
		return 0, fmt.Errorf("store: count recipients: unknown issue kind %q: %w", kind, ErrInvalid)
	}
	wants := `wants_roundup`
	if kind == IssueArticle {
		wants = `wants_every_article`
	}
	var n int
	err := s.reader().queryRow(ctx, `SELECT COUNT(*) FROM subscribers WHERE status = ? AND paused = ? AND `+wants+` = ?`,
		string(SubscriberConfirmed), false, true).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count recipients: %w", err)
	}
	return n, nil
}
