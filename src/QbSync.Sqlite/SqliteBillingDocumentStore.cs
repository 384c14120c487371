using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using QbSync.Stores;

namespace QbSync.Sqlite;

/// <summary>
/// An <see cref="IBillingDocumentStore"/> in the same SQLite database file as <see cref="SqliteAccountStore"/>. The
/// document is stored as JSON beside the columns that claims and listings query; updates are a compare-and-swap on
/// the version with the history entry in the same transaction, and claims select and lease due documents in one
/// <c>BEGIN IMMEDIATE</c> transaction (<c>UPDATE … RETURNING</c>), so two processes never claim one document. Every
/// statement is constant text with parameters.
/// </summary>
public sealed class SqliteBillingDocumentStore : IBillingDocumentStore
{
    private const string Columns = "body, version, next_attempt_at, lease_owner, lease_until";

    private const string SelectOne = "SELECT " + Columns + " FROM billing_documents WHERE firm_id = $firm AND document_key = $key;";

    private const string InsertIfAbsent =
        "INSERT INTO billing_documents (firm_id, document_key, account_id, status, document_date, recorded_at, next_attempt_at, lease_owner, lease_until, body, version) "
        + "VALUES ($firm, $key, $account, $status, $date, $recorded, $next_attempt, $lease_owner, $lease_until, $body, 1) "
        + "ON CONFLICT (firm_id, document_key) DO NOTHING;";

    private const string CompareAndSwap =
        "UPDATE billing_documents SET account_id = $account, status = $status, document_date = $date, recorded_at = $recorded, "
        + "next_attempt_at = $next_attempt, lease_owner = $lease_owner, lease_until = $lease_until, body = $body, version = version + 1 "
        + "WHERE firm_id = $firm AND document_key = $key AND version = $expected;";

    private const string InsertHistory =
        "INSERT INTO billing_history (firm_id, document_key, from_status, to_status, billing_trigger, reason, actor_id, at, note) "
        + "VALUES ($firm, $key, $from, $to, $trigger, $reason, $actor, $at, $note);";

    private const string SelectHistory =
        "SELECT from_status, to_status, billing_trigger, reason, actor_id, at, note FROM billing_history "
        + "WHERE firm_id = $firm AND document_key = $key ORDER BY id;";

    private const string List =
        "SELECT " + Columns + " FROM billing_documents WHERE firm_id = $firm "
        + "AND ($account IS NULL OR account_id = $account) "
        + "AND ($statuses IS NULL OR status IN (SELECT value FROM json_each($statuses))) "
        + "AND ($after IS NULL OR document_key > $after) "
        + "ORDER BY document_key COLLATE BINARY LIMIT $limit;";

    private const string Claim =
        "UPDATE billing_documents SET lease_owner = $owner, lease_until = $lease_until, version = version + 1 "
        + "WHERE firm_id = $firm AND document_key IN ("
        + "SELECT document_key FROM billing_documents WHERE firm_id = $firm AND next_attempt_at IS NOT NULL AND next_attempt_at <= $now "
        + "AND (lease_until IS NULL OR lease_until <= $now) "
        + "ORDER BY document_date, recorded_at, document_key COLLATE BINARY LIMIT $max) "
        + "RETURNING " + Columns + ";";

    private const string SelectFirmsWithDue =
        "SELECT DISTINCT firm_id FROM billing_documents WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= $now "
        + "AND (lease_until IS NULL OR lease_until <= $now) ORDER BY firm_id COLLATE BINARY;";

    private const string DeleteFirmHistory = "DELETE FROM billing_history WHERE firm_id = $firm;";

    private const string DeleteFirmDocuments = "DELETE FROM billing_documents WHERE firm_id = $firm;";

    private readonly SqliteDatabase _database;

    /// <summary>Creates a store over the database the options name. Nothing is opened until first use.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentException">The connection string is missing, invalid, in-memory or read-only.</exception>
    public SqliteBillingDocumentStore(SqliteStoreOptions options)
    {
        _database = new SqliteDatabase(options, nameof(options));
    }

    /// <summary>Creates a store over a database file.</summary>
    /// <param name="connectionString">The connection string, for example <c>Data Source=qbsync.db</c>.</param>
    public SqliteBillingDocumentStore(string connectionString)
        : this(new SqliteStoreOptions { ConnectionString = connectionString })
    {
    }

    /// <inheritdoc />
    public async Task<BillingDocumentRecord?> GetAsync(string firmId, string documentKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentException.ThrowIfNullOrEmpty(documentKey);
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = SelectOne;
        command.Parameters.AddWithValue("$firm", firmId);
        command.Parameters.AddWithValue("$key", documentKey);
        var rows = await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <inheritdoc />
    public async Task<BillingDocumentRecord?> TryInsertAsync(BillingDocumentRecord record, BillingHistoryEntry? history = null, CancellationToken cancellationToken = default)
    {
        BillingStoreGuard.ThrowIfInvalid(record, history);
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: false);
        var stored = Normalize(record, 1);
        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = InsertIfAbsent;
            AddRecordParameters(insert, stored);
            if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                return null;
            }
        }

        await AppendHistoryAsync(connection, transaction, history, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return stored;
    }

    /// <inheritdoc />
    public async Task<BillingDocumentRecord?> TryUpdateAsync(BillingDocumentRecord record, long expectedVersion, BillingHistoryEntry? history = null, CancellationToken cancellationToken = default)
    {
        BillingStoreGuard.ThrowIfInvalid(record, history);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: false);
        var stored = Normalize(record, expectedVersion + 1);
        using (var update = connection.CreateCommand())
        {
            update.Transaction = transaction;
            update.CommandText = CompareAndSwap;
            AddRecordParameters(update, stored);
            update.Parameters.AddWithValue("$expected", expectedVersion);
            if (await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                return null;
            }
        }

        await AppendHistoryAsync(connection, transaction, history, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return stored;
    }

    /// <inheritdoc />
    public async Task<BillingDocumentPage> ListAsync(string firmId, BillingDocumentQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        var after = BillingStoreGuard.StartOfPage(query);
        cancellationToken.ThrowIfCancellationRequested();
        var statuses = query.Statuses.Count == 0
            ? null
            : "[" + string.Join(',', query.Statuses.Distinct().Select(s => ((int)s).ToString(CultureInfo.InvariantCulture))) + "]";
        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = List;
        command.Parameters.AddWithValue("$firm", firmId);
        command.Parameters.AddWithValue("$account", (object?)query.AccountId ?? DBNull.Value);
        command.Parameters.AddWithValue("$statuses", (object?)statuses ?? DBNull.Value);
        command.Parameters.AddWithValue("$after", (object?)after ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", query.PageSize + 1);
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
        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: false);
        List<BillingDocumentRecord> claimed;
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
        claimed.Sort(BillingStoreGuard.CompareForClaim);
        return claimed.AsReadOnly();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListFirmsWithDueDocumentsAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var firms = new List<string>();
        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = SelectFirmsWithDue;
        command.Parameters.AddWithValue("$now", SqliteText.FormatTime(now));
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
        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = SelectHistory;
        command.Parameters.AddWithValue("$firm", firmId);
        command.Parameters.AddWithValue("$key", documentKey);
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
                At = SqliteText.ParseTime(reader.GetString(5)),
                Note = reader.IsDBNull(6) ? null : reader.GetString(6),
            });
        }

        return history.AsReadOnly();
    }

    /// <inheritdoc />
    /// <remarks>One transaction.</remarks>
    public async Task<int> PurgeFirmAsync(string firmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: false);
        int deleted;
        using (var history = connection.CreateCommand())
        {
            history.Transaction = transaction;
            history.CommandText = DeleteFirmHistory;
            history.Parameters.AddWithValue("$firm", firmId);
            await history.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        using (var documents = connection.CreateCommand())
        {
            documents.Transaction = transaction;
            documents.CommandText = DeleteFirmDocuments;
            documents.Parameters.AddWithValue("$firm", firmId);
            deleted = await documents.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    private static async Task AppendHistoryAsync(SqliteConnection connection, SqliteTransaction transaction, BillingHistoryEntry? history, CancellationToken cancellationToken)
    {
        if (history is null)
        {
            return;
        }

        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = InsertHistory;
        command.Parameters.AddWithValue("$firm", history.FirmId);
        command.Parameters.AddWithValue("$key", history.DocumentKey);
        command.Parameters.AddWithValue("$from", (int)history.From);
        command.Parameters.AddWithValue("$to", (int)history.To);
        command.Parameters.AddWithValue("$trigger", (int)history.Trigger);
        command.Parameters.AddWithValue("$reason", (int)history.Reason);
        command.Parameters.AddWithValue("$actor", history.ActorId ?? string.Empty);
        command.Parameters.AddWithValue("$at", SqliteText.FormatTime(history.At));
        command.Parameters.AddWithValue("$note", (object?)history.Note ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void AddRecordParameters(SqliteCommand command, BillingDocumentRecord record)
    {
        var p = command.Parameters;
        p.AddWithValue("$firm", record.FirmId);
        p.AddWithValue("$key", record.DocumentKey);
        p.AddWithValue("$account", record.AccountId);
        p.AddWithValue("$status", (int)record.Status);
        p.AddWithValue("$date", record.DocumentDate.ToString("yyyy'-'MM'-'dd", CultureInfo.InvariantCulture));
        p.AddWithValue("$recorded", SqliteText.FormatTime(record.RecordedAt));
        p.AddWithValue("$next_attempt", SqliteText.FormatTime(record.NextAttemptAt));
        p.AddWithValue("$lease_owner", (object?)record.LeaseOwner ?? DBNull.Value);
        p.AddWithValue("$lease_until", SqliteText.FormatTime(record.LeaseUntil));
        p.AddWithValue("$body", JsonSerializer.Serialize(record, SqliteJsonContext.Default.BillingDocumentRecord));
    }

    private static async Task<List<BillingDocumentRecord>> ReadAllAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var records = new List<BillingDocumentRecord>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            // The columns hold what claims change without rewriting the JSON: version, due time and lease.
            var body = JsonSerializer.Deserialize(reader.GetString(0), SqliteJsonContext.Default.BillingDocumentRecord)!;
            records.Add(Normalize(body, reader.GetInt64(1)) with
            {
                NextAttemptAt = reader.IsDBNull(2) ? null : SqliteText.ParseTime(reader.GetString(2)),
                LeaseOwner = reader.IsDBNull(3) ? null : reader.GetString(3),
                LeaseUntil = reader.IsDBNull(4) ? null : SqliteText.ParseTime(reader.GetString(4)),
            });
        }

        return records;
    }

    /// <summary>The record as it reads back: the version, times in UTC, lists copied.</summary>
    private static BillingDocumentRecord Normalize(BillingDocumentRecord record, long version) => record with
    {
        Version = version,
        RecordedAt = record.RecordedAt.ToUniversalTime(),
        NextAttemptAt = SqliteText.ToUtc(record.NextAttemptAt),
        LeaseUntil = SqliteText.ToUtc(record.LeaseUntil),
        StatusChangedAt = SqliteText.ToUtc(record.StatusChangedAt),
        Invoice = record.Invoice is null ? null : record.Invoice with { Lines = record.Invoice.Lines.ToArray().AsReadOnly() },
        Payment = record.Payment is null ? null : record.Payment with { Applications = record.Payment.Applications.ToArray().AsReadOnly() },
    };
}
