using System.Globalization;
using QbSync.QuickBooks.Http;

namespace QbSync.Sqlite;

/// <summary>
/// The per-realm QuickBooks request budget in the SQLite file (<see cref="IRealmRequestBudgetStore"/>): every process
/// on this machine that uses the file counts its requests against one budget per realm, so that together they stay
/// inside QBO's limits. Taking a permit is one <c>BEGIN IMMEDIATE</c> transaction (the file's writer lock serializes
/// it), giving it back one statement.
/// </summary>
public sealed class SqliteRequestBudgetStore : IRealmRequestBudgetStore
{
    private const string DeleteExpired = "DELETE FROM request_permits WHERE realm_id = $realm AND window_end <= $now;";

    private const string Count =
        "SELECT count(*), coalesce(sum(is_batch), 0), coalesce(sum(in_flight_until IS NOT NULL AND in_flight_until > $now), 0), "
        + "min(CASE WHEN in_flight_until IS NULL THEN window_end END), min(CASE WHEN in_flight_until IS NULL AND is_batch = 1 THEN window_end END) "
        + "FROM request_permits WHERE realm_id = $realm;";

    private const string Insert =
        "INSERT INTO request_permits (permit_id, realm_id, is_batch, in_flight_until, window_end) VALUES ($permit, $realm, $batch, $lease_until, $window_end);";

    private const string Release = "UPDATE request_permits SET in_flight_until = NULL, window_end = $window_end WHERE permit_id = $permit;";

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);

    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;

    /// <summary>Creates a budget store over the database the options name. Nothing is opened until first use.</summary>
    /// <param name="options">The options.</param>
    /// <param name="timeProvider">The clock (the system clock when <see langword="null"/>); every process on the file
    /// reads the same machine clock.</param>
    /// <exception cref="ArgumentException">The connection string is missing, invalid, in-memory or read-only.</exception>
    public SqliteRequestBudgetStore(SqliteStoreOptions options, TimeProvider? timeProvider = null)
    {
        _database = new SqliteDatabase(options, nameof(options));
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async ValueTask<TimeSpan?> TryAcquireAsync(RealmRequestPermit permit, RealmRequestLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(permit);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentException.ThrowIfNullOrEmpty(permit.RealmId, nameof(permit));
        cancellationToken.ThrowIfCancellationRequested();

        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: false);
        var now = _time.GetUtcNow();
        var nowText = SqliteText.FormatTime(now);
        using (var delete = connection.CreateCommand())
        {
            delete.Transaction = transaction;
            delete.CommandText = DeleteExpired;
            delete.Parameters.AddWithValue("$realm", permit.RealmId);
            delete.Parameters.AddWithValue("$now", nowText);
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        long requests, batches, inFlight;
        string? oldestReleased, oldestReleasedBatch;
        using (var count = connection.CreateCommand())
        {
            count.Transaction = transaction;
            count.CommandText = Count;
            count.Parameters.AddWithValue("$realm", permit.RealmId);
            count.Parameters.AddWithValue("$now", nowText);
            using var reader = await count.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            requests = reader.GetInt64(0);
            batches = reader.GetInt64(1);
            inFlight = reader.GetInt64(2);
            oldestReleased = reader.IsDBNull(3) ? null : reader.GetString(3);
            oldestReleasedBatch = reader.IsDBNull(4) ? null : reader.GetString(4);
        }

        var isBatch = permit.Kind == QuickBooksRequestKind.Batch;
        if (inFlight < limits.MaxInFlight && requests < limits.RequestsPerWindow && (!isBatch || batches < limits.BatchRequestsPerWindow))
        {
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = Insert;
            insert.Parameters.AddWithValue("$permit", permit.Id.ToString("N", CultureInfo.InvariantCulture));
            insert.Parameters.AddWithValue("$realm", permit.RealmId);
            insert.Parameters.AddWithValue("$batch", isBatch ? 1 : 0);
            insert.Parameters.AddWithValue("$lease_until", SqliteText.FormatTime(now + limits.InFlightLease));
            insert.Parameters.AddWithValue("$window_end", SqliteText.FormatTime(now + limits.InFlightLease + limits.Window));
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

        // A full window frees up when its oldest released permit leaves it; a full in-flight count when a request ends.
        var retryAt = requests >= limits.RequestsPerWindow ? oldestReleased
            : isBatch && batches >= limits.BatchRequestsPerWindow ? oldestReleasedBatch
            : null;
        if (retryAt is null)
        {
            return Poll;
        }

        var wait = SqliteText.ParseTime(retryAt) - now;
        return wait > Poll ? wait : Poll;
    }

    /// <inheritdoc />
    public async ValueTask ReleaseAsync(RealmRequestPermit permit, RealmRequestLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(permit);
        ArgumentNullException.ThrowIfNull(limits);
        cancellationToken.ThrowIfCancellationRequested();

        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = Release;
        command.Parameters.AddWithValue("$permit", permit.Id.ToString("N", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$window_end", SqliteText.FormatTime(_time.GetUtcNow() + limits.Window));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
