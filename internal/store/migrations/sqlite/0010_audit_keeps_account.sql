-- Audit entries keep the id of the account that acted even after the
-- account is deleted: the log is a record, and the desk shows such entries
-- as by a deleted account. SQLite cannot drop a foreign key, so the table
-- is rebuilt without it.
CREATE TABLE audit_log_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT    NOT NULL,
    account_id INTEGER,
    action     TEXT    NOT NULL,
    target     TEXT    NOT NULL DEFAULT '',
    detail     TEXT    NOT NULL DEFAULT '',
    ip         TEXT    NOT NULL DEFAULT ''
);

INSERT INTO audit_log_new (id, at, account_id, action, target, detail, ip)
    SELECT id, at, account_id, action, target, detail, ip FROM audit_log;

DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;

CREATE INDEX audit_log_account ON audit_log (account_id, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
