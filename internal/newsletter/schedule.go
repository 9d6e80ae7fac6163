package newsletter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"masthead/internal/jobs"
	"masthead/internal/store"
)

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

// NextRoundup returns when the round-up is next composed after after: on
// the weekday and at the time the settings name, in the site's timezone.
// ok is false when no weekday is set.
func (s *Service) NextRoundup(ctx context.Context, after time.Time) (next time.Time, ok bool, err error) {
	day, err := s.setting(ctx, SettingDay, "")
	if err != nil || day == "" {
		return time.Time{}, false, err
	}
	wd, known := weekdays[strings.ToLower(day)]
	if !known {
		return time.Time{}, false, fmt.Errorf("newsletter: the round-up day %q is not a weekday", day)
	}
	at, err := s.setting(ctx, SettingTime, "08:00")
	if err != nil {
		return time.Time{}, false, err
	}
	clock, err := time.Parse("15:04", at)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("newsletter: the round-up time %q is not HH:MM", at)
	}
	loc := s.location(ctx)
	local := after.In(loc)
	ahead := (int(wd) - int(local.Weekday()) + 7) % 7
	day2 := local.AddDate(0, 0, ahead)
	next = time.Date(day2.Year(), day2.Month(), day2.Day(), clock.Hour(), clock.Minute(), 0, 0, loc)
	if !next.After(after) {
		day2 = day2.AddDate(0, 0, 7)
		next = time.Date(day2.Year(), day2.Month(), day2.Day(), clock.Hour(), clock.Minute(), 0, 0, loc)
	}
	return next, true, nil
}

// ScheduleRoundups puts the weekly composition of the round-up on the job
// queue, or takes it off when no weekday is set. Call it at start and
// whenever the newsletter settings change.
func (s *Service) ScheduleRoundups(ctx context.Context) error {
	next, ok, err := s.NextRoundup(ctx, s.now())
	if err != nil {
		return err
	}
	if !ok {
		if _, err := s.store.CancelJob(ctx, KindCompose); err != nil {
			return fmt.Errorf("newsletter: %w", err)
		}
		return nil
	}
	j := store.Job{Kind: KindCompose, RunAt: next, UniqueKey: KindCompose}
	if err := s.store.EnqueueJob(ctx, &j); err != nil {
		return fmt.Errorf("newsletter: schedule round-ups: %w", err)
	}
	s.wakeJobs()
	return nil
}

// recentDraft is how close together two automatic compositions count as
// one: a job run twice for one slot makes one draft.
const recentDraft = 12 * time.Hour

// composeHandler composes the week's round-up, sends it when automatic
// sending is on, and schedules the next composition.
func (s *Service) composeHandler(ctx context.Context, _ []byte) error {
	now := jobs.Now(ctx)
	drafts, err := s.store.Issues(ctx, store.IssueFilter{Kind: store.IssueRoundup, Statuses: []store.IssueStatus{store.IssueDraft}, Limit: 1})
	if err != nil {
		return err
	}
	if len(drafts.Issues) > 0 && now.Sub(drafts.Issues[0].CreatedAt) < recentDraft {
		s.log.InfoContext(ctx, "newsletter: a round-up draft was composed moments ago; none composed", "issue", drafts.Issues[0].ID)
	} else {
		is, err := s.ComposeRoundup(ctx, time.Time{})
		switch {
		case errors.Is(err, ErrNoArticles):
			s.log.InfoContext(ctx, "newsletter: nothing published since the last round-up; none composed")
		case err != nil:
			return err
		default:
			s.log.InfoContext(ctx, "newsletter: round-up composed", "issue", is.ID, "articles", len(is.Items))
			auto, err := s.setting(ctx, SettingAutoSend, "false")
			if err != nil {
				return err
			}
			if auto == "true" {
				if _, err := s.SendNow(ctx, is.ID); err != nil {
					return err
				}
			}
		}
	}
	next, ok, err := s.NextRoundup(ctx, now.Add(time.Minute))
	if err != nil || !ok {
		return err
	}
	j := store.Job{Kind: KindCompose, RunAt: next, UniqueKey: KindCompose}
	return s.store.EnqueueJob(ctx, &j)
}

// Start readies the newsletter when the server starts: the subscribe box
// is turned on the first time (an editor who turns it off later keeps it
// off), and the weekly composition is put on the job queue as the
// settings say.
func (s *Service) Start(ctx context.Context) error {
	if _, err := s.store.InitSetting(ctx, SettingEnabled, "true"); err != nil {
		return fmt.Errorf("newsletter: %w", err)
	}
	if err := s.ScheduleRoundups(ctx); err != nil {
		// A bad weekday or time is the editor's to fix; the rest works.
		s.log.ErrorContext(ctx, "newsletter: weekly round-up not scheduled", "err", err)
	}
	return nil
}
