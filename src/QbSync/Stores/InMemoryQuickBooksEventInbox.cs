namespace QbSync.Stores;

/// <summary>A thread-safe <see cref="IQuickBooksEventInbox"/> kept in memory (tests, demos, single-process hosts).
/// Nothing survives the process.</summary>
public sealed class InMemoryQuickBooksEventInbox : IQuickBooksEventInbox
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, QuickBooksInboxEvent> _events = new(StringComparer.Ordinal);
    private long _sequence;
    private readonly Dictionary<string, long> _order = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<int> AddAsync(IEnumerable<QuickBooksInboxEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        var list = events.ToList();
        foreach (var item in list)
        {
            QuickBooksEventInboxGuard.ThrowIfInvalid(item);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var added = 0;
        lock (_lock)
        {
            foreach (var item in list)
            {
                if (_events.ContainsKey(item.EventKey))
                {
                    continue;
                }

                _events[item.EventKey] = item with { Attempts = 0, LeaseOwner = null, LeaseUntil = null, CompletedAt = null, Error = null };
                _order[item.EventKey] = ++_sequence;
                added++;
            }
        }

        return Task.FromResult(added);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<QuickBooksInboxEvent>> ClaimAsync(string ownerId, DateTimeOffset now, TimeSpan leaseDuration, int maxCount, CancellationToken cancellationToken = default)
    {
        QuickBooksEventInboxGuard.ThrowIfInvalidClaim(ownerId, leaseDuration, maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var claimed = _events.Values
                .Where(e => e.CompletedAt is null && (e.LeaseUntil is null || e.LeaseUntil <= now))
                .OrderBy(e => e.ReceivedAt)
                .ThenBy(e => _order[e.EventKey])
                .Take(maxCount)
                .Select(e => e with { Attempts = e.Attempts + 1, LeaseOwner = ownerId, LeaseUntil = now + leaseDuration })
                .ToList();
            foreach (var e in claimed)
            {
                _events[e.EventKey] = e;
            }

            return Task.FromResult<IReadOnlyList<QuickBooksInboxEvent>>(claimed);
        }
    }

    /// <inheritdoc />
    public Task<bool> CompleteAsync(string eventKey, string ownerId, DateTimeOffset completedAt, string? failure = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventKey);
        ArgumentException.ThrowIfNullOrEmpty(ownerId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_events.TryGetValue(eventKey, out var e) || e.CompletedAt is not null || e.LeaseOwner != ownerId)
            {
                return Task.FromResult(false);
            }

            _events[eventKey] = e with { CompletedAt = completedAt, Error = failure, LeaseOwner = null, LeaseUntil = null };
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<QuickBooksInboxEvent?> GetAsync(string eventKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventKey);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return Task.FromResult(_events.GetValueOrDefault(eventKey));
        }
    }
}

/// <summary>The argument rules every <see cref="IQuickBooksEventInbox"/> shares.</summary>
public static class QuickBooksEventInboxGuard
{
    /// <summary>Throws when an event cannot be recorded.</summary>
    /// <param name="item">The event.</param>
    public static void ThrowIfInvalid(QuickBooksInboxEvent item)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentException.ThrowIfNullOrEmpty(item.EventKey, nameof(item));
        ArgumentException.ThrowIfNullOrEmpty(item.FirmId, nameof(item));
        ArgumentNullException.ThrowIfNull(item.Event, nameof(item));
        if (item.EventKey.Length > 200)
        {
            throw new ArgumentException("The event key is longer than 200 characters.", nameof(item));
        }
    }

    /// <summary>Throws when claim arguments are out of range.</summary>
    /// <param name="ownerId">The claiming processor.</param>
    /// <param name="leaseDuration">The lease.</param>
    /// <param name="maxCount">The most events.</param>
    public static void ThrowIfInvalidClaim(string ownerId, TimeSpan leaseDuration, int maxCount)
    {
        ArgumentException.ThrowIfNullOrEmpty(ownerId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
    }
}
