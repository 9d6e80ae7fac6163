package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// AuditEntry is one line of the audit log: who did what to what, when and
// from where.
type AuditEntry struct {
	ID           int64
	At           time.Time
	AccountID    int64  // 0 when nobody was signed in (a failed sign-in)
	AccountEmail string // read from the account when listing; not stored with the entry
	Action       string // e.g. "signin", "signin.failed", "post.publish", "post.delete", "account.role"
	Target       string // what was acted on, e.g. "post 42" or an email
	Detail       string
	IP           string
}

// AuditFilter selects audit entries. Zero fields do not filter.
type AuditFilter struct {
	AccountID int64
	Actions   []string
	Limit     int // 0 means 50; at most 500
	Offset    int
}

// AuditPage is one page of the audit log, newest first.
type AuditPage struct {
	Entries []AuditEntry
	Total   int // entries matching the filter, ignoring Limit and Offset
}

// AppendAudit adds e to the log and sets its ID (and At when zero).
func (s *Store) AppendAudit(ctx context.Context, e *AuditEntry) error {
	entry := *e
	if strings.TrimSpace(entry.Action) == "" {
		return fmt.Errorf("store: audit: no action: %w", ErrInvalid)
	}
	if entry.At.IsZero() {
		entry.At = time.Now()
	}
	if !validTime(entry.At) {
		return fmt.Errorf("store: audit %s: time out of range: %w", entry.Action, ErrInvalid)
	}
	entry.At = normTime(entry.At)
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		if entry.AccountID != 0 {
			if err := r.checkExist(ctx, "accounts", "account", []int64{entry.AccountID}); err != nil {
				return err
			}
		}
		return r.queryRow(ctx, `INSERT INTO audit_log (at, account_id, action, target, detail, ip)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			r.timeArg(entry.At), nullID(entry.AccountID), entry.Action, entry.Target, entry.Detail, entry.IP).Scan(&entry.ID)
	})
	if err != nil {
		return fmt.Errorf("store: audit %s: %w", entry.Action, err)
	}
	entry.AccountEmail = ""
	*e = entry
	return nil
}

// AuditLog returns one page of the audit log, newest first.
func (s *Store) AuditLog(ctx context.Context, f AuditFilter) (AuditPage, error) {
	r := s.reader()
	var conds []string
	var args []any
	if f.AccountID != 0 {
		conds = append(conds, `l.account_id = ?`)
		args = append(args, f.AccountID)
	}
	if len(f.Actions) > 0 {
		conds = append(conds, `l.action IN (`+placeholders(len(f.Actions))+`)`)
		args = append(args, anys(f.Actions)...)
	}
	where := ""
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, ` AND `)
	}
	limit, offset := pageBounds(f.Limit, f.Offset, 50, 500)

	var page AuditPage
	if err := r.queryRow(ctx, `SELECT COUNT(*) FROM audit_log l`+where, args...).Scan(&page.Total); err != nil {
		return AuditPage{}, fmt.Errorf("store: audit log: %w", err)
	}
	if offset >= page.Total {
		return page, nil
	}
	err := r.each(ctx, `SELECT l.id, l.at, l.account_id, COALESCE(ac.email, ''), l.action, l.target, l.detail, l.ip
		FROM audit_log l LEFT JOIN accounts ac ON ac.id = l.account_id`+where+`
		ORDER BY l.id DESC LIMIT ? OFFSET ?`, append(args, limit, offset), func(rows *sql.Rows) error {
		var e AuditEntry
		var account sql.NullInt64
		if err := rows.Scan(&e.ID, timeDest{&e.At}, &account, &e.AccountEmail, &e.Action, &e.Target, &e.Detail, &e.IP); err != nil {
			return err
		}
		e.AccountID = account.Int64
		page.Entries = append(page.Entries, e)
		return nil
	})
	if err != nil {
		return AuditPage{}, fmt.Errorf("store: audit log: %w", err)
	}
	return page, nil
}

// pageBounds applies a listing's default and maximum page size.
func pageBounds(limit, offset, def, most int) (int, int) {
	if limit <= 0 {
		limit = def
	}
	return min(limit, most), max(offset, 0)
}
