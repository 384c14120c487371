-- QbSync SQLite schema, version 4: billing documents (invoices and payments), their history, and the firm's default
-- item. The document itself is JSON (body); the columns beside it are what claims, listings and leases query.

CREATE TABLE billing_documents (
    firm_id          TEXT    NOT NULL,
    document_key     TEXT    NOT NULL,
    account_id       TEXT    NOT NULL,
    status           INTEGER NOT NULL,
    document_date    TEXT    NOT NULL,
    recorded_at      TEXT    NOT NULL,
    next_attempt_at  TEXT    NULL,
    lease_owner      TEXT    NULL,
    lease_until      TEXT    NULL,
    body             TEXT    NOT NULL,
    version          INTEGER NOT NULL,
    PRIMARY KEY (firm_id, document_key)
);

-- Claims: a firm's due documents, oldest first.
CREATE INDEX ix_billing_documents_firm_due ON billing_documents (firm_id, next_attempt_at) WHERE next_attempt_at IS NOT NULL;

-- Firms with due documents, across firms.
CREATE INDEX ix_billing_documents_due ON billing_documents (next_attempt_at, firm_id) WHERE next_attempt_at IS NOT NULL;

-- Listing one account's documents.
CREATE INDEX ix_billing_documents_account ON billing_documents (firm_id, account_id, document_key);

CREATE TABLE billing_history (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    firm_id       TEXT    NOT NULL,
    document_key  TEXT    NOT NULL,
    from_status   INTEGER NOT NULL,
    to_status     INTEGER NOT NULL,
    billing_trigger INTEGER NOT NULL,
    reason        INTEGER NOT NULL,
    actor_id      TEXT    NOT NULL,
    at            TEXT    NOT NULL,
    note          TEXT    NULL
);

CREATE INDEX ix_billing_history_document ON billing_history (firm_id, document_key, id);

ALTER TABLE firm_settings ADD COLUMN default_item_name TEXT NULL;
