-- QbSync SQLite schema, version 1: accounts, their history and the firms' settings.
-- Times are UTC text in the fixed-width form yyyy-MM-ddTHH:mm:ss.fffffffZ, so text order is time order and the
-- round trip is exact to the tick. Enums are stored as their integer values; problem and intent as JSON.

CREATE TABLE accounts (
    firm_id                 TEXT    NOT NULL,
    account_id              TEXT    NOT NULL,
    account_name            TEXT    NOT NULL,
    has_billing_activity    INTEGER NOT NULL,
    status                  INTEGER NOT NULL,
    reason                  INTEGER NOT NULL,
    problem                 TEXT    NULL,
    customer_id             TEXT    NULL,
    customer_display_name   TEXT    NULL,
    was_synced_before       INTEGER NOT NULL,
    was_skipped             INTEGER NOT NULL,
    intent                  TEXT    NULL,
    attempts                INTEGER NOT NULL,
    next_attempt_at         TEXT    NULL,
    lease_owner             TEXT    NULL,
    lease_until             TEXT    NULL,
    status_changed_at       TEXT    NULL,
    version                 INTEGER NOT NULL,
    PRIMARY KEY (firm_id, account_id)
);

-- Claims: a firm's due records, oldest first.
CREATE INDEX ix_accounts_firm_due ON accounts (firm_id, next_attempt_at, account_id) WHERE next_attempt_at IS NOT NULL;

-- Firms with due work, across firms.
CREATE INDEX ix_accounts_due ON accounts (next_attempt_at, firm_id) WHERE next_attempt_at IS NOT NULL;

-- Listing: a firm's accounts by name, then id.
CREATE INDEX ix_accounts_firm_name ON accounts (firm_id, account_name COLLATE BINARY, account_id COLLATE BINARY);

-- Customer links.
-- A QBO customer is linked to at most one account of a firm, whatever the process that links it.
CREATE UNIQUE INDEX ux_accounts_firm_customer ON accounts (firm_id, customer_id) WHERE customer_id IS NOT NULL;

CREATE TABLE account_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    firm_id     TEXT    NOT NULL,
    account_id  TEXT    NOT NULL,
    from_status INTEGER NOT NULL,
    to_status   INTEGER NOT NULL,
    sync_trigger INTEGER NOT NULL,
    reason      INTEGER NOT NULL,
    actor_id    TEXT    NOT NULL,
    at          TEXT    NOT NULL,
    note        TEXT    NULL
);

CREATE INDEX ix_account_history_account ON account_history (firm_id, account_id, id);

CREATE TABLE firm_settings (
    firm_id                  TEXT    NOT NULL PRIMARY KEY,
    realm_id                 TEXT    NULL,
    scope                    INTEGER NOT NULL,
    create_missing_customers INTEGER NOT NULL,
    version                  INTEGER NOT NULL
);
