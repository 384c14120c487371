using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using QbSync.QuickBooks;

namespace QbSync.Sync.Steps;

/// <summary>A name holder in a company: a customer (active or not), a vendor or an employee.</summary>
internal sealed record NameHolder(string Id, string DisplayName, NameHolderKind Kind, bool IsActive, Customer? Customer);

internal enum NameHolderKind
{
    Customer,
    Vendor,
    Employee,
}

/// <summary>
/// A snapshot of every name in a company's shared display-name space (customers with inactive ones, vendors,
/// employees), indexed by <see cref="NameKey"/>. Built with full pages (1000 a request) for bulk work and for the
/// picker; single-account actions use targeted queries instead.
/// </summary>
internal sealed class CustomerDirectory
{
    private readonly Dictionary<string, List<NameHolder>> _byKey = new(StringComparer.Ordinal);
    private readonly List<Customer> _customers = [];

    public IReadOnlyList<Customer> Customers => _customers;

    public static async Task<CustomerDirectory> BuildAsync(QuickBooksClient client, string realmId, bool includeVendorsAndEmployees, CancellationToken cancellationToken)
    {
        var directory = new CustomerDirectory();
        await foreach (var customer in client.Customers.ListAsync(realmId, includeInactive: true, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            directory.Add(customer);
        }

        if (includeVendorsAndEmployees)
        {
            await foreach (var vendor in client.Vendors.ListAsync(realmId, includeInactive: true, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                directory.Add(vendor, NameHolderKind.Vendor);
            }

            await foreach (var employee in client.Employees.ListAsync(realmId, includeInactive: true, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                directory.Add(employee, NameHolderKind.Employee);
            }
        }

        return directory;
    }

    public void Add(Customer customer)
    {
        if (Add(customer, NameHolderKind.Customer))
        {
            _customers.Add(customer);
        }
    }

    public IReadOnlyList<NameHolder> Find(string name) =>
        _byKey.TryGetValue(NameKey.Of(name), out var holders) ? holders : [];

    private bool Add(QuickBooksNamedEntity entity, NameHolderKind kind)
    {
        if (entity.Id is null || entity.DisplayName is null)
        {
            return false;
        }

        var bare = entity.BareDisplayName!;
        var key = NameKey.Of(bare);
        if (!_byKey.TryGetValue(key, out var holders))
        {
            _byKey[key] = holders = [];
        }

        holders.RemoveAll(h => h.Kind == kind && h.Id == entity.Id);
        holders.Add(new NameHolder(entity.Id, bare, kind, entity.IsActive, entity as Customer));
        return true;
    }
}

/// <summary>Per-realm customer directories reused for a short while by the picker and the suggestions.</summary>
internal sealed class CustomerDirectoryCache(TimeProvider time, IOptions<QbSyncOptions> options)
{
    private readonly ConcurrentDictionary<string, (CustomerDirectory Directory, DateTimeOffset Until)> _byRealm = new(StringComparer.Ordinal);

    public async Task<CustomerDirectory> GetAsync(QuickBooksClient client, string realmId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_byRealm.TryGetValue(realmId, out var cached) && cached.Until > now)
        {
            return cached.Directory;
        }

        var directory = await CustomerDirectory.BuildAsync(client, realmId, includeVendorsAndEmployees: false, cancellationToken).ConfigureAwait(false);
        _byRealm[realmId] = (directory, now + options.Value.CustomerDirectoryCacheDuration);
        return directory;
    }

    /// <summary>Forgets a realm's directory after QbSync changed its customers.</summary>
    public void Invalidate(string realmId) => _byRealm.TryRemove(realmId, out _);
}
