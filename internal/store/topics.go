package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// TopicEntry is the desk's addition to, or edit of, the built-in gazetteer.
// Aliases are kept in the gazetteer's notation, one per element.
type TopicEntry struct {
	Slug     string
	Name     string
	Kind     string
	Code     string
	Region   string
	UNStatus string
	Aliases  []string
	// Builtin marks an edit of a built-in entry; Removed hides it.
	Builtin   bool
	Removed   bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// PostTopicStatus says whether a topic was only found in an article or
// decided by an editor.
type PostTopicStatus string

// The states of an article's topic.
const (
	TopicSuggested PostTopicStatus = "suggested"
	TopicAccepted  PostTopicStatus = "accepted"
	TopicRejected  PostTopicStatus = "rejected"
)

func (s PostTopicStatus) valid() bool {
	return s == TopicSuggested || s == TopicAccepted || s == TopicRejected
}

// PostTopic is a topic of one article.
type PostTopic struct {
	PostID     int64
	Topic      string // an entry's slug
	Status     PostTopicStatus
	Mentions   int
	Confidence float64
	UpdatedAt  time.Time
}

// DetectedTopic is a topic detection found in an article.
type DetectedTopic struct {
	Topic      string
	Mentions   int
	Confidence float64
	// Accept stores the topic as accepted rather than suggested, for
	// archives nobody will review; a topic an editor rejected stays
	// rejected.
	Accept bool
}

// PostText is what topic detection reads of a post.
type PostText struct {
	ID                int64
	Slug              string
	Title, Deck, Body string
}

// SaveTopicEntry inserts or replaces the stored entry with e.Slug.
func (s *Store) SaveTopicEntry(ctx context.Context, e TopicEntry, now time.Time) error {
	if e.Slug == "" || e.Name == "" {
		return fmt.Errorf("store: save topic entry %q: slug and name are required", e.Slug)
	}
	for _, a := range e.Aliases {
		if strings.ContainsAny(a, "\r\n") {
			return fmt.Errorf("store: save topic entry %q: alias %q holds a line break", e.Slug, a)
		}
	}
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		if err := r.bumpContentVersion(ctx); err != nil {
			return err
		}
		res, err := r.exec(ctx, `UPDATE topic_entries SET name = ?, kind = ?, code = ?, region = ?, un_status = ?,
			aliases = ?, builtin = ?, removed = ?, updated_at = ? WHERE slug = ?`,
			e.Name, e.Kind, e.Code, e.Region, e.UNStatus, strings.Join(e.Aliases, "\n"), e.Builtin, e.Removed,
			r.timeArg(now), e.Slug)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return err
		}
		_, err = r.exec(ctx, `INSERT INTO topic_entries (slug, name, kind, code, region, un_status, aliases,
			builtin, removed, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.Slug, e.Name, e.Kind, e.Code, e.Region, e.UNStatus, strings.Join(e.Aliases, "\n"), e.Builtin,
			e.Removed, r.timeArg(now), r.timeArg(now))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: save topic entry %q: %w", e.Slug, conflict(err))
	}
	return nil
}

// DeleteTopicEntry deletes the stored entry: a custom entry goes, an edited
// built-in entry returns to its built-in form. The articles' topics stay.
func (s *Store) DeleteTopicEntry(ctx context.Context, slug string) error {
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		if err := r.bumpContentVersion(ctx); err != nil {
			return err
		}
		res, err := r.exec(ctx, `DELETE FROM topic_entries WHERE slug = ?`, slug)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: delete topic entry %q: %w", slug, err)
	}
	return nil
}

// TopicEntries returns every stored entry, ordered by slug.
func (s *Store) TopicEntries(ctx context.Context) ([]TopicEntry, error) {
	var out []TopicEntry
	err := s.reader().each(ctx, `SELECT slug, name, kind, code, region, un_status, aliases, builtin, removed,
		created_at, updated_at FROM topic_entries ORDER BY slug`, nil, func(rows *sql.Rows) error {
		var e TopicEntry
		var aliases string
		if err := rows.Scan(&e.Slug, &e.Name, &e.Kind, &e.Code, &e.Region, &e.UNStatus, &aliases, &e.Builtin,
			&e.Removed, timeDest{&e.CreatedAt}, timeDest{&e.UpdatedAt}); err != nil {
			return err
		}
		if aliases != "" {
			e.Aliases = strings.Split(aliases, "\n")
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: topic entries: %w", err)
	}
	return out, nil
}

// SetDetectedTopics records what detection found in a post. A topic found
// again gets its new counts and keeps its status; a new one is stored as
// suggested (with DetectedTopic.Accept, new and suggested ones become
// accepted); a suggestion no longer found is dropped. Accepted and rejected topics are never dropped: an
// editor's decision outlives the text that led to it.
func (s *Store) SetDetectedTopics(ctx context.Context, postID int64, found []DetectedTopic, now time.Time) error {
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		current, err := r.postTopics(ctx, postID)
		if err != nil {
			return err
		}
		had := map[string]PostTopicStatus{}
		for _, t := range current {
			had[t.Topic] = t.Status
		}
		seen := map[string]bool{}
		bumped := false
		for _, f := range found {
			if f.Topic == "" || seen[f.Topic] {
				return fmt.Errorf("topic %q is empty or listed twice", f.Topic)
			}
			seen[f.Topic] = true
			status, ok := had[f.Topic]
			if !ok {
				status = TopicSuggested
			}
			if f.Accept && status == TopicSuggested {
				status = TopicAccepted
				if !bumped {
					// Accepted topics are shown to readers.
					if err := r.bumpContentVersion(ctx); err != nil {
						return err
					}
					bumped = true
				}
			}
			if ok {
				if _, err := r.exec(ctx, `UPDATE post_topics SET status = ?, mentions = ?, confidence = ?, updated_at = ?
					WHERE post_id = ? AND topic = ?`, string(status), f.Mentions, f.Confidence, r.timeArg(now), postID, f.Topic); err != nil {
					return err
				}
				continue
			}
			if _, err := r.exec(ctx, `INSERT INTO post_topics (post_id, topic, status, mentions, confidence, updated_at)
				VALUES (?, ?, ?, ?, ?, ?)`, postID, f.Topic, string(status), f.Mentions, f.Confidence, r.timeArg(now)); err != nil {
				return err
			}
		}
		for topic, status := range had {
			if seen[topic] {
				continue
			}
			q := `UPDATE post_topics SET mentions = 0, updated_at = ? WHERE post_id = ? AND topic = ?`
			args := []any{r.timeArg(now), postID, topic}
			if status == TopicSuggested {
				q, args = `DELETE FROM post_topics WHERE post_id = ? AND topic = ?`, args[1:]
			}
			if _, err := r.exec(ctx, q, args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: set detected topics of post %d: %w", postID, foreignKey(err))
	}
	return nil
}

// DecidePostTopic records an editor's decision on one topic of a post,
// also for a topic detection did not find.
func (s *Store) DecidePostTopic(ctx context.Context, postID int64, topic string, status PostTopicStatus, now time.Time) error {
	if !status.valid() || topic == "" {
		return fmt.Errorf("store: decide topic %q of post %d: bad topic or status %q", topic, postID, status)
	}
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		if err := r.bumpContentVersion(ctx); err != nil {
			return err
		}
		res, err := r.exec(ctx, `UPDATE post_topics SET status = ?, updated_at = ? WHERE post_id = ? AND topic = ?`,
			string(status), r.timeArg(now), postID, topic)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return err
		}
		_, err = r.exec(ctx, `INSERT INTO post_topics (post_id, topic, status, updated_at) VALUES (?, ?, ?, ?)`,
			postID, topic, string(status), r.timeArg(now))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: decide topic %q of post %d: %w", topic, postID, foreignKey(err))
	}
	return nil
}

// PostTopics returns a post's topics, most mentioned first.
func (s *Store) PostTopics(ctx context.Context, postID int64) ([]PostTopic, error) {
	out, err := s.reader().postTopics(ctx, postID)
	if err != nil {
		return nil, fmt.Errorf("store: topics of post %d: %w", postID, err)
	}
	return out, nil
}

func (r runner) postTopics(ctx context.Context, postID int64) ([]PostTopic, error) {
	var out []PostTopic
	err := r.each(ctx, `SELECT post_id, topic, status, mentions, confidence, updated_at FROM post_topics
		WHERE post_id = ? ORDER BY mentions DESC, topic`, []any{postID}, func(rows *sql.Rows) error {
		var t PostTopic
		var status string
		if err := rows.Scan(&t.PostID, &t.Topic, &status, &t.Mentions, &t.Confidence, timeDest{&t.UpdatedAt}); err != nil {
			return err
		}
		t.Status = PostTopicStatus(status)
		out = append(out, t)
		return nil
	})
	return out, err
}

// acceptedIn is the condition "post p has topic ?".
const acceptedIn = `p.id IN (SELECT post_id FROM post_topics WHERE topic = ? AND status = 'accepted')`

// whereClause joins post conditions into a WHERE clause.
func whereClause(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return ` WHERE ` + strings.Join(conds, ` AND `)
}

// TopicPostCounts returns, for every topic accepted for at least one post
// matching f (PublicFilter for what readers see), how many such posts it
// was accepted for: the coverage the topics index shades its map by.
func (s *Store) TopicPostCounts(ctx context.Context, f PostFilter) (map[string]int, error) {
	r := s.reader()
	conds, args := r.postConditions(f)
	conds = append(conds, `p.id = pt.post_id`, `pt.status = 'accepted'`)
	out := map[string]int{}
	err := r.each(ctx, `SELECT pt.topic, COUNT(*) FROM post_topics pt, posts p`+whereClause(conds)+` GROUP BY pt.topic`,
		args, func(rows *sql.Rows) error {
			var topic string
			var n int
			if err := rows.Scan(&topic, &n); err != nil {
				return err
			}
			out[topic] = n
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("store: topic post counts: %w", err)
	}
	return out, nil
}

// PostTexts returns up to limit posts with an ID above after, in ID order,
// with the text topic detection reads; total is the number of posts.
func (s *Store) PostTexts(ctx context.Context, after int64, limit int) (texts []PostText, total int, err error) {
	r := s.reader()
	if err := r.queryRow(ctx, `SELECT COUNT(*) FROM posts`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: post texts: %w", err)
	}
	err = r.each(ctx, `SELECT id, slug, title, deck, body FROM posts WHERE id > ? ORDER BY id LIMIT ?`,
		[]any{after, limit}, func(rows *sql.Rows) error {
			var p PostText
			if err := rows.Scan(&p.ID, &p.Slug, &p.Title, &p.Deck, &p.Body); err != nil {
				return err
			}
			texts = append(texts, p)
			return nil
		})
	if err != nil {
		return nil, 0, fmt.Errorf("store: post texts: %w", err)
	}
	return texts, total, nil
}

// foreignKey reports a write naming a post that does not exist as
// ErrNotFound.
func foreignKey(err error) error {
	if err == nil || errors.Is(err, ErrNotFound) {
		return err
	}
	msg := strings.ToLower(err.Error())
	if strings.Contains(msg, "foreign key") {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}

// TopicPosts returns one page of the posts matching f that have the topic
// accepted, newest first: a topic's river.
func (s *Store) TopicPosts(ctx context.Context, topic string, f PostFilter) (PostPage, error) {
	r := s.reader()
	conds, args := r.postConditions(f)
	conds, args = append(conds, acceptedIn), append(args, topic)
	limit := f.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	offset := max(f.Offset, 0)
	var page PostPage
	if err := r.queryRow(ctx, `SELECT COUNT(*) FROM posts p`+whereClause(conds), args...).Scan(&page.Total); err != nil {
		return PostPage{}, fmt.Errorf("store: posts on topic %q: %w", topic, err)
	}
	if offset >= page.Total {
		return page, nil
	}
	posts, err := s.loadPosts(ctx, `SELECT `+postColumns+` FROM posts p`+whereClause(conds)+` ORDER BY `+riverOrder+` LIMIT ? OFFSET ?`,
		append(args, limit, offset)...)
	if err != nil {
		return PostPage{}, fmt.Errorf("store: posts on topic %q: %w", topic, err)
	}
	page.Posts = posts
	return page, nil
}

// MonthCount is how many posts a month has, the month as "2006-01" (UTC).
type MonthCount struct {
	Month string
	Posts int
}

// TopicTimeline returns how many posts matching f have the topic accepted,
// per month of publication, oldest first; months without any are left out.
func (s *Store) TopicTimeline(ctx context.Context, topic string, f PostFilter) ([]MonthCount, error) {
	r := s.reader()
	conds, args := r.postConditions(f)
	conds, args = append(conds, acceptedIn, `p.published_at IS NOT NULL`), append(args, topic)
	// SQLite keeps times as fixed-width UTC text: the month is its prefix.
	month := `substr(p.published_at, 1, 7)`
	if r.dialect == dialectPostgres {
		month = `to_char(p.published_at AT TIME ZONE 'UTC', 'YYYY-MM')`
	}
	var out []MonthCount
	err := r.each(ctx, `SELECT `+month+` AS m, COUNT(*) FROM posts p`+whereClause(conds)+` GROUP BY m ORDER BY m`, args,
		func(rows *sql.Rows) error {
			var mc MonthCount
			if err := rows.Scan(&mc.Month, &mc.Posts); err != nil {
				return err
			}
			out = append(out, mc)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("store: timeline of topic %q: %w", topic, err)
	}
	return out, nil
}

// TopicCount is a topic with a number of posts.
type TopicCount struct {
	Topic string
	Posts int
}

// RelatedTopics returns up to n topics accepted together with topic on
// posts matching f, the most shared first.
func (s *Store) RelatedTopics(ctx context.Context, topic string, f PostFilter, n int) ([]TopicCount, error) {
	if n <= 0 {
		return nil, nil
	}
	r := s.reader()
	conds, args := r.postConditions(f)
	conds = append(conds, acceptedIn, `other.post_id = p.id`, `other.status = 'accepted'`, `other.topic <> ?`)
	args = append(args, topic, topic, n)
	var out []TopicCount
	err := r.each(ctx, `SELECT other.topic, COUNT(*) AS shared FROM posts p, post_topics other`+whereClause(conds)+`
		GROUP BY other.topic ORDER BY shared DESC, other.topic LIMIT ?`, args, func(rows *sql.Rows) error {
		var tc TopicCount
		if err := rows.Scan(&tc.Topic, &tc.Posts); err != nil {
			return err
		}
		out = append(out, tc)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: topics related to %q: %w", topic, err)
	}
	return out, nil
}

// TopicFollow is a topic a subscriber follows by email.
type TopicFollow struct {
	SubscriberID int64
	Topic        string
	// Instant asks for an alert per new article; otherwise the topic gets
	// a section of the weekly round-up.
	Instant   bool
	CreatedAt time.Time
}

// FollowTopic makes the subscriber follow the topic, or changes how.
func (s *Store) FollowTopic(ctx context.Context, f TopicFollow) error {
	if f.Topic == "" {
		return fmt.Errorf("store: follow topic: the topic is empty")
	}
	err := s.InTx(ctx, func(tx *Store) error {
		r := tx.txRunner()
		res, err := r.exec(ctx, `UPDATE subscriber_topics SET instant = ? WHERE subscriber_id = ? AND topic = ?`,
			f.Instant, f.SubscriberID, f.Topic)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return err
		}
		_, err = r.exec(ctx, `INSERT INTO subscriber_topics (subscriber_id, topic, instant, created_at) VALUES (?, ?, ?, ?)`,
			f.SubscriberID, f.Topic, f.Instant, r.timeArg(f.CreatedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: subscriber %d follow topic %q: %w", f.SubscriberID, f.Topic, foreignKey(err))
	}
	return nil
}

// UnfollowTopic stops the subscriber following the topic; following it
// already not is no error.
func (s *Store) UnfollowTopic(ctx context.Context, subscriberID int64, topic string) error {
	err := s.InTx(ctx, func(tx *Store) error {
		_, err := tx.txRunner().exec(ctx, `DELETE FROM subscriber_topics WHERE subscriber_id = ? AND topic = ?`, subscriberID, topic)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: subscriber %d unfollow topic %q: %w", subscriberID, topic, err)
	}
	return nil
}

// SubscriberTopics returns the topics a subscriber follows, by topic.
func (s *Store) SubscriberTopics(ctx context.Context, subscriberID int64) ([]TopicFollow, error) {
	var out []TopicFollow
	err := s.reader().each(ctx, `SELECT subscriber_id, topic, instant, created_at FROM subscriber_topics
		WHERE subscriber_id = ? ORDER BY topic`, []any{subscriberID}, func(rows *sql.Rows) error {
		var f TopicFollow
		if err := rows.Scan(&f.SubscriberID, &f.Topic, &f.Instant, timeDest{&f.CreatedAt}); err != nil {
			return err
		}
		out = append(out, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: topics of subscriber %d: %w", subscriberID, err)
	}
	return out, nil
}

// TopicFollowers returns the IDs of confirmed subscribers following any of
// the topics (only those asking for instant alerts when instant is true),
// each once, in ID order.
func (s *Store) TopicFollowers(ctx context.Context, topics []string, instant bool) ([]int64, error) {
	if len(topics) == 0 {
		return nil, nil
	}
	q := `SELECT DISTINCT st.subscriber_id FROM subscriber_topics st, subscribers sub
		WHERE sub.id = st.subscriber_id AND sub.status = ? AND st.topic IN (` + placeholders(len(topics)) + `)`
	args := append([]any{string(SubscriberConfirmed)}, anys(topics)...)
	if instant {
		q += ` AND st.instant = ?`
		args = append(args, true)
	}
	var out []int64
	err := s.reader().each(ctx, q+` ORDER BY st.subscriber_id`, args, func(rows *sql.Rows) error {
		var id int64
		err := rows.Scan(&id)
		out = append(out, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: followers of topics %q: %w", topics, err)
	}
	return out, nil
}
