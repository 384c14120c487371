namespace QbSync.QuickBooks.Authentication;

/// <summary>
/// Persists the OAuth tokens of each connected QuickBooks company (realm). Implement it over a database or a secret
/// store so that the rotated refresh token survives restarts; <see cref="InMemoryTokenStore"/> is for tests and
/// single-process demos only.
/// </summary>
/// <remarks>
/// <para>
/// Implementations must be thread-safe and safe for several processes sharing the store (a web app and a worker
/// service is the normal deployment). Every stored set carries a <see cref="QuickBooksTokenSet.Version"/>: the store
/// gives a set a new, higher version on every save of its realm (<see cref="SaveAsync"/> and a successful
/// <see cref="TrySaveAsync"/>), and returns it in <see cref="QuickBooksTokenSet.Version"/> from
/// <see cref="GetAsync"/>. The token manager saves a rotated refresh token with <see cref="TrySaveAsync"/> and, when
/// it loses, adopts the winner's set, so a refresh token is never overwritten by a stale one.
/// </para>
/// <para>
/// A store should protect token values at rest with the <see cref="ITokenProtector"/> registered in the container
/// (the SQLite store does): values are protected before they are written and unprotected when read; a value stored
/// before protection was enabled is read as it is and protected at its next save.
/// </para>
/// <para>
/// A store may also implement <see cref="ITokenRefreshLock"/> so that only one process at a time refreshes a realm.
/// </para>
/// </remarks>
public interface ITokenStore
{
    /// <summary>Reads the tokens of a realm.</summary>
    /// <param name="realmId">The realm id (QuickBooks company id).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The stored tokens with their <see cref="QuickBooksTokenSet.Version"/> (at least 1), or
    /// <see langword="null"/> when the realm is not connected.</returns>
    ValueTask<QuickBooksTokenSet?> GetAsync(string realmId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores the tokens of a realm unconditionally, replacing any previous set (used when a realm is connected with a
    /// new authorization code). Must be atomic: a concurrent or later <see cref="GetAsync"/> sees either the whole old
    /// set or the whole new set, never a mix of the two (for example a new access token with an old refresh token).
    /// The stored version is greater than the previous one (at least 1 when none was stored); the version carried by
    /// <paramref name="tokens"/> is ignored.
    /// </summary>
    /// <param name="realmId">The realm id (QuickBooks company id).</param>
    /// <param name="tokens">The tokens to store.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes once the set is durably stored.</returns>
    ValueTask SaveAsync(string realmId, QuickBooksTokenSet tokens, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores the tokens of a realm only if the stored version is still <paramref name="expectedVersion"/> (0: only if
    /// no set is stored), atomically (compare-and-swap): of several processes that read version N and try to save,
    /// exactly one succeeds. The version carried by <paramref name="tokens"/> is ignored.
    /// </summary>
    /// <param name="realmId">The realm id (QuickBooks company id).</param>
    /// <param name="tokens">The tokens to store.</param>
    /// <param name="expectedVersion">The version the caller read (<see cref="QuickBooksTokenSet.Version"/>), or 0 when it
    /// read none.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The stored set with its new version (greater than <paramref name="expectedVersion"/>), durably stored; or
    /// <see langword="null"/> when the stored version differs (someone else saved or deleted meanwhile: read again).</returns>
    ValueTask<QuickBooksTokenSet?> TrySaveAsync(string realmId, QuickBooksTokenSet tokens, long expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>Removes the tokens of a realm. Does nothing when none are stored.</summary>
    /// <param name="realmId">The realm id (QuickBooks company id).</param>
    /// <param name="cancellationToken">Cancels the delete.</param>
    /// <returns>A task that completes once the set is removed.</returns>
    ValueTask DeleteAsync(string realmId, CancellationToken cancellationToken = default);
}

/// <summary>
/// Optionally implemented by an <see cref="ITokenStore"/> that can serialize refreshes of a realm across processes
/// (SQLite and PostgreSQL: a lock row with a lease). The token manager takes it around a refresh, so
/// that processes sharing the store refresh a realm one at a time and the others pick up the new tokens. Without it,
/// the compare-and-swap of <see cref="ITokenStore.TrySaveAsync"/> still keeps the newest tokens.
/// </summary>
public interface ITokenRefreshLock
{
    /// <summary>
    /// Waits until this caller holds the realm's refresh lock. The lock must be released by disposing the result,
    /// and must free itself after <paramref name="lease"/> if its holder dies (a crashed process never blocks the
    /// realm for longer).
    /// </summary>
    /// <param name="realmId">The realm id.</param>
    /// <param name="lease">How long the lock is held at most if it is not released.</param>
    /// <param name="cancellationToken">Stops waiting (throws <see cref="OperationCanceledException"/>).</param>
    /// <returns>The held lock; dispose it to release.</returns>
    ValueTask<IAsyncDisposable> AcquireRefreshLockAsync(string realmId, TimeSpan lease, CancellationToken cancellationToken = default);
}

/// <summary>
/// Protects token values at rest: a token store protects the access and refresh tokens before it writes them and
/// unprotects them when it reads them. Register one in the container (for example with
/// <c>UseDataProtectionTokenProtection()</c> from the <c>QbSync.DataProtection</c> package) and the stores use it.
/// </summary>
public interface ITokenProtector
{
    /// <summary>Protects (encrypts and authenticates) a token value.</summary>
    /// <param name="value">The token in clear text.</param>
    /// <returns>The protected form, safe to store; never contains <paramref name="value"/>.</returns>
    string Protect(string value);

    /// <summary>Recovers a token value protected by <see cref="Protect"/>.</summary>
    /// <param name="protectedValue">The protected form.</param>
    /// <returns>The token in clear text.</returns>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The value cannot be unprotected (wrong key, tampered).</exception>
    string Unprotect(string protectedValue);
}
