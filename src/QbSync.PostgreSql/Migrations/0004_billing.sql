-- QbSync PostgreSQL schema, version 4: billing documents (invoices and payments), their history, and the firm's
-- default item. The document itself is JSON (body); the columns beside it are what claims, listings and leases query.

CREATE TABLE billing_documents (
    firm_id          text COLLATE "C" NOT NULL,
    document_key     text COLLATE "C" NOT NULL,
    account_id       text COLLATE "C" NOT NULL,
    status           integer     NOT NULL,
    document_date    date        NOT NULL,
    recorded_at      timestamptz NOT NULL,
    next_attempt_at  timestamptz NULL,
    lease_owner      text        NULL,
    lease_until      timestamptz NULL,
    body             jsonb       NOT NULL,
    version          bigint      NOT NULL,
    PRIMARY KEY (firm_id, document_key)
);

-- Claims: a firm's due documents.
CREATE INDEX ix_billing_documents_firm_due ON billing_documents (firm_id, next_attempt_at) WHERE next_attempt_at IS NOT NULL;

-- Firms with due documents, across firms.
CREATE INDEX ix_billing_documents_due ON billing_documents (next_attempt_at, firm_id) WHERE next_attempt_at IS NOT NULL;

-- Listing one account's documents.
CREATE INDEX ix_billing_documents_account ON billing_documents (firm_id, account_id, document_key);

CREATE TABLE billing_history (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    firm_id         text COLLATE "C" NOT NULL,
    document_key    text COLLATE "C" NOT NULL,
    from_status     integer     NOT NULL,
    to_status       integer     NOT NULL,
    billing_trigger integer     NOT NULL,
    reason          integer     NOT NULL,
    actor_id        text        NOT NULL,
    at              timestamptz NOT NULL,
    note            text        NULL
);

CREATE INDEX ix_billing_history_document ON billing_history (firm_id, document_key, id);

ALTER TABLE firm_settings ADD COLUMN default_item_name text NULL;
