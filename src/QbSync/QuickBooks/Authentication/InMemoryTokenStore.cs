namespace QbSync.QuickBooks.Authentication;

/// <summary>
/// A thread-safe <see cref="ITokenStore"/> that keeps tokens in memory. Tokens are lost when the process stops, and
/// with them the rotated refresh token: use a durable store in production. Token values are kept as given (an
/// <see cref="ITokenProtector"/> would add nothing in the process's own memory).
/// </summary>
public sealed class InMemoryTokenStore : ITokenStore, ITokenRefreshLock
{
    private readonly Dictionary<string, QuickBooksTokenSet> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _lastVersions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (object Owner, DateTimeOffset Until)> _locks = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <inheritdoc/>
    public ValueTask<QuickBooksTokenSet?> GetAsync(string realmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult(_tokens.TryGetValue(realmId, out var tokens) ? tokens : null);
        }
    }

    /// <inheritdoc/>
    public ValueTask SaveAsync(string realmId, QuickBooksTokenSet tokens, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        ArgumentNullException.ThrowIfNull(tokens);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            Store(realmId, tokens);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<QuickBooksTokenSet?> TrySaveAsync(string realmId, QuickBooksTokenSet tokens, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var current = _tokens.TryGetValue(realmId, out var stored) ? stored.Version : 0;
            return ValueTask.FromResult(current == expectedVersion ? Store(realmId, tokens) : null);
        }
    }

    /// <inheritdoc/>
    public ValueTask DeleteAsync(string realmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _tokens.Remove(realmId);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    /// <remarks>In-process only (the store itself is); the lease is measured on the system clock.</remarks>
    public async ValueTask<IAsyncDisposable> AcquireRefreshLockAsync(string realmId, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        var owner = new object();
        var wait = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (_gate)
            {
                var now = DateTimeOffset.UtcNow;
                if (!_locks.TryGetValue(realmId, out var held) || held.Until <= now)
                {
                    _locks[realmId] = (owner, now + lease);
                    return new Release(this, realmId, owner);
                }
            }

            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            wait = wait * 2 > TimeSpan.FromMilliseconds(100) ? TimeSpan.FromMilliseconds(100) : wait * 2;
        }
    }

    // Versions keep growing after a delete, so a set read before the delete can never be saved over a new connection.
    private QuickBooksTokenSet Store(string realmId, QuickBooksTokenSet tokens)
    {
        var version = (_lastVersions.TryGetValue(realmId, out var last) ? last : 0) + 1;
        _lastVersions[realmId] = version;
        var stored = tokens.WithVersion(version);
        _tokens[realmId] = stored;
        return stored;
    }

    private sealed class Release(InMemoryTokenStore store, string realmId, object owner) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            lock (store._gate)
            {
                if (store._locks.TryGetValue(realmId, out var held) && ReferenceEquals(held.Owner, owner))
                {
                    store._locks.Remove(realmId);
                }
            }

            return ValueTask.CompletedTask;
        }
    }
}
