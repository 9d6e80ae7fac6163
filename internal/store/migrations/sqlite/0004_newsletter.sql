-- Newsletter: subscribers, issues (the weekly round-up and single articles) and one delivery per issue and subscriber.

-- email is stored normalised (trimmed, lower-cased), so UNIQUE is
-- case-insensitive. consent_* record how, from where and when the person
-- last asked to be subscribed; a confirmation link names consent_at, so a
-- link from an earlier request cannot confirm a later one. bounce_count
-- counts permanent delivery failures in a row.
CREATE TABLE subscribers (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    email               TEXT    NOT NULL UNIQUE,
    name                TEXT    NOT NULL DEFAULT '',
    status              TEXT    NOT NULL CHECK (status IN ('pending', 'confirmed', 'unsubscribed', 'bounced')),
    wants_roundup       INTEGER NOT NULL DEFAULT 1 CHECK (wants_roundup IN (0, 1)),
    wants_every_article INTEGER NOT NULL DEFAULT 0 CHECK (wants_every_article IN (0, 1)),
    paused              INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    consent_source      TEXT    NOT NULL DEFAULT '',
    consent_ip          TEXT    NOT NULL DEFAULT '',
    consent_at          TEXT,
    confirmed_at        TEXT,
    unsubscribed_at     TEXT,
    confirm_sent_at     TEXT,
    bounce_count        INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL
);

CREATE INDEX subscribers_status ON subscribers (status, id);

-- items is a JSON array of post ids in the order the issue shows them.
-- html and text_body are the issue as it is sent, fixed when sending
-- starts. A per-article issue names its post; a post is sent once.
CREATE TABLE newsletter_issues (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL CHECK (kind IN ('roundup', 'article')),
    post_id      INTEGER UNIQUE REFERENCES posts (id) ON DELETE SET NULL,
    status       TEXT    NOT NULL CHECK (status IN ('draft', 'scheduled', 'sending', 'paused', 'sent', 'cancelled')),
    subject      TEXT    NOT NULL DEFAULT '',
    intro        TEXT    NOT NULL DEFAULT '',
    items        TEXT    NOT NULL DEFAULT '[]',
    covers_from  TEXT,
    covers_until TEXT,
    scheduled_at TEXT,
    started_at   TEXT,
    finished_at  TEXT,
    pause_reason TEXT    NOT NULL DEFAULT '',
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    html         TEXT    NOT NULL DEFAULT '',
    text_body    TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX newsletter_issues_status ON newsletter_issues (status, id);
CREATE INDEX newsletter_issues_kind ON newsletter_issues (kind, covers_until);

-- One row per issue and subscriber: whatever happens, an issue is handed
-- to a subscriber's mail server at most once per row. claimed_until is the
-- lease of the sender working on the row; a row claimed by a sender that
-- died is free again when it passes.
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    issue_id        INTEGER NOT NULL REFERENCES newsletter_issues (id) ON DELETE CASCADE,
    subscriber_id   INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'failed_temp', 'failed_perm', 'skipped')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    claimed_until   TEXT,
    sent_at         TEXT,
    message_id      TEXT    NOT NULL DEFAULT '',
    last_error      TEXT    NOT NULL DEFAULT '',
    UNIQUE (issue_id, subscriber_id)
);

-- The rows still to send, in order: sent rows drop out of this index, so
-- finding the next batch never walks past what is done.
CREATE INDEX deliveries_due ON deliveries (issue_id, id) WHERE status IN ('pending', 'failed_temp');
CREATE INDEX deliveries_status ON deliveries (issue_id, status);
CREATE INDEX deliveries_sent ON deliveries (issue_id, sent_at);
CREATE INDEX deliveries_subscriber ON deliveries (subscriber_id);
