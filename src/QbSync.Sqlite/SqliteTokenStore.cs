using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using QbSync.QuickBooks.Authentication;

namespace QbSync.Sqlite;

/// <summary>
/// An <see cref="ITokenStore"/> in the same SQLite database file as <see cref="SqliteAccountStore"/> (the
/// <c>tokens</c> table), safe for several processes on one file. A save is one statement, so a reader sees the whole
/// old set or the whole new set, and it is durable once the call returns. <see cref="TrySaveAsync"/> is a
/// compare-and-swap on the row's version, and the store offers a cross-process refresh lock
/// (<see cref="ITokenRefreshLock"/>: a lock row with a lease in <c>token_refresh_locks</c>).
/// </summary>
/// <remarks>
/// With an <see cref="ITokenProtector"/> (passed in, or registered in the container before <c>UseSqliteStore</c>
/// resolves the store) the access and refresh tokens are protected before they are written, so the file holds no token
/// in clear text; rows written before protection was enabled are read as they are and protected at their next save.
/// Without one, tokens are stored as given: protect the file (and its <c>-wal</c> and <c>-shm</c> companions and
/// backups) like any secret store.
/// </remarks>
public sealed class SqliteTokenStore : ITokenStore, ITokenRefreshLock
{
    /// <summary>Marks a protected value, so that rows from before protection still read.</summary>
    private const string ProtectedPrefix = "qbp1:";

    private const string SelectTokens =
        "SELECT access_token, access_token_expires_at, refresh_token, refresh_token_expires_at, refresh_token_hard_expires_at, "
        + "reconnect_required, reconnect_reason, intuit_tid, version, access_token_issued_at FROM tokens WHERE realm_id = $realm;";

    private const string Columns =
        "realm_id, access_token, access_token_expires_at, refresh_token, refresh_token_expires_at, "
        + "refresh_token_hard_expires_at, reconnect_required, reconnect_reason, intuit_tid, updated_at, access_token_issued_at, version";

    private const string Values =
        "VALUES ($realm, $access, $access_expires, $refresh, $refresh_expires, $hard_expires, $reconnect, $reconnect_reason, $tid, $updated, $issued, 1)";

    private const string SetColumns =
        "access_token = $access, access_token_expires_at = $access_expires, refresh_token = $refresh, "
        + "refresh_token_expires_at = $refresh_expires, refresh_token_hard_expires_at = $hard_expires, "
        + "reconnect_required = $reconnect, reconnect_reason = $reconnect_reason, intuit_tid = $tid, updated_at = $updated, "
        + "access_token_issued_at = $issued, version = version + 1";

    private const string UpsertTokens =
        "INSERT INTO tokens (" + Columns + ") " + Values + " ON CONFLICT (realm_id) DO UPDATE SET " + SetColumns + ";";

    private const string InsertIfAbsent =
        "INSERT INTO tokens (" + Columns + ") " + Values + " ON CONFLICT (realm_id) DO NOTHING RETURNING version;";

    private const string CompareAndSwap =
        "UPDATE tokens SET " + SetColumns + " WHERE realm_id = $realm AND version = $expected RETURNING version;";

    private const string DeleteTokens = "DELETE FROM tokens WHERE realm_id = $realm;";

    private const string TakeLock =
        "INSERT INTO token_refresh_locks (realm_id, owner, lease_until) VALUES ($realm, $owner, $until) "
        + "ON CONFLICT (realm_id) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until "
        + "WHERE token_refresh_locks.lease_until <= $now;";

    private const string ReleaseLock = "DELETE FROM token_refresh_locks WHERE realm_id = $realm AND owner = $owner;";

    private readonly SqliteDatabase _database;
    private readonly ITokenProtector? _protector;

    /// <summary>Creates a store over the database the options name, storing tokens as given. Nothing is opened until first use.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentException">The connection string is missing, invalid, in-memory or read-only.</exception>
    public SqliteTokenStore(SqliteStoreOptions options)
        : this(options, null)
    {
    }

    /// <summary>Creates a store over the database the options name that protects token values with <paramref name="protector"/>.</summary>
    /// <param name="options">The options.</param>
    /// <param name="protector">Protects tokens at rest; <see langword="null"/> to store them as given.</param>
    /// <exception cref="ArgumentException">The connection string is missing, invalid, in-memory or read-only.</exception>
    public SqliteTokenStore(SqliteStoreOptions options, ITokenProtector? protector)
    {
        _database = new SqliteDatabase(options, nameof(options));
        _protector = protector;
    }

    /// <summary>Creates a store over a database file, storing tokens as given.</summary>
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
            AccessToken = Unprotect(reader.GetString(0)),
            AccessTokenExpiresAt = SqliteText.ParseTime(reader.GetString(1)),
            RefreshToken = Unprotect(reader.GetString(2)),
            RefreshTokenExpiresAt = SqliteText.ParseTime(reader.GetString(3)),
            RefreshTokenHardExpiresAt = reader.IsDBNull(4) ? null : SqliteText.ParseTime(reader.GetString(4)),
            ReconnectRequired = reader.GetInt64(5) != 0,
            ReconnectReason = reader.IsDBNull(6) ? null : reader.GetString(6),
            IntuitTid = reader.IsDBNull(7) ? null : reader.GetString(7),
            Version = reader.GetInt64(8),
            AccessTokenIssuedAt = reader.IsDBNull(9) ? null : SqliteText.ParseTime(reader.GetString(9)),
        };
    }

    /// <inheritdoc/>
    public async ValueTask SaveAsync(string realmId, QuickBooksTokenSet tokens, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        ThrowIfInvalid(tokens);
        cancellationToken.ThrowIfCancellationRequested();

        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = UpsertTokens;
        AddParameters(command, realmId, tokens);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<QuickBooksTokenSet?> TrySaveAsync(string realmId, QuickBooksTokenSet tokens, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        ThrowIfInvalid(tokens);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        cancellationToken.ThrowIfCancellationRequested();

        using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = expectedVersion == 0 ? InsertIfAbsent : CompareAndSwap;
        AddParameters(command, realmId, tokens);
        if (expectedVersion != 0)
        {
            command.Parameters.AddWithValue("$expected", expectedVersion);
        }

        var version = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return version is long stored ? tokens.WithVersion(stored) : null;
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

    /// <inheritdoc/>
    /// <remarks>A row in <c>token_refresh_locks</c> names the holder and the end of its lease; a waiter polls until
    /// the row is gone or its lease has ended. Times are the machine's UTC clock, shared by the processes on one
    /// file.</remarks>
    public async ValueTask<IAsyncDisposable> AcquireRefreshLockAsync(string realmId, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        var owner = Guid.NewGuid().ToString("N");
        var wait = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using (var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false))
            using (var command = connection.CreateCommand())
            {
                var now = DateTimeOffset.UtcNow;
                command.CommandText = TakeLock;
                command.Parameters.AddWithValue("$realm", realmId);
                command.Parameters.AddWithValue("$owner", owner);
                command.Parameters.AddWithValue("$until", SqliteText.FormatTime(now + lease));
                command.Parameters.AddWithValue("$now", SqliteText.FormatTime(now));
                if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
                {
                    return new LockRelease(this, realmId, owner);
                }
            }

            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            wait = wait * 2 > TimeSpan.FromMilliseconds(250) ? TimeSpan.FromMilliseconds(250) : wait * 2;
        }
    }

    private async ValueTask ReleaseAsync(string realmId, string owner)
    {
        using var connection = await _database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = ReleaseLock;
        command.Parameters.AddWithValue("$realm", realmId);
        command.Parameters.AddWithValue("$owner", owner);
        await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private static void ThrowIfInvalid(QuickBooksTokenSet tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (string.IsNullOrEmpty(tokens.AccessToken) || string.IsNullOrEmpty(tokens.RefreshToken))
        {
            throw new ArgumentException("The access and refresh tokens are required.", nameof(tokens));
        }
    }

    private void AddParameters(SqliteCommand command, string realmId, QuickBooksTokenSet tokens)
    {
        command.Parameters.AddWithValue("$realm", realmId);
        command.Parameters.AddWithValue("$access", Protect(tokens.AccessToken));
        command.Parameters.AddWithValue("$access_expires", SqliteText.FormatTime(tokens.AccessTokenExpiresAt));
        command.Parameters.AddWithValue("$refresh", Protect(tokens.RefreshToken));
        command.Parameters.AddWithValue("$refresh_expires", SqliteText.FormatTime(tokens.RefreshTokenExpiresAt));
        command.Parameters.AddWithValue("$hard_expires", SqliteText.FormatTime(tokens.RefreshTokenHardExpiresAt));
        command.Parameters.AddWithValue("$reconnect", tokens.ReconnectRequired ? 1 : 0);
        command.Parameters.AddWithValue("$reconnect_reason", (object?)tokens.ReconnectReason ?? DBNull.Value);
        command.Parameters.AddWithValue("$tid", (object?)tokens.IntuitTid ?? DBNull.Value);
        command.Parameters.AddWithValue("$updated", SqliteText.FormatTime(DateTimeOffset.UtcNow));
        command.Parameters.AddWithValue("$issued", SqliteText.FormatTime(tokens.AccessTokenIssuedAt));
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
                "The stored QuickBooks tokens are protected, but this SqliteTokenStore has no ITokenProtector: register the same protector (for example UseDataProtectionTokenProtection) in every process that shares the database.");
        }

        return _protector.Unprotect(stored[ProtectedPrefix.Length..]);
    }

    private sealed class LockRelease(SqliteTokenStore store, string realmId, string owner) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync() =>
            Interlocked.Exchange(ref _released, 1) == 0 ? store.ReleaseAsync(realmId, owner) : ValueTask.CompletedTask;
    }
}
