using System.Text.Json;
using Microsoft.Data.Sqlite;
using QbSync.Stores;

namespace QbSync.Sqlite;

/// <summary>
/// An <see cref="IAccountStore"/> in a SQLite database file: the embedded default for a real single-machine host,
/// shared safely by several processes on that machine. Every operation opens its own pooled connection; the schema is
/// migrated at first use (or by <see cref="MigrateAsync"/>). Inserts are <c>INSERT … ON CONFLICT DO NOTHING</c>,
/// updates a compare-and-swap on the version with the history entry in the same transaction, and claims select and
/// lease due records in one <c>BEGIN IMMEDIATE</c> transaction, so two claimers (in one process or two) never get the
/// same record. Every statement is constant text with parameters.
/// </summary>
/// <remarks>
/// Times are stored as fixed-width UTC text with 100 ns precision and read back in UTC (offset zero); the problem's
/// <see cref="SyncProblem.OccurredAt"/> keeps its offset (it is JSON). A database this library creates stores text as
/// UTF-16BE, so SQLite's <c>BINARY</c> order is exactly <see cref="string.CompareOrdinal(string, string)"/> (the order
/// of <see cref="ListAsync"/>); in a UTF-8 database created by other means, names outside the Basic Multilingual Plane
/// would sort after U+E000–U+FFFF instead of before.
/// </remarks>
public sealed class SqliteAccountStore : IAccountStore
{
    /// <summary>SQLITE_CONSTRAINT: a unique index refused the write.</summary>
    private const int SqliteConstraintError = 19;

    private const string Columns =
        "firm_id, account_id, account_name, has_billing_activity, status, reason, problem, customer_id, customer_display_name, "
        + "was_synced_before, was_skipped, intent, attempts, next_attempt_at, lease_owner, lease_until, status_changed_at, version";

    private const string SelectOne = "SELECT " + Columns + " FROM accounts WHERE firm_id = $firm AND account_id = $account;";

    // Several accounts in one statement: the ids as a JSON array, each looked up by primary key.
    internal const string SelectMany =
        "SELECT " + Columns + " FROM accounts WHERE firm_id = $firm AND account_id IN (SELECT value FROM json_each($accounts));";

    private const string InsertIfAbsent =
        "INSERT INTO accounts (" + Columns + ") VALUES ($firm, $account, $name, $billing, $status, $reason, $problem, $customer, "
        + "$customer_name, $synced_before, $skipped, $intent, $attempts, $next_attempt, $lease_owner, $lease_until, $status_changed, 1) "
        + "ON CONFLICT (firm_id, account_id) DO NOTHING;";

    private const string CompareAndSwap =
        "UPDATE accounts SET account_name = $name, has_billing_activity = $billing, status = $status, reason = $reason, "
        + "problem = $problem, customer_id = $customer, customer_display_name = $customer_name, was_synced_before = $synced_before, "
        + "was_skipped = $skipped, intent = $intent, attempts = $attempts, next_attempt_at = $next_attempt, lease_owner = $lease_owner, "
        + "lease_until = $lease_until, status_changed_at = $status_changed, version = version + 1 "
        + "WHERE firm_id = $firm AND account_id = $account AND version = $expected;";

    private const string InsertHistory =
        "INSERT INTO account_history (firm_id, account_id, from_status, to_status, sync_trigger, reason, actor_id, at, note) "
        + "VALUES ($firm, $account, $from, $to, $trigger, $reason, $actor, $at, $note);";

    private const string SelectHistory =
        "SELECT from_status, to_status, sync_trigger, reason, actor_id, at, note FROM account_history "
        + "WHERE firm_id = $firm AND account_id = $account ORDER BY id;";

    private const string SelectByCustomer =
        "SELECT " + Columns + " FROM accounts WHERE firm_id = $firm AND customer_id = $customer ORDER BY account_id COLLATE BINARY LIMIT 1;";

    // No GROUP BY: ux_accounts_firm_customer makes each customer appear at most once per firm.
    internal const string SelectLinkedCustomers =
        "SELECT customer_id, account_id FROM accounts WHERE firm_id = $firm AND customer_id IS NOT NULL;";

    // Listing, one statement shape per filter so that each reads its index in page order: no filter
    // (ix_accounts_firm_name) and one status (ix_accounts_firm_status_name); several statuses run the one-status shape
    // once per status and merge the pages. (A single "status IN (...)" would scan the firm or sort every match.)
    internal const string ListAll = "SELECT " + Columns + " FROM accounts WHERE firm_id = $firm";

    internal const string ListOneStatus = ListAll + " AND status = $status";

    internal const string ListAfter = " AND (account_name, account_id) > ($after_name, $after_id)";

    internal const string ListOrder = " ORDER BY account_name COLLATE BINARY, account_id COLLATE BINARY LIMIT $limit;";

    // The claimable records are the due ones without a lease (ix_accounts_firm_due_free, read in claim order) and the
    // due ones whose lease has ended (ix_accounts_firm_lease_end, by lease end: few, left by a stopped worker), so a
    // claim never reads the records other workers hold; the oldest due of the two sets are leased.
    internal const string Claim =
        "UPDATE accounts SET lease_owner = $owner, lease_until = $lease_until, version = version + 1 "
        + "WHERE firm_id = $firm AND account_id IN (SELECT account_id FROM ("
        + "SELECT account_id, next_attempt_at FROM (SELECT account_id, next_attempt_at FROM accounts WHERE firm_id = $firm "
        + "AND next_attempt_at IS NOT NULL AND lease_until IS NULL AND next_attempt_at <= $now "
        + "ORDER BY next_attempt_at, account_id COLLATE BINARY LIMIT $max) "
        + "UNION ALL SELECT account_id, next_attempt_at FROM (SELECT account_id, next_attempt_at FROM accounts WHERE firm_id = $firm "
        + "AND next_attempt_at IS NOT NULL AND lease_until IS NOT NULL AND lease_until <= $now AND next_attempt_at <= $now "
        + "ORDER BY next_attempt_at, account_id COLLATE BINARY LIMIT $max)) "
        + "ORDER BY next_attempt_at, account_id COLLATE BINARY LIMIT $max) "
        + "RETURNING " + Columns + ";";

    private const string RenewLease =
        "UPDATE accounts SET lease_until = $lease_until, next_attempt_at = $lease_until "
        + "WHERE firm_id = $firm AND account_id = $account AND lease_owner = $owner "
        + "RETURNING " + Columns + ";";

    // The firms with claimable records, without reading the records: a skip scan over the firms of the free due
    // records (ix_accounts_firm_due_free) and of the leased ones (ix_accounts_firm_lease_end), one index probe per
    // firm, then per firm one probe for a free record due by $now or a lease ended by $now.
    internal const string SelectFirmsWithDueWork =
        "WITH RECURSIVE free_firms(firm_id) AS ("
        + "SELECT (SELECT firm_id FROM accounts WHERE next_attempt_at IS NOT NULL AND lease_until IS NULL ORDER BY firm_id LIMIT 1) "
        + "UNION ALL SELECT (SELECT a.firm_id FROM accounts AS a WHERE a.next_attempt_at IS NOT NULL AND a.lease_until IS NULL "
        + "AND a.firm_id > f.firm_id ORDER BY a.firm_id LIMIT 1) FROM free_firms AS f WHERE f.firm_id IS NOT NULL), "
        + "leased_firms(firm_id) AS ("
        + "SELECT (SELECT firm_id FROM accounts WHERE next_attempt_at IS NOT NULL AND lease_until IS NOT NULL ORDER BY firm_id LIMIT 1) "
        + "UNION ALL SELECT (SELECT a.firm_id FROM accounts AS a WHERE a.next_attempt_at IS NOT NULL AND a.lease_until IS NOT NULL "
        + "AND a.firm_id > f.firm_id ORDER BY a.firm_id LIMIT 1) FROM leased_firms AS f WHERE f.firm_id IS NOT NULL) "
        + "SELECT firm_id FROM free_firms AS f WHERE f.firm_id IS NOT NULL AND EXISTS (SELECT 1 FROM accounts AS a "
        + "WHERE a.firm_id = f.firm_id AND a.next_attempt_at IS NOT NULL AND a.lease_until IS NULL AND a.next_attempt_at <= $now) "
        + "UNION SELECT firm_id FROM leased_firms AS f WHERE f.firm_id IS NOT NULL AND EXISTS (SELECT 1 FROM accounts AS a "
        + "WHERE a.firm_id = f.firm_id AND a.next_attempt_at IS NOT NULL AND a.lease_until IS NOT NULL AND a.lease_until <= $now AND a.next_attempt_at <= $now) "
        + "ORDER BY firm_id COLLATE BINARY;";

    private const string SelectSettings =
        "SELECT realm_id, scope, create_missing_customers, version, default_item_name, linked_realm_id FROM firm_settings WHERE firm_id = $firm;";

    private const string InsertSettingsIfAbsent =
        "INSERT INTO firm_settings (firm_id, realm_id, scope, create_missing_customers, version, default_item_name, linked_realm_id) "
        + "VALUES ($firm, $realm, $scope, $create, 1, $default_item, $linked_realm) ON CONFLICT (firm_id) DO NOTHING;";

    private const string UpdateSettings =
        "UPDATE firm_settings SET realm_id = $realm, scope = $scope, create_missing_customers = $create, default_item_name = $default_item, linked_realm_id = $linked_realm, version = version + 1 "
        + "WHERE firm_id = $firm AND version = $expected;";

    private const string SelectFirmByRealm = "SELECT firm_id FROM firm_settings WHERE realm_id = $realm LIMIT 1;";

    private const string DeleteAccount = "DELETE FROM accounts WHERE firm_id = $firm AND account_id = $account;";

    private const string DeleteAccountHistory = "DELETE FROM account_history WHERE firm_id = $firm AND account_id = $account;";

    private const string DeleteFirmAccounts = "DELETE FROM accounts WHERE firm_id = $firm;";

    private const string DeleteFirmHistory = "DELETE FROM account_history WHERE firm_id = $firm;";

    private const string DeleteFirmSettings = "DELETE FROM firm_settings WHERE firm_id = $firm;";

    private readonly SqliteDatabase _database;

    /// <summary>Creates a store over the database the options name. Nothing is opened until first use.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentException">The connection string is missing, invalid, in-memory or read-only.</exception>
    public SqliteAccountStore(SqliteStoreOptions options)
    {
        _database = new SqliteDatabase(options, nameof(options));
    }

    /// <summary>Creates a store over a database file.</summary>
    /// <param name="connectionString">The connection string, for example <c>Data Source=qbsync.db</c>.</param>
    /// <exception cref="ArgumentException">The connection string is missing, invalid, in-memory or read-only.</exception>
    public SqliteAccountStore(string connectionString)
        : this(new SqliteStoreOptions { ConnectionString = connectionString })
    {
    }

    /// <summary>
    /// Creates or upgrades the schema now rather than at first use: applies the embedded migrations the database
    /// lacks, in order, in one transaction. Idempotent, and safe when several processes start at once.
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

        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = SelectOne;
        command.Parameters.AddWithValue("$firm", firmId);
        command.Parameters.AddWithValue("$account", accountId);
        return await ReadSingleAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<SyncAccountRecord?> TryInsertAsync(SyncAccountRecord record, SyncHistoryEntry? history = null, CancellationToken cancellationToken = default)
    {
        AccountStoreGuard.ThrowIfInvalid(record, history);
        cancellationToken.ThrowIfCancellationRequested();

        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: false);
        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = InsertIfAbsent;
            AddRecordParameters(insert, record);
            try
            {
                if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
                {
                    return null;
                }
            }
            catch (SqliteException error) when (error.SqliteErrorCode == SqliteConstraintError)
            {
                // The customer is linked to another account of the firm (ux_accounts_firm_customer).
                return null;
            }
        }

        await AppendHistoryAsync(connection, transaction, history, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return Normalize(record, 1);
    }

    /// <inheritdoc />
    public async Task<SyncAccountRecord?> TryUpdateAsync(SyncAccountRecord record, long expectedVersion, SyncHistoryEntry? history = null, CancellationToken cancellationToken = default)
    {
        AccountStoreGuard.ThrowIfInvalid(record, history);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        cancellationToken.ThrowIfCancellationRequested();

        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: false);
        using (var update = connection.CreateCommand())
        {
            update.Transaction = transaction;
            update.CommandText = CompareAndSwap;
            AddRecordParameters(update, record);
            update.Parameters.AddWithValue("$expected", expectedVersion);
            try
            {
                if (await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
                {
                    return null;
                }
            }
            catch (SqliteException error) when (error.SqliteErrorCode == SqliteConstraintError)
            {
                // The customer is linked to another account of the firm (ux_accounts_firm_customer).
                return null;
            }
        }

        await AppendHistoryAsync(connection, transaction, history, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return Normalize(record, expectedVersion + 1);
    }

    /// <inheritdoc />
    /// <remarks>One statement (one snapshot): the ids go as a JSON array, each a primary-key look-up.</remarks>
    public async Task<IReadOnlyList<SyncAccountRecord>> GetManyAsync(string firmId, IReadOnlyCollection<string> accountIds, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentNullException.ThrowIfNull(accountIds);
        cancellationToken.ThrowIfCancellationRequested();
        if (accountIds.Count == 0)
        {
            return Array.Empty<SyncAccountRecord>();
        }

        using var ids = new MemoryStream();
        using (var writer = new Utf8JsonWriter(ids))
        {
            writer.WriteStartArray();
            foreach (var accountId in accountIds.Where(static id => id is not null).Distinct(StringComparer.Ordinal))
            {
                writer.WriteStringValue(accountId);
            }

            writer.WriteEndArray();
        }

        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = SelectMany;
        command.Parameters.AddWithValue("$firm", firmId);
        command.Parameters.AddWithValue("$accounts", System.Text.Encoding.UTF8.GetString(ids.GetBuffer(), 0, (int)ids.Length));
        return (await ReadAllAsync(command, cancellationToken).ConfigureAwait(false)).AsReadOnly();
    }

    /// <inheritdoc />
    /// <remarks>One <c>BEGIN IMMEDIATE</c> transaction and one commit for the whole list. A refused insert (the account
    /// exists, or its customer is linked to another account) is a statement that did nothing or that SQLite aborted
    /// alone, so it does not undo the others.</remarks>
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
        using var transaction = connection.BeginTransaction(deferred: false);
        using (var insert = new RecordCommand(connection, transaction, InsertIfAbsent, withExpectedVersion: false))
        {
            for (var i = 0; i < records.Count; i++)
            {
                insert.Bind(records[i], 0);
                results[i] = await insert.ExecuteAsync(cancellationToken).ConfigureAwait(false) ? Normalize(records[i], 1) : null;
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return results.AsReadOnly();
    }

    /// <inheritdoc />
    /// <remarks>One <c>BEGIN IMMEDIATE</c> transaction and one commit for the whole list, the updates applied in order.
    /// A refused compare-and-swap (another version, or a customer linked to another account) is a statement that
    /// changed nothing or that SQLite aborted alone, so it does not undo the others; each history entry is written only
    /// with its applied update.</remarks>
    public async Task<IReadOnlyList<SyncAccountRecord?>> TryUpdateManyAsync(IReadOnlyList<AccountUpdate> updates, CancellationToken cancellationToken = default)
    {
        AccountStoreGuard.ThrowIfInvalid(updates);
        cancellationToken.ThrowIfCancellationRequested();
        var results = new SyncAccountRecord?[updates.Count];
        if (updates.Count == 0)
        {
            return results.AsReadOnly();
        }

        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: false);
        using (var update = new RecordCommand(connection, transaction, CompareAndSwap, withExpectedVersion: true))
        using (var history = new HistoryCommand(connection, transaction))
        {
            for (var i = 0; i < updates.Count; i++)
            {
                var (record, expectedVersion, entry) = updates[i];
                update.Bind(record, expectedVersion);
                if (!await update.ExecuteAsync(cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                if (entry is not null)
                {
                    await history.ExecuteAsync(entry, cancellationToken).ConfigureAwait(false);
                }

                results[i] = Normalize(record, expectedVersion + 1);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return results.AsReadOnly();
    }

    /// <inheritdoc />
    public async Task<SyncAccountRecord?> FindByCustomerIdAsync(string firmId, string customerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentException.ThrowIfNullOrEmpty(customerId);
        cancellationToken.ThrowIfCancellationRequested();

        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = SelectByCustomer;
        command.Parameters.AddWithValue("$firm", firmId);
        command.Parameters.AddWithValue("$customer", customerId);
        return await ReadSingleAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>> GetLinkedCustomersAsync(string firmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        cancellationToken.ThrowIfCancellationRequested();

        var linked = new Dictionary<string, string>(StringComparer.Ordinal);
        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = SelectLinkedCustomers;
        command.Parameters.AddWithValue("$firm", firmId);
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

        var statuses = query.Statuses.Distinct().ToArray();
        var wanted = query.PageSize + 1;
        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        List<SyncAccountRecord> rows;
        if (statuses.Length <= 1)
        {
            rows = await ListShapeAsync(connection, null, firmId, statuses.Length == 0 ? null : statuses[0], after, wanted, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // One indexed read per status in one read transaction (one snapshot), merged in list order.
            using var transaction = connection.BeginTransaction(deferred: true);
            rows = [];
            foreach (var status in statuses)
            {
                rows.AddRange(await ListShapeAsync(connection, transaction, firmId, status, after, wanted, cancellationToken).ConfigureAwait(false));
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            rows.Sort(static (a, b) =>
            {
                var byName = string.CompareOrdinal(a.AccountName, b.AccountName);
                return byName != 0 ? byName : string.CompareOrdinal(a.AccountId, b.AccountId);
            });
            if (rows.Count > wanted)
            {
                rows.RemoveRange(wanted, rows.Count - wanted);
            }
        }

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

        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: false);
        List<SyncAccountRecord> claimed;
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = Claim;
            command.Parameters.AddWithValue("$firm", firmId);
            command.Parameters.AddWithValue("$owner", ownerId);
            command.Parameters.AddWithValue("$now", SqliteText.FormatTime(now));
            command.Parameters.AddWithValue("$lease_until", SqliteText.FormatTime(now + leaseDuration));
            command.Parameters.AddWithValue("$max", maxCount);
            claimed = await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

        // RETURNING gives rows in no particular order: oldest due first, ties by account id.
        claimed.Sort(static (a, b) =>
        {
            var byDue = a.NextAttemptAt!.Value.CompareTo(b.NextAttemptAt!.Value);
            return byDue != 0 ? byDue : string.CompareOrdinal(a.AccountId, b.AccountId);
        });
        return claimed.AsReadOnly();
    }

    /// <inheritdoc />
    /// <remarks>One transaction for all the accounts.</remarks>
    public async Task<IReadOnlyList<SyncAccountRecord>> RenewLeasesAsync(string firmId, string ownerId, IReadOnlyCollection<string> accountIds, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentException.ThrowIfNullOrEmpty(ownerId);
        ArgumentNullException.ThrowIfNull(accountIds);
        cancellationToken.ThrowIfCancellationRequested();
        var renewed = new List<SyncAccountRecord>(accountIds.Count);
        if (accountIds.Count == 0)
        {
            return renewed.AsReadOnly();
        }

        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: false);
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = RenewLease;
            command.Parameters.AddWithValue("$firm", firmId);
            command.Parameters.AddWithValue("$owner", ownerId);
            command.Parameters.AddWithValue("$lease_until", SqliteText.FormatTime(leaseUntil));
            var account = command.Parameters.Add("$account", SqliteType.Text);
            foreach (var accountId in accountIds)
            {
                if (accountId is null)
                {
                    continue;
                }

                account.Value = accountId;
                renewed.AddRange(await ReadAllAsync(command, cancellationToken).ConfigureAwait(false));
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return renewed.AsReadOnly();
    }

    /// <inheritdoc />
    /// <remarks>A firm counts when at least one of its records could be claimed at <paramref name="now"/>: due, and
    /// with a free or expired lease. The firm ids are in ordinal order.</remarks>
    public async Task<IReadOnlyList<string>> ListFirmsWithDueWorkAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();

        var firms = new List<string>();
        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = SelectFirmsWithDueWork;
        command.Parameters.AddWithValue("$now", SqliteText.FormatTime(now));
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
        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = SelectHistory;
        command.Parameters.AddWithValue("$firm", firmId);
        command.Parameters.AddWithValue("$account", accountId);
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
                At = SqliteText.ParseTime(reader.GetString(5)),
                Note = reader.IsDBNull(6) ? null : reader.GetString(6),
            });
        }

        return history.AsReadOnly();
    }

    /// <inheritdoc />
    public async Task<FirmSyncSettings?> GetFirmSettingsAsync(string firmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        cancellationToken.ThrowIfCancellationRequested();

        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = SelectSettings;
        command.Parameters.AddWithValue("$firm", firmId);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new FirmSyncSettings
        {
            FirmId = firmId,
            RealmId = reader.IsDBNull(0) ? null : reader.GetString(0),
            Scope = (SyncScope)reader.GetInt32(1),
            CreateMissingCustomers = reader.GetInt64(2) != 0,
            Version = reader.GetInt64(3),
            DefaultItemName = reader.IsDBNull(4) ? null : reader.GetString(4),
            LinkedRealmId = reader.IsDBNull(5) ? null : reader.GetString(5),
        };
    }

    /// <inheritdoc />
    public async Task<FirmSyncSettings?> TrySaveFirmSettingsAsync(FirmSyncSettings settings, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(settings.FirmId, nameof(settings));
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        cancellationToken.ThrowIfCancellationRequested();

        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = expectedVersion == 0 ? InsertSettingsIfAbsent : UpdateSettings;
        command.Parameters.AddWithValue("$firm", settings.FirmId);
        command.Parameters.AddWithValue("$realm", (object?)settings.RealmId ?? DBNull.Value);
        command.Parameters.AddWithValue("$scope", (int)settings.Scope);
        command.Parameters.AddWithValue("$create", settings.CreateMissingCustomers ? 1 : 0);
        command.Parameters.AddWithValue("$default_item", (object?)settings.DefaultItemName ?? DBNull.Value);
        command.Parameters.AddWithValue("$linked_realm", (object?)settings.LinkedRealmId ?? DBNull.Value);
        if (expectedVersion != 0)
        {
            command.Parameters.AddWithValue("$expected", expectedVersion);
        }

        try
        {
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1
                ? settings with { Version = expectedVersion + 1 }
                : null;
        }
        catch (SqliteException error) when (error.SqliteErrorCode == SqliteConstraintError)
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

        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = SelectFirmByRealm;
        command.Parameters.AddWithValue("$realm", realmId);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAccountAsync(string firmId, string accountId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        cancellationToken.ThrowIfCancellationRequested();

        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: false);
        var deleted = await ExecuteAsync(connection, transaction, DeleteAccount, firmId, accountId, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, DeleteAccountHistory, firmId, accountId, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted == 1;
    }

    /// <inheritdoc />
    public async Task<int> PurgeFirmAsync(string firmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        cancellationToken.ThrowIfCancellationRequested();

        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: false);
        var deleted = await ExecuteAsync(connection, transaction, DeleteFirmAccounts, firmId, null, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, DeleteFirmHistory, firmId, null, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, DeleteFirmSettings, firmId, null, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    private static async Task<List<SyncAccountRecord>> ListShapeAsync(SqliteConnection connection, SqliteTransaction? transaction, string firmId, SyncStatus? status, (string Name, string Id)? after, int limit, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = (status is null ? ListAll : ListOneStatus) + (after is null ? string.Empty : ListAfter) + ListOrder;
        command.Parameters.AddWithValue("$firm", firmId);
        if (status is { } one)
        {
            command.Parameters.AddWithValue("$status", (int)one);
        }

        command.Parameters.AddWithValue("$limit", limit);
        if (after is { } key)
        {
            command.Parameters.AddWithValue("$after_name", key.Name);
            command.Parameters.AddWithValue("$after_id", key.Id);
        }

        return await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> ExecuteAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, string firmId, string? accountId, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$firm", firmId);
        if (accountId is not null)
        {
            command.Parameters.AddWithValue("$account", accountId);
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task AppendHistoryAsync(SqliteConnection connection, SqliteTransaction transaction, SyncHistoryEntry? history, CancellationToken cancellationToken)
    {
        if (history is null)
        {
            return;
        }

        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = InsertHistory;
        AddHistoryParameters(command, history);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void AddHistoryParameters(SqliteCommand command, SyncHistoryEntry history)
    {
        command.Parameters.AddWithValue("$firm", history.FirmId);
        command.Parameters.AddWithValue("$account", history.AccountId);
        command.Parameters.AddWithValue("$from", (int)history.From);
        command.Parameters.AddWithValue("$to", (int)history.To);
        command.Parameters.AddWithValue("$trigger", (int)history.Trigger);
        command.Parameters.AddWithValue("$reason", (int)history.Reason);
        command.Parameters.AddWithValue("$actor", history.ActorId ?? string.Empty);
        command.Parameters.AddWithValue("$at", SqliteText.FormatTime(history.At));
        command.Parameters.AddWithValue("$note", (object?)history.Note ?? DBNull.Value);
    }

    private static readonly string[] RecordParameterNames =
    [
        "$firm", "$account", "$name", "$billing", "$status", "$reason", "$problem", "$customer", "$customer_name", "$synced_before",
        "$skipped", "$intent", "$attempts", "$next_attempt", "$lease_owner", "$lease_until", "$status_changed",
    ];

    private static void AddRecordParameters(SqliteCommand command, SyncAccountRecord record)
    {
        var values = RecordValues(record);
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters.AddWithValue(RecordParameterNames[i], values[i]);
        }
    }

    /// <summary>The record's column values, in the order of <see cref="RecordParameterNames"/>.</summary>
    private static object[] RecordValues(SyncAccountRecord record) =>
    [
        record.FirmId,
        record.AccountId,
        record.AccountName,
        record.HasBillingActivity ? 1 : 0,
        (int)record.Status,
        (int)record.Reason,
        record.Problem is null ? DBNull.Value : JsonSerializer.Serialize(record.Problem, SqliteJsonContext.Default.SyncProblem),
        (object?)record.CustomerId ?? DBNull.Value,
        (object?)record.CustomerDisplayName ?? DBNull.Value,
        record.WasSyncedBefore ? 1 : 0,
        record.WasSkipped ? 1 : 0,
        record.Intent is null ? DBNull.Value : JsonSerializer.Serialize(record.Intent, SqliteJsonContext.Default.SyncIntent),
        record.Attempts,
        SqliteText.FormatTime(record.NextAttemptAt),
        (object?)record.LeaseOwner ?? DBNull.Value,
        SqliteText.FormatTime(record.LeaseUntil),
        SqliteText.FormatTime(record.StatusChangedAt),
    ];

    private static async Task<SyncAccountRecord?> ReadSingleAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadRecord(reader) : null;
    }

    private static async Task<List<SyncAccountRecord>> ReadAllAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var records = new List<SyncAccountRecord>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(ReadRecord(reader));
        }

        return records;
    }

    private static SyncAccountRecord ReadRecord(SqliteDataReader reader) => new()
    {
        FirmId = reader.GetString(0),
        AccountId = reader.GetString(1),
        AccountName = reader.GetString(2),
        HasBillingActivity = reader.GetInt64(3) != 0,
        Status = (SyncStatus)reader.GetInt32(4),
        Reason = (SyncReason)reader.GetInt32(5),
        Problem = reader.IsDBNull(6) ? null : FreezeProblem(JsonSerializer.Deserialize(reader.GetString(6), SqliteJsonContext.Default.SyncProblem)),
        CustomerId = GetNullableString(reader, 7),
        CustomerDisplayName = GetNullableString(reader, 8),
        WasSyncedBefore = reader.GetInt64(9) != 0,
        WasSkipped = reader.GetInt64(10) != 0,
        Intent = reader.IsDBNull(11) ? null : JsonSerializer.Deserialize(reader.GetString(11), SqliteJsonContext.Default.SyncIntent),
        Attempts = reader.GetInt32(12),
        NextAttemptAt = GetNullableTime(reader, 13),
        LeaseOwner = GetNullableString(reader, 14),
        LeaseUntil = GetNullableTime(reader, 15),
        StatusChangedAt = GetNullableTime(reader, 16),
        Version = reader.GetInt64(17),
    };

    private static string? GetNullableString(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static DateTimeOffset? GetNullableTime(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : SqliteText.ParseTime(reader.GetString(ordinal));

    /// <summary>The record as it now reads back from the database: the new version, times in UTC, and the problem's
    /// customer list copied into a read-only list the caller cannot change.</summary>
    private static SyncAccountRecord Normalize(SyncAccountRecord record, long version) => record with
    {
        Version = version,
        Problem = FreezeProblem(record.Problem),
        NextAttemptAt = SqliteText.ToUtc(record.NextAttemptAt),
        LeaseUntil = SqliteText.ToUtc(record.LeaseUntil),
        StatusChangedAt = SqliteText.ToUtc(record.StatusChangedAt),
    };

    private static SyncProblem? FreezeProblem(SyncProblem? problem) =>
        problem is null ? null : problem with { CustomerIds = (problem.CustomerIds ?? []).ToArray().AsReadOnly() };
    /// <summary>The insert or compare-and-swap statement, prepared once and bound again for each record of a list.</summary>
    private sealed class RecordCommand : IDisposable
    {
        private readonly SqliteCommand _command;
        private readonly SqliteParameter[] _values;
        private readonly SqliteParameter? _expected;

        public RecordCommand(SqliteConnection connection, SqliteTransaction transaction, string sql, bool withExpectedVersion)
        {
            _command = connection.CreateCommand();
            _command.Transaction = transaction;
            _command.CommandText = sql;
            // No declared type: each value binds as what it is (text, integer or NULL), as AddWithValue does.
            _values = RecordParameterNames.Select(name => _command.Parameters.AddWithValue(name, DBNull.Value)).ToArray();
            _expected = withExpectedVersion ? _command.Parameters.Add("$expected", SqliteType.Integer) : null;
        }

        public void Bind(SyncAccountRecord record, long expectedVersion)
        {
            var values = RecordValues(record);
            for (var i = 0; i < values.Length; i++)
            {
                _values[i].Value = values[i];
            }

            if (_expected is not null)
            {
                _expected.Value = expectedVersion;
            }
        }

        /// <summary>Runs the statement: true when it wrote the row, false when it did nothing or a unique index (the
        /// customer link) refused it; SQLite then backs out that statement alone and the transaction goes on.</summary>
        public async Task<bool> ExecuteAsync(CancellationToken cancellationToken)
        {
            try
            {
                return await _command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
            }
            catch (SqliteException error) when (error.SqliteErrorCode == SqliteConstraintError)
            {
                return false;
            }
        }

        public void Dispose() => _command.Dispose();
    }

    /// <summary>The history insert, prepared once and bound again for each entry of a list.</summary>
    private sealed class HistoryCommand : IDisposable
    {
        private readonly SqliteCommand _command;

        public HistoryCommand(SqliteConnection connection, SqliteTransaction transaction)
        {
            _command = connection.CreateCommand();
            _command.Transaction = transaction;
            _command.CommandText = InsertHistory;
        }

        public async Task ExecuteAsync(SyncHistoryEntry history, CancellationToken cancellationToken)
        {
            _command.Parameters.Clear();
            AddHistoryParameters(_command, history);
            await _command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        public void Dispose() => _command.Dispose();
    }
}
