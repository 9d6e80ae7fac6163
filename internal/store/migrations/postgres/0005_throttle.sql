-- Shared throttles: failed sign-in counts every app node sees.

-- One row per throttled key ("account:EMAIL", "ip:ADDR"). failures counts
-- failed attempts in a row; locked_until is when the key may try again;
-- last_failure lets a quiet key start afresh and lets old rows be swept.
CREATE TABLE throttles (
    key          TEXT        PRIMARY KEY,
    failures     INTEGER     NOT NULL DEFAULT 0,
    locked_until TIMESTAMPTZ,
    last_failure TIMESTAMPTZ NOT NULL
);

CREATE INDEX throttles_last_failure ON throttles (last_failure);
