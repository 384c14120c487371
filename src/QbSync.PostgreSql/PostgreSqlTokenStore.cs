using QbSync.QuickBooks.Authentication;

namespace QbSync.PostgreSql;

/// <summary>
/// An <see cref="ITokenStore"/> in the same PostgreSQL schema as <see cref="PostgreSqlAccountStore"/> (the
/// <c>tokens</c> table). A save is one upsert statement, so a reader sees the whole old set or the whole new set, and
/// it is durable once the call returns.
/// </summary>
/// <remarks>
/// Tokens are stored as given, not encrypted: anyone who can read the table can act on the connected QuickBooks
/// companies. Grant access to the schema like to any secret store, and keep backups as protected as the database.
/// </remarks>
public sealed class PostgreSqlTokenStore : ITokenStore, IAsyncDisposable, IDisposable
{
    private const string SelectTokens =
        "SELECT access_token, access_token_expires_at, refresh_token, refresh_token_expires_at, refresh_token_hard_expires_at, "
        + "reconnect_required, reconnect_reason, intuit_tid FROM {schema}.tokens WHERE realm_id = @realm;";

    private const string UpsertTokens =
        "INSERT INTO {schema}.tokens (realm_id, access_token, access_token_expires_at, refresh_token, refresh_token_expires_at, "
        + "refresh_token_hard_expires_at, reconnect_required, reconnect_reason, intuit_tid, updated_at) "
        + "VALUES (@realm, @access, @access_expires, @refresh, @refresh_expires, @hard_expires, @reconnect, @reconnect_reason, @tid, clock_timestamp()) "
        + "ON CONFLICT (realm_id) DO UPDATE SET access_token = excluded.access_token, "
        + "access_token_expires_at = excluded.access_token_expires_at, refresh_token = excluded.refresh_token, "
        + "refresh_token_expires_at = excluded.refresh_token_expires_at, refresh_token_hard_expires_at = excluded.refresh_token_hard_expires_at, "
        + "reconnect_required = excluded.reconnect_required, reconnect_reason = excluded.reconnect_reason, "
        + "intuit_tid = excluded.intuit_tid, updated_at = excluded.updated_at;";

    private const string DeleteTokens = "DELETE FROM {schema}.tokens WHERE realm_id = @realm;";

    private readonly PostgreSqlDatabase _database;
    private readonly bool _ownsDatabase;
    private readonly string _select;
    private readonly string _upsert;
    private readonly string _delete;

    /// <summary>Creates a store over the schema the options name. Nothing is opened until first use.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentException">The options are not valid (see <see cref="PostgreSqlStoreOptions"/>).</exception>
    public PostgreSqlTokenStore(PostgreSqlStoreOptions options)
        : this(new PostgreSqlDatabase(options, nameof(options)), ownsDatabase: true)
    {
    }

    /// <summary>Creates a store over the default schema of a database.</summary>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <exception cref="ArgumentException">The connection string is missing or invalid.</exception>
    public PostgreSqlTokenStore(string connectionString)
        : this(new PostgreSqlStoreOptions { ConnectionString = connectionString })
    {
    }

    internal PostgreSqlTokenStore(PostgreSqlDatabase database, bool ownsDatabase)
    {
        _database = database;
        _ownsDatabase = ownsDatabase;
        _select = database.Qualify(SelectTokens);
        _upsert = database.Qualify(UpsertTokens);
        _delete = database.Qualify(DeleteTokens);
    }

    /// <summary>Creates or upgrades the schema now rather than at first use (see <see cref="PostgreSqlAccountStore.MigrateAsync"/>).</summary>
    /// <param name="cancellationToken">Stops waiting (a migration in progress still completes).</param>
    /// <returns>A task that completes once the schema is current.</returns>
    public Task MigrateAsync(CancellationToken cancellationToken = default) => _database.MigrateAsync(cancellationToken);

    /// <inheritdoc/>
    public async ValueTask<QuickBooksTokenSet?> GetAsync(string realmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        cancellationToken.ThrowIfCancellationRequested();

        using var command = await _database.CommandAsync(_select, cancellationToken).ConfigureAwait(false);
        command.Parameters.Text("realm", realmId);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new QuickBooksTokenSet
        {
            AccessToken = reader.GetString(0),
            AccessTokenExpiresAt = reader.GetTime(1),
            RefreshToken = reader.GetString(2),
            RefreshTokenExpiresAt = reader.GetTime(3),
            RefreshTokenHardExpiresAt = reader.GetNullableTime(4),
            ReconnectRequired = reader.GetBoolean(5),
            ReconnectReason = reader.GetNullableString(6),
            IntuitTid = reader.GetNullableString(7),
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

        using var command = await _database.CommandAsync(_upsert, cancellationToken).ConfigureAwait(false);
        command.Parameters.Text("realm", realmId);
        command.Parameters.Text("access", tokens.AccessToken);
        command.Parameters.Time("access_expires", tokens.AccessTokenExpiresAt);
        command.Parameters.Text("refresh", tokens.RefreshToken);
        command.Parameters.Time("refresh_expires", tokens.RefreshTokenExpiresAt);
        command.Parameters.Time("hard_expires", tokens.RefreshTokenHardExpiresAt);
        command.Parameters.Boolean("reconnect", tokens.ReconnectRequired);
        command.Parameters.Text("reconnect_reason", tokens.ReconnectReason);
        command.Parameters.Text("tid", tokens.IntuitTid);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask DeleteAsync(string realmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        cancellationToken.ThrowIfCancellationRequested();

        using var command = await _database.CommandAsync(_delete, cancellationToken).ConfigureAwait(false);
        command.Parameters.Text("realm", realmId);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
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
}
