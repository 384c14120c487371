-- QbSync PostgreSQL schema, version 2: the per-realm QuickBooks request budget shared by every process.
-- One row per permit: it counts as in flight until released (or until in_flight_until, for a process that died), and
-- against the window limits until window_end (one window after its release). Rows past window_end are deleted by the
-- next acquisition for the realm. The table is UNLOGGED: permits live seconds to minutes, so they need no WAL (a commit
-- that touches only them does not wait for a disk flush); a server crash or a failover empties it, which at worst lets
-- the processes spend a window's budget again (QBO then answers 429 and the client waits).

CREATE UNLOGGED TABLE request_permits (
    permit_id        uuid        NOT NULL PRIMARY KEY,
    realm_id         text COLLATE "C" NOT NULL,
    is_batch         boolean     NOT NULL,
    in_flight_until  timestamptz NULL,
    window_end       timestamptz NOT NULL
);

CREATE INDEX ix_request_permits_realm ON request_permits (realm_id, window_end);

-- Takes a permit when the realm has room: returns 0, or the seconds to wait before trying again. Serialized per realm
-- by a transaction-level advisory lock, and timed by the database server's clock, so that every process on every
-- machine counts against the same budget on the same clock.
CREATE FUNCTION request_permit_acquire(
    p_permit uuid, p_realm text, p_batch boolean, p_max_in_flight integer, p_max_requests integer,
    p_max_batches integer, p_window interval, p_lease interval)
RETURNS double precision
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    v_now       timestamptz;
    v_requests  integer;
    v_batches   integer;
    v_in_flight integer;
    v_retry     timestamptz;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('qbsync.request_permits'), hashtext(p_realm));
    v_now := clock_timestamp();
    DELETE FROM request_permits WHERE realm_id = p_realm AND window_end <= v_now;
    SELECT count(*), count(*) FILTER (WHERE is_batch), count(*) FILTER (WHERE in_flight_until > v_now)
      INTO v_requests, v_batches, v_in_flight
      FROM request_permits WHERE realm_id = p_realm;

    IF v_in_flight < p_max_in_flight AND v_requests < p_max_requests AND (NOT p_batch OR v_batches < p_max_batches) THEN
        INSERT INTO request_permits (permit_id, realm_id, is_batch, in_flight_until, window_end)
        VALUES (p_permit, p_realm, p_batch, v_now + p_lease, v_now + p_lease + p_window);
        RETURN 0;
    END IF;

    -- A full window frees up when its oldest released permit leaves it; a full in-flight count when a request ends
    -- (polled: the caller waits a few milliseconds).
    IF v_requests >= p_max_requests THEN
        SELECT min(window_end) INTO v_retry FROM request_permits WHERE realm_id = p_realm AND in_flight_until IS NULL;
    ELSIF p_batch AND v_batches >= p_max_batches THEN
        SELECT min(window_end) INTO v_retry FROM request_permits WHERE realm_id = p_realm AND is_batch AND in_flight_until IS NULL;
    END IF;

    RETURN GREATEST(COALESCE(EXTRACT(EPOCH FROM (v_retry - v_now)), 0.01), 0.005);
END;
$$;
