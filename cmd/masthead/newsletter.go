package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"masthead/internal/config"
	"masthead/internal/jobs"
	"masthead/internal/mail"
	"masthead/internal/newsletter"
	"masthead/internal/server"
	"masthead/internal/store"
)

func newsletterUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: masthead newsletter COMMAND [flags] [ISSUE]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	fmt.Fprintln(w, "  compose        compose a draft round-up of the articles published since the last one")
	fmt.Fprintln(w, "  list           list the latest issues")
	fmt.Fprintln(w, "  send ISSUE     send an issue (or resume a paused one) and show its progress")
	fmt.Fprintln(w, "  status ISSUE   show how far an issue's sending has come")
	fmt.Fprintln(w, "  pause ISSUE    pause an issue that is sending")
	fmt.Fprintln(w, "  resume ISSUE   resume a paused issue")
	fmt.Fprintln(w, "  cancel ISSUE   stop an issue for good; what was sent stays sent")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Mail goes to the SMTP server named by MASTHEAD_SMTP_HOST (with MASTHEAD_SMTP_PORT, _TLS,")
	fmt.Fprintln(w, "_USERNAME, _PASSWORD, _FROM, _TIMEOUT, _MAX_CONNS), else to the one saved in the desk, else to the outbox.")
	fmt.Fprintln(w, "MASTHEAD_NEWSLETTER_RATE (messages per second) and MASTHEAD_NEWSLETTER_CONCURRENCY set the pace.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'masthead newsletter COMMAND --help' for the flags of a command.")
}

func runNewsletter(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		newsletterUsage(stderr)
		return errUsage
	}
	sub := args[0]
	switch sub {
	case "-h", "--help", "-help", "help":
		newsletterUsage(stdout)
		return flag.ErrHelp
	case "compose", "list", "send", "status", "pause", "resume", "cancel":
	default:
		fmt.Fprintf(stderr, "masthead newsletter: unknown command %q\n\n", sub)
		newsletterUsage(stderr)
		return errUsage
	}
	var since string
	var detach bool
	synopsis := "[flags] ISSUE"
	if sub == "compose" || sub == "list" {
		synopsis = "[flags]"
	}
	cfg, rest, err := parseFlags("newsletter "+sub, synopsis, args[1:], env, stderr, func(fs *flag.FlagSet) {
		switch sub {
		case "compose":
			fs.StringVar(&since, "since", "", "take articles published after this date (YYYY-MM-DD or RFC 3339) instead of since the last round-up")
		case "send":
			fs.BoolVar(&detach, "detach", false, "start sending and return; the server's background jobs deliver")
		}
	}, "data", "database-url", "base-url", "auto-migrate", "log-level", "log-format", "newsletter-rate", "newsletter-concurrency", "job-lease")
	if err != nil {
		return err
	}
	var id int64
	if synopsis == "[flags]" {
		if len(rest) > 0 {
			return fmt.Errorf("unexpected arguments %q", rest)
		}
	} else {
		if len(rest) != 1 {
			fmt.Fprintf(stderr, "Usage: masthead newsletter %s %s (see --help)\n", sub, synopsis)
			return errUsage
		}
		if id, err = strconv.ParseInt(rest[0], 10, 64); err != nil || id <= 0 {
			return fmt.Errorf("%q is not an issue number", rest[0])
		}
	}

	log := cfg.Logger(stderr)
	nl, st, closeAll, err := openNewsletter(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeAll()
	switch sub {
	case "compose":
		return newsletterCompose(ctx, nl, since, stdout)
	case "list":
		return newsletterList(ctx, nl, stdout)
	case "status":
		p, err := nl.Progress(ctx, id)
		if err != nil {
			return issueError(id, err)
		}
		fmt.Fprintln(stdout, progressText(p))
		return nil
	case "pause":
		if _, err := nl.Pause(ctx, id); err != nil {
			return issueError(id, err)
		}
		fmt.Fprintf(stdout, "issue %d paused\n", id)
		return nil
	case "resume":
		if _, err := nl.Resume(ctx, id); err != nil {
			return issueError(id, err)
		}
		fmt.Fprintf(stdout, "issue %d resumed; the server's background jobs deliver it (or run 'masthead newsletter send %d')\n", id, id)
		return nil
	case "cancel":
		if _, err := nl.Cancel(ctx, id); err != nil {
			return issueError(id, err)
		}
		fmt.Fprintf(stdout, "issue %d cancelled\n", id)
		return nil
	}
	return newsletterSend(ctx, nl, st, id, detach, cfg.JobLease, log, stdout)
}

// openNewsletter opens the store and the mail sender the configuration
// names, and the newsletter over them.
func openNewsletter(ctx context.Context, cfg config.Config, log *slog.Logger) (*newsletter.Service, *store.Store, func(), error) {
	opts := newsletter.Options{BaseURL: cfg.BaseURL, Logger: log, Rate: cfg.NewsletterRate, Concurrency: cfg.NewsletterConcurrency}
	st, err := server.OpenStore(ctx, cfg, cfg.AutoMigrate, log)
	if err != nil {
		return nil, nil, nil, err
	}
	closers := []func(){func() { st.Close() }}
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	opts.Store = st
	// The same mail server as the server's: the environment's, else the
	// one saved in the desk, else the outbox.
	sw, err := mail.NewSwitch(ctx, mail.SwitchOptions{Store: st, Env: cfg.SMTP, Logger: log,
		Base: mail.SMTPConfig{MaxConns: max(opts.Concurrency, newsletter.DefaultConcurrency), Timeout: min(30*time.Second, cfg.JobLease/3)}})
	if err != nil {
		closeAll()
		return nil, nil, nil, err
	}
	closers = append(closers, func() { sw.Close() })
	opts.Mail = sw
	nl, err := newsletter.New(opts)
	if err != nil {
		closeAll()
		return nil, nil, nil, err
	}
	return nl, st, closeAll, nil
}

// issueError words the errors of an issue command for the operator.
func issueError(id int64, err error) error {
	var ue *newsletter.UserError
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("there is no issue %d", id)
	case errors.As(err, &ue):
		return fmt.Errorf("issue %d: %s", id, ue.UserMessage())
	}
	return err
}

func newsletterCompose(ctx context.Context, nl *newsletter.Service, since string, stdout io.Writer) error {
	var from time.Time
	if since != "" {
		var err error
		if from, err = time.Parse(time.RFC3339, since); err != nil {
			if from, err = time.Parse(time.DateOnly, since); err != nil {
				return fmt.Errorf("--since %q is not YYYY-MM-DD or an RFC 3339 time", since)
			}
		}
	}
	is, err := nl.ComposeRoundup(ctx, from)
	var ue *newsletter.UserError
	if errors.As(err, &ue) {
		return errors.New(ue.UserMessage())
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "composed issue %d: %q, %d articles (a draft: review it in the desk, then 'masthead newsletter send %d')\n",
		is.ID, is.Subject, len(is.Items), is.ID)
	return nil
}

func newsletterList(ctx context.Context, nl *newsletter.Service, stdout io.Writer) error {
	page, err := nl.Issues(ctx, store.IssueFilter{Limit: 20})
	if err != nil {
		return err
	}
	if len(page.Issues) == 0 {
		fmt.Fprintln(stdout, "no issues yet; 'masthead newsletter compose' makes the first round-up")
		return nil
	}
	for _, is := range page.Issues {
		fmt.Fprintf(stdout, "%5d  %-9s  %-7s  %s  %s\n", is.ID, is.Status, is.Kind, is.CreatedAt.UTC().Format("2006-01-02 15:04"), is.Subject)
	}
	return nil
}

// newsletterSend starts, resumes or joins the sending of an issue and,
// unless detached, delivers it from this process while printing its
// progress, until it is sent, paused or cancelled. Stopping the command
// (Ctrl-C) lets the messages in flight finish and leaves the rest for the
// next run or the server.
func newsletterSend(ctx context.Context, nl *newsletter.Service, st *store.Store, id int64, detach bool, lease time.Duration, log *slog.Logger, stdout io.Writer) error {
	p, err := nl.Progress(ctx, id)
	if err != nil {
		return issueError(id, err)
	}
	switch p.Status {
	case store.IssueDraft, store.IssueScheduled:
		_, err = nl.SendNow(ctx, id)
	case store.IssuePaused:
		_, err = nl.Resume(ctx, id)
	case store.IssueSending:
	case store.IssueSent:
		fmt.Fprintln(stdout, progressText(p))
		return nil
	case store.IssueCancelled:
		return fmt.Errorf("issue %d was cancelled", id)
	}
	if err != nil {
		return issueError(id, err)
	}
	if detach {
		fmt.Fprintf(stdout, "issue %d is sending; the server's background jobs deliver it ('masthead newsletter status %d' shows how far)\n", id, id)
		return nil
	}

	runner := &jobs.Runner{Store: st, Logger: log, Handlers: map[string]jobs.Handler{
		newsletter.KindSend: nl.Handlers()[newsletter.KindSend],
	}, PollInterval: 200 * time.Millisecond, Lease: lease}
	nl.SetWake(runner.Wake)
	runCtx, stopRunner := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan error, 1)
	go func() { done <- runner.Run(runCtx) }()
	stop := func() error {
		stopRunner()
		return <-done
	}

	tty := isTerminal(stdout)
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	last := time.Time{}
	for {
		select {
		case <-ctx.Done():
			if err := stop(); err != nil {
				return err
			}
			p, _ := nl.Progress(context.WithoutCancel(ctx), id)
			fmt.Fprintf(stdout, "\n%s\nstopped; run 'masthead newsletter send %d' again (or let the server) to go on\n", progressText(p), id)
			return ctx.Err()
		case <-tick.C:
		}
		p, err := nl.Progress(ctx, id)
		if err != nil {
			stop()
			return err
		}
		finished := p.Status != store.IssueSending
		switch {
		case tty:
			fmt.Fprintf(stdout, "\r\033[K%s", progressText(p))
			if finished {
				fmt.Fprintln(stdout)
			}
		case finished || time.Since(last) >= 5*time.Second:
			fmt.Fprintln(stdout, progressText(p))
			last = time.Now()
		}
		if !finished {
			continue
		}
		if err := stop(); err != nil {
			return err
		}
		switch p.Status {
		case store.IssuePaused:
			return fmt.Errorf("issue %d paused: %s", id, p.PauseReason)
		case store.IssueCancelled:
			return fmt.Errorf("issue %d was cancelled", id)
		}
		return nil
	}
}

// progressText is the progress line of an issue.
func progressText(p newsletter.Progress) string {
	var b strings.Builder
	fmt.Fprintf(&b, "issue %d %s: %d of %d sent", p.IssueID, p.Status, p.Sent, p.Total)
	if p.Failed > 0 {
		fmt.Fprintf(&b, ", %d failed", p.Failed)
	}
	if p.Skipped > 0 {
		fmt.Fprintf(&b, ", %d skipped", p.Skipped)
	}
	if p.Remaining > 0 {
		fmt.Fprintf(&b, ", %d to go", p.Remaining)
		if p.Retrying > 0 {
			fmt.Fprintf(&b, " (%d to retry)", p.Retrying)
		}
	}
	if p.Rate > 0 {
		fmt.Fprintf(&b, " · %.0f/s", p.Rate)
	}
	if p.ETA > 0 {
		fmt.Fprintf(&b, " · about %s left", p.ETA)
	}
	if p.Status == store.IssuePaused && p.PauseReason != "" {
		fmt.Fprintf(&b, " · %s", p.PauseReason)
	}
	return b.String()
}

// isTerminal reports whether w is a terminal, where the progress line can
// be redrawn in place.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
