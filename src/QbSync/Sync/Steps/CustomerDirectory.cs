using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using QbSync.QuickBooks;

namespace QbSync.Sync.Steps;

/// <summary>A name holder in a company: a customer (active or not), a vendor or an employee; only what deciding a
/// name and showing the customer picker need (a directory of 100,000 customers holds these, not the full records).</summary>
/// <param name="Id">The QBO id.</param>
/// <param name="DisplayName">The display name, without the " (deleted)" QBO appends to inactive ones.</param>
/// <param name="Kind">Customer, vendor or employee.</param>
/// <param name="IsActive">Whether the record is active.</param>
/// <param name="CompanyName">A customer's company name, for the picker's search.</param>
/// <param name="Email">A customer's primary email, for the picker's search.</param>
internal sealed record NameHolder(string Id, string DisplayName, NameHolderKind Kind, bool IsActive, string? CompanyName = null, string? Email = null);

internal enum NameHolderKind
{
    Customer,
    Vendor,
    Employee,
}

/// <summary>
/// Every name in a company's shared display-name space (customers with inactive ones, vendors, employees), indexed by
/// <see cref="NameKey"/>, so that "same name" is decided locally and exactly, whatever the spelling. Read in full
/// once (1000 rows a request), then kept current with change data capture (<see cref="CustomerDirectoryCache"/>) and
/// with the customers QbSync creates. Safe for concurrent readers and writers: the holders of a name are an array
/// replaced on change, never changed in place, so a reader gets them without a copy.
/// </summary>
internal sealed class CustomerDirectory
{
    private static readonly NameHolder[] None = [];

    private readonly object _lock = new();
    private readonly Dictionary<string, NameHolder[]> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<(NameHolderKind Kind, string Id), NameHolder> _byId = [];

    /// <summary>A snapshot of the customers (active and inactive).</summary>
    public IReadOnlyList<NameHolder> Customers
    {
        get
        {
            lock (_lock)
            {
                return _byId.Values.Where(h => h.Kind == NameHolderKind.Customer).ToList();
            }
        }
    }

    public static async Task<CustomerDirectory> BuildAsync(QuickBooksClient client, string realmId, CancellationToken cancellationToken)
    {
        using var activity = Diagnostics.SyncActivities.Start("QbSync ReadDirectory", firmId: null, realmId);
        var directory = new CustomerDirectory();
        var customers = client.Customers.ListAllAsync(realmId, includeInactive: true, cancellationToken);
        var vendors = client.Vendors.ListAllAsync(realmId, includeInactive: true, cancellationToken);
        var employees = client.Employees.ListAllAsync(realmId, includeInactive: true, cancellationToken);
        await Task.WhenAll(customers, vendors, employees).ConfigureAwait(false);
        foreach (var customer in await customers.ConfigureAwait(false))
        {
            directory.Add(customer);
        }

        foreach (var vendor in await vendors.ConfigureAwait(false))
        {
            directory.Add(vendor, NameHolderKind.Vendor);
        }

        foreach (var employee in await employees.ConfigureAwait(false))
        {
            directory.Add(employee, NameHolderKind.Employee);
        }

        return directory;
    }

    /// <summary>Adds or replaces a customer (one QbSync created, or one change data capture reported).</summary>
    public void Add(Customer customer)
    {
        Add(customer, NameHolderKind.Customer);
    }

    /// <summary>Applies changes read by change data capture: changed records replace their old versions, deleted ones
    /// (a merge removes the merged customer) go.</summary>
    public void Apply(QuickBooksChanges changes)
    {
        foreach (var customer in changes.Customers)
        {
            Add(customer, NameHolderKind.Customer);
        }

        foreach (var vendor in changes.Vendors)
        {
            Add(vendor, NameHolderKind.Vendor);
        }

        foreach (var employee in changes.Employees)
        {
            Add(employee, NameHolderKind.Employee);
        }

        foreach (var deleted in changes.Deleted)
        {
            var kind = deleted.EntityName switch
            {
                "Customer" => NameHolderKind.Customer,
                "Vendor" => NameHolderKind.Vendor,
                "Employee" => NameHolderKind.Employee,
                _ => (NameHolderKind?)null,
            };
            if (kind is { } k)
            {
                lock (_lock)
                {
                    Remove(k, deleted.Id);
                }
            }
        }
    }

    /// <summary>Every holder whose name is the same as <paramref name="name"/> by <see cref="NameKey"/>.</summary>
    public IReadOnlyList<NameHolder> Find(string name) => FindByKey(NameKey.Of(name));

    /// <summary>Every holder whose <see cref="NameKey"/> is <paramref name="key"/>.</summary>
    public IReadOnlyList<NameHolder> FindByKey(string key)
    {
        lock (_lock)
        {
            return _byKey.GetValueOrDefault(key, None);
        }
    }

    private void Add(QuickBooksNamedEntity entity, NameHolderKind kind)
    {
        if (entity.Id is null || entity.DisplayName is null)
        {
            return;
        }

        var customer = entity as Customer;
        var holder = new NameHolder(entity.Id, entity.BareDisplayName!, kind, entity.IsActive, customer?.CompanyName, customer?.PrimaryEmailAddr?.Address);
        var key = NameKey.Of(holder.DisplayName);
        lock (_lock)
        {
            Remove(kind, entity.Id);
            _byKey[key] = _byKey.TryGetValue(key, out var holders) ? [.. holders, holder] : [holder];
            _byId[(kind, entity.Id)] = holder;
        }
    }

    private void Remove(NameHolderKind kind, string id)
    {
        if (_byId.Remove((kind, id), out var old))
        {
            var oldKey = NameKey.Of(old.DisplayName);
            if (_byKey.TryGetValue(oldKey, out var holders))
            {
                var rest = Array.FindAll(holders, h => h.Kind != kind || h.Id != id);
                if (rest.Length == 0)
                {
                    _byKey.Remove(oldKey);
                }
                else
                {
                    _byKey[oldKey] = rest;
                }
            }
        }
    }
}

/// <summary>
/// One <see cref="CustomerDirectory"/> per realm for the process. A directory is read in full once, then brought up to
/// date with one change-data-capture request (customers, vendors, employees) whenever a caller needs it fresher than
/// it is; after <see cref="FullReadAfter"/> (change data capture looks back 30 days at most) or when a change set is
/// too large to trust (1000 rows of an entity), it is read in full again. Concurrent callers for a realm share one
/// refresh.
/// </summary>
internal sealed class CustomerDirectoryCache(TimeProvider time, IOptions<QbSyncOptions> options)
{
    /// <summary>Change data capture covers 30 days; beyond this age the directory is read in full.</summary>
    public static readonly TimeSpan FullReadAfter = TimeSpan.FromDays(25);

    /// <summary>Overlap of each change-data-capture window with the previous one (clock differences with QBO).</summary>
    private static readonly TimeSpan Overlap = TimeSpan.FromMinutes(5);

    private const int MaxChangesPerEntity = 1000;

    private readonly ConcurrentDictionary<string, Entry> _byRealm = new(StringComparer.Ordinal);

    /// <summary>The realm's directory, no older than <paramref name="maxStaleness"/> (<see cref="TimeSpan.Zero"/>:
    /// brought up to date now).</summary>
    public Task<CustomerDirectory> GetAsync(QuickBooksClient client, string realmId, TimeSpan maxStaleness, CancellationToken cancellationToken) =>
        GetAsync(client, realmId, maxStaleness, fullRead: false, cancellationToken);

    /// <summary>The realm's directory read again in full (QBO refused a name the directory does not show).</summary>
    public Task<CustomerDirectory> ReadInFullAsync(QuickBooksClient client, string realmId, CancellationToken cancellationToken) =>
        GetAsync(client, realmId, TimeSpan.Zero, fullRead: true, cancellationToken);

    private async Task<CustomerDirectory> GetAsync(QuickBooksClient client, string realmId, TimeSpan maxStaleness, bool fullRead, CancellationToken cancellationToken)
    {
        var entry = _byRealm.GetOrAdd(realmId, _ => new Entry());
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            if (!fullRead && entry.Directory is { } current && now - entry.CheckedAt <= maxStaleness && maxStaleness > TimeSpan.Zero)
            {
                return current;
            }

            if (!fullRead && entry.Directory is { } known && now - entry.ReadAt < FullReadAfter)
            {
                var changes = await client.ChangeDataCapture.GetChangesAsync(realmId, ["Customer", "Vendor", "Employee"], entry.CheckedAt - Overlap, cancellationToken).ConfigureAwait(false);
                if (changes.Customers.Count < MaxChangesPerEntity && changes.Vendors.Count < MaxChangesPerEntity && changes.Employees.Count < MaxChangesPerEntity)
                {
                    known.Apply(changes);
                    entry.CheckedAt = now;
                    return known;
                }
            }

            entry.Directory = await CustomerDirectory.BuildAsync(client, realmId, cancellationToken).ConfigureAwait(false);
            entry.ReadAt = entry.CheckedAt = now;
            return entry.Directory;
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>The picker's and the suggestions' view: reused for <see cref="QbSyncOptions.CustomerDirectoryCacheDuration"/>.</summary>
    public Task<CustomerDirectory> GetForBrowsingAsync(QuickBooksClient client, string realmId, CancellationToken cancellationToken) =>
        GetAsync(client, realmId, options.Value.CustomerDirectoryCacheDuration, cancellationToken);

    /// <summary>Records a customer QbSync created or changed, so that the next decision sees it at once.</summary>
    public void Remember(string realmId, Customer customer)
    {
        if (_byRealm.TryGetValue(realmId, out var entry) && entry.Directory is { } directory)
        {
            directory.Add(customer);
        }
    }

    /// <summary>Forgets a realm's directory (a company switch).</summary>
    public void Invalidate(string realmId) => _byRealm.TryRemove(realmId, out _);

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public CustomerDirectory? Directory { get; set; }

        public DateTimeOffset ReadAt { get; set; }

        public DateTimeOffset CheckedAt { get; set; }
    }
}
