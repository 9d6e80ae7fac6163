-- Full-text search index of every post's headline, deck, bylines, tags and body.

-- Two contentless FTS5 tables whose rowid is the post's id: the text stays
-- in posts, the index keeps only what matching needs. The store writes
-- them in the transaction that saves or deletes the post, with words it
-- has already folded (lower case, no diacritics); the tokenizer folds the
-- same way, so the index and the queries agree. Prefix indexes for two and
-- three characters keep search-as-you-type fast.
--
-- post_search finds the posts. Besides the text it holds words no reader
-- can type, all beginning with an underscore (the folded words never hold
-- one): every two neighbouring words of a field ("_balance_of
-- _of_power"), so that a phrase of common words is found through its
-- pairs, which are far rarer than its words, rather than by checking the
-- positions of every post that holds them all; and one word per filter a
-- post answers to ("_s<id>" for its section, "_t<id>" for its section and
-- each tag, "_a<id>" for each author), so that a filtered search is one
-- more word for FTS5 to intersect. The unindexed columns copy what the
-- public filter tests, so that a search never reads the wide posts rows
-- of the thousands of posts a common word matches; contentless_unindexed
-- keeps them in a small table of their own.
CREATE VIRTUAL TABLE post_search USING fts5(
    title, deck, authors, tags, body, pairs, facets,
    status UNINDEXED, published_at UNINDEXED,
    content = '',
    contentless_delete = 1,
    contentless_unindexed = 1,
    tokenize = 'unicode61 remove_diacritics 2 tokenchars ''_''',
    prefix = '2 3'
);

-- post_search_head ranks what post_search found: which posts hold the
-- query in their headline, or in their headline, deck, bylines and tags.
-- It is small, so asking it costs little.
CREATE VIRTUAL TABLE post_search_head USING fts5(
    title, rest,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

-- The existing posts are indexed by the store right after this file runs,
-- in the same transaction.
