-- QbSync PostgreSQL schema, version 8: a claim reads the records it can take, not the due records other workers hold.
-- ix_accounts_firm_due holds every due record, leased or not, so a claim walked it in due order past every record
-- another worker had claimed and not yet finished, and each claim of several workers on one firm cost as much as all
-- the work claimed before it. A claim now reads the due records without a lease in claim order, and the records whose
-- lease has ended by the end of their lease (the two sets together are exactly the claimable ones).
-- ix_accounts_firm_due goes: with it the planner may still pick it for the free records (same columns) and filter.
-- Instances of the previous version keep working during a rolling upgrade; their claims are slower until they are
-- replaced. (6 and 7 are reserved for other changes; the runner allows gaps.)

CREATE INDEX ix_accounts_firm_due_free ON accounts (firm_id, next_attempt_at, account_id)
    WHERE next_attempt_at IS NOT NULL AND lease_until IS NULL;

CREATE INDEX ix_accounts_firm_lease_end ON accounts (firm_id, lease_until)
    WHERE next_attempt_at IS NOT NULL AND lease_until IS NOT NULL;

DROP INDEX ix_accounts_firm_due;

-- The firms with due work are found by a skip scan over the two indexes above (one probe per firm), no longer by
-- reading every due record of every firm through ix_accounts_due, which also held the records other workers hold.
DROP INDEX ix_accounts_due;
