using Npgsql;
using QbSync.QuickBooks.Webhooks;
using QbSync.Stores;

namespace QbSync.PostgreSql;

/// <summary>
/// An <see cref="IQuickBooksEventInbox"/> in the same PostgreSQL schema as <see cref="PostgreSqlAccountStore"/> (table
/// <c>webhook_inbox</c>, migration 5). Recording is <c>INSERT … ON CONFLICT DO NOTHING</c> on the event key, a batch
/// in one transaction; claims lease pending events picked with <c>FOR UPDATE SKIP LOCKED</c> in one statement, so two
/// claimers on any machines never get the same event. Every statement is constant text with parameters.
/// </summary>
/// <remarks>Times are <c>timestamptz</c>, microsecond precision, read back in UTC.</remarks>
public sealed class PostgreSqlQuickBooksEventInbox : IQuickBooksEventInbox, IAsyncDisposable, IDisposable
{
    private const string Columns =
        "event_key, firm_id, realm_id, entity_name, entity_id, operation, event_type, deleted_id, occurred_at, event_id, "
        + "received_at, attempts, lease_owner, lease_until, completed_at, error, seq";

    private const string Insert =
        "INSERT INTO {schema}.webhook_inbox (event_key, firm_id, realm_id, entity_name, entity_id, operation, event_type, deleted_id, "
        + "occurred_at, event_id, received_at) VALUES (@key, @firm, @realm, @entity, @entity_id, @operation, @event_type, "
        + "@deleted_id, @occurred_at, @event_id, @received_at) ON CONFLICT (event_key) DO NOTHING;";

    // The pending events are picked and row-locked with SKIP LOCKED (a concurrent claimer skips them rather than
    // waiting), re-checked against their latest version, and leased by the same statement.
    private const string Claim =
        "WITH due AS (SELECT event_key FROM {schema}.webhook_inbox WHERE completed_at IS NULL "
        + "AND (lease_until IS NULL OR lease_until <= @now) ORDER BY received_at, seq LIMIT @max FOR UPDATE SKIP LOCKED) "
        + "UPDATE {schema}.webhook_inbox AS w SET lease_owner = @owner, lease_until = @lease_until, attempts = w.attempts + 1 "
        + "FROM due WHERE w.event_key = due.event_key RETURNING "
        + "w.event_key, w.firm_id, w.realm_id, w.entity_name, w.entity_id, w.operation, w.event_type, w.deleted_id, w.occurred_at, "
        + "w.event_id, w.received_at, w.attempts, w.lease_owner, w.lease_until, w.completed_at, w.error, w.seq;";

    private const string Complete =
        "UPDATE {schema}.webhook_inbox SET completed_at = @completed_at, error = @error, lease_owner = NULL, lease_until = NULL "
        + "WHERE event_key = @key AND completed_at IS NULL AND lease_owner = @owner;";

    private const string SelectOne = "SELECT " + Columns + " FROM {schema}.webhook_inbox WHERE event_key = @key;";

    private readonly PostgreSqlDatabase _database;
    private readonly bool _ownsDatabase;
    private readonly string _insert;
    private readonly string _claim;
    private readonly string _complete;
    private readonly string _selectOne;

    /// <summary>Creates an inbox over the schema the options name. Nothing is opened until first use.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentException">The options are not valid (see <see cref="PostgreSqlStoreOptions"/>).</exception>
    public PostgreSqlQuickBooksEventInbox(PostgreSqlStoreOptions options)
        : this(new PostgreSqlDatabase(options, nameof(options)), ownsDatabase: true)
    {
    }

    /// <summary>Creates an inbox over the default schema of a database.</summary>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <exception cref="ArgumentException">The connection string is missing or invalid.</exception>
    public PostgreSqlQuickBooksEventInbox(string connectionString)
        : this(new PostgreSqlStoreOptions { ConnectionString = connectionString })
    {
    }

    internal PostgreSqlQuickBooksEventInbox(PostgreSqlDatabase database, bool ownsDatabase)
    {
        _database = database;
        _ownsDatabase = ownsDatabase;
        _insert = database.Qualify(Insert);
        _claim = database.Qualify(Claim);
        _complete = database.Qualify(Complete);
        _selectOne = database.Qualify(SelectOne);
    }

    /// <summary>Creates or upgrades the schema now rather than at first use (see <see cref="PostgreSqlAccountStore.MigrateAsync"/>).</summary>
    /// <param name="cancellationToken">Stops waiting (a migration in progress still completes).</param>
    /// <returns>A task that completes once the schema is current.</returns>
    public Task MigrateAsync(CancellationToken cancellationToken = default) => _database.MigrateAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<int> AddAsync(IEnumerable<QuickBooksInboxEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        var list = events.ToList();
        foreach (var item in list)
        {
            QuickBooksEventInboxGuard.ThrowIfInvalid(item);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (list.Count == 0)
        {
            return 0;
        }

        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var added = 0;
        foreach (var item in list)
        {
            using var command = new NpgsqlCommand(_insert, connection, transaction);
            var e = item.Event;
            var p = command.Parameters;
            p.Text("key", item.EventKey);
            p.Text("firm", item.FirmId);
            p.Text("realm", e.RealmId);
            p.Text("entity", e.EntityName);
            p.Text("entity_id", e.EntityId);
            p.Integer("operation", (int)e.Operation);
            p.Text("event_type", e.EventType);
            p.Text("deleted_id", e.DeletedId);
            p.Time("occurred_at", e.OccurredAt);
            p.Text("event_id", e.EventId);
            p.Time("received_at", item.ReceivedAt);
            added += await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return added;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<QuickBooksInboxEvent>> ClaimAsync(string ownerId, DateTimeOffset now, TimeSpan leaseDuration, int maxCount, CancellationToken cancellationToken = default)
    {
        QuickBooksEventInboxGuard.ThrowIfInvalidClaim(ownerId, leaseDuration, maxCount);
        cancellationToken.ThrowIfCancellationRequested();

        var claimed = new List<(QuickBooksInboxEvent Event, long Seq)>();
        using (var command = await _database.CommandAsync(_claim, cancellationToken).ConfigureAwait(false))
        {
            command.Parameters.Text("owner", ownerId);
            command.Parameters.Time("now", now);
            command.Parameters.Time("lease_until", now + leaseDuration);
            command.Parameters.Integer("max", maxCount);
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                claimed.Add((Read(reader), reader.GetInt64(16)));
            }
        }

        // RETURNING gives rows in no particular order: oldest received first, ties in arrival order.
        claimed.Sort(static (a, b) =>
        {
            var byTime = a.Event.ReceivedAt.CompareTo(b.Event.ReceivedAt);
            return byTime != 0 ? byTime : a.Seq.CompareTo(b.Seq);
        });
        return claimed.ConvertAll(c => c.Event).AsReadOnly();
    }

    /// <inheritdoc />
    public async Task<bool> CompleteAsync(string eventKey, string ownerId, DateTimeOffset completedAt, string? failure = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventKey);
        ArgumentException.ThrowIfNullOrEmpty(ownerId);
        cancellationToken.ThrowIfCancellationRequested();

        using var command = await _database.CommandAsync(_complete, cancellationToken).ConfigureAwait(false);
        command.Parameters.Text("key", eventKey);
        command.Parameters.Text("owner", ownerId);
        command.Parameters.Time("completed_at", completedAt);
        command.Parameters.Text("error", failure);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async Task<QuickBooksInboxEvent?> GetAsync(string eventKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventKey);
        cancellationToken.ThrowIfCancellationRequested();

        using var command = await _database.CommandAsync(_selectOne, cancellationToken).ConfigureAwait(false);
        command.Parameters.Text("key", eventKey);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
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

    private static QuickBooksInboxEvent Read(NpgsqlDataReader reader) => new()
    {
        EventKey = reader.GetString(0),
        FirmId = reader.GetString(1),
        Event = new QuickBooksWebhookEvent
        {
            RealmId = reader.GetString(2),
            EntityName = reader.GetString(3),
            EntityId = reader.GetString(4),
            Operation = (QuickBooksWebhookOperation)reader.GetInt32(5),
            EventType = reader.GetNullableString(6),
            DeletedId = reader.GetNullableString(7),
            OccurredAt = reader.GetNullableTime(8),
            EventId = reader.GetNullableString(9),
        },
        ReceivedAt = reader.GetTime(10),
        Attempts = reader.GetInt32(11),
        LeaseOwner = reader.GetNullableString(12),
        LeaseUntil = reader.GetNullableTime(13),
        CompletedAt = reader.GetNullableTime(14),
        Error = reader.GetNullableString(15),
    };
}
