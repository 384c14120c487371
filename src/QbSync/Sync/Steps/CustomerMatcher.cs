using QbSync.QuickBooks;

namespace QbSync.Sync.Steps;

/// <summary>What the name match found.</summary>
internal abstract record MatchResult
{
    public sealed record Match(Customer Customer) : MatchResult;

    public sealed record Problem(StepOutcome.Failed Outcome) : MatchResult;

    public sealed record NoMatch : MatchResult;
}

/// <summary>
/// Finds the customer with the account's name (<see cref="NameKey"/>): exactly one active one links; two or more is
/// ambiguous; one linked to another account of the firm is reported, never taken; an inactive one holding the name is
/// reported with the reactivate action. One targeted query asks for the name's spellings that QBO would treat as
/// different strings (typographic quotes and dashes, whitespace), with and without the " (deleted)" suffix, inactive
/// records included.
/// </summary>
internal sealed class CustomerMatcher(TimeProvider time)
{
    private const int MaxSpellings = 8;

    public async Task<MatchResult> MatchAsync(QuickBooksClient client, string realmId, string accountName, Func<string, string?> linkedAccountOf, CancellationToken cancellationToken)
    {
        var rows = await FindSameNameCustomersAsync(client, realmId, accountName, cancellationToken).ConfigureAwait(false);
        return Classify(accountName, rows, linkedAccountOf);
    }

    public MatchResult MatchLocal(CustomerDirectory directory, string accountName, Func<string, string?> linkedAccountOf) =>
        Classify(accountName, directory.Find(accountName).Where(h => h.Customer is not null).Select(h => h.Customer!), linkedAccountOf);

    /// <summary>Customers (inactive included) whose name is the same as <paramref name="name"/> by <see cref="NameKey"/>.</summary>
    public static async Task<IReadOnlyList<Customer>> FindSameNameCustomersAsync(QuickBooksClient client, string realmId, string name, CancellationToken cancellationToken)
    {
        var spellings = Spellings(name);
        var query = QuickBooksQuery.Select("Customer")
            .WhereIn("DisplayName", spellings.Concat(spellings.Select(s => s + QuickBooksNamedEntity.DeletedSuffix)))
            .IncludeInactive()
            .Page(1, QuickBooksQuery.MaxPageSize);
        var page = await client.Customers.QueryAsync(realmId, query, cancellationToken).ConfigureAwait(false);
        var key = NameKey.Of(name);
        return page.Items.Where(c => c.DisplayName is not null && NameKey.OfQuickBooksName(c.DisplayName, c.IsActive) == key).ToList();
    }

    /// <summary>The spellings of a name that are the same name for QbSync but different strings for QBO.</summary>
    public static IReadOnlyList<string> Spellings(string name)
    {
        var bases = new List<string> { name.Trim() };
        if (QuickBooksDisplayName.FromAccountName(name).Value is { } cleaned)
        {
            bases.Add(cleaned);
        }

        var spellings = new List<string>();
        foreach (var text in bases)
        {
            foreach (var variant in new[]
                     {
                         text,
                         text.Replace('\u2019', '\'').Replace('\u2018', '\''),
                         text.Replace('\'', '\u2019'),
                         text.Replace('\u2013', '-').Replace('\u2014', '-'),
                         text.Replace('-', '\u2013'),
                     })
            {
                if (variant.Length > 0 && !variant.Any(char.IsControl) && !spellings.Contains(variant, StringComparer.Ordinal) && spellings.Count < MaxSpellings)
                {
                    spellings.Add(variant);
                }
            }
        }

        return spellings;
    }

    private MatchResult Classify(string accountName, IEnumerable<Customer> candidates, Func<string, string?> linkedAccountOf)
    {
        var key = NameKey.Of(accountName);
        var same = candidates.Where(c => c.Id is not null && c.DisplayName is not null && NameKey.OfQuickBooksName(c.DisplayName, c.IsActive) == key)
            .DistinctBy(c => c.Id)
            .OrderBy(c => c.Id, StringComparer.Ordinal)
            .ToList();
        var active = same.Where(c => c.IsActive).ToList();
        var now = time.GetUtcNow();
        if (active.Count > 1)
        {
            return new MatchResult.Problem(new StepOutcome.Failed(new SyncProblem
            {
                Reason = SyncReason.AmbiguousMatch,
                CustomerIds = active.Select(c => c.Id!).ToList(),
                OccurredAt = now,
            }));
        }

        if (active.Count == 1)
        {
            var customer = active[0];
            return linkedAccountOf(customer.Id!) is { } other
                ? new MatchResult.Problem(new StepOutcome.Failed(new SyncProblem
                {
                    Reason = SyncReason.CustomerLinkedToAnotherAccount,
                    CustomerIds = [customer.Id!],
                    ConflictingAccountId = other,
                    OccurredAt = now,
                }))
                : new MatchResult.Match(customer);
        }

        if (same.Count > 0)
        {
            return new MatchResult.Problem(new StepOutcome.Failed(new SyncProblem
            {
                Reason = SyncReason.NameHeldByInactiveCustomer,
                CustomerIds = same.Select(c => c.Id!).ToList(),
                OccurredAt = now,
            }));
        }

        return new MatchResult.NoMatch();
    }
}
