-- QbSync PostgreSQL schema, version 1: accounts, their history, the firms' settings and the QuickBooks tokens.
-- Applied with search_path set to the store's schema, under an advisory lock, in one transaction.
-- Ids and names are text COLLATE "C": equality is exact and order is by code point (the contract's ordinal order).
-- Times are timestamptz (microseconds). Enums are their integer values; problem and intent are JSON.

CREATE TABLE accounts (
    firm_id                 text COLLATE "C" NOT NULL,
    account_id              text COLLATE "C" NOT NULL,
    account_name            text COLLATE "C" NOT NULL,
    has_billing_activity    boolean     NOT NULL,
    status                  integer     NOT NULL,
    reason                  integer     NOT NULL,
    problem                 jsonb       NULL,
    customer_id             text COLLATE "C" NULL,
    customer_display_name   text        NULL,
    was_synced_before       boolean     NOT NULL,
    was_skipped             boolean     NOT NULL,
    intent                  jsonb       NULL,
    attempts                integer     NOT NULL,
    next_attempt_at         timestamptz NULL,
    lease_owner             text        NULL,
    lease_until             timestamptz NULL,
    status_changed_at       timestamptz NULL,
    version                 bigint      NOT NULL,
    PRIMARY KEY (firm_id, account_id)
);

-- Claims: a firm's due records, oldest first.
CREATE INDEX ix_accounts_firm_due ON accounts (firm_id, next_attempt_at, account_id) WHERE next_attempt_at IS NOT NULL;

-- Firms with due work, across firms.
CREATE INDEX ix_accounts_due ON accounts (next_attempt_at, firm_id) WHERE next_attempt_at IS NOT NULL;

-- Listing: a firm's accounts by name, then id; and the same within one status (the QuickBooks column's filter).
CREATE INDEX ix_accounts_firm_name ON accounts (firm_id, account_name, account_id);
CREATE INDEX ix_accounts_firm_status_name ON accounts (firm_id, status, account_name, account_id);

-- A QBO customer is linked to at most one account of a firm, whatever the process that links it.
CREATE UNIQUE INDEX ux_accounts_firm_customer ON accounts (firm_id, customer_id) WHERE customer_id IS NOT NULL;

CREATE TABLE account_history (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    firm_id      text COLLATE "C" NOT NULL,
    account_id   text COLLATE "C" NOT NULL,
    from_status  integer     NOT NULL,
    to_status    integer     NOT NULL,
    sync_trigger integer     NOT NULL,
    reason       integer     NOT NULL,
    actor_id     text        NOT NULL,
    at           timestamptz NOT NULL,
    note         text        NULL
);

CREATE INDEX ix_account_history_account ON account_history (firm_id, account_id, id);

CREATE TABLE firm_settings (
    firm_id                  text COLLATE "C" NOT NULL PRIMARY KEY,
    realm_id                 text COLLATE "C" NULL,
    scope                    integer NOT NULL,
    create_missing_customers boolean NOT NULL,
    version                  bigint  NOT NULL
);

-- The OAuth tokens of each connected QuickBooks company (realm). Stored as given (not encrypted): restrict access to
-- this schema like any secret store.
CREATE TABLE tokens (
    realm_id                       text COLLATE "C" NOT NULL PRIMARY KEY,
    access_token                   text        NOT NULL,
    access_token_expires_at        timestamptz NOT NULL,
    refresh_token                  text        NOT NULL,
    refresh_token_expires_at       timestamptz NOT NULL,
    refresh_token_hard_expires_at  timestamptz NULL,
    reconnect_required             boolean     NOT NULL,
    reconnect_reason               text        NULL,
    intuit_tid                     text        NULL,
    updated_at                     timestamptz NOT NULL
);
