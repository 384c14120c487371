-- QbSync SQLite schema, version 7: the per-realm QuickBooks request budget shared by the processes on this file.
-- One row per permit: it counts as in flight until released (or until in_flight_until, for a process that died), and
-- against the window limits until window_end (one window after its release). Times are UTC text as elsewhere.
-- (Numbers 3 to 6 are reserved for other changes; the runner allows gaps.)

CREATE TABLE request_permits (
    permit_id        TEXT    NOT NULL PRIMARY KEY,
    realm_id         TEXT    NOT NULL,
    is_batch         INTEGER NOT NULL,
    in_flight_until  TEXT    NULL,
    window_end       TEXT    NOT NULL
);

CREATE INDEX ix_request_permits_realm ON request_permits (realm_id, window_end);
