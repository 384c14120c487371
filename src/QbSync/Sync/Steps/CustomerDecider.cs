using Microsoft.Extensions.Options;
using QbSync.QuickBooks;

namespace QbSync.Sync.Steps;

/// <summary>What to do for an account, decided from the company's names.</summary>
internal abstract record NameDecision
{
    /// <summary>Link this customer.</summary>
    public sealed record Link(NameHolder Customer) : NameDecision;

    /// <summary>Stop with this outcome (ambiguous, held, invalid, creation not allowed).</summary>
    public sealed record Fail(StepOutcome.Failed Outcome) : NameDecision;

    /// <summary>Create a customer under this display name; <paramref name="Note"/> says how it differs from the
    /// account's name.</summary>
    public sealed record Create(string DisplayName, string? Note) : NameDecision;
}

/// <summary>
/// THE decision of what an account's name leads to, made from a <see cref="CustomerDirectory"/>: one active customer
/// with the same name (by <see cref="NameKey"/>, under the account's name or the display name QbSync would create)
/// links, unless another account of the firm holds it; two or more are ambiguous; an inactive one holding the name is
/// reported with the reactivate action and another name to create under; then, if the firm creates missing customers, a
/// vendor or employee holding the display name is reported (QBO would refuse the create with 6240), else the customer
/// is created. Both the single-account path and the bulk path ask this one class, so they decide alike.
/// </summary>
internal sealed class CustomerDecider(TimeProvider time, IOptions<QbSyncOptions> options)
{
    public NameDecision Decide(string accountName, CustomerDirectory directory, Func<string, string?> linkedAccountOf, FirmSyncSettings settings)
    {
        var name = QuickBooksDisplayName.FromAccountName(accountName);
        var key = NameKey.Of(accountName);
        if (!name.IsValid || key.Length == 0)
        {
            return new NameDecision.Fail(StepOutcome.Fail(SyncReason.InvalidName, time));
        }

        // The names held under the account's name, and under the display name QbSync would create when they differ.
        var holders = directory.FindByKey(key);
        if (!string.Equals(name.Value, accountName, StringComparison.Ordinal) && directory.Find(name.Value!) is { Count: > 0 } underDisplayName)
        {
            holders = holders.Concat(underDisplayName).DistinctBy(h => (h.Kind, h.Id)).ToList();
        }

        if (holders.Count == 0)
        {
            // The common case of a first sync: nobody holds the name.
            return settings.CreateMissingCustomers
                ? new NameDecision.Create(name.Value!, DescribeChanges(accountName, name))
                : new NameDecision.Fail(StepOutcome.Fail(SyncReason.NoMatchCreationDisabled, time));
        }

        var now = time.GetUtcNow();
        var customers = holders.Where(h => h.Kind == NameHolderKind.Customer).OrderBy(h => h.Id, StringComparer.Ordinal).ToList();
        var active = customers.Where(h => h.IsActive).ToList();
        if (active.Count > 1)
        {
            return Fail(new SyncProblem { Reason = SyncReason.AmbiguousMatch, CustomerIds = active.Select(c => c.Id).ToList(), OccurredAt = now });
        }

        if (active.Count == 1)
        {
            var customer = active[0];
            return linkedAccountOf(customer.Id) is { } other
                ? Fail(new SyncProblem { Reason = SyncReason.CustomerLinkedToAnotherAccount, CustomerIds = [customer.Id], ConflictingAccountId = other, OccurredAt = now })
                : new NameDecision.Link(customer);
        }

        var suggestion = QuickBooksDisplayName.WithSuffix(name.Value!, options.Value.AlternativeNameSuffix).Value;
        if (customers.Count > 0)
        {
            return Fail(new SyncProblem
            {
                Reason = SyncReason.NameHeldByInactiveCustomer,
                CustomerIds = customers.Select(c => c.Id).ToList(),
                SuggestedDisplayName = suggestion,
                OccurredAt = now,
            });
        }

        if (!settings.CreateMissingCustomers)
        {
            return new NameDecision.Fail(StepOutcome.Fail(SyncReason.NoMatchCreationDisabled, time));
        }

        if (holders.FirstOrDefault(h => h.Kind is NameHolderKind.Vendor or NameHolderKind.Employee) is { } holder)
        {
            // QBO would refuse the create with 6240: decide it here, as the 6240 path would.
            return Fail(new SyncProblem
            {
                Reason = holder.Kind == NameHolderKind.Vendor ? SyncReason.NameHeldByVendor : SyncReason.NameHeldByEmployee,
                ConflictingRecordId = holder.Id,
                SuggestedDisplayName = suggestion,
                OccurredAt = now,
            });
        }

        return new NameDecision.Create(name.Value!, DescribeChanges(accountName, name));
    }

    /// <summary>The customer an interrupted create made, if the directory shows exactly one active customer with its
    /// display name that no other account holds.</summary>
    public static NameHolder? FindCreated(CustomerDirectory directory, string displayName, Func<string, string?> linkedAccountOf)
    {
        var active = directory.Find(displayName).Where(h => h.Kind == NameHolderKind.Customer && h.IsActive).ToList();
        return active.Count == 1 && linkedAccountOf(active[0].Id) is null ? active[0] : null;
    }

    /// <summary>The history note for a display name that differs from the account's name.</summary>
    public static string? DescribeChanges(string accountName, DisplayNameResult name) =>
        name.Changes.Count == 0 || name.Value == accountName
            ? null
            : $"display name for QBO is '{name.Value}' ({string.Join(", ", name.Changes)})";

    private static NameDecision.Fail Fail(SyncProblem problem) => new(new StepOutcome.Failed(problem));
}
