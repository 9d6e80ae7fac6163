-- Desk: accounts, sessions, API tokens, invitations and resets, audit log, revisions, media library, outbox, jobs.

-- Emails are stored lower-cased, so UNIQUE is case-insensitive. One author
-- profile has at most one login: "own posts" must mean one person.
CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL DEFAULT '',
    role          TEXT    NOT NULL CHECK (role IN ('contributor', 'author', 'editor', 'admin', 'owner')),
    author_id     INTEGER UNIQUE REFERENCES authors (id) ON DELETE SET NULL,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT    NOT NULL
);

CREATE INDEX accounts_role ON accounts (role, disabled);

-- token_hash is the hex SHA-256 of the token the browser holds; the token
-- itself is never stored.
CREATE TABLE sessions (
    token_hash   TEXT    PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at   TEXT    NOT NULL,
    last_seen_at TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL,
    user_agent   TEXT    NOT NULL DEFAULT '',
    ip           TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX sessions_account ON sessions (account_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL DEFAULT '',
    token_hash   TEXT    NOT NULL UNIQUE,
    created_at   TEXT    NOT NULL,
    last_used_at TEXT
);

CREATE INDEX api_tokens_account ON api_tokens (account_id);

-- Single-use links sent by email: invitations (email and role of the
-- account to create) and password resets (account_id of the account).
CREATE TABLE account_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT    NOT NULL CHECK (kind IN ('invite', 'reset')),
    token_hash TEXT    NOT NULL UNIQUE,
    email      TEXT    NOT NULL,
    role       TEXT    NOT NULL DEFAULT '',
    account_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    created_by INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    used_at    TEXT
);

CREATE INDEX account_tokens_kind ON account_tokens (kind, used_at, expires_at);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT    NOT NULL,
    account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    action     TEXT    NOT NULL,
    target     TEXT    NOT NULL DEFAULT '',
    detail     TEXT    NOT NULL DEFAULT '',
    ip         TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX audit_log_account ON audit_log (account_id, id);
CREATE INDEX audit_log_action ON audit_log (action, id);

-- snapshot is JSON of the post's editable fields at the time of the save.
CREATE TABLE revisions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    created_at TEXT    NOT NULL,
    snapshot   TEXT    NOT NULL
);

CREATE INDEX revisions_post ON revisions (post_id, id);

-- renditions is JSON: [{"key", "width", "height", "format"}].
CREATE TABLE media_items (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    key              TEXT    NOT NULL UNIQUE,
    format           TEXT    NOT NULL,
    width            INTEGER NOT NULL DEFAULT 0,
    height           INTEGER NOT NULL DEFAULT 0,
    bytes            INTEGER NOT NULL DEFAULT 0,
    alt              TEXT    NOT NULL DEFAULT '',
    caption          TEXT    NOT NULL DEFAULT '',
    credit           TEXT    NOT NULL DEFAULT '',
    uploaded_by      INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    created_at       TEXT    NOT NULL,
    renditions       TEXT    NOT NULL DEFAULT '[]',
    rendition_status TEXT    NOT NULL DEFAULT 'pending' CHECK (rendition_status IN ('pending', 'done', 'failed'))
);

-- headers is a JSON object of extra header fields.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT    NOT NULL,
    kind       TEXT    NOT NULL DEFAULT '',
    to_addr    TEXT    NOT NULL,
    to_name    TEXT    NOT NULL DEFAULT '',
    from_addr  TEXT    NOT NULL DEFAULT '',
    subject    TEXT    NOT NULL DEFAULT '',
    headers    TEXT    NOT NULL DEFAULT '{}',
    status     TEXT    NOT NULL CHECK (status IN ('queued', 'stored', 'sent', 'failed')),
    sent_at    TEXT,
    error      TEXT    NOT NULL DEFAULT '',
    text_body  TEXT    NOT NULL DEFAULT '',
    html_body  TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX outbox_to ON outbox (to_addr, id);
CREATE INDEX outbox_status ON outbox (status, id);

-- A job with a unique_key exists once: enqueueing it again reschedules it.
-- locked_until is the lease of the runner working on it; a running job
-- whose lease has passed belongs to a runner that died.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL,
    payload      TEXT    NOT NULL DEFAULT '{}',
    run_at       TEXT    NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 5,
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
    locked_until TEXT,
    last_error   TEXT    NOT NULL DEFAULT '',
    unique_key   TEXT    UNIQUE,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);

CREATE INDEX jobs_due ON jobs (status, run_at);
CREATE INDEX jobs_lease ON jobs (status, locked_until);

-- The desk's post list: most recently modified first.
CREATE INDEX posts_modified ON posts (modified_at DESC, id DESC);
