-- QbSync SQLite schema, version 8: listing a firm's accounts filtered by status reads an index in page order
-- (firm, status, account name, account id) instead of scanning the firm's accounts for the rare status.
-- (Number 6 is reserved for another change; the runner allows gaps.)

CREATE INDEX ix_accounts_firm_status_name ON accounts (firm_id, status, account_name COLLATE BINARY, account_id COLLATE BINARY);
