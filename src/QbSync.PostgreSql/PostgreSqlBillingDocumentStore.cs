using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using QbSync.Stores;

namespace QbSync.PostgreSql;

/// <summary>
/// An <see cref="IBillingDocumentStore"/> in the same PostgreSQL schema as <see cref="PostgreSqlAccountStore"/>. The
/// document is stored as JSON beside the columns that claims and listings query. Every operation is one statement:
/// inserts are <c>INSERT … ON CONFLICT DO NOTHING</c>, updates a compare-and-swap on the version with the history entry
/// written by the same statement, and claims lease due documents picked with <c>FOR UPDATE SKIP LOCKED</c>, so two
/// claimers on any machines never get the same document. Every statement is constant text with parameters.
/// </summary>
/// <remarks>
/// Times are <c>timestamptz</c>, microsecond precision: the sub-microsecond part of a time is dropped, and times read
/// back in UTC. Ids and keys are <c>text COLLATE "C"</c>: exact equality, and code point (ordinal) order.
/// </remarks>
public sealed class PostgreSqlBillingDocumentStore : IBillingDocumentStore, IAsyncDisposable, IDisposable
{
    private const string Columns = "body, version, next_attempt_at, lease_owner, lease_until";

    private const string SelectOne = "SELECT " + Columns + " FROM {schema}.billing_documents WHERE firm_id = @firm AND document_key = @key;";

    private const string InsertColumns =
        "firm_id, document_key, account_id, status, document_date, recorded_at, next_attempt_at, lease_owner, lease_until, body, version";

    private const string InsertValues =
        "@firm, @key, @account, @status, @date, @recorded, @next_attempt, @lease_owner, @lease_until, @body, 1";

    private const string HistoryColumns = "firm_id, document_key, from_status, to_status, billing_trigger, reason, actor_id, at, note";

    private const string HistoryValues = "@h_firm, @h_key, @h_from, @h_to, @h_trigger, @h_reason, @h_actor, @h_at, @h_note";

    private const string InsertIfAbsent =
        "INSERT INTO {schema}.billing_documents (" + InsertColumns + ") VALUES (" + InsertValues + ") ON CONFLICT (firm_id, document_key) DO NOTHING;";

    // Data-modifying CTE: the document and its history entry go together or not at all.
    private const string InsertIfAbsentWithHistory =
        "WITH inserted AS (INSERT INTO {schema}.billing_documents (" + InsertColumns + ") VALUES (" + InsertValues + ") "
        + "ON CONFLICT (firm_id, document_key) DO NOTHING RETURNING 1) "
        + "INSERT INTO {schema}.billing_history (" + HistoryColumns + ") SELECT " + HistoryValues + " FROM inserted;";

    private const string Assignments =
        "account_id = @account, status = @status, document_date = @date, recorded_at = @recorded, next_attempt_at = @next_attempt, "
        + "lease_owner = @lease_owner, lease_until = @lease_until, body = @body, version = version + 1";

    private const string CompareAndSwap =
        "UPDATE {schema}.billing_documents SET " + Assignments + " WHERE firm_id = @firm AND document_key = @key AND version = @expected;";

    private const string CompareAndSwapWithHistory =
        "WITH updated AS (UPDATE {schema}.billing_documents SET " + Assignments + " WHERE firm_id = @firm AND document_key = @key AND version = @expected RETURNING 1) "
        + "INSERT INTO {schema}.billing_history (" + HistoryColumns + ") SELECT " + HistoryValues + " FROM updated;";

    private const string SelectHistory =
        "SELECT from_status, to_status, billing_trigger, reason, actor_id, at, note FROM {schema}.billing_history "
        + "WHERE firm_id = @firm AND document_key = @key ORDER BY id;";

    private const string List =
        "SELECT " + Columns + " FROM {schema}.billing_documents WHERE firm_id = @firm "
        + "AND (@account::text IS NULL OR account_id = @account) "
        + "AND (@statuses::integer[] IS NULL OR status = ANY(@statuses)) "
        + "AND (@after::text IS NULL OR document_key > @after) "
        + "ORDER BY document_key LIMIT @limit;";

    // The due documents are picked and row-locked with SKIP LOCKED (a concurrent claimer skips them rather than
    // waiting), re-checked against their latest version, and leased by the same statement.
    private const string Claim =
        "WITH due AS (SELECT document_key FROM {schema}.billing_documents WHERE firm_id = @firm AND next_attempt_at IS NOT NULL "
        + "AND next_attempt_at <= @now AND (lease_until IS NULL OR lease_until <= @now) "
        + "ORDER BY document_date, recorded_at, document_key LIMIT @max FOR UPDATE SKIP LOCKED) "
        + "UPDATE {schema}.billing_documents AS d SET lease_owner = @owner, lease_until = @lease_until, version = d.version + 1 "
        + "FROM due WHERE d.firm_id = @firm AND d.document_key = due.document_key "
        + "RETURNING d.body, d.version, d.next_attempt_at, d.lease_owner, d.lease_until;";

    private const string SelectFirmsWithDue =
        "SELECT DISTINCT firm_id FROM {schema}.billing_documents WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= @now "
        + "AND (lease_until IS NULL OR lease_until <= @now) ORDER BY firm_id;";

    private const string PurgeFirm =
        "WITH history AS (DELETE FROM {schema}.billing_history WHERE firm_id = @firm) "
        + "DELETE FROM {schema}.billing_documents WHERE firm_id = @firm;";

    private readonly PostgreSqlDatabase _database;
    private readonly bool _ownsDatabase;
    private readonly string _selectOne;
    private readonly string _insertIfAbsent;
    private readonly string _insertIfAbsentWithHistory;
    private readonly string _compareAndSwap;
    private readonly string _compareAndSwapWithHistory;
    private readonly string _selectHistory;
    private readonly string _list;
    private readonly string _claim;
    private readonly string _selectFirmsWithDue;
    private readonly string _purgeFirm;

    /// <summary>Creates a store over the schema the options name. Nothing is opened until first use.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentException">The options are not valid (see <see cref="PostgreSqlStoreOptions"/>).</exception>
    public PostgreSqlBillingDocumentStore(PostgreSqlStoreOptions options)
        : this(new PostgreSqlDatabase(options, nameof(options)), ownsDatabase: true)
    {
    }

    /// <summary>Creates a store over the default schema of a database.</summary>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <exception cref="ArgumentException">The connection string is missing or invalid.</exception>
    public PostgreSqlBillingDocumentStore(string connectionString)
        : this(new PostgreSqlStoreOptions { ConnectionString = connectionString })
    {
    }

    internal PostgreSqlBillingDocumentStore(PostgreSqlDatabase database, bool ownsDatabase)
    {
        _database = database;
        _ownsDatabase = ownsDatabase;
        _selectOne = database.Qualify(SelectOne);
        _insertIfAbsent = database.Qualify(InsertIfAbsent);
        _insertIfAbsentWithHistory = database.Qualify(InsertIfAbsentWithHistory);
        _compareAndSwap = database.Qualify(CompareAndSwap);
        _compareAndSwapWithHistory = database.Qualify(CompareAndSwapWithHistory);
        _selectHistory = database.Qualify(SelectHistory);
        _list = database.Qualify(List);
        _claim = database.Qualify(Claim);
        _selectFirmsWithDue = database.Qualify(SelectFirmsWithDue);
        _purgeFirm = database.Qualify(PurgeFirm);
    }

    /// <summary>Creates or upgrades the schema now rather than at first use (see <see cref="PostgreSqlAccountStore.MigrateAsync"/>).</summary>
    /// <param name="cancellationToken">Stops waiting (a migration in progress still completes).</param>
    /// <returns>A task that completes once the schema is current.</returns>
    public Task MigrateAsync(CancellationToken cancellationToken = default) => _database.MigrateAsync(cancellationToken);

    /// <inheritdoc />
    /// <remarks>One statement.</remarks>
    public async Task<int> PurgeFirmAsync(string firmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        cancellationToken.ThrowIfCancellationRequested();
        using var command = await _database.CommandAsync(_purgeFirm, cancellationToken).ConfigureAwait(false);
        command.Parameters.Text("firm", firmId);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<BillingDocumentRecord?> GetAsync(string firmId, string documentKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentException.ThrowIfNullOrEmpty(documentKey);
        cancellationToken.ThrowIfCancellationRequested();
        using var command = await _database.CommandAsync(_selectOne, cancellationToken).ConfigureAwait(false);
        command.Parameters.Text("firm", firmId);
        command.Parameters.Text("key", documentKey);
        var rows = await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <inheritdoc />
    public async Task<BillingDocumentRecord?> TryInsertAsync(BillingDocumentRecord record, BillingHistoryEntry? history = null, CancellationToken cancellationToken = default)
    {
        BillingStoreGuard.ThrowIfInvalid(record, history);
        cancellationToken.ThrowIfCancellationRequested();
        var stored = Normalize(record, 1);
        using var command = await _database.CommandAsync(history is null ? _insertIfAbsent : _insertIfAbsentWithHistory, cancellationToken).ConfigureAwait(false);
        AddRecordParameters(command.Parameters, stored);
        AddHistoryParameters(command.Parameters, history);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1 ? stored : null;
    }

    /// <inheritdoc />
    public async Task<BillingDocumentRecord?> TryUpdateAsync(BillingDocumentRecord record, long expectedVersion, BillingHistoryEntry? history = null, CancellationToken cancellationToken = default)
    {
        BillingStoreGuard.ThrowIfInvalid(record, history);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        cancellationToken.ThrowIfCancellationRequested();
        var stored = Normalize(record, expectedVersion + 1);
        using var command = await _database.CommandAsync(history is null ? _compareAndSwap : _compareAndSwapWithHistory, cancellationToken).ConfigureAwait(false);
        AddRecordParameters(command.Parameters, stored);
        command.Parameters.Bigint("expected", expectedVersion);
        AddHistoryParameters(command.Parameters, history);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1 ? stored : null;
    }

    /// <inheritdoc />
    public async Task<BillingDocumentPage> ListAsync(string firmId, BillingDocumentQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        var after = BillingStoreGuard.StartOfPage(query);
        cancellationToken.ThrowIfCancellationRequested();
        using var command = await _database.CommandAsync(_list, cancellationToken).ConfigureAwait(false);
        command.Parameters.Text("firm", firmId);
        command.Parameters.Text("account", query.AccountId);
        command.Parameters.Add(new NpgsqlParameter("statuses", NpgsqlDbType.Array | NpgsqlDbType.Integer)
        {
            Value = query.Statuses.Count == 0 ? DBNull.Value : query.Statuses.Distinct().Select(static s => (int)s).ToArray(),
        });
        command.Parameters.Text("after", after);
        command.Parameters.Integer("limit", query.PageSize + 1);
        var rows = await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
        if (rows.Count <= query.PageSize)
        {
            return new BillingDocumentPage(rows.AsReadOnly(), null);
        }

        rows.RemoveAt(rows.Count - 1);
        return new BillingDocumentPage(rows.AsReadOnly(), BillingStoreGuard.TokenAfter(rows[^1].DocumentKey));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<BillingDocumentRecord>> ClaimDueAsync(string firmId, string ownerId, DateTimeOffset now, TimeSpan leaseDuration, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentException.ThrowIfNullOrEmpty(ownerId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        using var command = await _database.CommandAsync(_claim, cancellationToken).ConfigureAwait(false);
        command.Parameters.Text("firm", firmId);
        command.Parameters.Text("owner", ownerId);
        command.Parameters.Time("now", now);
        command.Parameters.Time("lease_until", now + leaseDuration);
        command.Parameters.Integer("max", maxCount);
        var claimed = await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);

        // UPDATE … RETURNING does not keep the CTE's order.
        claimed.Sort(BillingStoreGuard.CompareForClaim);
        return claimed.AsReadOnly();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListFirmsWithDueDocumentsAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var firms = new List<string>();
        using var command = await _database.CommandAsync(_selectFirmsWithDue, cancellationToken).ConfigureAwait(false);
        command.Parameters.Time("now", now);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            firms.Add(reader.GetString(0));
        }

        return firms.AsReadOnly();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<BillingHistoryEntry>> GetHistoryAsync(string firmId, string documentKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentException.ThrowIfNullOrEmpty(documentKey);
        cancellationToken.ThrowIfCancellationRequested();
        var history = new List<BillingHistoryEntry>();
        using var command = await _database.CommandAsync(_selectHistory, cancellationToken).ConfigureAwait(false);
        command.Parameters.Text("firm", firmId);
        command.Parameters.Text("key", documentKey);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            history.Add(new BillingHistoryEntry
            {
                FirmId = firmId,
                DocumentKey = documentKey,
                From = (SyncStatus)reader.GetInt32(0),
                To = (SyncStatus)reader.GetInt32(1),
                Trigger = (BillingTrigger)reader.GetInt32(2),
                Reason = (BillingReason)reader.GetInt32(3),
                ActorId = reader.GetString(4),
                At = reader.GetTime(5),
                Note = reader.GetNullableString(6),
            });
        }

        return history.AsReadOnly();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsDatabase)
        {
            _database.Dispose();
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _ownsDatabase ? _database.DisposeAsync() : ValueTask.CompletedTask;

    private static void AddHistoryParameters(NpgsqlParameterCollection parameters, BillingHistoryEntry? history)
    {
        if (history is null)
        {
            return;
        }

        parameters.Text("h_firm", history.FirmId);
        parameters.Text("h_key", history.DocumentKey);
        parameters.Integer("h_from", (int)history.From);
        parameters.Integer("h_to", (int)history.To);
        parameters.Integer("h_trigger", (int)history.Trigger);
        parameters.Integer("h_reason", (int)history.Reason);
        parameters.Text("h_actor", history.ActorId ?? string.Empty);
        parameters.Time("h_at", history.At);
        parameters.Text("h_note", history.Note);
    }

    private static void AddRecordParameters(NpgsqlParameterCollection parameters, BillingDocumentRecord record)
    {
        parameters.Text("firm", record.FirmId);
        parameters.Text("key", record.DocumentKey);
        parameters.Text("account", record.AccountId);
        parameters.Integer("status", (int)record.Status);
        parameters.Add(new NpgsqlParameter<DateOnly>("date", NpgsqlDbType.Date) { TypedValue = record.DocumentDate });
        parameters.Time("recorded", record.RecordedAt);
        parameters.Time("next_attempt", record.NextAttemptAt);
        parameters.Text("lease_owner", record.LeaseOwner);
        parameters.Time("lease_until", record.LeaseUntil);
        parameters.Json("body", JsonSerializer.Serialize(record, PostgreSqlJsonContext.Default.BillingDocumentRecord));
    }

    private static async Task<List<BillingDocumentRecord>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var records = new List<BillingDocumentRecord>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            // The columns hold what claims change without rewriting the JSON: version, due time and lease.
            var body = JsonSerializer.Deserialize(reader.GetString(0), PostgreSqlJsonContext.Default.BillingDocumentRecord)!;
            records.Add(Normalize(body, reader.GetInt64(1)) with
            {
                NextAttemptAt = reader.GetNullableTime(2),
                LeaseOwner = reader.GetNullableString(3),
                LeaseUntil = reader.GetNullableTime(4),
            });
        }

        return records;
    }

    /// <summary>The record as it reads back: the version, times in UTC to the microsecond, lists copied.</summary>
    private static BillingDocumentRecord Normalize(BillingDocumentRecord record, long version) => record with
    {
        Version = version,
        RecordedAt = PostgreSqlValues.ToStored(record.RecordedAt),
        NextAttemptAt = PostgreSqlValues.ToStored(record.NextAttemptAt),
        LeaseUntil = PostgreSqlValues.ToStored(record.LeaseUntil),
        StatusChangedAt = PostgreSqlValues.ToStored(record.StatusChangedAt),
        Invoice = record.Invoice is null ? null : record.Invoice with { Lines = record.Invoice.Lines.ToArray().AsReadOnly() },
        Payment = record.Payment is null ? null : record.Payment with { Applications = record.Payment.Applications.ToArray().AsReadOnly() },
    };
}
