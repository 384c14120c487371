namespace QbSync.Stores;

/// <summary>
/// A thread-safe <see cref="IAccountStore"/> kept in memory, for tests, samples and single-process hosts. Every call
/// runs under one lock, so each insert, compare-and-swap, claim and history append is atomic. Records handed in are
/// copied and records handed out are immutable snapshots: no caller can change the stored state except through the
/// store's methods. Nothing survives the process.
/// </summary>
public sealed class InMemoryAccountStore : IAccountStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Dictionary<string, Entry>> _firms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FirmSyncSettings> _settings = new(StringComparer.Ordinal);

    // (firm id, customer id) -> account id: a customer is linked to at most one account of a firm.
    private readonly Dictionary<(string FirmId, string CustomerId), string> _links = [];

    /// <inheritdoc />
    public Task<SyncAccountRecord?> GetAsync(string firmId, string accountId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<SyncAccountRecord?>(cancellationToken);
        }

        lock (_lock)
        {
            return Task.FromResult(TryGetEntry(firmId, accountId)?.Record);
        }
    }

    /// <inheritdoc />
    public Task<SyncAccountRecord?> TryInsertAsync(SyncAccountRecord record, SyncHistoryEntry? history = null, CancellationToken cancellationToken = default)
    {
        AccountStoreGuard.ThrowIfInvalid(record, history);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<SyncAccountRecord?>(cancellationToken);
        }

        var stored = Freeze(record, 1);
        lock (_lock)
        {
            if (!_firms.TryGetValue(record.FirmId, out var accounts))
            {
                accounts = new Dictionary<string, Entry>(StringComparer.Ordinal);
                _firms.Add(record.FirmId, accounts);
            }

            if (accounts.ContainsKey(record.AccountId) || LinkedElsewhere(record))
            {
                return Task.FromResult<SyncAccountRecord?>(null);
            }

            Relink(null, stored);
            var entry = new Entry(stored);
            if (history is not null)
            {
                entry.History.Add(history);
            }

            accounts.Add(record.AccountId, entry);
            return Task.FromResult<SyncAccountRecord?>(stored);
        }
    }

    /// <inheritdoc />
    public Task<SyncAccountRecord?> TryUpdateAsync(SyncAccountRecord record, long expectedVersion, SyncHistoryEntry? history = null, CancellationToken cancellationToken = default)
    {
        AccountStoreGuard.ThrowIfInvalid(record, history);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<SyncAccountRecord?>(cancellationToken);
        }

        lock (_lock)
        {
            var entry = TryGetEntry(record.FirmId, record.AccountId);
            if (entry is null || entry.Record.Version != expectedVersion || LinkedElsewhere(record))
            {
                return Task.FromResult<SyncAccountRecord?>(null);
            }

            var stored = Freeze(record, expectedVersion + 1);
            Relink(entry.Record, stored);
            entry.Record = stored;
            if (history is not null)
            {
                entry.History.Add(history);
            }

            return Task.FromResult<SyncAccountRecord?>(entry.Record);
        }
    }

    /// <inheritdoc />
    public Task<SyncAccountRecord?> FindByCustomerIdAsync(string firmId, string customerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentException.ThrowIfNullOrEmpty(customerId);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<SyncAccountRecord?>(cancellationToken);
        }

        lock (_lock)
        {
            return Task.FromResult(_links.TryGetValue((firmId, customerId), out var accountId) ? TryGetEntry(firmId, accountId)?.Record : null);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, string>> GetLinkedCustomersAsync(string firmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<IReadOnlyDictionary<string, string>>(cancellationToken);
        }

        var linked = new Dictionary<string, string>(StringComparer.Ordinal);
        lock (_lock)
        {
            if (_firms.TryGetValue(firmId, out var accounts))
            {
                foreach (var entry in accounts.Values)
                {
                    var record = entry.Record;
                    if (record.CustomerId is { } customerId
                        && (!linked.TryGetValue(customerId, out var other) || string.CompareOrdinal(record.AccountId, other) < 0))
                    {
                        linked[customerId] = record.AccountId;
                    }
                }
            }
        }

        return Task.FromResult<IReadOnlyDictionary<string, string>>(linked.AsReadOnly());
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The continuation token is not one this store issued.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The page size is not between 1 and 1000.</exception>
    public Task<AccountPage> ListAsync(string firmId, AccountQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        (string Name, string Id)? after = AccountStoreGuard.StartOfPage(query);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<AccountPage>(cancellationToken);
        }

        var statuses = query.Statuses.Count == 0 ? null : query.Statuses.ToHashSet();
        List<SyncAccountRecord> matching;
        lock (_lock)
        {
            matching = _firms.TryGetValue(firmId, out var accounts)
                ? accounts.Values
                    .Select(e => e.Record)
                    .Where(r => statuses is null || statuses.Contains(r.Status))
                    .Where(r => after is null || Compare(r.AccountName, r.AccountId, after.Value.Name, after.Value.Id) > 0)
                    .ToList()
                : [];
        }

        matching.Sort(static (a, b) => Compare(a.AccountName, a.AccountId, b.AccountName, b.AccountId));
        if (matching.Count <= query.PageSize)
        {
            return Task.FromResult(new AccountPage(matching.AsReadOnly(), null));
        }

        var page = matching.GetRange(0, query.PageSize);
        var last = page[^1];
        return Task.FromResult(new AccountPage(page.AsReadOnly(), AccountListToken.Encode(last.AccountName, last.AccountId)));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SyncAccountRecord>> ClaimDueAsync(string firmId, string ownerId, DateTimeOffset now, TimeSpan leaseDuration, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentException.ThrowIfNullOrEmpty(ownerId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<IReadOnlyList<SyncAccountRecord>>(cancellationToken);
        }

        var leaseUntil = now + leaseDuration;
        var claimed = new List<SyncAccountRecord>();
        lock (_lock)
        {
            if (_firms.TryGetValue(firmId, out var accounts))
            {
                var due = accounts.Values
                    .Where(e => IsClaimable(e.Record, now))
                    .OrderBy(e => e.Record.NextAttemptAt!.Value)
                    .ThenBy(e => e.Record.AccountId, StringComparer.Ordinal)
                    .Take(maxCount);
                foreach (var entry in due)
                {
                    entry.Record = entry.Record with { LeaseOwner = ownerId, LeaseUntil = leaseUntil, Version = entry.Record.Version + 1 };
                    claimed.Add(entry.Record);
                }
            }
        }

        return Task.FromResult<IReadOnlyList<SyncAccountRecord>>(claimed.AsReadOnly());
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SyncAccountRecord>> RenewLeasesAsync(string firmId, string ownerId, IReadOnlyCollection<string> accountIds, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentException.ThrowIfNullOrEmpty(ownerId);
        ArgumentNullException.ThrowIfNull(accountIds);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<IReadOnlyList<SyncAccountRecord>>(cancellationToken);
        }

        var renewed = new List<SyncAccountRecord>(accountIds.Count);
        lock (_lock)
        {
            if (_firms.TryGetValue(firmId, out var accounts))
            {
                foreach (var accountId in accountIds)
                {
                    if (accountId is not null && accounts.TryGetValue(accountId, out var entry) && entry.Record.LeaseOwner == ownerId)
                    {
                        entry.Record = entry.Record with { LeaseUntil = leaseUntil, NextAttemptAt = leaseUntil };
                        renewed.Add(entry.Record);
                    }
                }
            }
        }

        return Task.FromResult<IReadOnlyList<SyncAccountRecord>>(renewed.AsReadOnly());
    }

    /// <inheritdoc />
    /// <remarks>A firm counts when at least one of its records could be claimed at <paramref name="now"/>: due, and
    /// with a free or expired lease. The firm ids are in ordinal order.</remarks>
    public Task<IReadOnlyList<string>> ListFirmsWithDueWorkAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<IReadOnlyList<string>>(cancellationToken);
        }

        List<string> firms;
        lock (_lock)
        {
            firms = _firms
                .Where(f => f.Value.Values.Any(e => IsClaimable(e.Record, now)))
                .Select(f => f.Key)
                .ToList();
        }

        firms.Sort(StringComparer.Ordinal);
        return Task.FromResult<IReadOnlyList<string>>(firms.AsReadOnly());
    }

    /// <inheritdoc />
    /// <remarks>Empty when the firm has no such account.</remarks>
    public Task<IReadOnlyList<SyncHistoryEntry>> GetHistoryAsync(string firmId, string accountId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<IReadOnlyList<SyncHistoryEntry>>(cancellationToken);
        }

        lock (_lock)
        {
            var entry = TryGetEntry(firmId, accountId);
            IReadOnlyList<SyncHistoryEntry> history = entry is null ? [] : entry.History.ToArray().AsReadOnly();
            return Task.FromResult(history);
        }
    }

    /// <inheritdoc />
    public Task<FirmSyncSettings?> GetFirmSettingsAsync(string firmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<FirmSyncSettings?>(cancellationToken);
        }

        lock (_lock)
        {
            return Task.FromResult(_settings.GetValueOrDefault(firmId));
        }
    }

    /// <inheritdoc />
    public Task<FirmSyncSettings?> TrySaveFirmSettingsAsync(FirmSyncSettings settings, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(settings.FirmId, nameof(settings));
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<FirmSyncSettings?>(cancellationToken);
        }

        lock (_lock)
        {
            var storedVersion = _settings.TryGetValue(settings.FirmId, out var current) ? current.Version : 0;
            if (storedVersion != expectedVersion || RealmHeldByAnotherFirm(settings))
            {
                return Task.FromResult<FirmSyncSettings?>(null);
            }

            var stored = settings with { Version = expectedVersion + 1 };
            _settings[settings.FirmId] = stored;
            return Task.FromResult<FirmSyncSettings?>(stored);
        }
    }

    /// <inheritdoc />
    public Task<string?> FindFirmByRealmAsync(string realmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<string?>(cancellationToken);
        }

        lock (_lock)
        {
            return Task.FromResult(_settings.Values.FirstOrDefault(s => string.Equals(s.RealmId, realmId, StringComparison.Ordinal))?.FirmId);
        }
    }

    /// <inheritdoc />
    public Task<bool> DeleteAccountAsync(string firmId, string accountId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<bool>(cancellationToken);
        }

        lock (_lock)
        {
            if (!_firms.TryGetValue(firmId, out var accounts) || !accounts.Remove(accountId, out var entry))
            {
                return Task.FromResult(false);
            }

            if (entry.Record.CustomerId is { } customerId)
            {
                _links.Remove((firmId, customerId));
            }

            return Task.FromResult(true);
        }
    }

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
            var count = _firms.Remove(firmId, out var accounts) ? accounts.Count : 0;
            foreach (var key in _links.Keys.Where(k => k.FirmId == firmId).ToList())
            {
                _links.Remove(key);
            }

            _settings.Remove(firmId);
            return Task.FromResult(count);
        }
    }

    private bool RealmHeldByAnotherFirm(FirmSyncSettings settings) =>
        settings.RealmId is { } realmId
        && _settings.Values.Any(s => string.Equals(s.RealmId, realmId, StringComparison.Ordinal) && !string.Equals(s.FirmId, settings.FirmId, StringComparison.Ordinal));

    private static bool IsClaimable(SyncAccountRecord record, DateTimeOffset now) =>
        record.NextAttemptAt is { } due && due <= now && (record.LeaseUntil is not { } lease || lease <= now);

    private static int Compare(string nameA, string idA, string nameB, string idB)
    {
        var byName = string.CompareOrdinal(nameA, nameB);
        return byName != 0 ? byName : string.CompareOrdinal(idA, idB);
    }

    /// <summary>A stored snapshot: the version set, and the problem's customer list copied so the caller's list
    /// cannot change it.</summary>
    private bool LinkedElsewhere(SyncAccountRecord record) =>
        record.CustomerId is { } customerId
        && _links.TryGetValue((record.FirmId, customerId), out var holder)
        && !string.Equals(holder, record.AccountId, StringComparison.Ordinal);

    private void Relink(SyncAccountRecord? before, SyncAccountRecord after)
    {
        if (before?.CustomerId is { } old)
        {
            _links.Remove((before.FirmId, old));
        }

        if (after.CustomerId is { } customerId)
        {
            _links[(after.FirmId, customerId)] = after.AccountId;
        }
    }

    private static SyncAccountRecord Freeze(SyncAccountRecord record, long version) => record with
    {
        Version = version,
        Problem = record.Problem is null ? null : record.Problem with { CustomerIds = (record.Problem.CustomerIds ?? []).ToArray().AsReadOnly() },
    };

    private Entry? TryGetEntry(string firmId, string accountId) =>
        _firms.TryGetValue(firmId, out var accounts) && accounts.TryGetValue(accountId, out var entry) ? entry : null;

    private sealed class Entry(SyncAccountRecord record)
    {
        public SyncAccountRecord Record { get; set; } = record;

        public List<SyncHistoryEntry> History { get; } = [];
    }
}
