-- QbSync PostgreSQL schema, version 3: token versions (compare-and-swap), the cross-process refresh lock, the access
-- token's issue time, and "a realm belongs to one firm".

-- Every save of a realm's tokens gets a higher version; a rotated token is saved only over the version it came from.
ALTER TABLE tokens ADD COLUMN version bigint NOT NULL DEFAULT 1;

-- When the access token was issued (its lifetime caps the refresh skew); NULL for rows written before.
ALTER TABLE tokens ADD COLUMN access_token_issued_at timestamptz NULL;

-- One row per realm being refreshed: the holder and when its lease ends on the database server's clock (a crashed
-- holder frees it by itself).
CREATE TABLE token_refresh_locks (
    realm_id    text COLLATE "C" NOT NULL PRIMARY KEY,
    owner       text        NOT NULL,
    lease_until timestamptz NOT NULL
);

-- A QuickBooks company (realm) belongs to at most one firm (and the webhook look-up realm -> firm uses this index).
CREATE UNIQUE INDEX ux_firm_settings_realm ON firm_settings (realm_id) WHERE realm_id IS NOT NULL;
