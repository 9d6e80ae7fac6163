-- Full-text search index of every post's headline, deck, bylines, tags and body.

-- Contentless: the text stays in posts and the index keeps only what
-- matching and ranking need. rowid is the post's id. The store writes the
-- index in the transaction that saves or deletes the post, with words it
-- has already folded (lower case, no diacritics); the tokenizer folds the
-- same way, so the index and the queries agree. Prefix indexes for two and
-- three characters keep search-as-you-type fast.
--
-- pairs holds every two neighbouring words of a field joined by an
-- underscore ("_balance_of _of_power"), which never occurs in the folded
-- words themselves: a phrase of common words is found through its pairs,
-- which are far rarer than its words, instead of by checking the
-- positions of every post that holds them all.
--
-- facets holds one word per filter a post answers to: s<id> for its
-- section, t<id> for its section and each tag, a<id> for each author; a
-- filtered search is then one more word for FTS5 to intersect. The
-- unindexed columns copy what the public filter tests, so that a search
-- never reads the wide posts rows of the thousands of posts a common word
-- matches: contentless_unindexed keeps them in a small table of their
-- own. The existing posts are indexed by the store right after this file
-- runs, in the same transaction.
CREATE VIRTUAL TABLE post_search USING fts5(
    title, deck, authors, tags, body, pairs, facets,
    status UNINDEXED, published_at UNINDEXED,
    content = '',
    contentless_delete = 1,
    contentless_unindexed = 1,
    tokenize = 'unicode61 remove_diacritics 2 tokenchars ''_''',
    prefix = '2 3'
);
