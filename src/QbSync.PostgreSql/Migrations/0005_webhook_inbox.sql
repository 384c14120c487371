-- QbSync PostgreSQL schema, version 5: the inbox of QuickBooks Online webhook events (recorded by the web endpoint,
-- applied by a background processor). event_key is the idempotency key: a re-delivered event is not recorded twice.

CREATE TABLE webhook_inbox (
    event_key     text COLLATE "C" NOT NULL PRIMARY KEY,
    firm_id       text COLLATE "C" NOT NULL,
    realm_id      text COLLATE "C" NOT NULL,
    entity_name   text        NOT NULL,
    entity_id     text        NOT NULL,
    operation     integer     NOT NULL,
    event_type    text        NULL,
    deleted_id    text        NULL,
    occurred_at   timestamptz NULL,
    event_id      text        NULL,
    received_at   timestamptz NOT NULL,
    seq           bigint GENERATED ALWAYS AS IDENTITY,
    attempts      integer     NOT NULL DEFAULT 0,
    lease_owner   text        NULL,
    lease_until   timestamptz NULL,
    completed_at  timestamptz NULL,
    error         text        NULL
);

-- Claims: pending events, oldest received first, ties in arrival order.
CREATE INDEX ix_webhook_inbox_pending ON webhook_inbox (received_at, seq) WHERE completed_at IS NULL;
