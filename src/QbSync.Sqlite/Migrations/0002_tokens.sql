-- QbSync SQLite schema, version 2: the OAuth tokens of each connected QuickBooks company (realm).
-- Tokens are stored as given (not encrypted): protect the database file like any secret store.

CREATE TABLE tokens (
    realm_id                       TEXT    NOT NULL PRIMARY KEY,
    access_token                   TEXT    NOT NULL,
    access_token_expires_at        TEXT    NOT NULL,
    refresh_token                  TEXT    NOT NULL,
    refresh_token_expires_at       TEXT    NOT NULL,
    refresh_token_hard_expires_at  TEXT    NULL,
    reconnect_required             INTEGER NOT NULL,
    reconnect_reason               TEXT    NULL,
    intuit_tid                     TEXT    NULL,
    updated_at                     TEXT    NOT NULL
);
