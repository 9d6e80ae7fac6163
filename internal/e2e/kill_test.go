package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/mail"
	"masthead/internal/mail/smtptest"
	"masthead/internal/newsletter"
	"masthead/internal/server"
	"masthead/internal/store"
)

// TestSendSurvivesKill9 sends a round-up from a real "masthead serve"
// process, kills it with SIGKILL in the middle of the send, starts it
// again on the same database, and checks that every subscriber ends with
// exactly one copy: nobody mailed twice, nobody skipped.
//
// The kill comes while every sending worker waits on the mail server in
// the middle of a message, so every message the server accepted before
// was recorded: the one gap SMTP leaves (a process that dies between the
// server's acceptance and the record) is not what this test is about; see
// internal/newsletter/deliver.go.
func TestSendSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills server processes")
	}
	const (
		subscribers = 60
		concurrency = 2
		stallAfter  = 20 // messages accepted before the server stalls
	)
	srv := smtptest.Start(t, smtptest.Options{CountOnly: true})
	gate := make(chan struct{})
	var stalled atomic.Int32
	srv.OnRcpt(func(rcpt string, n int) error {
		if srv.Total() < stallAfter {
			return nil
		}
		// A server that stops answering in the middle of a message.
		stalled.Add(1)
		<-gate
		return smtptest.Refuse(421, "closing")
	})
	var releaseOnce sync.Once
	release := func() { releaseOnce.Do(func() { close(gate) }) }
	t.Cleanup(release)

	env := map[string]string{
		"MASTHEAD_ADDR":      "127.0.0.1:0",
		"MASTHEAD_SMTP_HOST": srv.Host, "MASTHEAD_SMTP_PORT": strconv.Itoa(srv.Port), "MASTHEAD_SMTP_TLS": "none",
		"MASTHEAD_SMTP_TIMEOUT":    "1s",
		"MASTHEAD_JOB_LEASE":       "3s", // how soon the restarted process takes the dead one's work over
		"MASTHEAD_NEWSLETTER_RATE": "1000", "MASTHEAD_NEWSLETTER_CONCURRENCY": strconv.Itoa(concurrency),
		"MASTHEAD_LOG_LEVEL": "warn",
	}
	databaseEnv(t, env)
	env["MASTHEAD_BASE_URL"] = "https://latitude.example"
	cfg := parseConfig(t, env)
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := server.OpenStore(ctx, cfg, true, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	subs := make([]store.Subscriber, subscribers)
	for i := range subs {
		subs[i] = store.Subscriber{Email: fmt.Sprintf("reader%03d@readers.example", i), Status: store.SubscriberConfirmed,
			WantsRoundup: true, ConsentSource: "test"}
	}
	if _, err := st.ImportSubscribers(ctx, subs); err != nil {
		t.Fatal(err)
	}
	p := content.Post{Slug: "the-strait", Title: "The Strait After the Ceasefire", Status: content.StatusPublished,
		PublishedAt: time.Now().Add(-time.Hour), Body: "Shipping is moving again."}
	if err := st.SavePost(ctx, &p); err != nil {
		t.Fatal(err)
	}
	// The editor's side: compose and press Send. The server's background
	// jobs deliver.
	nl, err := newsletter.New(newsletter.Options{Store: st, Mail: &mail.Outbox{Store: st}, BaseURL: cfg.BaseURL, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	is, err := nl.ComposeRoundup(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nl.SendNow(ctx, is.ID); err != nil {
		t.Fatal(err)
	}

	first := startChild(t, env)
	waitFor(t, "every sender to wait on the stalled server", func() bool {
		first.checkAlive()
		return stalled.Load() >= concurrency
	})
	first.kill()
	counts, err := st.DeliveryCounts(ctx, is.ID)
	if err != nil {
		t.Fatal(err)
	}
	if counts.Sent != srv.Total() || counts.Remaining() == 0 {
		t.Fatalf("after the kill: %+v recorded, the server accepted %d", counts, srv.Total())
	}
	t.Logf("killed after %d of %d messages", counts.Sent, subscribers)

	// The server recovers; the process starts again and finishes.
	srv.OnRcpt(nil)
	release()
	second := startChild(t, env)
	waitFor(t, "the issue to be sent after the restart", func() bool {
		second.checkAlive()
		cur, err := st.IssueByID(ctx, is.ID)
		if err != nil {
			t.Fatal(err)
		}
		return cur.Status == store.IssueSent
	})
	second.stop()

	counts, err = st.DeliveryCounts(ctx, is.ID)
	if err != nil {
		t.Fatal(err)
	}
	if counts.Sent != subscribers || counts.Failed != 0 || counts.Skipped != 0 {
		t.Errorf("deliveries: %+v", counts)
	}
	if srv.Total() != subscribers {
		t.Errorf("the server accepted %d messages for %d subscribers", srv.Total(), subscribers)
	}
	for _, s := range subs {
		if n := srv.Count(s.Email); n != 1 {
			t.Errorf("%s got %d copies", s.Email, n)
		}
	}
}

// child is "masthead serve" running as a process of its own.
type child struct {
	t      *testing.T
	cmd    *exec.Cmd
	out    *syncBuffer
	exited chan struct{}
	err    error
}

// startChild runs the test binary as "masthead serve" with env as its only
// MASTHEAD_* variables.
func startChild(t *testing.T, env map[string]string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MASTHEAD_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Env = append(cmd.Env, envChild+"=serve")
	c := &child{t: t, cmd: cmd, out: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = c.out, c.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		c.err = cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-c.exited:
		default:
			cmd.Process.Kill()
			<-c.exited
		}
		if t.Failed() {
			t.Logf("output of the server process:\n%s", c.out.String())
		}
	})
	return c
}

// checkAlive fails the test when the process has stopped by itself.
func (c *child) checkAlive() {
	c.t.Helper()
	select {
	case <-c.exited:
		c.t.Fatalf("the server process stopped: %v\n%s", c.err, c.out.String())
	default:
	}
}

// kill sends SIGKILL, as the kernel's OOM killer or a pulled plug would.
func (c *child) kill() {
	c.t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		c.t.Fatal(err)
	}
	<-c.exited
}

// stop asks the process to shut down, as an operator would.
func (c *child) stop() {
	c.t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		c.t.Fatal(err)
	}
	select {
	case <-c.exited:
	case <-time.After(30 * time.Second):
		c.t.Fatalf("the server process did not stop on SIGTERM:\n%s", c.out.String())
	}
	if c.err != nil {
		c.t.Errorf("the server process ended with %v:\n%s", c.err, c.out.String())
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
