package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
)

// contentChannel is the SQL expression naming the PostgreSQL notification
// channel on which changes of the content version are announced. It is
// derived from the schema, so that publications sharing one database in
// separate schemas do not wake each other, and hashed, so that it stays
// within PostgreSQL's 63-byte limit for names whatever the schema is
// called.
const contentChannel = `'masthead_content_' || left(md5(current_schema()), 16)`

// Bounds of the wait between attempts to listen again after the
// connection was lost (a restarted or failed-over database).
const (
	watchRetryMin = 100 * time.Millisecond
	watchRetryMax = 5 * time.Second
)

// ContentWatch says what WatchContent calls.
type ContentWatch struct {
	// Changed is called after every committed change of what readers see,
	// from any node, and after every (re)connection, since changes made
	// while nobody listened were missed. It must not block for long.
	Changed func()
	// Lost, when set, is called with the error that ended a listening
	// connection, before WatchContent connects again.
	Lost func(err error)
}

// WatchContent listens for changes of the content version, which every
// transaction that changes what readers see announces on commit, and calls
// w.Changed for each until ctx ends. It reconnects and listens again by
// itself when the connection is lost, waiting a little longer after each
// failure. It returns nil when ctx ends, and at once with an error wrapping
// errors.ErrUnsupported on SQLite, where every writer shares one process
// with its readers or is seen by polling ContentVersion.
func (s *Store) WatchContent(ctx context.Context, w ContentWatch) error {
	if s.db.dialect != dialectPostgres {
		return fmt.Errorf("store: watch content: %w on %s", errors.ErrUnsupported, s.db.dialect)
	}
	if s.tx != nil {
		return errors.New("store: watch content called on a transaction")
	}
	if w.Changed == nil {
		return errors.New("store: watch content: no Changed function")
	}
	wait := watchRetryMin
	for {
		listened, err := s.listenContent(ctx, w.Changed)
		if ctx.Err() != nil {
			return nil
		}
		if listened {
			wait = watchRetryMin
		}
		if w.Lost != nil {
			w.Lost(fmt.Errorf("store: watch content: %w", err))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		wait = min(wait*2, watchRetryMax)
	}
}

// listenContent takes a connection of its own from the pool, listens on
// it and calls changed until the connection fails or ctx ends. It reports
// whether it got as far as listening.
func (s *Store) listenContent(ctx context.Context, changed func()) (listened bool, err error) {
	conn, err := s.db.writer.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	var cause error
	rawErr := conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			cause = fmt.Errorf("unexpected driver connection %T", dc)
			return cause
		}
		pc := sc.Conn()
		var channel string
		if err := pc.QueryRow(ctx, `SELECT `+contentChannel).Scan(&channel); err != nil {
			cause = err
			return driver.ErrBadConn
		}
		if _, err := pc.Exec(ctx, `LISTEN "`+channel+`"`); err != nil {
			cause = err
			return driver.ErrBadConn
		}
		listened = true
		changed()
		for {
			if _, err := pc.WaitForNotification(ctx); err != nil {
				cause = err
				// The connection listens, or was cut in the middle of a
				// read: either way it must not go back to the pool.
				return driver.ErrBadConn
			}
			changed()
		}
	})
	if cause == nil {
		cause = rawErr
	}
	return listened, cause
}
