-- Topic alerts: deliveries say why a subscriber gets an article, and an article issue records whether its every-article audience was added.

-- reason is '' for the issue's own audience and 'topic' for an instant
-- alert to a follower of one of the article's topics. Either way a
-- subscriber gets an article once: (issue_id, subscriber_id) stays unique.
ALTER TABLE deliveries ADD COLUMN reason TEXT NOT NULL DEFAULT '' CHECK (reason IN ('', 'topic'));

-- An article issue started only for topic alerts has not gone to the
-- subscribers who want every article; an editor's "email this article"
-- adds them later. Issues started before alerts existed had their audience.
ALTER TABLE newsletter_issues ADD COLUMN audience_added BOOLEAN NOT NULL DEFAULT TRUE;
