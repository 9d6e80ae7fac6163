-- Redirects: addresses of a site Masthead replaced, such as WordPress permalinks, leading to the articles imported from it.

-- path is the old address normalised by store.NormalizeRedirectPath: the
-- path without a trailing slash, plus the one query parameter that names
-- the article (/?p=123). post_id becomes NULL when the article is deleted,
-- and the address then answers 410 Gone.
CREATE TABLE redirects (
    path    TEXT   PRIMARY KEY,
    post_id BIGINT REFERENCES posts (id) ON DELETE SET NULL
);

CREATE INDEX redirects_post ON redirects (post_id);
