using Npgsql;
using NpgsqlTypes;
using QbSync.QuickBooks.Http;

namespace QbSync.PostgreSql;

/// <summary>
/// The per-realm QuickBooks request budget in PostgreSQL (<see cref="IRealmRequestBudgetStore"/>): every process on
/// every machine that uses this schema counts its requests against one budget per realm, so that together they stay
/// inside QBO's limits. One round trip takes a permit (a function serialized per realm by an advisory lock, on the
/// database server's clock) and one gives it back.
/// </summary>
public sealed class PostgreSqlRequestBudgetStore : IRealmRequestBudgetStore, IAsyncDisposable, IDisposable
{
    private const string Acquire = "SELECT {schema}.request_permit_acquire($1, $2, $3, $4, $5, $6, $7, $8);";

    private const string Release =
        "UPDATE {schema}.request_permits SET in_flight_until = NULL, window_end = clock_timestamp() + $2 WHERE permit_id = $1;";

    private readonly PostgreSqlDatabase _database;
    private readonly bool _ownsDatabase;
    private readonly string _acquire;
    private readonly string _release;

    /// <summary>Creates a budget store over the schema the options name. Nothing is opened until first use.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentException">The options are not valid (see <see cref="PostgreSqlStoreOptions"/>).</exception>
    public PostgreSqlRequestBudgetStore(PostgreSqlStoreOptions options)
        : this(new PostgreSqlDatabase(options, nameof(options)), ownsDatabase: true)
    {
    }

    internal PostgreSqlRequestBudgetStore(PostgreSqlDatabase database, bool ownsDatabase)
    {
        _database = database;
        _ownsDatabase = ownsDatabase;
        _acquire = database.Qualify(Acquire);
        _release = database.Qualify(Release);
    }

    /// <inheritdoc />
    public async ValueTask<TimeSpan?> TryAcquireAsync(RealmRequestPermit permit, RealmRequestLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(permit);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentException.ThrowIfNullOrEmpty(permit.RealmId, nameof(permit));
        cancellationToken.ThrowIfCancellationRequested();

        using var command = await _database.CommandAsync(_acquire, cancellationToken).ConfigureAwait(false);
        var parameters = command.Parameters;
        parameters.Add(new NpgsqlParameter<Guid> { TypedValue = permit.Id, NpgsqlDbType = NpgsqlDbType.Uuid });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = permit.RealmId, NpgsqlDbType = NpgsqlDbType.Text });
        parameters.Add(new NpgsqlParameter<bool> { TypedValue = permit.Kind == QuickBooksRequestKind.Batch, NpgsqlDbType = NpgsqlDbType.Boolean });
        parameters.Add(new NpgsqlParameter<int> { TypedValue = limits.MaxInFlight, NpgsqlDbType = NpgsqlDbType.Integer });
        parameters.Add(new NpgsqlParameter<int> { TypedValue = limits.RequestsPerWindow, NpgsqlDbType = NpgsqlDbType.Integer });
        parameters.Add(new NpgsqlParameter<int> { TypedValue = limits.BatchRequestsPerWindow, NpgsqlDbType = NpgsqlDbType.Integer });
        parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = limits.Window, NpgsqlDbType = NpgsqlDbType.Interval });
        parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = limits.InFlightLease, NpgsqlDbType = NpgsqlDbType.Interval });
        var waitSeconds = Convert.ToDouble(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        return waitSeconds <= 0 ? null : TimeSpan.FromSeconds(waitSeconds);
    }

    /// <inheritdoc />
    public async ValueTask ReleaseAsync(RealmRequestPermit permit, RealmRequestLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(permit);
        ArgumentNullException.ThrowIfNull(limits);
        cancellationToken.ThrowIfCancellationRequested();

        using var command = await _database.CommandAsync(_release, cancellationToken).ConfigureAwait(false);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = permit.Id, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = limits.Window, NpgsqlDbType = NpgsqlDbType.Interval });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the connection pool when this store created it (from the options' connection string).</summary>
    public void Dispose()
    {
        if (_ownsDatabase)
        {
            _database.Dispose();
        }
    }

    /// <summary>Closes the connection pool when this store created it (from the options' connection string).</summary>
    /// <returns>A task that completes once the pool is closed.</returns>
    public ValueTask DisposeAsync() => _ownsDatabase ? _database.DisposeAsync() : ValueTask.CompletedTask;
}
