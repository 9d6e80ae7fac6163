package editorial_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/editorial"
	"masthead/internal/mail"
	"masthead/internal/media"
	"masthead/internal/store"
)

// clock is a settable time for the service under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// rig is a Service on a real store, with local media storage in a
// temporary directory and mail going to the store's outbox.
type rig struct {
	t           testing.TB
	ctx         context.Context
	st          *store.Store
	svc         *editorial.Service
	clock       *clock
	mediaDir    string
	invalidated atomic.Int64
	woken       atomic.Int64
	seq         atomic.Int64
}

func newRig(t testing.TB, st *store.Store) *rig {
	t.Helper()
	r := &rig{t: t, ctx: context.Background(), st: st, clock: &clock{t: time.Now().UTC().Truncate(time.Second)}}
	r.mediaDir = t.TempDir()
	m, err := media.NewLocal(r.mediaDir)
	if err != nil {
		t.Fatal(err)
	}
	r.svc, err = editorial.New(editorial.Options{
		Store:           st,
		Media:           m,
		Mail:            &mail.Outbox{Store: st, From: "Masthead <desk@example.org>"},
		BaseURL:         "https://mag.example.org",
		Invalidate:      func() { r.invalidated.Add(1) },
		WakeJobs:        func() { r.woken.Add(1) },
		RenditionWidths: []int{64, 128},
		Now:             r.clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// member creates an account of role with an author profile, without a
// password (sign-in tests set one through the service).
func (r *rig) member(role store.Role) editorial.Actor {
	r.t.Helper()
	n := r.seq.Add(1)
	a := content.Author{Slug: fmt.Sprintf("%s-%d", role, n), Name: fmt.Sprintf("%s %d", role, n)}
	if err := r.st.SaveAuthor(r.ctx, &a); err != nil {
		r.t.Fatal(err)
	}
	acc := store.Account{Email: fmt.Sprintf("%s%d@example.org", role, n), Role: role, AuthorID: a.ID}
	if err := r.st.CreateAccount(r.ctx, &acc); err != nil {
		r.t.Fatal(err)
	}
	return editorial.Actor{Account: acc, IP: "192.0.2.1"}
}

// post stores a post by the given authors directly, bypassing the rules.
func (r *rig) post(status content.Status, authorIDs ...int64) content.Post {
	r.t.Helper()
	n := r.seq.Add(1)
	p := content.Post{Slug: fmt.Sprintf("post-%d", n), Title: fmt.Sprintf("Post %d", n), Body: "Some text.\n\nMore text.\n", Status: status}
	if status == content.StatusPublished {
		p.PublishedAt = r.clock.Now().Add(-time.Hour)
	}
	if status == content.StatusScheduled {
		p.PublishedAt = r.clock.Now().Add(time.Hour)
	}
	for _, id := range authorIDs {
		p.Authors = append(p.Authors, content.Author{ID: id})
	}
	if err := r.st.SavePost(r.ctx, &p); err != nil {
		r.t.Fatal(err)
	}
	return p
}

func (r *rig) reload(id int64) content.Post {
	r.t.Helper()
	p, err := r.st.PostByID(r.ctx, id)
	if err != nil {
		r.t.Fatal(err)
	}
	return p
}

// input is a valid form for post p.
func input(p content.Post) editorial.PostInput { return editorial.InputOf(p) }
