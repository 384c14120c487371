-- QbSync SQLite schema, version 11: a claim reads the records it can take, not the due records other workers hold.
-- ix_accounts_firm_due holds every due record, leased or not, so a claim walked it in due order past every record
-- another worker had claimed and not yet finished. A claim now reads the due records without a lease in claim order
-- (ix_accounts_firm_due_free) and the leased ones by the end of their lease (ix_accounts_firm_lease_end), the two sets
-- together being exactly the claimable ones; the firms with due work are found by a skip scan over the same indexes,
-- one probe per firm, instead of reading every due record through ix_accounts_due. Both old indexes go, so the planner
-- cannot pick them. (9 and 10 are reserved for other changes; the runner allows gaps.)

CREATE INDEX IF NOT EXISTS ix_accounts_firm_due_free ON accounts (firm_id, next_attempt_at, account_id)
    WHERE next_attempt_at IS NOT NULL AND lease_until IS NULL;

CREATE INDEX IF NOT EXISTS ix_accounts_firm_lease_end ON accounts (firm_id, lease_until)
    WHERE next_attempt_at IS NOT NULL AND lease_until IS NOT NULL;

DROP INDEX IF EXISTS ix_accounts_firm_due;

DROP INDEX IF EXISTS ix_accounts_due;
