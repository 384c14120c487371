using Microsoft.Extensions.Options;
using QbSync.QuickBooks;

namespace QbSync.Sync.Steps;

/// <summary>
/// After QBO refused a create with 6240 (duplicate name), finds who holds the name (the 6240 detail carries no id in
/// real traffic) and ends in a precise outcome: an active customer that appeared meanwhile is linked; an inactive
/// customer fails with the reactivate-and-link action; a vendor or employee fails with a suggested other display name.
/// </summary>
internal sealed class NameConflictResolver(TimeProvider time, IOptions<QbSyncOptions> options, CustomerDirectoryCache directories)
{
    /// <summary>Brings the realm's directory up to date (one change-data-capture request) and decides from it; when it
    /// shows no holder although QBO refused the name, reads the whole name space again before deciding.</summary>
    public async Task<StepOutcome> ResolveAsync(QuickBooksClient client, string realmId, string displayName, Func<string, string?> linkedAccountOf, QuickBooksDuplicateNameException duplicate, CancellationToken cancellationToken)
    {
        var directory = await directories.GetAsync(client, realmId, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        var holders = directory.Find(displayName);
        if (holders.Count == 0)
        {
            directory = await directories.ReadInFullAsync(client, realmId, cancellationToken).ConfigureAwait(false);
            holders = directory.Find(displayName);
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

        var suggestion = QuickBooksDisplayName.WithSuffix(displayName, options.Value.AlternativeNameSuffix).Value;
        var inactive = holders.Where(h => h.Kind == NameHolderKind.Customer).ToList();
        if (inactive.Count > 0)
        {
            return new StepOutcome.Failed(new SyncProblem
            {
                Reason = SyncReason.NameHeldByInactiveCustomer,
                CustomerIds = inactive.Select(h => h.Id).ToList(),
                SuggestedDisplayName = suggestion,
                QuickBooksErrorCode = duplicate.ErrorCode,
                IntuitTid = duplicate.IntuitTid,
                OccurredAt = now,
            });
        }

        var other = holders.FirstOrDefault(h => h.Kind is NameHolderKind.Vendor or NameHolderKind.Employee);
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
}
