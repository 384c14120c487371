namespace QbSync.QuickBooks.Authentication;

/// <summary>
/// Persists the OAuth tokens of each connected QuickBooks company (realm). Implement it over a database or a secret
/// store so that the rotated refresh token survives restarts; <see cref="InMemoryTokenStore"/> is for tests and
/// single-process demos only.
/// </summary>
/// <remarks>
/// Implementations must be thread-safe. The token manager saves the new refresh token before it hands out the new
/// access token, so a successful <see cref="SaveAsync"/> must be durable.
/// </remarks>
public interface ITokenStore
{
    /// <summary>Reads the tokens of a realm.</summary>
    /// <param name="realmId">The realm id (QuickBooks company id).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The stored tokens, or <see langword="null"/> when the realm is not connected.</returns>
    ValueTask<QuickBooksTokenSet?> GetAsync(string realmId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores the tokens of a realm, replacing any previous set. Must be atomic: a concurrent or later
    /// <see cref="GetAsync"/> sees either the whole old set or the whole new set, never a mix of the two (for example
    /// a new access token with an old refresh token).
    /// </summary>
    /// <param name="realmId">The realm id (QuickBooks company id).</param>
    /// <param name="tokens">The tokens to store.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes once the set is durably stored.</returns>
    ValueTask SaveAsync(string realmId, QuickBooksTokenSet tokens, CancellationToken cancellationToken = default);

    /// <summary>Removes the tokens of a realm. Does nothing when none are stored.</summary>
    /// <param name="realmId">The realm id (QuickBooks company id).</param>
    /// <param name="cancellationToken">Cancels the delete.</param>
    /// <returns>A task that completes once the set is removed.</returns>
    ValueTask DeleteAsync(string realmId, CancellationToken cancellationToken = default);
}
