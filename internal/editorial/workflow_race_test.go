package editorial_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/editorial"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// TestWorkflowRace runs publish, unpublish, schedule and save at once on one
// post. On PostgreSQL each transition must see the state the previous one
// committed: the kept revisions, in order, form a valid history; every
// success has its revision and audit entry; every other call is refused.
// (SQLite serialises writers, so only PostgreSQL can lose an update.)
func TestWorkflowRace(t *testing.T) {
	if !envPostgres() {
		t.Skip("set " + storetest.EnvPostgres + " to race workflow transitions on PostgreSQL")
	}
	r := newRig(t, storetest.OpenPostgres(t))
	editor := r.member(store.RoleEditor)
	base := r.post(content.StatusDraft, editor.AuthorID)
	// Each schedule names its own time: rescheduling to the same time
	// would change nothing and keep no revision.
	at := func(i int) time.Time { return r.clock.Now().Add(24*time.Hour + time.Duration(i)*time.Minute) }

	ops := []string{"publish", "unpublish", "schedule", "save"}
	const perOp = 8
	type result struct {
		op    string
		title string // for saves
		err   error
	}
	results := make(chan result, perOp*len(ops))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range perOp {
		for _, op := range ops {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				res := result{op: op}
				switch op {
				case "publish":
					_, res.err = r.svc.Publish(r.ctx, editor, base.ID)
				case "unpublish":
					_, res.err = r.svc.Unpublish(r.ctx, editor, base.ID)
				case "schedule":
					_, res.err = r.svc.Schedule(r.ctx, editor, base.ID, at(i))
				case "save":
					in := input(base)
					in.Title = fmt.Sprintf("Saved %d", i)
					res.title = in.Title
					_, res.err = r.svc.SavePost(r.ctx, editor, base.ID, in, editorial.SaveOptions{})
				}
				results <- res
			}()
		}
	}
	close(start)
	wg.Wait()
	close(results)

	succeeded := map[string]int{}
	for res := range results {
		switch {
		case res.err == nil:
			succeeded[res.op]++
		case errors.Is(res.err, editorial.ErrConflict):
			if res.op == "save" {
				t.Errorf("save %q refused: %v", res.title, res.err)
			}
		default:
			t.Errorf("%s: unexpected error: %v", res.op, res.err)
		}
	}
	if succeeded["save"] != perOp {
		t.Errorf("%d of %d saves succeeded", succeeded["save"], perOp)
	}

	// Replay the revisions, oldest first: a save changes the title and
	// nothing of the workflow; a transition changes the workflow only, and
	// only from a state it accepts.
	revs, err := r.st.Revisions(r.ctx, base.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	replayed := map[string]int{}
	prev := store.SnapshotOf(base)
	for i := len(revs) - 1; i >= 0; i-- {
		cur := revs[i].Snapshot
		step := fmt.Sprintf("revision %d (%s %q after %s %q)", revs[i].ID, cur.Status, cur.Title, prev.Status, prev.Title)
		switch {
		case cur.Title != prev.Title:
			replayed["save"]++
			if cur.Status != prev.Status || !cur.PublishedAt.Equal(prev.PublishedAt) {
				t.Errorf("%s: a save changed the workflow", step)
			}
		case cur.Status == content.StatusPublished:
			replayed["publish"]++
			if prev.Status == content.StatusPublished {
				t.Errorf("%s: published twice", step)
			}
		case cur.Status == content.StatusScheduled:
			replayed["schedule"]++
			off := cur.PublishedAt.Sub(at(0))
			if prev.Status == content.StatusPublished || off < 0 || off >= perOp*time.Minute || off%time.Minute != 0 {
				t.Errorf("%s: scheduled from a published post or at the wrong time", step)
			}
		case cur.Status == content.StatusDraft:
			replayed["unpublish"]++
			if prev.Status != content.StatusPublished && prev.Status != content.StatusScheduled {
				t.Errorf("%s: unpublished a post that was not out", step)
			}
		default:
			t.Errorf("%s: no operation makes this", step)
		}
		prev = cur
	}
	for _, op := range ops {
		if replayed[op] != succeeded[op] {
			t.Errorf("%s: %d revisions, %d successful calls", op, replayed[op], succeeded[op])
		}
	}
	if succeeded["publish"] == 0 {
		t.Error("no publish succeeded")
	}

	final := r.reload(base.ID)
	if final.Status != prev.Status || final.Title != prev.Title || !final.PublishedAt.Equal(prev.PublishedAt) {
		t.Errorf("post is %s %q at %v; its last revision says %s %q at %v",
			final.Status, final.Title, final.PublishedAt, prev.Status, prev.Title, prev.PublishedAt)
	}

	audit, err := r.st.AuditLog(r.ctx, store.AuditFilter{Actions: []string{"post.publish", "post.unpublish", "post.schedule"}, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	logged := map[string]int{}
	for _, e := range audit.Entries {
		logged[e.Action[len("post."):]]++
	}
	for _, op := range []string{"publish", "unpublish", "schedule"} {
		if logged[op] != succeeded[op] {
			t.Errorf("%s: %d audit entries, %d successful calls", op, logged[op], succeeded[op])
		}
	}
}
