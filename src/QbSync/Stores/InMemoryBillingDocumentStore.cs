namespace QbSync.Stores;

/// <summary>
/// A thread-safe <see cref="IBillingDocumentStore"/> kept in memory, for tests, samples and single-process hosts.
/// Every call runs under one lock; records are immutable snapshots. Nothing survives the process.
/// </summary>
public sealed class InMemoryBillingDocumentStore : IBillingDocumentStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string FirmId, string Key), Entry> _documents = [];

    /// <inheritdoc />
    public Task<BillingDocumentRecord?> GetAsync(string firmId, string documentKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentException.ThrowIfNullOrEmpty(documentKey);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return Task.FromResult(_documents.TryGetValue((firmId, documentKey), out var entry) ? entry.Record : null);
        }
    }

    /// <inheritdoc />
    public Task<BillingDocumentRecord?> TryInsertAsync(BillingDocumentRecord record, BillingHistoryEntry? history = null, CancellationToken cancellationToken = default)
    {
        BillingStoreGuard.ThrowIfInvalid(record, history);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (_documents.ContainsKey((record.FirmId, record.DocumentKey)))
            {
                return Task.FromResult<BillingDocumentRecord?>(null);
            }

            var entry = new Entry(Freeze(record, 1));
            if (history is not null)
            {
                entry.History.Add(history);
            }

            _documents.Add((record.FirmId, record.DocumentKey), entry);
            return Task.FromResult<BillingDocumentRecord?>(entry.Record);
        }
    }

    /// <inheritdoc />
    public Task<BillingDocumentRecord?> TryUpdateAsync(BillingDocumentRecord record, long expectedVersion, BillingHistoryEntry? history = null, CancellationToken cancellationToken = default)
    {
        BillingStoreGuard.ThrowIfInvalid(record, history);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_documents.TryGetValue((record.FirmId, record.DocumentKey), out var entry) || entry.Record.Version != expectedVersion)
            {
                return Task.FromResult<BillingDocumentRecord?>(null);
            }

            entry.Record = Freeze(record, expectedVersion + 1);
            if (history is not null)
            {
                entry.History.Add(history);
            }

            return Task.FromResult<BillingDocumentRecord?>(entry.Record);
        }
    }

    /// <inheritdoc />
    public Task<BillingDocumentPage> ListAsync(string firmId, BillingDocumentQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        var after = BillingStoreGuard.StartOfPage(query);
        cancellationToken.ThrowIfCancellationRequested();
        var statuses = query.Statuses.Count == 0 ? null : query.Statuses.ToHashSet();
        List<BillingDocumentRecord> matching;
        lock (_lock)
        {
            matching = _documents.Values.Select(e => e.Record)
                .Where(r => r.FirmId == firmId)
                .Where(r => query.AccountId is null || r.AccountId == query.AccountId)
                .Where(r => statuses is null || statuses.Contains(r.Status))
                .Where(r => after is null || string.CompareOrdinal(r.DocumentKey, after) > 0)
                .ToList();
        }

        matching.Sort(static (a, b) => string.CompareOrdinal(a.DocumentKey, b.DocumentKey));
        if (matching.Count <= query.PageSize)
        {
            return Task.FromResult(new BillingDocumentPage(matching.AsReadOnly(), null));
        }

        var page = matching.GetRange(0, query.PageSize);
        return Task.FromResult(new BillingDocumentPage(page.AsReadOnly(), BillingStoreGuard.TokenAfter(page[^1].DocumentKey)));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<BillingDocumentRecord>> ClaimDueAsync(string firmId, string ownerId, DateTimeOffset now, TimeSpan leaseDuration, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentException.ThrowIfNullOrEmpty(ownerId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        var claimed = new List<BillingDocumentRecord>();
        lock (_lock)
        {
            var due = _documents.Values.Where(e => e.Record.FirmId == firmId && IsClaimable(e.Record, now)).ToList();
            due.Sort(static (a, b) => BillingStoreGuard.CompareForClaim(a.Record, b.Record));
            foreach (var entry in due.Take(maxCount))
            {
                entry.Record = entry.Record with { LeaseOwner = ownerId, LeaseUntil = now + leaseDuration, Version = entry.Record.Version + 1 };
                claimed.Add(entry.Record);
            }
        }

        return Task.FromResult<IReadOnlyList<BillingDocumentRecord>>(claimed.AsReadOnly());
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListFirmsWithDueDocumentsAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        List<string> firms;
        lock (_lock)
        {
            firms = _documents.Values.Where(e => IsClaimable(e.Record, now)).Select(e => e.Record.FirmId).Distinct().ToList();
        }

        firms.Sort(StringComparer.Ordinal);
        return Task.FromResult<IReadOnlyList<string>>(firms.AsReadOnly());
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<BillingHistoryEntry>> GetHistoryAsync(string firmId, string documentKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentException.ThrowIfNullOrEmpty(documentKey);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            IReadOnlyList<BillingHistoryEntry> history = _documents.TryGetValue((firmId, documentKey), out var entry) ? entry.History.ToArray().AsReadOnly() : [];
            return Task.FromResult(history);
        }
    }

    private static bool IsClaimable(BillingDocumentRecord record, DateTimeOffset now) =>
        record.NextAttemptAt is { } due && due <= now && (record.LeaseUntil is not { } lease || lease <= now);

    /// <summary>A stored snapshot: the version set and the content's lists copied, so no caller can change them.</summary>
    private static BillingDocumentRecord Freeze(BillingDocumentRecord record, long version) => record with
    {
        Version = version,
        Invoice = record.Invoice is null ? null : record.Invoice with { Lines = record.Invoice.Lines.ToArray().AsReadOnly() },
        Payment = record.Payment is null ? null : record.Payment with { Applications = record.Payment.Applications.ToArray().AsReadOnly() },
    };

    /// <inheritdoc />
    public Task<int> PurgeFirmAsync(string firmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<int>(cancellationToken);
        }

        lock (_lock)
        {
            var keys = _documents.Keys.Where(k => k.FirmId == firmId).ToList();
            foreach (var key in keys)
            {
                _documents.Remove(key);
            }

            return Task.FromResult(keys.Count);
        }
    }

    private sealed class Entry(BillingDocumentRecord record)
    {
        public BillingDocumentRecord Record { get; set; } = record;

        public List<BillingHistoryEntry> History { get; } = [];
    }
}
