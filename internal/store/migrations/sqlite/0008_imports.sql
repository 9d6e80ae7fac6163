-- Imports: archives uploaded in the desk and imported by a background job, with their progress and final report.

-- file_key names the uploaded file in media storage under an unguessable
-- key while the job needs it; it is emptied once the file is removed.
-- report is the importer's report as JSON, set when the import is done.
CREATE TABLE imports (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    format       TEXT    NOT NULL,
    filename     TEXT    NOT NULL DEFAULT '',
    dry_run      INTEGER NOT NULL DEFAULT 0,
    fetch_images INTEGER NOT NULL DEFAULT 0,
    status       TEXT    NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    phase        TEXT    NOT NULL DEFAULT '',
    done         INTEGER NOT NULL DEFAULT 0,
    total        INTEGER NOT NULL DEFAULT 0,
    file_key     TEXT    NOT NULL DEFAULT '',
    report       TEXT    NOT NULL DEFAULT '',
    error        TEXT    NOT NULL DEFAULT '',
    created_by   INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);
