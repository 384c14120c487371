using Microsoft.Data.Sqlite;
using QbSync.QuickBooks.Webhooks;
using QbSync.Stores;

namespace QbSync.Sqlite;

/// <summary>
/// An <see cref="IQuickBooksEventInbox"/> in the same SQLite database file as <see cref="SqliteAccountStore"/> (table
/// <c>webhook_inbox</c>, migration 5). Recording is <c>INSERT … ON CONFLICT DO NOTHING</c> on the event key; claims
/// select and lease pending events in one <c>BEGIN IMMEDIATE</c> transaction, so two claimers (in one process or two)
/// never get the same event. Every statement is constant text with parameters.
/// </summary>
public sealed class SqliteQuickBooksEventInbox : IQuickBooksEventInbox
{
    private const string Columns =
        "event_key, firm_id, realm_id, entity_name, entity_id, operation, event_type, deleted_id, occurred_at, event_id, "
        + "received_at, attempts, lease_owner, lease_until, completed_at, error";

    private const string Insert =
        "INSERT INTO webhook_inbox (event_key, firm_id, realm_id, entity_name, entity_id, operation, event_type, deleted_id, "
        + "occurred_at, event_id, received_at, seq) VALUES ($key, $firm, $realm, $entity, $entity_id, $operation, $event_type, "
        + "$deleted_id, $occurred_at, $event_id, $received_at, (SELECT COALESCE(MAX(seq), 0) + 1 FROM webhook_inbox)) "
        + "ON CONFLICT (event_key) DO NOTHING;";

    private const string Claim =
        "UPDATE webhook_inbox SET lease_owner = $owner, lease_until = $lease_until, attempts = attempts + 1 "
        + "WHERE event_key IN (SELECT event_key FROM webhook_inbox WHERE completed_at IS NULL "
        + "AND (lease_until IS NULL OR lease_until <= $now) ORDER BY received_at, seq LIMIT $max) "
        + "RETURNING " + Columns + ", seq;";

    private const string Complete =
        "UPDATE webhook_inbox SET completed_at = $completed_at, error = $error, lease_owner = NULL, lease_until = NULL "
        + "WHERE event_key = $key AND completed_at IS NULL AND lease_owner = $owner;";

    private const string SelectOne = "SELECT " + Columns + ", seq FROM webhook_inbox WHERE event_key = $key;";

    private readonly SqliteDatabase _database;

    /// <summary>Creates an inbox over a database file.</summary>
    /// <param name="options">The options (the connection string is required).</param>
    public SqliteQuickBooksEventInbox(SqliteStoreOptions options)
    {
        _database = new SqliteDatabase(options, nameof(options));
    }

    /// <summary>Creates an inbox over a database file.</summary>
    /// <param name="connectionString">The connection string, for example <c>Data Source=qbsync.db</c>.</param>
    public SqliteQuickBooksEventInbox(string connectionString)
        : this(new SqliteStoreOptions { ConnectionString = connectionString })
    {
    }

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
        using var transaction = connection.BeginTransaction(deferred: false);
        var added = 0;
        foreach (var item in list)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = Insert;
            var e = item.Event;
            command.Parameters.AddWithValue("$key", item.EventKey);
            command.Parameters.AddWithValue("$firm", item.FirmId);
            command.Parameters.AddWithValue("$realm", e.RealmId);
            command.Parameters.AddWithValue("$entity", e.EntityName);
            command.Parameters.AddWithValue("$entity_id", e.EntityId);
            command.Parameters.AddWithValue("$operation", (int)e.Operation);
            command.Parameters.AddWithValue("$event_type", (object?)e.EventType ?? DBNull.Value);
            command.Parameters.AddWithValue("$deleted_id", (object?)e.DeletedId ?? DBNull.Value);
            command.Parameters.AddWithValue("$occurred_at", SqliteText.FormatTime(e.OccurredAt));
            command.Parameters.AddWithValue("$event_id", (object?)e.EventId ?? DBNull.Value);
            command.Parameters.AddWithValue("$received_at", SqliteText.FormatTime(item.ReceivedAt));
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

        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: false);
        var claimed = new List<(QuickBooksInboxEvent Event, long Seq)>();
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = Claim;
            command.Parameters.AddWithValue("$owner", ownerId);
            command.Parameters.AddWithValue("$now", SqliteText.FormatTime(now));
            command.Parameters.AddWithValue("$lease_until", SqliteText.FormatTime(now + leaseDuration));
            command.Parameters.AddWithValue("$max", maxCount);
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                claimed.Add((Read(reader), reader.GetInt64(16)));
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

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

        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = Complete;
        command.Parameters.AddWithValue("$key", eventKey);
        command.Parameters.AddWithValue("$owner", ownerId);
        command.Parameters.AddWithValue("$completed_at", SqliteText.FormatTime(completedAt));
        command.Parameters.AddWithValue("$error", (object?)failure ?? DBNull.Value);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async Task<QuickBooksInboxEvent?> GetAsync(string eventKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventKey);
        cancellationToken.ThrowIfCancellationRequested();

        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = SelectOne;
        command.Parameters.AddWithValue("$key", eventKey);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    /// <summary>Brings the database schema up to date now instead of at first use.</summary>
    /// <param name="cancellationToken">Stops waiting (the migration itself runs to its end).</param>
    /// <returns>A task.</returns>
    public Task MigrateAsync(CancellationToken cancellationToken = default) => _database.MigrateAsync(cancellationToken);

    private static QuickBooksInboxEvent Read(SqliteDataReader reader) => new()
    {
        EventKey = reader.GetString(0),
        FirmId = reader.GetString(1),
        Event = new QuickBooksWebhookEvent
        {
            RealmId = reader.GetString(2),
            EntityName = reader.GetString(3),
            EntityId = reader.GetString(4),
            Operation = (QuickBooksWebhookOperation)reader.GetInt32(5),
            EventType = reader.IsDBNull(6) ? null : reader.GetString(6),
            DeletedId = reader.IsDBNull(7) ? null : reader.GetString(7),
            OccurredAt = reader.IsDBNull(8) ? null : SqliteText.ParseTime(reader.GetString(8)),
            EventId = reader.IsDBNull(9) ? null : reader.GetString(9),
        },
        ReceivedAt = SqliteText.ParseTime(reader.GetString(10)),
        Attempts = reader.GetInt32(11),
        LeaseOwner = reader.IsDBNull(12) ? null : reader.GetString(12),
        LeaseUntil = reader.IsDBNull(13) ? null : SqliteText.ParseTime(reader.GetString(13)),
        CompletedAt = reader.IsDBNull(14) ? null : SqliteText.ParseTime(reader.GetString(14)),
        Error = reader.IsDBNull(15) ? null : reader.GetString(15),
    };
}
