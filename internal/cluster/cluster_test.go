// Package cluster_test runs Masthead as three app nodes, each a separate
// `masthead serve` process, against one PostgreSQL schema and one S3
// server, and checks what scale-out promises: a change made on one node
// shows on the others within a second, media uploaded to one is served by
// another, a scheduled post is published once, and a newsletter send
// survives the death of the node sending it without mailing anyone twice.
package cluster_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/jobs"
	"masthead/internal/mail"
	"masthead/internal/mail/smtptest"
	"masthead/internal/media/s3test"
	"masthead/internal/newsletter"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// lease is the nodes' job lease: short, so that a dead node's work is
// taken over within the test's time.
const lease = 6 * time.Second

type node struct {
	name string
	url  string
	cmd  *exec.Cmd
	log  *lockedBuffer
	done chan struct{}
	smtp *smtptest.Server
}

// lockedBuffer lets the process write its log while the test reads it.
// It offers Write only (no ReadFrom), so that every write takes the lock.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func TestThreeNodes(t *testing.T) {
	if os.Getenv(storetest.EnvPostgres) == "" {
		t.Skipf("%s is not set; the three-node test needs PostgreSQL", storetest.EnvPostgres)
	}
	if testing.Short() {
		t.Skip("the three-node test builds and runs the binary; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	start := time.Now()
	bin := buildBinary(t)
	t.Logf("binary built in %s", time.Since(start).Round(time.Millisecond))
	defer func() { t.Logf("three nodes checked in %s", time.Since(start).Round(time.Millisecond)) }()
	dsn := storetest.PostgresURL(t)
	st, err := store.Open(ctx, store.Options{DatabaseURL: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	token := seedEditor(t, ctx, st)
	const subscribers = 40
	for i := range subscribers {
		sub := store.Subscriber{Email: fmt.Sprintf("reader%02d@example.org", i), Status: store.SubscriberConfirmed,
			WantsRoundup: true, ConsentSource: "test", ConsentAt: time.Now(), ConfirmedAt: time.Now()}
		if err := st.CreateSubscriber(ctx, &sub); err != nil {
			t.Fatal(err)
		}
	}
	s3 := s3test.Start(t, "media")

	var nodes []*node
	for _, name := range []string{"a", "b", "c"} {
		nodes = append(nodes, startNode(t, bin, name, dsn, s3.URL))
	}
	a, b, c := nodes[0], nodes[1], nodes[2]
	for _, n := range nodes {
		waitReady(t, n)
	}
	defer func() {
		if t.Failed() {
			for _, n := range nodes {
				t.Logf("log of node %s:\n%s", n.name, tail(n.log.String(), 4000))
			}
		}
	}()
	api := &client{t: t, token: token}

	// Publish on A: B and C show it within a second, though they had the
	// home page cached.
	for _, n := range []*node{b, c} {
		for range 2 { // the second request is answered from the cache
			if body := get(t, n.url+"/"); strings.Contains(body, "Harbour strike") {
				t.Fatal("the post is on the home page before it was written")
			}
		}
	}
	var post struct {
		ID   int64  `json:"id"`
		Slug string `json:"slug"`
	}
	api.do(a, "POST", "/desk/api/v1/posts", map[string]any{"title": "Harbour strike ends", "body": "The dockers went back to work."}, &post)
	published := time.Now()
	api.do(a, "POST", fmt.Sprintf("/desk/api/v1/posts/%d/publish", post.ID), nil, nil)
	for _, n := range []*node{b, c} {
		waitFor(t, 5*time.Second, "the published post on node "+n.name, func() bool {
			return strings.Contains(get(t, n.url+"/"), "Harbour strike ends")
		})
		if d := time.Since(published); d > time.Second {
			t.Errorf("node %s showed the post %s after it was published, want within a second", n.name, d.Round(time.Millisecond))
		}
	}

	// Upload on B: C serves the image, and the renditions made by
	// whichever node ran the job.
	photo := jpegBytes(t)
	var item struct {
		Key string `json:"key"`
		URL string `json:"url"`
		ID  int64  `json:"id"`
	}
	api.upload(b, "/desk/api/v1/media?filename=harbour.jpg&alt=The+harbour", photo, &item)
	if got := getBytes(t, c.url+item.URL); !bytes.Equal(got, photo) {
		t.Fatalf("node C served %d bytes for %s, want the %d uploaded to B", len(got), item.URL, len(photo))
	}
	waitFor(t, 60*time.Second, "renditions of the upload", func() bool {
		m, err := st.MediaItemByID(ctx, item.ID)
		return err == nil && m.RenditionStatus == store.RenditionsDone && len(m.Renditions) > 0
	})
	m, err := st.MediaItemByID(ctx, item.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range m.Renditions {
		if len(getBytes(t, a.url+"/media/"+r.Key)) == 0 {
			t.Errorf("node A served an empty rendition %s", r.Key)
		}
	}

	// A scheduled post is published once, by one node.
	var sched struct {
		ID int64 `json:"id"`
	}
	api.do(a, "POST", "/desk/api/v1/posts", map[string]any{"title": "Port reopens", "body": "Ships are moving again."}, &sched)
	at := time.Now().Add(2 * time.Second).Truncate(time.Second).Add(time.Second)
	api.do(c, "POST", fmt.Sprintf("/desk/api/v1/posts/%d/schedule", sched.ID), map[string]any{"at": at.Format(time.RFC3339)}, nil)
	waitFor(t, 20*time.Second, "the scheduled post on every node", func() bool {
		for _, n := range nodes {
			if !strings.Contains(get(t, n.url+"/"), "Port reopens") {
				return false
			}
		}
		return true
	})
	job, err := st.JobByUniqueKey(ctx, jobs.PublishKey(sched.ID))
	if err != nil {
		t.Fatal(err)
	}
	if job.Status != store.JobDone || job.Attempts != 1 {
		t.Errorf("publishing job: status %s after %d attempts, want done after 1", job.Status, job.Attempts)
	}
	p, err := st.PostByID(ctx, sched.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != content.StatusPublished || !p.PublishedAt.Equal(at) {
		t.Errorf("scheduled post: %s at %v, want published at %v", p.Status, p.PublishedAt, at)
	}

	// A round-up send, with the node sending it killed halfway: every
	// subscriber gets exactly one copy.
	g := newGate(subscribers/2, nodes)
	for i, n := range nodes {
		n.smtp.OnRcpt(g.rcpt(i))
	}
	defer g.open()
	nl, err := newsletter.New(newsletter.Options{Store: st, Mail: &mail.Outbox{Store: st, From: "Desk <desk@example.org>"},
		BaseURL: a.url})
	if err != nil {
		t.Fatal(err)
	}
	issue, err := nl.ComposeRoundup(ctx, time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nl.SendNow(ctx, issue.ID); err != nil {
		t.Fatal(err)
	}
	var victim *node
	select {
	case i := <-g.chosen:
		victim = nodes[i]
	case <-time.After(30 * time.Second):
		t.Fatal("the send did not get halfway")
	}
	// Everything the victim's mail server accepted is recorded as sent
	// before it dies: the one duplicate SMTP cannot rule out (a crash
	// between the server's "250" and the record) is not what this tests.
	waitFor(t, 10*time.Second, "the accepted messages recorded", func() bool {
		accepted := g.accepted()
		cnt, err := st.DeliveryCounts(ctx, issue.ID)
		return err == nil && cnt.Sent == accepted && g.accepted() == accepted
	})
	t.Logf("killing node %s, the one sending, after %d of %d messages", victim.name, g.accepted(), subscribers)
	victim.cmd.Process.Signal(syscall.SIGKILL)
	<-victim.done
	g.open()

	waitFor(t, 4*lease, "the send to finish on the surviving nodes", func() bool {
		is, err := st.IssueByID(ctx, issue.ID)
		return err == nil && is.Status == store.IssueSent
	})
	counts := map[string]int{}
	for _, n := range nodes {
		for rcpt, k := range n.smtp.Counts() {
			counts[rcpt] += k
		}
	}
	for i := range subscribers {
		addr := fmt.Sprintf("reader%02d@example.org", i)
		if counts[addr] != 1 {
			t.Errorf("%s got %d copies, want 1", addr, counts[addr])
		}
	}
	cnt, err := st.DeliveryCounts(ctx, issue.ID)
	if err != nil {
		t.Fatal(err)
	}
	if cnt.Sent != subscribers {
		t.Errorf("deliveries: %+v, want %d sent", cnt, subscribers)
	}
	var survivors int
	for _, n := range nodes {
		if n != victim && n.smtp.Total() > 0 {
			survivors++
		}
	}
	if survivors == 0 {
		t.Error("no surviving node sent anything after the kill")
	}
}

// gate lets the newsletter go until half the list has been accepted; then
// the first node to start another message is chosen as the victim, and
// its messages wait at RCPT (before anything is accepted) until it is
// killed and the gate opened.
type gate struct {
	half     int
	nodes    []*node
	mu       sync.Mutex
	victim   int
	chosen   chan int
	release  chan struct{}
	openOnce sync.Once
}

func newGate(half int, nodes []*node) *gate {
	return &gate{half: half, nodes: nodes, victim: -1, chosen: make(chan int, 1), release: make(chan struct{})}
}

func (g *gate) accepted() int {
	n := 0
	for _, nd := range g.nodes {
		n += nd.smtp.Total()
	}
	return n
}

func (g *gate) rcpt(i int) smtptest.RcptFunc {
	return func(string, int) error {
		g.mu.Lock()
		if g.victim < 0 && g.accepted() >= g.half {
			g.victim = i
			g.chosen <- i
		}
		v := g.victim
		g.mu.Unlock()
		if v == i {
			<-g.release
			return smtptest.Refuse(421, "closing")
		}
		return nil
	}
}

func (g *gate) open() { g.openOnce.Do(func() { close(g.release) }) }

// buildBinary builds the masthead command once for the test, or takes the
// one named by MASTHEAD_TEST_BINARY (a release build to check).
func buildBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("MASTHEAD_TEST_BINARY"); bin != "" {
		return bin
	}
	bin := filepath.Join(t.TempDir(), "masthead")
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		goTool = "go"
	}
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.Command(goTool, append(args, "masthead/cmd/masthead")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build masthead: %v\n%s", err, out)
	}
	return bin
}

func seedEditor(t *testing.T, ctx context.Context, st *store.Store) string {
	t.Helper()
	author := content.Author{Slug: "maria-lopez", Name: "Maria Lopez"}
	if err := st.SaveAuthor(ctx, &author); err != nil {
		t.Fatal(err)
	}
	acc := store.Account{Email: "maria@example.org", Role: store.RoleEditor, AuthorID: author.ID}
	if err := st.CreateAccount(ctx, &acc); err != nil {
		t.Fatal(err)
	}
	token, hash, err := store.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateAPIToken(ctx, &store.APIToken{AccountID: acc.ID, Name: "cluster test", TokenHash: hash}); err != nil {
		t.Fatal(err)
	}
	return token
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startNode(t *testing.T, bin, name, dsn, s3URL string) *node {
	t.Helper()
	addr := freeAddr(t)
	n := &node{name: name, url: "http://" + addr, log: &lockedBuffer{}, done: make(chan struct{}),
		smtp: smtptest.Start(t, smtptest.Options{})}
	n.cmd = exec.Command(bin, "serve")
	n.cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"MASTHEAD_DATA=" + t.TempDir(),
		"MASTHEAD_ADDR=" + addr,
		"MASTHEAD_BASE_URL=" + n.url,
		"MASTHEAD_DATABASE_URL=" + dsn,
		"MASTHEAD_LOG_LEVEL=debug",
		"MASTHEAD_SHUTDOWN_TIMEOUT=2s",
		"MASTHEAD_MEDIA_STORAGE=s3",
		"MASTHEAD_S3_ENDPOINT=" + s3URL,
		"MASTHEAD_S3_BUCKET=media",
		"MASTHEAD_S3_REGION=us-east-1",
		"MASTHEAD_S3_ACCESS_KEY=cluster",
		"MASTHEAD_S3_SECRET_KEY=cluster-secret",
		"MASTHEAD_S3_PATH_STYLE=true",
		"MASTHEAD_JOB_LEASE=" + lease.String(),
		"MASTHEAD_SMTP_HOST=" + n.smtp.Host,
		"MASTHEAD_SMTP_PORT=" + strconv.Itoa(n.smtp.Port),
		"MASTHEAD_SMTP_TLS=none",
		"MASTHEAD_SMTP_TIMEOUT=2s",
		"MASTHEAD_NEWSLETTER_RATE=20",
		"MASTHEAD_NEWSLETTER_CONCURRENCY=2",
	}
	n.cmd.Stdout = n.log
	n.cmd.Stderr = n.log
	if err := n.cmd.Start(); err != nil {
		t.Fatalf("start node %s: %v", name, err)
	}
	go func() {
		n.cmd.Wait()
		close(n.done)
	}()
	t.Cleanup(func() {
		n.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-n.done:
		case <-time.After(10 * time.Second):
			n.cmd.Process.Kill()
			<-n.done
		}
	})
	return n
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func waitReady(t *testing.T, n *node) {
	t.Helper()
	waitFor(t, 30*time.Second, "node "+n.name+" to be ready", func() bool {
		select {
		case <-n.done:
			t.Fatalf("node %s exited:\n%s", n.name, n.log.String())
		default:
		}
		resp, err := http.Get(n.url + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// waitFor polls cond until it holds or the time is up.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func get(t *testing.T, url string) string { return string(getBytes(t, url)) }

func getBytes(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", url, resp.Status, tail(string(b), 300))
	}
	return b
}

type client struct {
	t     *testing.T
	token string
}

func (c *client) do(n *node, method, path string, body, out any) {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, n.url+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c.send(req, out)
}

func (c *client) upload(n *node, path string, data []byte, out any) {
	c.t.Helper()
	req, err := http.NewRequest("POST", n.url+path, bytes.NewReader(data))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "image/jpeg")
	c.send(req, out)
}

func (c *client) send(req *http.Request, out any) {
	c.t.Helper()
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		c.t.Fatalf("%s %s: %s: %s", req.Method, req.URL.Path, resp.Status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %v in %s", req.Method, req.URL.Path, err, b)
		}
	}
}

// jpegBytes makes a JPEG wide enough for one rendition width (480), and
// small enough for the renditions to be quick under the race detector.
func jpegBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 600, 400))
	for y := range 400 {
		for x := range 600 {
			img.Set(x, y, color.RGBA{uint8(x / 5), uint8(y / 4), uint8((x + y) / 8), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
