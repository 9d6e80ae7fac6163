-- Audit entries keep the id of the account that acted even after the
-- account is deleted: the log is a record, and the desk shows such entries
-- as by a deleted account.
ALTER TABLE audit_log DROP CONSTRAINT IF EXISTS audit_log_account_id_fkey;
