-- Authors, tags, posts with bylines, tags, corrections and old slugs, settings, content version.

CREATE TABLE authors (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    slug               TEXT    NOT NULL UNIQUE,
    name               TEXT    NOT NULL,
    role               TEXT    NOT NULL DEFAULT '',
    bio                TEXT    NOT NULL DEFAULT '',
    bio_html           TEXT    NOT NULL DEFAULT '',
    bio_render_version INTEGER NOT NULL DEFAULT 0,
    photo_key          TEXT    NOT NULL DEFAULT '',
    photo_width        INTEGER NOT NULL DEFAULT 0,
    photo_height       INTEGER NOT NULL DEFAULT 0,
    photo_alt          TEXT    NOT NULL DEFAULT '',
    photo_caption      TEXT    NOT NULL DEFAULT '',
    photo_credit       TEXT    NOT NULL DEFAULT '',
    links              TEXT    NOT NULL DEFAULT '[]', -- JSON array of {"label", "url"}
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL
);

CREATE TABLE tags (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    is_section  INTEGER NOT NULL DEFAULT 0 CHECK (is_section IN (0, 1)),
    position    INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX tags_sections ON tags (is_section, position);

-- Times are UTC text in one fixed width (2006-01-02T15:04:05.000000Z) so
-- that they compare and sort as strings. The long texts come last: SQLite
-- reads a row's columns in order, and filters on the short ones should not
-- have to walk through an article to reach them.
CREATE TABLE posts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    slug            TEXT    NOT NULL UNIQUE,
    status          TEXT    NOT NULL,
    published_at    TEXT,
    updated_at      TEXT,
    section_id      INTEGER REFERENCES tags (id) ON DELETE SET NULL,
    render_version  INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT    NOT NULL,
    modified_at     TEXT    NOT NULL,
    image_key       TEXT    NOT NULL DEFAULT '',
    image_width     INTEGER NOT NULL DEFAULT 0,
    image_height    INTEGER NOT NULL DEFAULT 0,
    image_alt       TEXT    NOT NULL DEFAULT '',
    image_caption   TEXT    NOT NULL DEFAULT '',
    image_credit    TEXT    NOT NULL DEFAULT '',
    title           TEXT    NOT NULL DEFAULT '',
    deck            TEXT    NOT NULL DEFAULT '',
    excerpt         TEXT    NOT NULL DEFAULT '',
    canonical_url   TEXT    NOT NULL DEFAULT '',
    seo_title       TEXT    NOT NULL DEFAULT '',
    seo_description TEXT    NOT NULL DEFAULT '',
    body            TEXT    NOT NULL DEFAULT '',
    body_html       TEXT    NOT NULL DEFAULT ''
);

-- The river: newest first, never-published posts last.
CREATE INDEX posts_river ON posts (status, published_at DESC, id DESC, section_id);
CREATE INDEX posts_published ON posts (published_at DESC, id DESC);
CREATE INDEX posts_section ON posts (section_id, status, published_at DESC, id DESC);

-- A byline cannot lose an author silently: an author with posts cannot be
-- deleted.
CREATE TABLE post_authors (
    post_id   INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    author_id INTEGER NOT NULL REFERENCES authors (id) ON DELETE RESTRICT,
    position  INTEGER NOT NULL,
    PRIMARY KEY (post_id, author_id)
);

CREATE INDEX post_authors_author ON post_authors (author_id, post_id);

-- Further tags of a post; its primary section is posts.section_id.
CREATE TABLE post_tags (
    post_id  INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag_id   INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (post_id, tag_id)
);

CREATE INDEX post_tags_tag ON post_tags (tag_id, post_id);

CREATE TABLE corrections (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id  INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    date     TEXT    NOT NULL,
    note     TEXT    NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX corrections_post ON corrections (post_id, date, position);

-- Slugs a post no longer has. post_id NULL means the post was deleted and
-- the slug answers 410 Gone.
CREATE TABLE post_slugs (
    slug    TEXT    PRIMARY KEY,
    post_id INTEGER REFERENCES posts (id) ON DELETE SET NULL
);

CREATE INDEX post_slugs_post ON post_slugs (post_id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row; every change readers can see increments it, and page caches key
-- on it.
CREATE TABLE content_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);

INSERT INTO content_version (id, version) VALUES (1, 1);
