using Microsoft.Data.Sqlite;
using QbSync.QuickBooks.Authentication;

namespace QbSync.Sqlite;

/// <summary>
/// An <see cref="ITokenStore"/> in the same SQLite database file as <see cref="SqliteAccountStore"/> (the
/// <c>tokens</c> table). A save is one upsert statement, so a reader sees the whole old set or the whole new set,
/// and it is durable once the call returns.
/// </summary>
/// <remarks>
/// Tokens are stored as given, not encrypted: anyone who can read the database file can act on the connected
/// QuickBooks companies. Protect the file (and its <c>-wal</c> and <c>-shm</c> companions and backups) like any secret
/// store: restrictive file permissions, an encrypted volume, no copies in logs or support bundles.
/// </remarks>
public sealed class SqliteTokenStore : ITokenStore
{
    private const string SelectTokens =
        "SELECT access_token, access_token_expires_at, refresh_token, refresh_token_expires_at, refresh_token_hard_expires_at, "
        + "reconnect_required, reconnect_reason, intuit_tid FROM tokens WHERE realm_id = $realm;";

    private const string UpsertTokens =
        "INSERT INTO tokens (realm_id, access_token, access_token_expires_at, refresh_token, refresh_token_expires_at, "
        + "refresh_token_hard_expires_at, reconnect_required, reconnect_reason, intuit_tid, updated_at) "
        + "VALUES ($realm, $access, $access_expires, $refresh, $refresh_expires, $hard_expires, $reconnect, $reconnect_reason, $tid, $updated) "
        + "ON CONFLICT (realm_id) DO UPDATE SET access_token = excluded.access_token, "
        + "access_token_expires_at = excluded.access_token_expires_at, refresh_token = excluded.refresh_token, "
        + "refresh_token_expires_at = excluded.refresh_token_expires_at, refresh_token_hard_expires_at = excluded.refresh_token_hard_expires_at, "
        + "reconnect_required = excluded.reconnect_required, reconnect_reason = excluded.reconnect_reason, "
        + "intuit_tid = excluded.intuit_tid, updated_at = excluded.updated_at;";

    private const string DeleteTokens = "DELETE FROM tokens WHERE realm_id = $realm;";

    private readonly SqliteDatabase _database;

    /// <summary>Creates a store over the database the options name. Nothing is opened until first use.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentException">The connection string is missing, invalid, in-memory or read-only.</exception>
    public SqliteTokenStore(SqliteStoreOptions options)
    {
        _database = new SqliteDatabase(options, nameof(options));
    }

    /// <summary>Creates a store over a database file.</summary>
    /// <param name="connectionString">The connection string, for example <c>Data Source=qbsync.db</c>.</param>
    /// <exception cref="ArgumentException">The connection string is missing, invalid, in-memory or read-only.</exception>
    public SqliteTokenStore(string connectionString)
        : this(new SqliteStoreOptions { ConnectionString = connectionString })
    {
    }

    /// <summary>Creates or upgrades the schema now rather than at first use (see <see cref="SqliteAccountStore.MigrateAsync"/>).</summary>
    /// <param name="cancellationToken">Stops waiting (a migration in progress still completes).</param>
    /// <returns>A task that completes once the schema is current.</returns>
    public Task MigrateAsync(CancellationToken cancellationToken = default) => _database.MigrateAsync(cancellationToken);

    /// <inheritdoc/>
    public async ValueTask<QuickBooksTokenSet?> GetAsync(string realmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        cancellationToken.ThrowIfCancellationRequested();

        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = SelectTokens;
        command.Parameters.AddWithValue("$realm", realmId);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new QuickBooksTokenSet
        {
            AccessToken = reader.GetString(0),
            AccessTokenExpiresAt = SqliteText.ParseTime(reader.GetString(1)),
            RefreshToken = reader.GetString(2),
            RefreshTokenExpiresAt = SqliteText.ParseTime(reader.GetString(3)),
            RefreshTokenHardExpiresAt = reader.IsDBNull(4) ? null : SqliteText.ParseTime(reader.GetString(4)),
            ReconnectRequired = reader.GetInt64(5) != 0,
            ReconnectReason = reader.IsDBNull(6) ? null : reader.GetString(6),
            IntuitTid = reader.IsDBNull(7) ? null : reader.GetString(7),
        };
    }

    /// <inheritdoc/>
    public async ValueTask SaveAsync(string realmId, QuickBooksTokenSet tokens, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.AccessToken is null || tokens.RefreshToken is null)
        {
            throw new ArgumentException("The access and refresh tokens are required.", nameof(tokens));
        }

        cancellationToken.ThrowIfCancellationRequested();

        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = UpsertTokens;
        command.Parameters.AddWithValue("$realm", realmId);
        command.Parameters.AddWithValue("$access", tokens.AccessToken);
        command.Parameters.AddWithValue("$access_expires", SqliteText.FormatTime(tokens.AccessTokenExpiresAt));
        command.Parameters.AddWithValue("$refresh", tokens.RefreshToken);
        command.Parameters.AddWithValue("$refresh_expires", SqliteText.FormatTime(tokens.RefreshTokenExpiresAt));
        command.Parameters.AddWithValue("$hard_expires", SqliteText.FormatTime(tokens.RefreshTokenHardExpiresAt));
        command.Parameters.AddWithValue("$reconnect", tokens.ReconnectRequired ? 1 : 0);
        command.Parameters.AddWithValue("$reconnect_reason", (object?)tokens.ReconnectReason ?? DBNull.Value);
        command.Parameters.AddWithValue("$tid", (object?)tokens.IntuitTid ?? DBNull.Value);
        command.Parameters.AddWithValue("$updated", SqliteText.FormatTime(DateTimeOffset.UtcNow));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask DeleteAsync(string realmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        cancellationToken.ThrowIfCancellationRequested();

        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = DeleteTokens;
        command.Parameters.AddWithValue("$realm", realmId);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
