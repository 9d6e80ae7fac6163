-- Full-text search index of every post's headline, deck, bylines, tags and body.

-- One narrow row per post. document holds every word, weighted A for the
-- headline, B for the deck, bylines and tags and C for the body, and every
-- two neighbouring words joined by an underscore ("_balance_of"), and is
-- what the GIN index matches: a phrase of common words is found through
-- its pairs, which are far rarer than its words, and only the few posts
-- that hold them all have their positions checked. title (A) and head (A
-- and B) are the small vectors ranking looks at, read without touching the
-- large one. The
-- copies of status, publication time and section let the public filters
-- run here rather than on the wide posts rows.
--
-- The 'simple' configuration (no stemming, no stop words) indexes the
-- words exactly as the store has folded them (lower case, no diacritics),
-- so PostgreSQL and SQLite find the same posts for the same query, whatever
-- language the magazine is written in. The existing posts are indexed by
-- the store right after this file runs, in the same transaction.
CREATE TABLE post_search (
    id           BIGINT      PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    status       TEXT        NOT NULL,
    published_at TIMESTAMPTZ,
    section_id   BIGINT,
    title        tsvector    NOT NULL,
    head         tsvector    NOT NULL,
    document     tsvector    NOT NULL
);

CREATE INDEX post_search_document ON post_search USING GIN (document);
