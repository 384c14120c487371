-- QbSync SQLite schema, version 3: token versions (compare-and-swap), the cross-process refresh lock, the access
-- token's issue time, and "a realm belongs to one firm".

-- Every save of a realm's tokens gets a higher version; a rotated token is saved only over the version it came from.
ALTER TABLE tokens ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- When the access token was issued (its lifetime caps the refresh skew); NULL for rows written before.
ALTER TABLE tokens ADD COLUMN access_token_issued_at TEXT NULL;

-- One row per realm being refreshed: the holder and when its lease ends (a crashed holder frees it by itself).
CREATE TABLE token_refresh_locks (
    realm_id   TEXT NOT NULL PRIMARY KEY,
    owner      TEXT NOT NULL,
    lease_until TEXT NOT NULL
);

-- Before this version two firms could record the same realm. The firm that recorded it first keeps it; the others
-- lose it and must connect their own company again.
UPDATE firm_settings SET realm_id = NULL
WHERE realm_id IS NOT NULL
  AND rowid NOT IN (SELECT MIN(rowid) FROM firm_settings WHERE realm_id IS NOT NULL GROUP BY realm_id);

-- A QuickBooks company (realm) belongs to at most one firm.
CREATE UNIQUE INDEX ux_firm_settings_realm ON firm_settings (realm_id) WHERE realm_id IS NOT NULL;
