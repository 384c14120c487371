-- QbSync SQLite schema, version 5: the inbox of QuickBooks Online webhook events (recorded by the web endpoint,
-- applied by a background processor). event_key is the idempotency key: a re-delivered event is not recorded twice.

CREATE TABLE webhook_inbox (
    event_key     TEXT    NOT NULL PRIMARY KEY,
    firm_id       TEXT    NOT NULL,
    realm_id      TEXT    NOT NULL,
    entity_name   TEXT    NOT NULL,
    entity_id     TEXT    NOT NULL,
    operation     INTEGER NOT NULL,
    event_type    TEXT    NULL,
    deleted_id    TEXT    NULL,
    occurred_at   TEXT    NULL,
    event_id      TEXT    NULL,
    received_at   TEXT    NOT NULL,
    seq           INTEGER NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    lease_owner   TEXT    NULL,
    lease_until   TEXT    NULL,
    completed_at  TEXT    NULL,
    error         TEXT    NULL
);

CREATE INDEX webhook_inbox_pending ON webhook_inbox (received_at, seq) WHERE completed_at IS NULL;
