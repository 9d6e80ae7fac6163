-- Topics: the desk's additions and edits to the built-in gazetteer, the topics found in and accepted for each article, and the topics subscribers follow.

-- One row per entry the desk added or changed. builtin marks an edit of a
-- built-in entry (slug from the gazetteer that comes with Masthead);
-- removed hides that entry. aliases holds one alias per line in the
-- gazetteer's notation (Jordan~0.7{person}).
CREATE TABLE topic_entries (
    slug       TEXT        PRIMARY KEY,
    name       TEXT        NOT NULL,
    kind       TEXT        NOT NULL CHECK (kind IN ('country', 'territory', 'organisation', 'person', 'group', 'other')),
    code       TEXT        NOT NULL DEFAULT '',
    region     TEXT        NOT NULL DEFAULT '',
    un_status  TEXT        NOT NULL DEFAULT '',
    aliases    TEXT        NOT NULL DEFAULT '',
    builtin    BOOLEAN     NOT NULL DEFAULT FALSE,
    removed    BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- A topic found in an article (suggested), or decided by an editor
-- (accepted, rejected). Detection refreshes mentions and confidence but
-- never undoes a decision. topic is an entry's slug.
CREATE TABLE post_topics (
    post_id    BIGINT           NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    topic      TEXT             NOT NULL,
    status     TEXT             NOT NULL CHECK (status IN ('suggested', 'accepted', 'rejected')),
    mentions   INTEGER          NOT NULL DEFAULT 0,
    confidence DOUBLE PRECISION NOT NULL DEFAULT 0,
    updated_at TIMESTAMPTZ      NOT NULL,
    PRIMARY KEY (post_id, topic)
);

CREATE INDEX post_topics_topic ON post_topics (topic, status, post_id);

-- Topics a subscriber follows by email: instant means an alert for every
-- new article on the topic, otherwise the topic gets a section of the
-- subscriber's weekly round-up.
CREATE TABLE subscriber_topics (
    subscriber_id BIGINT      NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    topic         TEXT        NOT NULL,
    instant       BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (subscriber_id, topic)
);

CREATE INDEX subscriber_topics_topic ON subscriber_topics (topic, subscriber_id);
