package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"masthead/internal/content"
)

// TestSearchMigrationIndexesExistingPosts writes posts with the schema as
// it was before search, then migrates: the posts must be found at once.
func TestSearchMigrationIndexesExistingPosts(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		testSearchBackfill(t, Options{SQLitePath: filepath.Join(t.TempDir(), "m.db")})
	})
	if base := os.Getenv("MASTHEAD_TEST_POSTGRES"); base != "" {
		t.Run("postgres", func(t *testing.T) {
			testSearchBackfill(t, Options{DatabaseURL: freshSchema(t, base)})
		})
	}
}

// freshSchema makes an empty PostgreSQL schema for the test and returns a
// URL that uses it.
func freshSchema(t *testing.T, base string) string {
	t.Helper()
	var b [8]byte
	rand.Read(b[:])
	schema := "test_" + hex.EncodeToString(b[:])
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err == nil {
			db.Exec(`DROP SCHEMA IF EXISTS ` + schema + ` CASCADE`)
			db.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func testSearchBackfill(t *testing.T, opts Options) {
	ctx := context.Background()
	s, err := Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ms, err := migrations(s.db.dialect)
	if err != nil {
		t.Fatal(err)
	}
	// The schema before search: the migrations up to 2, applied by hand.
	err = s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		if _, err := r.exec(ctx, r.schemaMigrationsDDL()); err != nil {
			return err
		}
		for _, m := range ms[:2] {
			if _, err := r.q.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			if _, err := r.exec(ctx, `INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)`,
				m.version, m.description, r.timeArg(time.Now())); err != nil {
				return err
			}
		}
		now := r.timeArg(time.Now())
		var author, tag, section int64
		if err := r.queryRow(ctx, `INSERT INTO authors (slug, name, created_at, updated_at) VALUES ('ana', 'Ana Líma', ?, ?) RETURNING id`,
			now, now).Scan(&author); err != nil {
			return err
		}
		if err := r.queryRow(ctx, `INSERT INTO tags (slug, name) VALUES ('arctic', 'Arctic Council') RETURNING id`).Scan(&tag); err != nil {
			return err
		}
		if err := r.queryRow(ctx, `INSERT INTO tags (slug, name, is_section) VALUES ('world', 'World Affairs', ?) RETURNING id`,
			true).Scan(&section); err != nil {
			return err
		}
		for i, title := range []string{"Icebreakers of the North", "Pipelines Under the Sea", "A Draft About Ice"} {
			status := content.StatusPublished
			if i == 2 {
				status = content.StatusDraft
			}
			body := "The body tells of **Zürich** and of krill number " + string(rune('a'+i)) + "."
			var id int64
			if err := r.queryRow(ctx, `INSERT INTO posts (slug, status, published_at, section_id, created_at, modified_at, title, body, body_html)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				content.Slugify(title), string(status), r.timeArg(time.Now().Add(-time.Duration(i+1)*time.Hour)), section,
				now, now, title, body, content.Render(body)).Scan(&id); err != nil {
				return err
			}
			if _, err := r.exec(ctx, `INSERT INTO post_authors (post_id, author_id, position) VALUES (?, ?, 0)`, id, author); err != nil {
				return err
			}
			if _, err := r.exec(ctx, `INSERT INTO post_tags (post_id, tag_id, position) VALUES (?, ?, 0)`, id, tag); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("the schema before search: %v", err)
	}
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	for q, want := range map[string][]string{
		"icebreakers":    {"icebreakers-of-the-north"},
		"zurich":         {"icebreakers-of-the-north", "pipelines-under-the-sea"}, // body, folded
		"ana lima":       {"icebreakers-of-the-north", "pipelines-under-the-sea"}, // byline
		"arctic council": {"icebreakers-of-the-north", "pipelines-under-the-sea"}, // tag
		"world affairs":  {"icebreakers-of-the-north", "pipelines-under-the-sea"}, // section
		"draft":          {},
	} {
		page, err := s.Search(ctx, PublicSearch(q, time.Now()))
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		got := []string{}
		for _, h := range page.Hits {
			got = append(got, h.Post.Slug)
		}
		if !slices.Equal(got, want) {
			t.Errorf("Search(%q) after migrating = %q, want %q", q, got, want)
		}
	}
	// The draft is indexed too, for searches that ask for drafts.
	page, err := s.Search(ctx, SearchQuery{Text: "draft"})
	if err != nil || page.Total != 1 {
		t.Errorf("draft search: %d, %v", page.Total, err)
	}
}
