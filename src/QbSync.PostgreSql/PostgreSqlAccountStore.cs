using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using QbSync.Stores;

namespace QbSync.PostgreSql;

/// <summary>
/// An <see cref="IAccountStore"/> in a PostgreSQL schema, for apps that run several processes on several machines
/// against one database. Every operation is one statement on a pooled connection (so atomic without a client-side
/// transaction): inserts are <c>INSERT … ON CONFLICT DO NOTHING</c>, updates a compare-and-swap on the version with the
/// history entry written by the same statement, and claims lease due records picked with <c>FOR UPDATE SKIP LOCKED</c>,
/// so two claimers on any machines never get the same record. Every statement is constant text with parameters; the
/// schema name (validated, quoted) is the only part that is not a parameter.
/// </summary>
/// <remarks>
/// Times are <c>timestamptz</c>, microsecond precision: the sub-microsecond part of a time is dropped, and times read
/// back in UTC. Ids and names are <c>text COLLATE "C"</c>: exact equality, and code point order for
/// <see cref="ListAsync"/>, which is <see cref="string.CompareOrdinal(string, string)"/> except that names with
/// characters outside the Basic Multilingual Plane sort after U+E000–U+FFFF instead of before. PostgreSQL text cannot
/// hold U+0000.
/// </remarks>
public sealed class PostgreSqlAccountStore : IAccountStore, IAsyncDisposable, IDisposable
{
    private const string UniqueViolation = "23505";

    private const string Columns =
        "firm_id, account_id, account_name, has_billing_activity, status, reason, problem, customer_id, customer_display_name, "
        + "was_synced_before, was_skipped, intent, attempts, next_attempt_at, lease_owner, lease_until, status_changed_at, version";

    private const string Values =
        "@firm, @account, @name, @billing, @status, @reason, @problem, @customer, @customer_name, @synced_before, @skipped, @intent, "
        + "@attempts, @next_attempt, @lease_owner, @lease_until, @status_changed";

    private const string HistoryColumns = "firm_id, account_id, from_status, to_status, sync_trigger, reason, actor_id, at, note";

    private const string HistoryValues = "@h_firm, @h_account, @h_from, @h_to, @h_trigger, @h_reason, @h_actor, @h_at, @h_note";

    private const string SelectOne = "SELECT " + Columns + " FROM {schema}.accounts WHERE firm_id = @firm AND account_id = @account;";

    // ON CONFLICT without a target: the primary key (the account exists) and the firm's customer link index (the
    // customer is linked to another account) both make it a no-op.
    private const string InsertIfAbsent =
        "INSERT INTO {schema}.accounts (" + Columns + ") VALUES (" + Values + ", 1) ON CONFLICT DO NOTHING;";

    private const string InsertIfAbsentWithHistory =
        "WITH inserted AS (INSERT INTO {schema}.accounts (" + Columns + ") VALUES (" + Values + ", 1) ON CONFLICT DO NOTHING RETURNING 1) "
        + "INSERT INTO {schema}.account_history (" + HistoryColumns + ") SELECT " + HistoryValues + " FROM inserted;";

    private const string Assignments =
        "account_name = @name, has_billing_activity = @billing, status = @status, reason = @reason, problem = @problem, "
        + "customer_id = @customer, customer_display_name = @customer_name, was_synced_before = @synced_before, was_skipped = @skipped, "
        + "intent = @intent, attempts = @attempts, next_attempt_at = @next_attempt, lease_owner = @lease_owner, lease_until = @lease_until, "
        + "status_changed_at = @status_changed, version = version + 1";

    private const string CompareAndSwap =
        "UPDATE {schema}.accounts SET " + Assignments + " WHERE firm_id = @firm AND account_id = @account AND version = @expected;";

    private const string CompareAndSwapWithHistory =
        "WITH updated AS (UPDATE {schema}.accounts SET " + Assignments + " WHERE firm_id = @firm AND account_id = @account AND version = @expected RETURNING 1) "
        + "INSERT INTO {schema}.account_history (" + HistoryColumns + ") SELECT " + HistoryValues + " FROM updated;";

    // The compare-and-swap of a list: the customer link rule checked by the statement itself, so that a refused item
    // changes nothing without raising an error (an error would roll back the whole batch).
    private const string LinkIsFree =
        " AND NOT EXISTS (SELECT 1 FROM {schema}.accounts AS o WHERE o.firm_id = @firm AND o.customer_id = @customer AND o.account_id <> @account)";

    private const string GuardedCompareAndSwap =
        "UPDATE {schema}.accounts SET " + Assignments + " WHERE firm_id = @firm AND account_id = @account AND version = @expected" + LinkIsFree + ";";

    private const string GuardedCompareAndSwapWithHistory =
        "WITH updated AS (UPDATE {schema}.accounts SET " + Assignments + " WHERE firm_id = @firm AND account_id = @account AND version = @expected"
        + LinkIsFree + " RETURNING 1) "
        + "INSERT INTO {schema}.account_history (" + HistoryColumns + ") SELECT " + HistoryValues + " FROM updated;";

    private const string SelectMany =
        "SELECT " + Columns + " FROM {schema}.accounts WHERE firm_id = @firm AND account_id = ANY(@accounts);";

    private const string SelectHistory =
        "SELECT from_status, to_status, sync_trigger, reason, actor_id, at, note FROM {schema}.account_history "
        + "WHERE firm_id = @firm AND account_id = @account ORDER BY id;";

    private const string SelectByCustomer =
        "SELECT " + Columns + " FROM {schema}.accounts WHERE firm_id = @firm AND customer_id = @customer ORDER BY account_id LIMIT 1;";

    private const string SelectLinkedCustomers =
        "SELECT customer_id, min(account_id) FROM {schema}.accounts WHERE firm_id = @firm AND customer_id IS NOT NULL GROUP BY customer_id;";

    // Three shapes so that each gets its index: no filter (ix_accounts_firm_name), one status (ix_accounts_firm_status_name,
    // already in page order) and several statuses.
    private const string ListOrder = " ORDER BY account_name, account_id LIMIT @limit;";

    private const string ListAfter = " AND (account_name, account_id) > (@after_name, @after_id)";

    private const string ListAll = "SELECT " + Columns + " FROM {schema}.accounts WHERE firm_id = @firm";

    private const string ListOneStatus = ListAll + " AND status = @status";

    private const string ListSomeStatuses = ListAll + " AND status = ANY(@statuses)";

    // The claimable records are the due ones without a lease (ix_accounts_firm_due_free, read in claim order) and the
    // due ones whose lease has ended (ix_accounts_firm_lease_end, by lease end: few, left by a stopped worker), so a
    // claim never reads the records other workers hold. Each set is picked and row-locked with SKIP LOCKED (a
    // concurrent claimer skips them rather than waiting), re-checked against the latest version, and the oldest due of
    // the two sets are leased by the same statement.
    internal const string Claim =
        "WITH free AS (SELECT account_id, next_attempt_at FROM {schema}.accounts WHERE firm_id = @firm AND next_attempt_at IS NOT NULL "
        + "AND lease_until IS NULL AND next_attempt_at <= @now ORDER BY next_attempt_at, account_id LIMIT @max FOR UPDATE SKIP LOCKED), "
        + "ended AS (SELECT account_id, next_attempt_at FROM {schema}.accounts WHERE firm_id = @firm AND next_attempt_at IS NOT NULL "
        + "AND lease_until IS NOT NULL AND lease_until <= @now AND next_attempt_at <= @now ORDER BY next_attempt_at, account_id LIMIT @max FOR UPDATE SKIP LOCKED), "
        + "due AS (SELECT account_id FROM (SELECT account_id, next_attempt_at FROM free UNION ALL SELECT account_id, next_attempt_at FROM ended) AS d "
        + "ORDER BY next_attempt_at, account_id LIMIT @max) "
        + "UPDATE {schema}.accounts AS a SET lease_owner = @owner, lease_until = @lease_until, version = a.version + 1 "
        + "FROM due WHERE a.firm_id = @firm AND a.account_id = due.account_id RETURNING "
        + "a.firm_id, a.account_id, a.account_name, a.has_billing_activity, a.status, a.reason, a.problem, a.customer_id, a.customer_display_name, "
        + "a.was_synced_before, a.was_skipped, a.intent, a.attempts, a.next_attempt_at, a.lease_owner, a.lease_until, a.status_changed_at, a.version;";

    // Bookkeeping, not a change: the version stays (a worker's pending compare-and-swap is not disturbed).
    private const string RenewLeases =
        "UPDATE {schema}.accounts SET lease_until = @lease_until, next_attempt_at = @lease_until "
        + "WHERE firm_id = @firm AND account_id = ANY(@accounts) AND lease_owner = @owner RETURNING " + Columns + ";";

    // The firms with claimable records, without reading the records: a skip scan over the firms of the free due
    // records (ix_accounts_firm_due_free) and of the leased ones (ix_accounts_firm_lease_end), one index probe per
    // firm, then per firm one probe for a free record due by @now or a lease ended by @now.
    internal const string SelectFirmsWithDueWork =
        "WITH RECURSIVE free_firms AS ("
        + "(SELECT firm_id FROM {schema}.accounts WHERE next_attempt_at IS NOT NULL AND lease_until IS NULL ORDER BY firm_id LIMIT 1) "
        + "UNION ALL SELECT (SELECT a.firm_id FROM {schema}.accounts AS a WHERE a.next_attempt_at IS NOT NULL AND a.lease_until IS NULL "
        + "AND a.firm_id > f.firm_id ORDER BY a.firm_id LIMIT 1) FROM free_firms AS f WHERE f.firm_id IS NOT NULL), "
        + "leased_firms AS ("
        + "(SELECT firm_id FROM {schema}.accounts WHERE next_attempt_at IS NOT NULL AND lease_until IS NOT NULL ORDER BY firm_id LIMIT 1) "
        + "UNION ALL SELECT (SELECT a.firm_id FROM {schema}.accounts AS a WHERE a.next_attempt_at IS NOT NULL AND a.lease_until IS NOT NULL "
        + "AND a.firm_id > f.firm_id ORDER BY a.firm_id LIMIT 1) FROM leased_firms AS f WHERE f.firm_id IS NOT NULL) "
        + "SELECT firm_id FROM free_firms AS f WHERE f.firm_id IS NOT NULL AND EXISTS (SELECT 1 FROM {schema}.accounts AS a "
        + "WHERE a.firm_id = f.firm_id AND a.next_attempt_at IS NOT NULL AND a.lease_until IS NULL AND a.next_attempt_at <= @now) "
        + "UNION SELECT firm_id FROM leased_firms AS f WHERE f.firm_id IS NOT NULL AND EXISTS (SELECT 1 FROM {schema}.accounts AS a "
        + "WHERE a.firm_id = f.firm_id AND a.next_attempt_at IS NOT NULL AND a.lease_until IS NOT NULL AND a.lease_until <= @now AND a.next_attempt_at <= @now) "
        + "ORDER BY firm_id;";

    private const string SelectSettings =
        "SELECT realm_id, scope, create_missing_customers, version, default_item_name, linked_realm_id FROM {schema}.firm_settings WHERE firm_id = @firm;";

    // No conflict target: the firm's row existing and the realm held by another firm (ux_firm_settings_realm) both
    // make it a no-op.
    private const string InsertSettingsIfAbsent =
        "INSERT INTO {schema}.firm_settings (firm_id, realm_id, scope, create_missing_customers, version, default_item_name, linked_realm_id) "
        + "VALUES (@firm, @realm, @scope, @create, 1, @default_item, @linked_realm) ON CONFLICT DO NOTHING;";

    private const string SelectFirmByRealm = "SELECT firm_id FROM {schema}.firm_settings WHERE realm_id = @realm;";

    // Data-modifying CTEs: one statement, so the account and its history go together.
    private const string DeleteAccount =
        "WITH deleted AS (DELETE FROM {schema}.accounts WHERE firm_id = @firm AND account_id = @account RETURNING 1), "
        + "history AS (DELETE FROM {schema}.account_history WHERE firm_id = @firm AND account_id = @account) "
        + "SELECT count(*) FROM deleted;";

    private const string PurgeFirm =
        "WITH deleted AS (DELETE FROM {schema}.accounts WHERE firm_id = @firm RETURNING 1), "
        + "history AS (DELETE FROM {schema}.account_history WHERE firm_id = @firm), "
        + "settings AS (DELETE FROM {schema}.firm_settings WHERE firm_id = @firm) "
        + "SELECT count(*) FROM deleted;";

    private const string UpdateSettings =
        "UPDATE {schema}.firm_settings SET realm_id = @realm, scope = @scope, create_missing_customers = @create, default_item_name = @default_item, linked_realm_id = @linked_realm, "
        + "version = version + 1 WHERE firm_id = @firm AND version = @expected;";

    private readonly PostgreSqlDatabase _database;
    private readonly bool _ownsDatabase;
    private readonly Statements _sql;

    /// <summary>Creates a store over the schema the options name. Nothing is opened until first use.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentException">The options are not valid (see <see cref="PostgreSqlStoreOptions"/>).</exception>
    public PostgreSqlAccountStore(PostgreSqlStoreOptions options)
        : this(new PostgreSqlDatabase(options, nameof(options)), ownsDatabase: true)
    {
    }

    /// <summary>Creates a store over the default schema of a database.</summary>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <exception cref="ArgumentException">The connection string is missing or invalid.</exception>
    public PostgreSqlAccountStore(string connectionString)
        : this(new PostgreSqlStoreOptions { ConnectionString = connectionString })
    {
    }

    internal PostgreSqlAccountStore(PostgreSqlDatabase database, bool ownsDatabase)
    {
        _database = database;
        _ownsDatabase = ownsDatabase;
        _sql = new Statements(database);
    }

    /// <summary>
    /// Creates or upgrades the schema now rather than at first use: applies the embedded migrations the schema lacks,
    /// in order, in one transaction under an advisory lock. Idempotent, and safe when several processes start at once.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (a migration in progress still completes).</param>
    /// <returns>A task that completes once the schema is current.</returns>
    public Task MigrateAsync(CancellationToken cancellationToken = default) => _database.MigrateAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<SyncAccountRecord?> GetAsync(string firmId, string accountId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        cancellationToken.ThrowIfCancellationRequested();

        using var command = await _database.CommandAsync(_sql.SelectOne, cancellationToken).ConfigureAwait(false);
        command.Parameters.Text("firm", firmId);
        command.Parameters.Text("account", accountId);
        return await ReadSingleAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<SyncAccountRecord?> TryInsertAsync(SyncAccountRecord record, SyncHistoryEntry? history = null, CancellationToken cancellationToken = default)
    {
        AccountStoreGuard.ThrowIfInvalid(record, history);
        cancellationToken.ThrowIfCancellationRequested();

        using var command = await _database.CommandAsync(history is null ? _sql.InsertIfAbsent : _sql.InsertIfAbsentWithHistory, cancellationToken).ConfigureAwait(false);
        AddRecordParameters(command.Parameters, record);
        AddHistoryParameters(command.Parameters, history);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1 ? Normalize(record, 1) : null;
    }

    /// <inheritdoc />
    public async Task<SyncAccountRecord?> TryUpdateAsync(SyncAccountRecord record, long expectedVersion, SyncHistoryEntry? history = null, CancellationToken cancellationToken = default)
    {
        AccountStoreGuard.ThrowIfInvalid(record, history);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        cancellationToken.ThrowIfCancellationRequested();

        using var command = await _database.CommandAsync(history is null ? _sql.CompareAndSwap : _sql.CompareAndSwapWithHistory, cancellationToken).ConfigureAwait(false);
        AddRecordParameters(command.Parameters, record);
        AddHistoryParameters(command.Parameters, history);
        command.Parameters.Bigint("expected", expectedVersion);
        try
        {
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1 ? Normalize(record, expectedVersion + 1) : null;
        }
        catch (PostgresException error) when (error.SqlState == UniqueViolation)
        {
            // The customer is linked to another account of the firm (ux_accounts_firm_customer).
            return null;
        }
    }

    /// <inheritdoc />
    /// <remarks>One statement (<c>account_id = ANY(@accounts)</c>, primary-key look-ups).</remarks>
    public async Task<IReadOnlyList<SyncAccountRecord>> GetManyAsync(string firmId, IReadOnlyCollection<string> accountIds, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentNullException.ThrowIfNull(accountIds);
        cancellationToken.ThrowIfCancellationRequested();
        var ids = accountIds.Where(static id => id is not null).Distinct(StringComparer.Ordinal).ToArray();
        if (ids.Length == 0)
        {
            return Array.Empty<SyncAccountRecord>();
        }

        using var command = await _database.CommandAsync(_sql.SelectMany, cancellationToken).ConfigureAwait(false);
        command.Parameters.Text("firm", firmId);
        command.Parameters.Add(new NpgsqlParameter("accounts", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = ids });
        return (await ReadAllAsync(command, cancellationToken).ConfigureAwait(false)).AsReadOnly();
    }

    /// <inheritdoc />
    /// <remarks>One round trip: a batch of <c>INSERT … ON CONFLICT DO NOTHING</c> statements, which PostgreSQL runs in one
    /// implicit transaction (one commit). A refused insert (the account exists, or its customer is linked to another
    /// account) does nothing and raises no error, so it does not undo the others.</remarks>
    public async Task<IReadOnlyList<SyncAccountRecord?>> TryInsertManyAsync(IReadOnlyList<SyncAccountRecord> records, CancellationToken cancellationToken = default)
    {
        AccountStoreGuard.ThrowIfInvalid(records);
        cancellationToken.ThrowIfCancellationRequested();
        var results = new SyncAccountRecord?[records.Count];
        if (records.Count == 0)
        {
            return results.AsReadOnly();
        }

        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var batch = new NpgsqlBatch(connection);
        foreach (var record in records)
        {
            var command = new NpgsqlBatchCommand(_sql.InsertIfAbsent);
            AddRecordParameters(command.Parameters, record);
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < records.Count; i++)
        {
            results[i] = batch.BatchCommands[i].RecordsAffected == 1 ? Normalize(records[i], 1) : null;
        }

        return results.AsReadOnly();
    }

    /// <inheritdoc />
    /// <remarks>One round trip: a batch of compare-and-swap statements (each with its history insert), applied in order
    /// in one implicit transaction (one commit). Each statement checks the customer link rule itself, so a refused item
    /// changes nothing and raises no error. Only when a concurrent writer takes a customer between that check and the
    /// write (a unique violation, which rolls the batch back) are the updates applied again one by one.</remarks>
    public async Task<IReadOnlyList<SyncAccountRecord?>> TryUpdateManyAsync(IReadOnlyList<AccountUpdate> updates, CancellationToken cancellationToken = default)
    {
        AccountStoreGuard.ThrowIfInvalid(updates);
        cancellationToken.ThrowIfCancellationRequested();
        var results = new SyncAccountRecord?[updates.Count];
        if (updates.Count == 0)
        {
            return results.AsReadOnly();
        }

        using (var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false))
        using (var batch = new NpgsqlBatch(connection))
        {
            foreach (var (record, expectedVersion, history) in updates)
            {
                var command = new NpgsqlBatchCommand(history is null ? _sql.GuardedCompareAndSwap : _sql.GuardedCompareAndSwapWithHistory);
                AddRecordParameters(command.Parameters, record);
                AddHistoryParameters(command.Parameters, history);
                command.Parameters.Bigint("expected", expectedVersion);
                batch.BatchCommands.Add(command);
            }

            try
            {
                await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < updates.Count; i++)
                {
                    results[i] = batch.BatchCommands[i].RecordsAffected == 1 ? Normalize(updates[i].Record, updates[i].ExpectedVersion + 1) : null;
                }

                return results.AsReadOnly();
            }
            catch (PostgresException error) when (error.SqlState == UniqueViolation)
            {
                // A concurrent writer linked a customer in the meantime; the batch was rolled back as a whole.
            }
        }

        for (var i = 0; i < updates.Count; i++)
        {
            results[i] = await TryUpdateAsync(updates[i].Record, updates[i].ExpectedVersion, updates[i].History, cancellationToken).ConfigureAwait(false);
        }

        return results.AsReadOnly();
    }

    /// <inheritdoc />
    public async Task<SyncAccountRecord?> FindByCustomerIdAsync(string firmId, string customerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentException.ThrowIfNullOrEmpty(customerId);
        cancellationToken.ThrowIfCancellationRequested();

        using var command = await _database.CommandAsync(_sql.SelectByCustomer, cancellationToken).ConfigureAwait(false);
        command.Parameters.Text("firm", firmId);
        command.Parameters.Text("customer", customerId);
        return await ReadSingleAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>> GetLinkedCustomersAsync(string firmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        cancellationToken.ThrowIfCancellationRequested();

        var linked = new Dictionary<string, string>(StringComparer.Ordinal);
        using var command = await _database.CommandAsync(_sql.SelectLinkedCustomers, cancellationToken).ConfigureAwait(false);
        command.Parameters.Text("firm", firmId);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            linked[reader.GetString(0)] = reader.GetString(1);
        }

        return linked.AsReadOnly();
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The continuation token is not one this store issued.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The page size is not between 1 and 1000.</exception>
    public async Task<AccountPage> ListAsync(string firmId, AccountQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        (string Name, string Id)? after = AccountStoreGuard.StartOfPage(query);
        cancellationToken.ThrowIfCancellationRequested();

        var statuses = query.Statuses.Distinct().Select(static s => (int)s).ToArray();
        var shape = statuses.Length switch { 0 => 0, 1 => 1, _ => 2 };
        using var command = await _database.CommandAsync(_sql.List[(shape * 2) + (after is null ? 0 : 1)], cancellationToken).ConfigureAwait(false);
        command.Parameters.Text("firm", firmId);
        if (statuses.Length == 1)
        {
            command.Parameters.Integer("status", statuses[0]);
        }
        else if (statuses.Length > 1)
        {
            command.Parameters.Add(new NpgsqlParameter("statuses", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = statuses });
        }

        command.Parameters.Integer("limit", query.PageSize + 1);
        if (after is { } key)
        {
            command.Parameters.Text("after_name", key.Name);
            command.Parameters.Text("after_id", key.Id);
        }

        var rows = await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
        if (rows.Count <= query.PageSize)
        {
            return new AccountPage(rows.AsReadOnly(), null);
        }

        rows.RemoveAt(rows.Count - 1);
        var last = rows[^1];
        return new AccountPage(rows.AsReadOnly(), AccountListToken.Encode(last.AccountName, last.AccountId));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SyncAccountRecord>> ClaimDueAsync(string firmId, string ownerId, DateTimeOffset now, TimeSpan leaseDuration, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentException.ThrowIfNullOrEmpty(ownerId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        cancellationToken.ThrowIfCancellationRequested();

        using var command = await _database.CommandAsync(_sql.Claim, cancellationToken).ConfigureAwait(false);
        command.Parameters.Text("firm", firmId);
        command.Parameters.Text("owner", ownerId);
        command.Parameters.Time("now", now);
        command.Parameters.Time("lease_until", now + leaseDuration);
        command.Parameters.Integer("max", maxCount);
        var claimed = await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);

        // RETURNING gives rows in no particular order: oldest due first, ties by account id.
        claimed.Sort(static (a, b) =>
        {
            var byDue = a.NextAttemptAt!.Value.CompareTo(b.NextAttemptAt!.Value);
            return byDue != 0 ? byDue : string.CompareOrdinal(a.AccountId, b.AccountId);
        });
        return claimed.AsReadOnly();
    }

    /// <inheritdoc />
    /// <remarks>One statement for all the accounts.</remarks>
    public async Task<IReadOnlyList<SyncAccountRecord>> RenewLeasesAsync(string firmId, string ownerId, IReadOnlyCollection<string> accountIds, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentException.ThrowIfNullOrEmpty(ownerId);
        ArgumentNullException.ThrowIfNull(accountIds);
        cancellationToken.ThrowIfCancellationRequested();
        var ids = accountIds.Where(static id => id is not null).Distinct(StringComparer.Ordinal).ToArray();
        if (ids.Length == 0)
        {
            return Array.Empty<SyncAccountRecord>();
        }

        using var command = await _database.CommandAsync(_sql.RenewLeases, cancellationToken).ConfigureAwait(false);
        command.Parameters.Text("firm", firmId);
        command.Parameters.Text("owner", ownerId);
        command.Parameters.Time("lease_until", leaseUntil);
        command.Parameters.Add(new NpgsqlParameter("accounts", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = ids });
        var renewed = await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
        return renewed.AsReadOnly();
    }

    /// <inheritdoc />
    /// <remarks>A firm counts when at least one of its records could be claimed at <paramref name="now"/>: due, and
    /// with a free or expired lease. The firm ids are in code point order.</remarks>
    public async Task<IReadOnlyList<string>> ListFirmsWithDueWorkAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();

        var firms = new List<string>();
        using var command = await _database.CommandAsync(_sql.SelectFirmsWithDueWork, cancellationToken).ConfigureAwait(false);
        command.Parameters.Time("now", now);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            firms.Add(reader.GetString(0));
        }

        return firms.AsReadOnly();
    }

    /// <inheritdoc />
    /// <remarks>Empty when the firm has no such account.</remarks>
    public async Task<IReadOnlyList<SyncHistoryEntry>> GetHistoryAsync(string firmId, string accountId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        cancellationToken.ThrowIfCancellationRequested();

        var history = new List<SyncHistoryEntry>();
        using var command = await _database.CommandAsync(_sql.SelectHistory, cancellationToken).ConfigureAwait(false);
        command.Parameters.Text("firm", firmId);
        command.Parameters.Text("account", accountId);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            history.Add(new SyncHistoryEntry
            {
                FirmId = firmId,
                AccountId = accountId,
                From = (SyncStatus)reader.GetInt32(0),
                To = (SyncStatus)reader.GetInt32(1),
                Trigger = (SyncTrigger)reader.GetInt32(2),
                Reason = (SyncReason)reader.GetInt32(3),
                ActorId = reader.GetString(4),
                At = reader.GetTime(5),
                Note = reader.GetNullableString(6),
            });
        }

        return history.AsReadOnly();
    }

    /// <inheritdoc />
    public async Task<FirmSyncSettings?> GetFirmSettingsAsync(string firmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        cancellationToken.ThrowIfCancellationRequested();

        using var command = await _database.CommandAsync(_sql.SelectSettings, cancellationToken).ConfigureAwait(false);
        command.Parameters.Text("firm", firmId);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new FirmSyncSettings
        {
            FirmId = firmId,
            RealmId = reader.GetNullableString(0),
            Scope = (SyncScope)reader.GetInt32(1),
            CreateMissingCustomers = reader.GetBoolean(2),
            Version = reader.GetInt64(3),
            DefaultItemName = reader.GetNullableString(4),
            LinkedRealmId = reader.GetNullableString(5),
        };
    }

    /// <inheritdoc />
    public async Task<FirmSyncSettings?> TrySaveFirmSettingsAsync(FirmSyncSettings settings, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(settings.FirmId, nameof(settings));
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        cancellationToken.ThrowIfCancellationRequested();

        using var command = await _database.CommandAsync(expectedVersion == 0 ? _sql.InsertSettingsIfAbsent : _sql.UpdateSettings, cancellationToken).ConfigureAwait(false);
        command.Parameters.Text("firm", settings.FirmId);
        command.Parameters.Text("realm", settings.RealmId);
        command.Parameters.Integer("scope", (int)settings.Scope);
        command.Parameters.Boolean("create", settings.CreateMissingCustomers);
        command.Parameters.Text("default_item", settings.DefaultItemName);
        command.Parameters.Text("linked_realm", settings.LinkedRealmId);
        if (expectedVersion != 0)
        {
            command.Parameters.Bigint("expected", expectedVersion);
        }

        try
        {
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1
                ? settings with { Version = expectedVersion + 1 }
                : null;
        }
        catch (PostgresException error) when (error.SqlState == UniqueViolation)
        {
            // Another firm holds the realm (ux_firm_settings_realm).
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<string?> FindFirmByRealmAsync(string realmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        cancellationToken.ThrowIfCancellationRequested();

        using var command = await _database.CommandAsync(_sql.SelectFirmByRealm, cancellationToken).ConfigureAwait(false);
        command.Parameters.Text("realm", realmId);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAccountAsync(string firmId, string accountId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        cancellationToken.ThrowIfCancellationRequested();

        using var command = await _database.CommandAsync(_sql.DeleteAccount, cancellationToken).ConfigureAwait(false);
        command.Parameters.Text("firm", firmId);
        command.Parameters.Text("account", accountId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! > 0;
    }

    /// <inheritdoc />
    public async Task<int> PurgeFirmAsync(string firmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        cancellationToken.ThrowIfCancellationRequested();

        using var command = await _database.CommandAsync(_sql.PurgeFirm, cancellationToken).ConfigureAwait(false);
        command.Parameters.Text("firm", firmId);
        return checked((int)(long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
    }

    /// <summary>Closes the connection pool when this store created it (from a connection string).</summary>
    public void Dispose()
    {
        if (_ownsDatabase)
        {
            _database.Dispose();
        }
    }

    /// <summary>Closes the connection pool when this store created it (from a connection string).</summary>
    /// <returns>A task that completes once the pool is closed.</returns>
    public ValueTask DisposeAsync() => _ownsDatabase ? _database.DisposeAsync() : ValueTask.CompletedTask;

    private static void AddRecordParameters(NpgsqlParameterCollection parameters, SyncAccountRecord record)
    {
        parameters.Text("firm", record.FirmId);
        parameters.Text("account", record.AccountId);
        parameters.Text("name", record.AccountName);
        parameters.Boolean("billing", record.HasBillingActivity);
        parameters.Integer("status", (int)record.Status);
        parameters.Integer("reason", (int)record.Reason);
        parameters.Json("problem", record.Problem is null ? null : JsonSerializer.Serialize(record.Problem, PostgreSqlJsonContext.Default.SyncProblem));
        parameters.Text("customer", record.CustomerId);
        parameters.Text("customer_name", record.CustomerDisplayName);
        parameters.Boolean("synced_before", record.WasSyncedBefore);
        parameters.Boolean("skipped", record.WasSkipped);
        parameters.Json("intent", record.Intent is null ? null : JsonSerializer.Serialize(record.Intent, PostgreSqlJsonContext.Default.SyncIntent));
        parameters.Integer("attempts", record.Attempts);
        parameters.Time("next_attempt", record.NextAttemptAt);
        parameters.Text("lease_owner", record.LeaseOwner);
        parameters.Time("lease_until", record.LeaseUntil);
        parameters.Time("status_changed", record.StatusChangedAt);
    }

    private static void AddHistoryParameters(NpgsqlParameterCollection parameters, SyncHistoryEntry? history)
    {
        if (history is null)
        {
            return;
        }

        parameters.Text("h_firm", history.FirmId);
        parameters.Text("h_account", history.AccountId);
        parameters.Integer("h_from", (int)history.From);
        parameters.Integer("h_to", (int)history.To);
        parameters.Integer("h_trigger", (int)history.Trigger);
        parameters.Integer("h_reason", (int)history.Reason);
        parameters.Text("h_actor", history.ActorId ?? string.Empty);
        parameters.Time("h_at", history.At);
        parameters.Text("h_note", history.Note);
    }

    private static async Task<SyncAccountRecord?> ReadSingleAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadRecord(reader) : null;
    }

    private static async Task<List<SyncAccountRecord>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var records = new List<SyncAccountRecord>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(ReadRecord(reader));
        }

        return records;
    }

    private static SyncAccountRecord ReadRecord(NpgsqlDataReader reader) => new()
    {
        FirmId = reader.GetString(0),
        AccountId = reader.GetString(1),
        AccountName = reader.GetString(2),
        HasBillingActivity = reader.GetBoolean(3),
        Status = (SyncStatus)reader.GetInt32(4),
        Reason = (SyncReason)reader.GetInt32(5),
        Problem = reader.IsDBNull(6) ? null : FreezeProblem(JsonSerializer.Deserialize(reader.GetString(6), PostgreSqlJsonContext.Default.SyncProblem)),
        CustomerId = reader.GetNullableString(7),
        CustomerDisplayName = reader.GetNullableString(8),
        WasSyncedBefore = reader.GetBoolean(9),
        WasSkipped = reader.GetBoolean(10),
        Intent = reader.IsDBNull(11) ? null : JsonSerializer.Deserialize(reader.GetString(11), PostgreSqlJsonContext.Default.SyncIntent),
        Attempts = reader.GetInt32(12),
        NextAttemptAt = reader.GetNullableTime(13),
        LeaseOwner = reader.GetNullableString(14),
        LeaseUntil = reader.GetNullableTime(15),
        StatusChangedAt = reader.GetNullableTime(16),
        Version = reader.GetInt64(17),
    };

    /// <summary>The record as it now reads back from the database: the new version, times in UTC to the microsecond,
    /// and the problem's customer list copied into a read-only list the caller cannot change.</summary>
    private static SyncAccountRecord Normalize(SyncAccountRecord record, long version) => record with
    {
        Version = version,
        Problem = FreezeProblem(record.Problem),
        NextAttemptAt = PostgreSqlValues.ToStored(record.NextAttemptAt),
        LeaseUntil = PostgreSqlValues.ToStored(record.LeaseUntil),
        StatusChangedAt = PostgreSqlValues.ToStored(record.StatusChangedAt),
    };

    private static SyncProblem? FreezeProblem(SyncProblem? problem) =>
        problem is null ? null : problem with { CustomerIds = (problem.CustomerIds ?? []).ToArray().AsReadOnly() };

    /// <summary>The statement texts with this store's schema.</summary>
    private sealed class Statements(PostgreSqlDatabase database)
    {
        public string SelectOne { get; } = database.Qualify(PostgreSqlAccountStore.SelectOne);

        public string InsertIfAbsent { get; } = database.Qualify(PostgreSqlAccountStore.InsertIfAbsent);

        public string InsertIfAbsentWithHistory { get; } = database.Qualify(PostgreSqlAccountStore.InsertIfAbsentWithHistory);

        public string CompareAndSwap { get; } = database.Qualify(PostgreSqlAccountStore.CompareAndSwap);

        public string CompareAndSwapWithHistory { get; } = database.Qualify(PostgreSqlAccountStore.CompareAndSwapWithHistory);

        public string GuardedCompareAndSwap { get; } = database.Qualify(PostgreSqlAccountStore.GuardedCompareAndSwap);

        public string GuardedCompareAndSwapWithHistory { get; } = database.Qualify(PostgreSqlAccountStore.GuardedCompareAndSwapWithHistory);

        public string SelectMany { get; } = database.Qualify(PostgreSqlAccountStore.SelectMany);

        public string SelectHistory { get; } = database.Qualify(PostgreSqlAccountStore.SelectHistory);

        public string SelectByCustomer { get; } = database.Qualify(PostgreSqlAccountStore.SelectByCustomer);

        public string SelectLinkedCustomers { get; } = database.Qualify(PostgreSqlAccountStore.SelectLinkedCustomers);

        /// <summary>The list statements: (all, one status, several statuses) × (first page, next page).</summary>
        public string[] List { get; } =
        [
            database.Qualify(ListAll + ListOrder), database.Qualify(ListAll + ListAfter + ListOrder),
            database.Qualify(ListOneStatus + ListOrder), database.Qualify(ListOneStatus + ListAfter + ListOrder),
            database.Qualify(ListSomeStatuses + ListOrder), database.Qualify(ListSomeStatuses + ListAfter + ListOrder),
        ];

        public string Claim { get; } = database.Qualify(PostgreSqlAccountStore.Claim);

        public string RenewLeases { get; } = database.Qualify(PostgreSqlAccountStore.RenewLeases);

        public string SelectFirmsWithDueWork { get; } = database.Qualify(PostgreSqlAccountStore.SelectFirmsWithDueWork);

        public string SelectSettings { get; } = database.Qualify(PostgreSqlAccountStore.SelectSettings);

        public string InsertSettingsIfAbsent { get; } = database.Qualify(PostgreSqlAccountStore.InsertSettingsIfAbsent);

        public string SelectFirmByRealm { get; } = database.Qualify(PostgreSqlAccountStore.SelectFirmByRealm);

        public string DeleteAccount { get; } = database.Qualify(PostgreSqlAccountStore.DeleteAccount);

        public string PurgeFirm { get; } = database.Qualify(PostgreSqlAccountStore.PurgeFirm);

        public string UpdateSettings { get; } = database.Qualify(PostgreSqlAccountStore.UpdateSettings);
    }
}
