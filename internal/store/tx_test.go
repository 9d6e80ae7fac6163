package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"masthead/internal/content"
	"masthead/internal/store"
)

func TestInTxRollback(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ann := saveAuthor(t, s, "ann", "Ann")
		v := contentVersion(t, s)
		boom := errors.New("boom")
		err := s.InTx(ctx, func(tx *store.Store) error {
			tag := content.Tag{Slug: "world", Name: "World", IsSection: true}
			if err := tx.SaveTag(ctx, &tag); err != nil {
				return err
			}
			p := content.Post{Slug: "p", Status: content.StatusPublished, Section: &tag, Authors: []content.Author{ann}}
			if err := tx.SavePost(ctx, &p); err != nil {
				return err
			}
			if err := tx.SetSetting(ctx, "site.name", "X"); err != nil {
				return err
			}
			// The transaction sees its own writes…
			if got, err := tx.PostBySlug(ctx, "p"); err != nil || got.Section == nil || got.Section.Slug != "world" {
				return fmt.Errorf("inside the transaction: %+v, %v", got, err)
			}
			// …and nobody else does yet.
			if _, err := s.TagBySlug(ctx, "world"); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("outside the transaction the tag is visible: %v", err)
			}
			// Nested InTx joins the transaction.
			return tx.InTx(ctx, func(inner *store.Store) error {
				if _, err := inner.PostBySlug(ctx, "p"); err != nil {
					return err
				}
				return boom
			})
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want the function's error", err)
		}
		_, err = s.TagBySlug(ctx, "world")
		wantErr(t, "tag after rollback", err, store.ErrNotFound)
		_, err = s.PostBySlug(ctx, "p")
		wantErr(t, "post after rollback", err, store.ErrNotFound)
		_, err = s.Setting(ctx, "site.name")
		wantErr(t, "setting after rollback", err, store.ErrNotFound)
		if got := contentVersion(t, s); got != v {
			t.Errorf("content version after rollback = %d, want %d", got, v)
		}

		// A panic rolls back too, and the store stays usable.
		func() {
			defer func() {
				if recover() == nil {
					t.Error("the panic did not come through InTx")
				}
			}()
			s.InTx(ctx, func(tx *store.Store) error {
				tag := content.Tag{Slug: "panicked", Name: "Panicked"}
				if err := tx.SaveTag(ctx, &tag); err != nil {
					return err
				}
				panic("mid-transaction")
			})
		}()
		_, err = s.TagBySlug(ctx, "panicked")
		wantErr(t, "tag after panic", err, store.ErrNotFound)

		// Committed work is there.
		err = s.InTx(ctx, func(tx *store.Store) error {
			tag := content.Tag{Slug: "kept", Name: "Kept"}
			return tx.SaveTag(ctx, &tag)
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.TagBySlug(ctx, "kept"); err != nil {
			t.Errorf("committed tag: %v", err)
		}
	})
}

func TestContentVersionBumps(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var (
			a    content.Author
			tag  content.Tag
			post content.Post
		)
		steps := []struct {
			name  string
			write func() error
			bumps bool
		}{
			{"SaveAuthor", func() error { a = content.Author{Slug: "ann", Name: "Ann"}; return s.SaveAuthor(ctx, &a) }, true},
			{"SaveAuthor again", func() error { a.Role = "Editor"; return s.SaveAuthor(ctx, &a) }, true},
			{"SaveTag", func() error { tag = content.Tag{Slug: "world", Name: "World"}; return s.SaveTag(ctx, &tag) }, true},
			{"SavePost", func() error {
				post = content.Post{Slug: "p", Status: content.StatusDraft, Authors: []content.Author{a}}
				return s.SavePost(ctx, &post)
			}, true},
			{"SetSetting", func() error { return s.SetSetting(ctx, "k", "v") }, true},
			{"reads", func() error {
				_, err1 := s.PostByID(ctx, post.ID)
				_, err2 := s.Posts(ctx, store.PostFilter{})
				_, err3 := s.Authors(ctx)
				_, err4 := s.Setting(ctx, "k")
				return errors.Join(err1, err2, err3, err4)
			}, false},
			{"a refused write", func() error {
				dup := content.Tag{Slug: "world", Name: "Again"}
				if err := s.SaveTag(ctx, &dup); !errors.Is(err, store.ErrConflict) {
					return fmt.Errorf("want a conflict, got %v", err)
				}
				return nil
			}, false},
			{"DeletePost", func() error { return s.DeletePost(ctx, post.ID) }, true},
		}
		v := contentVersion(t, s)
		for _, st := range steps {
			if err := st.write(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			got := contentVersion(t, s)
			if st.bumps && got <= v {
				t.Errorf("%s: content version stayed at %d", st.name, v)
			}
			if !st.bumps && got != v {
				t.Errorf("%s: content version moved from %d to %d", st.name, v, got)
			}
			v = got
		}
	})
}

func TestConcurrentWrites(t *testing.T) {
	run(t, func(t *testing.T, s *store.Store) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		ann := saveAuthor(t, s, "ann", "Ann")
		section := saveTag(t, s, "world", "World", true, 1)
		v := contentVersion(t, s)

		const writers, each = 8, 10
		var wg sync.WaitGroup
		errs := make(chan error, writers*each*3)
		for w := range writers {
			wg.Add(2)
			go func() {
				defer wg.Done()
				for i := range each {
					tag := content.Tag{Slug: fmt.Sprintf("tag-%d-%d", w, i), Name: "T"}
					if err := s.SaveTag(ctx, &tag); err != nil {
						errs <- err
						continue
					}
					p := content.Post{
						Slug: fmt.Sprintf("post-%d-%d", w, i), Status: content.StatusPublished,
						PublishedAt: t0.Add(time.Duration(w*each+i) * time.Second),
						Authors:     []content.Author{ann}, Section: &section, Tags: []content.Tag{tag},
					}
					if err := s.SavePost(ctx, &p); err != nil {
						errs <- err
					}
					err := s.InTx(ctx, func(tx *store.Store) error {
						return tx.SetSetting(ctx, fmt.Sprintf("writer-%d", w), fmt.Sprint(i))
					})
					if err != nil {
						errs <- err
					}
				}
			}()
			// Readers alongside the writers.
			go func() {
				defer wg.Done()
				for range each {
					if _, err := s.Posts(ctx, store.PublicFilter(t0.Add(time.Hour))); err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("concurrent call: %v", err)
		}
		page, err := s.Posts(ctx, store.PostFilter{SectionSlug: "world"})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != writers*each {
			t.Errorf("%d posts saved, want %d", page.Total, writers*each)
		}
		if got, want := contentVersion(t, s), v+3*writers*each; got != want {
			t.Errorf("content version = %d, want %d (one bump per write)", got, want)
		}
	})
}
