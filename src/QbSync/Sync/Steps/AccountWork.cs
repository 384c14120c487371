using Microsoft.Extensions.Options;
using QbSync.QuickBooks;

namespace QbSync.Sync.Steps;

/// <summary>
/// Runs one account's QBO work as its intent says (match by name, link a chosen customer, create a customer), every
/// write carrying the request id stored with the intent before the call. Answers in at most two QBO round trips in the
/// common case: one look-up, then one write or none.
/// </summary>
internal sealed class AccountWork(
    CustomerMatcher matcher,
    NameConflictResolver resolver,
    CustomerTypeCache customerTypes,
    TimeProvider time)
{
    /// <summary>Stores a follow-up intent (a create) before its write is made.</summary>
    public delegate Task<SyncAccountRecord> SaveIntent(SyncAccountRecord record, SyncIntent intent, CancellationToken cancellationToken);

    public async Task<StepOutcome> RunAsync(
        QuickBooksClient client,
        string realmId,
        SyncAccountRecord record,
        FirmSyncSettings settings,
        Func<string, string?> linkedAccountOf,
        SaveIntent saveIntent,
        bool resuming,
        CancellationToken cancellationToken)
    {
        var intent = record.Intent ?? new SyncIntent { Kind = SyncIntentKind.MatchByName, RequestId = NewRequestId() };
        try
        {
            switch (intent.Kind)
            {
                case SyncIntentKind.LinkChosen:
                    if (linkedAccountOf(intent.CustomerId!) is { } holder)
                    {
                        return new StepOutcome.Failed(new SyncProblem
                        {
                            Reason = SyncReason.CustomerLinkedToAnotherAccount,
                            CustomerIds = [intent.CustomerId!],
                            ConflictingAccountId = holder,
                            OccurredAt = time.GetUtcNow(),
                        });
                    }

                    return await LinkChosenAsync(client, realmId, intent, cancellationToken).ConfigureAwait(false);

                case SyncIntentKind.CreateCustomer:
                    if (resuming)
                    {
                        // The create may have happened before the process stopped: look for its result first.
                        var match = await matcher.MatchAsync(client, realmId, intent.DisplayName!, linkedAccountOf, cancellationToken).ConfigureAwait(false);
                        if (match is MatchResult.Match found)
                        {
                            return new StepOutcome.Linked(found.Customer.Id!, found.Customer.BareDisplayName!, SyncReason.None,
                                "found the customer created before the work was interrupted");
                        }
                    }

                    return await CreateAsync(client, realmId, intent, linkedAccountOf, note: null, cancellationToken).ConfigureAwait(false);

                default:
                    var result = await matcher.MatchAsync(client, realmId, record.AccountName, linkedAccountOf, cancellationToken).ConfigureAwait(false);
                    switch (result)
                    {
                        case MatchResult.Match m:
                            return new StepOutcome.Linked(m.Customer.Id!, m.Customer.BareDisplayName!, SyncReason.None, "matched by name");
                        case MatchResult.Problem p:
                            return p.Outcome;
                    }

                    if (!settings.CreateMissingCustomers)
                    {
                        return StepOutcome.Fail(SyncReason.NoMatchCreationDisabled, time);
                    }

                    var name = QuickBooksDisplayName.FromAccountName(record.AccountName);
                    if (!name.IsValid)
                    {
                        return StepOutcome.Fail(SyncReason.InvalidName, time);
                    }

                    var create = new SyncIntent { Kind = SyncIntentKind.CreateCustomer, RequestId = NewRequestId(), DisplayName = name.Value };
                    await saveIntent(record, create, cancellationToken).ConfigureAwait(false);
                    return await CreateAsync(client, realmId, create, linkedAccountOf, DescribeChanges(record.AccountName, name), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception error) when (StepOutcome.FromException(error, time) is { } outcome)
        {
            return outcome;
        }
    }

    public static string NewRequestId() => Guid.NewGuid().ToString("N");

    public static string? DescribeChanges(string accountName, DisplayNameResult name) =>
        name.Changes.Count == 0 || name.Value == accountName
            ? null
            : $"display name for QBO is '{name.Value}' ({string.Join(", ", name.Changes)})";

    public async Task<StepOutcome> CreateAsync(QuickBooksClient client, string realmId, SyncIntent intent, Func<string, string?> linkedAccountOf, string? note, CancellationToken cancellationToken)
    {
        var displayName = intent.DisplayName ?? throw new InvalidOperationException("A create intent needs a display name.");
        var typeId = await customerTypes.GetIndividualTypeIdAsync(client, realmId, cancellationToken).ConfigureAwait(false);
        try
        {
            var customer = await client.Customers.CreateAsync(realmId, new CustomerCreateRequest
            {
                DisplayName = displayName,
                CustomerTypeRef = typeId is null ? null : new QuickBooksReference(typeId),
            }, intent.RequestId, cancellationToken).ConfigureAwait(false);
            return new StepOutcome.Linked(customer.Id!, customer.BareDisplayName ?? displayName, SyncReason.None,
                "created the customer" + (typeId is null ? " (no Individual customer type in the company)" : " with customer type Individual") + (note is null ? string.Empty : "; " + note));
        }
        catch (QuickBooksDuplicateNameException duplicate)
        {
            return await resolver.ResolveAsync(client, realmId, displayName, linkedAccountOf, duplicate, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<StepOutcome> LinkChosenAsync(QuickBooksClient client, string realmId, SyncIntent intent, CancellationToken cancellationToken)
    {
        var customerId = intent.CustomerId ?? throw new InvalidOperationException("A link intent needs a customer id.");
        Customer customer;
        try
        {
            customer = await client.Customers.GetAsync(realmId, customerId, cancellationToken).ConfigureAwait(false);
        }
        catch (QuickBooksException error) when (error is QuickBooksObjectNotFoundException || error.ErrorCode is "2030" || error.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return new StepOutcome.Failed(new SyncProblem
            {
                Reason = SyncReason.ChosenCustomerNotFound,
                CustomerIds = [customerId],
                QuickBooksErrorCode = error.ErrorCode,
                IntuitTid = error.IntuitTid,
                OccurredAt = time.GetUtcNow(),
            });
        }

        if (!customer.IsActive)
        {
            if (!intent.ReactivateIfInactive)
            {
                return new StepOutcome.Failed(new SyncProblem
                {
                    Reason = SyncReason.ChosenCustomerInactive,
                    CustomerIds = [customerId],
                    OccurredAt = time.GetUtcNow(),
                });
            }

            try
            {
                customer = await client.Customers.ReactivateAsync(realmId, customerId, customer.SyncToken!, intent.RequestId, cancellationToken).ConfigureAwait(false);
            }
            catch (QuickBooksStaleObjectException)
            {
                // Someone changed it meanwhile: read it again and retry once, as a new write.
                customer = await client.Customers.GetAsync(realmId, customerId, cancellationToken).ConfigureAwait(false);
                if (!customer.IsActive)
                {
                    customer = await client.Customers.ReactivateAsync(realmId, customerId, customer.SyncToken!, NewRequestId(), cancellationToken).ConfigureAwait(false);
                }
            }

            return new StepOutcome.Linked(customer.Id!, customer.BareDisplayName!, SyncReason.None, "reactivated the customer and linked it");
        }

        return new StepOutcome.Linked(customer.Id!, customer.BareDisplayName!, SyncReason.None, "linked to the chosen customer");
    }
}
