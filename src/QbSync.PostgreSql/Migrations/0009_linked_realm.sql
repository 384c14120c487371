-- QbSync PostgreSQL schema, version 9: the QBO company a firm's links belong to survives a disconnect.
-- A disconnect clears realm_id (another firm may then connect the company) but keeps the links, so connecting the same
-- company again resumes them. Without the company they belong to, connecting a different company after a disconnect
-- kept accounts Synced to customer ids of the old company, which name other customers in the new one. Rows of firms
-- connected today start with their current company; a firm disconnected before this version has no record of it.

ALTER TABLE firm_settings ADD COLUMN linked_realm_id text COLLATE "C" NULL;

UPDATE firm_settings SET linked_realm_id = realm_id WHERE realm_id IS NOT NULL;
