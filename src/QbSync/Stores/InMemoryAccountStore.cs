namespace QbSync.Stores;

/// <summary>
/// A thread-safe <see cref="IAccountStore"/> kept in memory, for tests, samples and single-process hosts. Every call
/// runs under one lock, so each insert, compare-and-swap, claim and history append is atomic. Records handed in are
/// copied and records handed out are immutable snapshots: no caller can change the stored state except through the
/// store's methods. Nothing survives the process.
/// </summary>
/// <remarks>
/// Each firm keeps its records indexed the way they are read, maintained on every write: by list order (account name,
/// then id) overall and per status, by due time (next attempt, then id), and customer → account. A page of k rows or a
/// claim of k records costs O(k log n), not a filter and sort of the whole firm.
/// </remarks>
public sealed class InMemoryAccountStore : IAccountStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Firm> _firms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FirmSyncSettings> _settings = new(StringComparer.Ordinal);

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
    public Task<IReadOnlyList<SyncAccountRecord>> GetManyAsync(string firmId, IReadOnlyCollection<string> accountIds, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        ArgumentNullException.ThrowIfNull(accountIds);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<IReadOnlyList<SyncAccountRecord>>(cancellationToken);
        }

        var found = new List<SyncAccountRecord>(accountIds.Count);
        lock (_lock)
        {
            if (_firms.TryGetValue(firmId, out var firm))
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var accountId in accountIds)
                {
                    if (accountId is not null && seen.Add(accountId) && firm.Accounts.TryGetValue(accountId, out var entry))
                    {
                        found.Add(entry.Record);
                    }
                }
            }
        }

        return Task.FromResult<IReadOnlyList<SyncAccountRecord>>(found.AsReadOnly());
    }

    /// <inheritdoc />
    public Task<SyncAccountRecord?> TryInsertAsync(SyncAccountRecord record, SyncHistoryEntry? history = null, CancellationToken cancellationToken = default)
    {
        AccountStoreGuard.ThrowIfInvalid(record, history);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<SyncAccountRecord?>(cancellationToken);
        }

        lock (_lock)
        {
            return Task.FromResult(Insert(record, history));
        }
    }

    /// <inheritdoc />
    /// <remarks>All the records are written under one lock, each on its own (a refused one does not undo the others).</remarks>
    public Task<IReadOnlyList<SyncAccountRecord?>> TryInsertManyAsync(IReadOnlyList<SyncAccountRecord> records, CancellationToken cancellationToken = default)
    {
        AccountStoreGuard.ThrowIfInvalid(records);

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<IReadOnlyList<SyncAccountRecord?>>(cancellationToken);
        }

        var results = new SyncAccountRecord?[records.Count];
        lock (_lock)
        {
            for (var i = 0; i < records.Count; i++)
            {
                results[i] = Insert(records[i], null);
            }
        }

        return Task.FromResult<IReadOnlyList<SyncAccountRecord?>>(results.AsReadOnly());
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
            return Task.FromResult(Update(record, expectedVersion, history));
        }
    }

    /// <inheritdoc />
    /// <remarks>All the updates are applied under one lock, in order, each on its own (a refused one does not undo the
    /// others).</remarks>
    public Task<IReadOnlyList<SyncAccountRecord?>> TryUpdateManyAsync(IReadOnlyList<AccountUpdate> updates, CancellationToken cancellationToken = default)
    {
        AccountStoreGuard.ThrowIfInvalid(updates);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<IReadOnlyList<SyncAccountRecord?>>(cancellationToken);
        }

        var results = new SyncAccountRecord?[updates.Count];
        lock (_lock)
        {
            for (var i = 0; i < updates.Count; i++)
            {
                results[i] = Update(updates[i].Record, updates[i].ExpectedVersion, updates[i].History);
            }
        }

        return Task.FromResult<IReadOnlyList<SyncAccountRecord?>>(results.AsReadOnly());
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
            return Task.FromResult(
                _firms.TryGetValue(firmId, out var firm) && firm.Links.TryGetValue(customerId, out var accountId)
                    ? firm.Accounts[accountId].Record
                    : null);
        }
    }

    /// <inheritdoc />
    /// <remarks>A copy of the firm's customer → account index (kept on every write, never rebuilt).</remarks>
    public Task<IReadOnlyDictionary<string, string>> GetLinkedCustomersAsync(string firmId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firmId);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<IReadOnlyDictionary<string, string>>(cancellationToken);
        }

        Dictionary<string, string> linked;
        lock (_lock)
        {
            linked = _firms.TryGetValue(firmId, out var firm)
                ? new Dictionary<string, string>(firm.Links, StringComparer.Ordinal)
                : new Dictionary<string, string>(StringComparer.Ordinal);
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

        // One row more than the page tells whether another page follows.
        var wanted = query.PageSize + 1;
        var rows = new List<SyncAccountRecord>(Math.Min(wanted, 1024));
        lock (_lock)
        {
            if (_firms.TryGetValue(firmId, out var firm))
            {
                var start = after is { } key ? new ListKey(key.Name, key.Id) : (ListKey?)null;
                var statuses = query.Statuses.Distinct().ToArray();
                if (statuses.Length == 0)
                {
                    Take(firm.ByName, start, wanted, firm, rows);
                }
                else
                {
                    foreach (var status in statuses)
                    {
                        if (firm.ByStatus.TryGetValue(status, out var index))
                        {
                            Take(index, start, wanted, firm, rows);
                        }
                    }

                    if (statuses.Length > 1)
                    {
                        rows.Sort(static (a, b) => ListKey.Comparer.Compare(new ListKey(a.AccountName, a.AccountId), new ListKey(b.AccountName, b.AccountId)));
                        if (rows.Count > wanted)
                        {
                            rows.RemoveRange(wanted, rows.Count - wanted);
                        }
                    }
                }
            }
        }

        if (rows.Count <= query.PageSize)
        {
            return Task.FromResult(new AccountPage(rows.AsReadOnly(), null));
        }

        rows.RemoveAt(rows.Count - 1);
        var last = rows[^1];
        return Task.FromResult(new AccountPage(rows.AsReadOnly(), AccountListToken.Encode(last.AccountName, last.AccountId)));
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
        var claimed = new List<SyncAccountRecord>(Math.Min(maxCount, 1024));
        lock (_lock)
        {
            if (_firms.TryGetValue(firmId, out var firm))
            {
                foreach (var key in firm.Claimable(now, maxCount))
                {
                    var entry = firm.Accounts[key.AccountId];
                    firm.Replace(entry, entry.Record with { LeaseOwner = ownerId, LeaseUntil = leaseUntil, Version = entry.Record.Version + 1 });
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
            if (_firms.TryGetValue(firmId, out var firm))
            {
                foreach (var accountId in accountIds)
                {
                    if (accountId is not null && firm.Accounts.TryGetValue(accountId, out var entry) && entry.Record.LeaseOwner == ownerId)
                    {
                        firm.Replace(entry, entry.Record with { LeaseUntil = leaseUntil, NextAttemptAt = leaseUntil });
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

        var firms = new List<string>();
        lock (_lock)
        {
            foreach (var (firmId, firm) in _firms)
            {
                if (firm.Claimable(now, 1).Count > 0)
                {
                    firms.Add(firmId);
                }
            }
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
            IReadOnlyList<SyncHistoryEntry> history = entry?.History is { } list ? list.ToArray().AsReadOnly() : [];
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
            return Task.FromResult(_firms.TryGetValue(firmId, out var firm) && firm.Remove(accountId));
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
            var count = _firms.Remove(firmId, out var firm) ? firm.Accounts.Count : 0;
            _settings.Remove(firmId);
            return Task.FromResult(count);
        }
    }

    private static void Take(SortedSet<ListKey> index, ListKey? after, int wanted, Firm firm, List<SyncAccountRecord> rows)
    {
        if (index.Count == 0)
        {
            return;
        }

        // A view from the start key on: O(log n) to find, then in order; the start key itself (the previous page's last
        // row) is skipped.
        var view = after is { } start
            ? (ListKey.Comparer.Compare(start, index.Max) >= 0 ? null : index.GetViewBetween(start, index.Max))
            : index;
        if (view is null)
        {
            return;
        }

        var taken = 0;
        foreach (var key in view)
        {
            if (after is { } skip && ListKey.Comparer.Compare(key, skip) == 0)
            {
                continue;
            }

            rows.Add(firm.Accounts[key.AccountId].Record);
            if (++taken == wanted)
            {
                return;
            }
        }
    }

    private SyncAccountRecord? Insert(SyncAccountRecord record, SyncHistoryEntry? history)
    {
        if (!_firms.TryGetValue(record.FirmId, out var firm))
        {
            firm = new Firm();
            _firms.Add(record.FirmId, firm);
        }

        if (firm.Accounts.ContainsKey(record.AccountId) || firm.LinkedElsewhere(record))
        {
            return null;
        }

        var entry = new Entry(Freeze(record, 1));
        firm.Add(entry);
        if (history is not null)
        {
            entry.AddHistory(history);
        }

        return entry.Record;
    }

    private SyncAccountRecord? Update(SyncAccountRecord record, long expectedVersion, SyncHistoryEntry? history)
    {
        if (!_firms.TryGetValue(record.FirmId, out var firm)
            || !firm.Accounts.TryGetValue(record.AccountId, out var entry)
            || entry.Record.Version != expectedVersion
            || firm.LinkedElsewhere(record))
        {
            return null;
        }

        firm.Replace(entry, Freeze(record, expectedVersion + 1));
        if (history is not null)
        {
            entry.AddHistory(history);
        }

        return entry.Record;
    }

    private bool RealmHeldByAnotherFirm(FirmSyncSettings settings) =>
        settings.RealmId is { } realmId
        && _settings.Values.Any(s => string.Equals(s.RealmId, realmId, StringComparison.Ordinal) && !string.Equals(s.FirmId, settings.FirmId, StringComparison.Ordinal));

    /// <summary>A stored snapshot: the version set, and the problem's customer list copied so the caller's list
    /// cannot change it.</summary>
    private static SyncAccountRecord Freeze(SyncAccountRecord record, long version) => record with
    {
        Version = version,
        Problem = record.Problem is null ? null : record.Problem with { CustomerIds = (record.Problem.CustomerIds ?? []).ToArray().AsReadOnly() },
    };

    private Entry? TryGetEntry(string firmId, string accountId) =>
        _firms.TryGetValue(firmId, out var firm) && firm.Accounts.TryGetValue(accountId, out var entry) ? entry : null;

    /// <summary>One firm's records and the indexes kept over them.</summary>
    private sealed class Firm
    {
        public Dictionary<string, Entry> Accounts { get; } = new(StringComparer.Ordinal);

        /// <summary>List order: account name, then account id (ordinal).</summary>
        public SortedSet<ListKey> ByName { get; } = new(ListKey.Comparer);

        /// <summary>List order within each status.</summary>
        public Dictionary<SyncStatus, SortedSet<ListKey>> ByStatus { get; } = [];

        /// <summary>Records with a next attempt and no lease, by next attempt (oldest first), ties by account id.</summary>
        public SortedSet<DueKey> DueFree { get; } = new(DueKey.Comparer);

        /// <summary>Records with a next attempt and a lease, by the end of the lease: claimable once it has passed (and
        /// their next attempt has come), so a claim never walks over records that others hold.</summary>
        public SortedSet<DueKey> DueLeased { get; } = new(DueKey.Comparer);

        /// <summary>Customer id → the account linked to it (at most one per customer).</summary>
        public Dictionary<string, string> Links { get; } = new(StringComparer.Ordinal);

        public bool LinkedElsewhere(SyncAccountRecord record) =>
            record.CustomerId is { } customerId
            && Links.TryGetValue(customerId, out var holder)
            && !string.Equals(holder, record.AccountId, StringComparison.Ordinal);

        /// <summary>The claim order keys (next attempt, id) of up to <paramref name="maxCount"/> records claimable at
        /// <paramref name="now"/>, oldest due first: O(log n + k + leases that have ended).</summary>
        public List<DueKey> Claimable(DateTimeOffset now, int maxCount)
        {
            var keys = new List<DueKey>(Math.Min(maxCount, 1024));
            foreach (var key in DueFree)
            {
                if (key.At > now || keys.Count == maxCount)
                {
                    break;
                }

                keys.Add(key);
            }

            var mixed = false;
            foreach (var key in DueLeased)
            {
                if (key.At > now)
                {
                    break;
                }

                if (Accounts[key.AccountId].Record.NextAttemptAt is { } due && due <= now)
                {
                    keys.Add(new DueKey(due, key.AccountId));
                    mixed = true;
                }
            }

            if (mixed)
            {
                keys.Sort(DueKey.Comparer);
                if (keys.Count > maxCount)
                {
                    keys.RemoveRange(maxCount, keys.Count - maxCount);
                }
            }

            return keys;
        }

        public void Add(Entry entry)
        {
            Accounts.Add(entry.Record.AccountId, entry);
            Index(entry.Record);
        }

        public void Replace(Entry entry, SyncAccountRecord after)
        {
            var before = entry.Record;
            entry.Record = after;
            if (!string.Equals(before.AccountName, after.AccountName, StringComparison.Ordinal) || before.Status != after.Status)
            {
                var (oldKey, newKey) = (ListKey.Of(before), ListKey.Of(after));
                ByName.Remove(oldKey);
                ByName.Add(newKey);
                StatusIndex(before.Status).Remove(oldKey);
                StatusIndex(after.Status).Add(newKey);
            }

            if (before.NextAttemptAt != after.NextAttemptAt || before.LeaseUntil != after.LeaseUntil)
            {
                Unindex(before);
                IndexDue(after);
            }

            if (!string.Equals(before.CustomerId, after.CustomerId, StringComparison.Ordinal))
            {
                if (before.CustomerId is { } old)
                {
                    Links.Remove(old);
                }

                if (after.CustomerId is { } customerId)
                {
                    Links[customerId] = after.AccountId;
                }
            }
        }

        public bool Remove(string accountId)
        {
            if (!Accounts.Remove(accountId, out var entry))
            {
                return false;
            }

            var record = entry.Record;
            var key = ListKey.Of(record);
            ByName.Remove(key);
            StatusIndex(record.Status).Remove(key);
            Unindex(record);
            if (record.CustomerId is { } customerId)
            {
                Links.Remove(customerId);
            }

            return true;
        }

        private void Index(SyncAccountRecord record)
        {
            var key = ListKey.Of(record);
            ByName.Add(key);
            StatusIndex(record.Status).Add(key);
            IndexDue(record);
            if (record.CustomerId is { } customerId)
            {
                Links[customerId] = record.AccountId;
            }
        }

        private void IndexDue(SyncAccountRecord record)
        {
            if (record.NextAttemptAt is not { } due)
            {
                return;
            }

            if (record.LeaseUntil is { } lease)
            {
                DueLeased.Add(new DueKey(lease, record.AccountId));
            }
            else
            {
                DueFree.Add(new DueKey(due, record.AccountId));
            }
        }

        private void Unindex(SyncAccountRecord record)
        {
            if (record.NextAttemptAt is not { } due)
            {
                return;
            }

            if (record.LeaseUntil is { } lease)
            {
                DueLeased.Remove(new DueKey(lease, record.AccountId));
            }
            else
            {
                DueFree.Remove(new DueKey(due, record.AccountId));
            }
        }

        private SortedSet<ListKey> StatusIndex(SyncStatus status)
        {
            if (!ByStatus.TryGetValue(status, out var index))
            {
                index = new SortedSet<ListKey>(ListKey.Comparer);
                ByStatus.Add(status, index);
            }

            return index;
        }
    }

    /// <summary>The list order key: account name, then account id, both ordinal.</summary>
    private readonly record struct ListKey(string AccountName, string AccountId)
    {
        public static readonly Comparer<ListKey> Comparer = Comparer<ListKey>.Create(static (a, b) =>
        {
            var byName = string.CompareOrdinal(a.AccountName, b.AccountName);
            return byName != 0 ? byName : string.CompareOrdinal(a.AccountId, b.AccountId);
        });

        public static ListKey Of(SyncAccountRecord record) => new(record.AccountName, record.AccountId);
    }

    /// <summary>The claim order key: next attempt (as an instant), then account id (ordinal).</summary>
    private readonly record struct DueKey(DateTimeOffset At, string AccountId)
    {
        public static readonly Comparer<DueKey> Comparer = Comparer<DueKey>.Create(static (a, b) =>
        {
            var byTime = a.At.UtcTicks.CompareTo(b.At.UtcTicks);
            return byTime != 0 ? byTime : string.CompareOrdinal(a.AccountId, b.AccountId);
        });
    }

    private sealed class Entry(SyncAccountRecord record)
    {
        public SyncAccountRecord Record { get; set; } = record;

        /// <summary>The account's history; created at the first entry (most records of a large firm have few).</summary>
        public List<SyncHistoryEntry>? History { get; private set; }

        public void AddHistory(SyncHistoryEntry history) => (History ??= []).Add(history);
    }
}
