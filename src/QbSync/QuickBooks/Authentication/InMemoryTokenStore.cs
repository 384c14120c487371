using System.Collections.Concurrent;

namespace QbSync.QuickBooks.Authentication;

/// <summary>
/// A thread-safe <see cref="ITokenStore"/> that keeps tokens in memory. Tokens are lost when the process stops, and
/// with them the rotated refresh token: use a durable store in production.
/// </summary>
public sealed class InMemoryTokenStore : ITokenStore
{
    private readonly ConcurrentDictionary<string, QuickBooksTokenSet> _tokens = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public ValueTask<QuickBooksTokenSet?> GetAsync(string realmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_tokens.TryGetValue(realmId, out var tokens) ? tokens : null);
    }

    /// <inheritdoc/>
    public ValueTask SaveAsync(string realmId, QuickBooksTokenSet tokens, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        ArgumentNullException.ThrowIfNull(tokens);
        cancellationToken.ThrowIfCancellationRequested();
        _tokens[realmId] = tokens; // Token sets are immutable: swapping the reference is atomic.
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask DeleteAsync(string realmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        cancellationToken.ThrowIfCancellationRequested();
        _tokens.TryRemove(realmId, out _);
        return ValueTask.CompletedTask;
    }
}
