-- Full-text search index of every post's headline, deck, bylines, tags and body.

-- post_search finds the posts: one narrow row per post, whose large
-- vectors live out of line, so that reading thousands of rows to filter
-- and order them stays cheap. document holds every word, weighted A for
-- the headline, B for the deck, bylines and tags and C for the body;
-- pairs holds every two neighbouring words of a field joined by
-- underscores ("_balance_of"), so that a phrase is found through its
-- pairs, which are far rarer than its words. Both also hold the post's
-- recency bucket, "_b" and its id in thousands, with which a search asks
-- the newest posts first. Both have GIN indexes. The
-- copies of status, publication time and section let the public filters
-- run here rather than on the wide posts rows.
--
-- The 'simple' configuration (no stemming, no stop words) indexes the
-- words exactly as the store has folded them (lower case, no diacritics),
-- so PostgreSQL and SQLite find the same posts for the same query, whatever
-- language the magazine is written in.
CREATE TABLE post_search (
    id           BIGINT      PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    status       TEXT        NOT NULL,
    published_at TIMESTAMPTZ,
    section_id   BIGINT,
    document     tsvector    NOT NULL,
    pairs        tsvector    NOT NULL
);

CREATE INDEX post_search_document ON post_search USING GIN (document);
CREATE INDEX post_search_pairs ON post_search USING GIN (pairs);

-- post_search_head ranks what post_search found: the headline's words
-- (title, A) and those of the headline, deck, bylines and tags (head, A
-- and B), small enough to test row by row.
CREATE TABLE post_search_head (
    id    BIGINT   PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    title tsvector NOT NULL,
    head  tsvector NOT NULL
);

-- The existing posts are indexed by the store right after this file runs,
-- in the same transaction.
