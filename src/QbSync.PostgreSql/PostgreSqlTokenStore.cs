using System.Security.Cryptography;
using Npgsql;
using NpgsqlTypes;
using QbSync.QuickBooks.Authentication;

namespace QbSync.PostgreSql;

/// <summary>
/// An <see cref="ITokenStore"/> in the same PostgreSQL schema as <see cref="PostgreSqlAccountStore"/> (the
/// <c>tokens</c> table). A save is one statement, so a reader sees the whole old set or the whole new set, and it is
/// durable once the call returns; every save gives the set a higher version, and <see cref="TrySaveAsync"/> is a
/// compare-and-swap on it. As an <see cref="ITokenRefreshLock"/> it serializes a realm's refreshes across every
/// process and machine on the schema: a lock row with a lease timed by the database server's clock.
/// </summary>
/// <remarks>
/// With an <see cref="ITokenProtector"/> (for example <c>UseDataProtectionTokenProtection()</c>) token values are
/// protected before they are written; without one they are stored as given, and anyone who can read the table can act
/// on the connected QuickBooks companies. Grant access to the schema like to any secret store, and keep backups as
/// protected as the database.
/// </remarks>
public sealed class PostgreSqlTokenStore : ITokenStore, ITokenRefreshLock, IAsyncDisposable, IDisposable
{
    private const string ProtectedPrefix = "qbp1:";

    private const string SelectTokens =
        "SELECT access_token, access_token_expires_at, refresh_token, refresh_token_expires_at, refresh_token_hard_expires_at, "
        + "reconnect_required, reconnect_reason, intuit_tid, version, access_token_issued_at FROM {schema}.tokens WHERE realm_id = @realm;";

    private const string Columns =
        "realm_id, access_token, access_token_expires_at, refresh_token, refresh_token_expires_at, "
        + "refresh_token_hard_expires_at, reconnect_required, reconnect_reason, intuit_tid, updated_at, access_token_issued_at, version";

    private const string Values =
        "VALUES (@realm, @access, @access_expires, @refresh, @refresh_expires, @hard_expires, @reconnect, @reconnect_reason, @tid, clock_timestamp(), @issued, 1)";

    private const string SetColumns =
        "access_token = @access, access_token_expires_at = @access_expires, refresh_token = @refresh, "
        + "refresh_token_expires_at = @refresh_expires, refresh_token_hard_expires_at = @hard_expires, "
        + "reconnect_required = @reconnect, reconnect_reason = @reconnect_reason, intuit_tid = @tid, updated_at = clock_timestamp(), "
        + "access_token_issued_at = @issued, version = t.version + 1";

    private const string UpsertTokens =
        "INSERT INTO {schema}.tokens AS t (" + Columns + ") " + Values + " ON CONFLICT (realm_id) DO UPDATE SET " + SetColumns + ";";

    private const string InsertIfAbsent =
        "INSERT INTO {schema}.tokens (" + Columns + ") " + Values + " ON CONFLICT (realm_id) DO NOTHING RETURNING version;";

    private const string CompareAndSwap =
        "UPDATE {schema}.tokens AS t SET " + SetColumns + " WHERE t.realm_id = @realm AND t.version = @expected RETURNING t.version;";

    private const string DeleteTokens = "DELETE FROM {schema}.tokens WHERE realm_id = @realm;";

    private const string TakeLock =
        "INSERT INTO {schema}.token_refresh_locks AS l (realm_id, owner, lease_until) VALUES (@realm, @owner, clock_timestamp() + @lease) "
        + "ON CONFLICT (realm_id) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until "
        + "WHERE l.lease_until <= clock_timestamp();";

    private const string ReleaseLock = "DELETE FROM {schema}.token_refresh_locks WHERE realm_id = @realm AND owner = @owner;";

    private readonly PostgreSqlDatabase _database;
    private readonly bool _ownsDatabase;
    private readonly ITokenProtector? _protector;
    private readonly string _select;
    private readonly string _upsert;
    private readonly string _insertIfAbsent;
    private readonly string _compareAndSwap;
    private readonly string _delete;
    private readonly string _takeLock;
    private readonly string _releaseLock;

    /// <summary>Creates a store over the schema the options name, storing token values as given. Nothing is opened
    /// until first use.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentException">The options are not valid (see <see cref="PostgreSqlStoreOptions"/>).</exception>
    public PostgreSqlTokenStore(PostgreSqlStoreOptions options)
        : this(options, null)
    {
    }

    /// <summary>Creates a store over the schema the options name that protects token values with
    /// <paramref name="protector"/>. Nothing is opened until first use.</summary>
    /// <param name="options">The options.</param>
    /// <param name="protector">Protects the access and refresh tokens at rest, or <see langword="null"/> to store them as
    /// given. Every process sharing the schema needs the same protector (the same keys).</param>
    /// <exception cref="ArgumentException">The options are not valid (see <see cref="PostgreSqlStoreOptions"/>).</exception>
    public PostgreSqlTokenStore(PostgreSqlStoreOptions options, ITokenProtector? protector)
        : this(new PostgreSqlDatabase(options, nameof(options)), ownsDatabase: true, protector)
    {
    }

    /// <summary>Creates a store over the default schema of a database.</summary>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <exception cref="ArgumentException">The connection string is missing or invalid.</exception>
    public PostgreSqlTokenStore(string connectionString)
        : this(new PostgreSqlStoreOptions { ConnectionString = connectionString })
    {
    }

    internal PostgreSqlTokenStore(PostgreSqlDatabase database, bool ownsDatabase, ITokenProtector? protector)
    {
        _database = database;
        _ownsDatabase = ownsDatabase;
        _protector = protector;
        _select = database.Qualify(SelectTokens);
        _upsert = database.Qualify(UpsertTokens);
        _insertIfAbsent = database.Qualify(InsertIfAbsent);
        _compareAndSwap = database.Qualify(CompareAndSwap);
        _delete = database.Qualify(DeleteTokens);
        _takeLock = database.Qualify(TakeLock);
        _releaseLock = database.Qualify(ReleaseLock);
    }

    /// <summary>Creates or upgrades the schema now rather than at first use (see <see cref="PostgreSqlAccountStore.MigrateAsync"/>).</summary>
    /// <param name="cancellationToken">Stops waiting (a migration in progress still completes).</param>
    /// <returns>A task that completes once the schema is current.</returns>
    public Task MigrateAsync(CancellationToken cancellationToken = default) => _database.MigrateAsync(cancellationToken);

    /// <inheritdoc/>
    /// <exception cref="CryptographicException">The stored values are protected and this store has no protector, or a
    /// different one.</exception>
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
            AccessToken = Unprotect(reader.GetString(0)),
            AccessTokenExpiresAt = reader.GetTime(1),
            RefreshToken = Unprotect(reader.GetString(2)),
            RefreshTokenExpiresAt = reader.GetTime(3),
            RefreshTokenHardExpiresAt = reader.GetNullableTime(4),
            ReconnectRequired = reader.GetBoolean(5),
            ReconnectReason = reader.GetNullableString(6),
            IntuitTid = reader.GetNullableString(7),
            Version = reader.GetInt64(8),
            AccessTokenIssuedAt = reader.GetNullableTime(9),
        };
    }

    /// <inheritdoc/>
    public async ValueTask SaveAsync(string realmId, QuickBooksTokenSet tokens, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        ThrowIfInvalid(tokens);
        cancellationToken.ThrowIfCancellationRequested();

        using var command = await _database.CommandAsync(_upsert, cancellationToken).ConfigureAwait(false);
        AddParameters(command.Parameters, realmId, tokens);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<QuickBooksTokenSet?> TrySaveAsync(string realmId, QuickBooksTokenSet tokens, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        ThrowIfInvalid(tokens);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        cancellationToken.ThrowIfCancellationRequested();

        using var command = await _database.CommandAsync(expectedVersion == 0 ? _insertIfAbsent : _compareAndSwap, cancellationToken).ConfigureAwait(false);
        AddParameters(command.Parameters, realmId, tokens);
        if (expectedVersion != 0)
        {
            command.Parameters.Bigint("expected", expectedVersion);
        }

        var version = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return version is long stored ? tokens.WithVersion(stored) : null;
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

    /// <inheritdoc/>
    /// <remarks>A lock row per realm with a lease on the database server's clock: processes on every machine wait for the
    /// same lock, and a holder that dies frees it when the lease ends. Waiting polls with a growing pause (20 to 250 ms).</remarks>
    public async ValueTask<IAsyncDisposable> AcquireRefreshLockAsync(string realmId, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        var owner = Guid.NewGuid().ToString("N");
        var wait = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using (var command = await _database.CommandAsync(_takeLock, cancellationToken).ConfigureAwait(false))
            {
                command.Parameters.Text("realm", realmId);
                command.Parameters.Text("owner", owner);
                command.Parameters.Add(new NpgsqlParameter<TimeSpan>("lease", NpgsqlDbType.Interval) { TypedValue = lease });
                if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
                {
                    return new LockRelease(this, realmId, owner);
                }
            }

            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            wait = wait * 2 > TimeSpan.FromMilliseconds(250) ? TimeSpan.FromMilliseconds(250) : wait * 2;
        }
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

    private static void ThrowIfInvalid(QuickBooksTokenSet tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (string.IsNullOrEmpty(tokens.AccessToken) || string.IsNullOrEmpty(tokens.RefreshToken))
        {
            throw new ArgumentException("The access and refresh tokens are required.", nameof(tokens));
        }
    }

    private async ValueTask ReleaseAsync(string realmId, string owner)
    {
        using var command = await _database.CommandAsync(_releaseLock, CancellationToken.None).ConfigureAwait(false);
        command.Parameters.Text("realm", realmId);
        command.Parameters.Text("owner", owner);
        await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private void AddParameters(NpgsqlParameterCollection parameters, string realmId, QuickBooksTokenSet tokens)
    {
        parameters.Text("realm", realmId);
        parameters.Text("access", Protect(tokens.AccessToken));
        parameters.Time("access_expires", tokens.AccessTokenExpiresAt);
        parameters.Text("refresh", Protect(tokens.RefreshToken));
        parameters.Time("refresh_expires", tokens.RefreshTokenExpiresAt);
        parameters.Time("hard_expires", tokens.RefreshTokenHardExpiresAt);
        parameters.Boolean("reconnect", tokens.ReconnectRequired);
        parameters.Text("reconnect_reason", tokens.ReconnectReason);
        parameters.Text("tid", tokens.IntuitTid);
        parameters.Time("issued", tokens.AccessTokenIssuedAt);
    }

    private string Protect(string value) => _protector is null ? value : ProtectedPrefix + _protector.Protect(value);

    private string Unprotect(string stored)
    {
        if (!stored.StartsWith(ProtectedPrefix, StringComparison.Ordinal))
        {
            return stored; // written before protection was enabled; protected at its next save
        }

        if (_protector is null)
        {
            throw new CryptographicException(
                "The stored QuickBooks tokens are protected, but this PostgreSqlTokenStore has no ITokenProtector: register the same protector (for example UseDataProtectionTokenProtection) in every process that shares the database.");
        }

        return _protector.Unprotect(stored[ProtectedPrefix.Length..]);
    }

    private sealed class LockRelease(PostgreSqlTokenStore store, string realmId, string owner) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync() =>
            Interlocked.Exchange(ref _released, 1) == 0 ? store.ReleaseAsync(realmId, owner) : ValueTask.CompletedTask;
    }
}
