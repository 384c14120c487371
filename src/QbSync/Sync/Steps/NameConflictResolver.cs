using Microsoft.Extensions.Options;
using QbSync.QuickBooks;

namespace QbSync.Sync.Steps;

/// <summary>
/// After QBO refused a create with 6240 (duplicate name), finds who holds the name (the 6240 detail carries no id in
/// real traffic) and ends in a precise outcome: an active customer that appeared meanwhile is linked; an inactive
/// customer fails with the reactivate-and-link action; a vendor or employee fails with a suggested other display name.
/// </summary>
internal sealed class NameConflictResolver(TimeProvider time, IOptions<QbSyncOptions> options)
{
    public async Task<StepOutcome> ResolveAsync(QuickBooksClient client, string realmId, string displayName, Func<string, string?> linkedAccountOf, QuickBooksDuplicateNameException duplicate, CancellationToken cancellationToken)
    {
        var holders = new List<NameHolder>();
        foreach (var customer in await CustomerMatcher.FindSameNameCustomersAsync(client, realmId, displayName, cancellationToken).ConfigureAwait(false))
        {
            holders.Add(new NameHolder(customer.Id!, customer.BareDisplayName!, NameHolderKind.Customer, customer.IsActive, customer));
        }

        if (holders.Count == 0)
        {
            var key = NameKey.Of(displayName);
            var spellings = CustomerMatcher.Spellings(displayName);
            foreach (var vendor in await FindAsync(client.Vendors, realmId, spellings, cancellationToken).ConfigureAwait(false))
            {
                if (NameKey.OfQuickBooksName(vendor.DisplayName!, vendor.IsActive) == key)
                {
                    holders.Add(new NameHolder(vendor.Id!, vendor.BareDisplayName!, NameHolderKind.Vendor, vendor.IsActive, null));
                }
            }

            foreach (var employee in await FindAsync(client.Employees, realmId, spellings, cancellationToken).ConfigureAwait(false))
            {
                if (NameKey.OfQuickBooksName(employee.DisplayName!, employee.IsActive) == key)
                {
                    holders.Add(new NameHolder(employee.Id!, employee.BareDisplayName!, NameHolderKind.Employee, employee.IsActive, null));
                }
            }
        }

        if (holders.Count == 0)
        {
            // QBO compares names in ways a targeted query cannot reproduce (case, say): read the whole name space once.
            var directory = await CustomerDirectory.BuildAsync(client, realmId, includeVendorsAndEmployees: true, cancellationToken).ConfigureAwait(false);
            holders.AddRange(directory.Find(displayName));
        }

        return Decide(displayName, holders, linkedAccountOf, duplicate);
    }

    public StepOutcome ResolveLocal(CustomerDirectory directory, string displayName, Func<string, string?> linkedAccountOf, QuickBooksDuplicateNameException duplicate) =>
        Decide(displayName, directory.Find(displayName), linkedAccountOf, duplicate);

    private StepOutcome Decide(string displayName, IReadOnlyList<NameHolder> holders, Func<string, string?> linkedAccountOf, QuickBooksDuplicateNameException duplicate)
    {
        var now = time.GetUtcNow();
        var activeCustomers = holders.Where(h => h.Kind == NameHolderKind.Customer && h.IsActive).ToList();
        if (activeCustomers.Count == 1)
        {
            var customer = activeCustomers[0];
            return linkedAccountOf(customer.Id) is { } linkedAccount
                ? new StepOutcome.Failed(new SyncProblem
                {
                    Reason = SyncReason.CustomerLinkedToAnotherAccount,
                    CustomerIds = [customer.Id],
                    ConflictingAccountId = linkedAccount,
                    OccurredAt = now,
                })
                : new StepOutcome.Linked(customer.Id, customer.DisplayName, SyncReason.None,
                    "an active customer with the name appeared in QBO meanwhile; linked it instead of creating one");
        }

        if (activeCustomers.Count > 1)
        {
            return new StepOutcome.Failed(new SyncProblem
            {
                Reason = SyncReason.AmbiguousMatch,
                CustomerIds = activeCustomers.Select(h => h.Id).ToList(),
                OccurredAt = now,
            });
        }

        var inactive = holders.Where(h => h.Kind == NameHolderKind.Customer).ToList();
        if (inactive.Count > 0)
        {
            return new StepOutcome.Failed(new SyncProblem
            {
                Reason = SyncReason.NameHeldByInactiveCustomer,
                CustomerIds = inactive.Select(h => h.Id).ToList(),
                QuickBooksErrorCode = duplicate.ErrorCode,
                IntuitTid = duplicate.IntuitTid,
                OccurredAt = now,
            });
        }

        var other = holders.FirstOrDefault(h => h.Kind is NameHolderKind.Vendor or NameHolderKind.Employee);
        var suggestion = QuickBooksDisplayName.WithSuffix(displayName, options.Value.AlternativeNameSuffix).Value;
        return new StepOutcome.Failed(new SyncProblem
        {
            Reason = other?.Kind switch
            {
                NameHolderKind.Vendor => SyncReason.NameHeldByVendor,
                NameHolderKind.Employee => SyncReason.NameHeldByEmployee,
                _ => SyncReason.DuplicateNameUnresolved,
            },
            ConflictingRecordId = other?.Id,
            SuggestedDisplayName = suggestion,
            QuickBooksErrorCode = duplicate.ErrorCode,
            // QBO's own words ("The name supplied already exists. : null") add nothing once the holder is known.
            QuickBooksMessage = other is null && duplicate.Errors.Count > 0 ? duplicate.Errors[0].Detail : null,
            IntuitTid = duplicate.IntuitTid,
            OccurredAt = now,
        });
    }

    private static async Task<IReadOnlyList<T>> FindAsync<T>(NameListClient<T> names, string realmId, IReadOnlyList<string> spellings, CancellationToken cancellationToken)
        where T : QuickBooksNamedEntity
    {
        var query = QuickBooksQuery.Select(typeof(T).Name)
            .WhereIn("DisplayName", spellings.Concat(spellings.Select(s => s + QuickBooksNamedEntity.DeletedSuffix)))
            .IncludeInactive()
            .Page(1, QuickBooksQuery.MaxPageSize);
        var page = await names.QueryAsync(realmId, query, cancellationToken).ConfigureAwait(false);
        return page.Items.Where(e => e.Id is not null && e.DisplayName is not null).ToList();
    }
}
