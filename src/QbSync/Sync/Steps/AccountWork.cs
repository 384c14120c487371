using QbSync.QuickBooks;

namespace QbSync.Sync.Steps;

/// <summary>
/// Runs one account's QBO work as its intent says (match by name, link a chosen customer, create a customer), every
/// write carrying the request id stored with the intent before the call. The name decision is
/// <see cref="CustomerDecider"/>'s, made on the realm's directory brought up to date (one change-data-capture request
/// when it is known): then one write or none. Whatever the work throws becomes its outcome
/// (<see cref="StepOutcome.FromException"/>); only the caller's cancellation propagates.
/// </summary>
internal sealed class AccountWork(
    CustomerDecider decider,
    NameConflictResolver resolver,
    CustomerTypeCache customerTypes,
    CustomerDirectoryCache directories,
    TimeProvider time)
{
    /// <summary>Stores a follow-up intent (a create) before its write is made; returns the saved record.</summary>
    public delegate Task<SyncAccountRecord> SaveIntent(SyncIntent intent, CancellationToken cancellationToken);

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
                        // The create may have happened before the work was interrupted: look for its result first.
                        var directory = await directories.GetAsync(client, realmId, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
                        if (CustomerDecider.FindCreated(directory, intent.DisplayName!, linkedAccountOf) is { } found)
                        {
                            return new StepOutcome.Linked(found.Id, found.DisplayName, SyncReason.None,
                                "found the customer created before the work was interrupted" + NoteOf(record, intent));
                        }
                    }

                    return await CreateAsync(client, realmId, record, intent, linkedAccountOf, cancellationToken).ConfigureAwait(false);

                default:
                    var current = await directories.GetAsync(client, realmId, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
                    switch (decider.Decide(record.AccountName, current, linkedAccountOf, settings))
                    {
                        case NameDecision.Link link:
                            return new StepOutcome.Linked(link.Customer.Id, link.Customer.DisplayName, SyncReason.None, "matched by name");
                        case NameDecision.Fail fail:
                            return fail.Outcome;
                        case NameDecision.Create create:
                            var createIntent = new SyncIntent { Kind = SyncIntentKind.CreateCustomer, RequestId = NewRequestId(), DisplayName = create.DisplayName };
                            var saved = await saveIntent(createIntent, cancellationToken).ConfigureAwait(false);
                            return await CreateAsync(client, realmId, saved, createIntent, linkedAccountOf, cancellationToken).ConfigureAwait(false);
                        default:
                            throw new InvalidOperationException("Unknown name decision.");
                    }
            }
        }
        catch (Exception error) when (StepOutcome.FromException(error, time, cancellationToken) is { } outcome)
        {
            return outcome;
        }
    }

    public static string NewRequestId() => Guid.NewGuid().ToString("N");

    /// <summary>"; display name for QBO is …" when the customer's display name differs from the account's name: the
    /// same note whether the create finished at once, was resumed, or went in a batch.</summary>
    public static string NoteOf(SyncAccountRecord record, SyncIntent intent)
    {
        if (intent.DisplayName is null)
        {
            return string.Empty;
        }

        var fromAccount = QuickBooksDisplayName.FromAccountName(record.AccountName);
        var changes = fromAccount.Value == intent.DisplayName
            ? CustomerDecider.DescribeChanges(record.AccountName, fromAccount)
            : intent.DisplayName == record.AccountName ? null : $"display name for QBO is '{intent.DisplayName}'";
        return changes is null ? string.Empty : "; " + changes;
    }

    public static string CreatedNote(string? typeId) =>
        "created the customer" + (typeId is null ? " (no Individual customer type in the company)" : " with customer type Individual");

    private async Task<StepOutcome> CreateAsync(QuickBooksClient client, string realmId, SyncAccountRecord record, SyncIntent intent, Func<string, string?> linkedAccountOf, CancellationToken cancellationToken)
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
            directories.Remember(realmId, customer);
            return new StepOutcome.Linked(customer.Id!, customer.BareDisplayName ?? displayName, SyncReason.None, CreatedNote(typeId) + NoteOf(record, intent));
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

            directories.Remember(realmId, customer);
            return new StepOutcome.Linked(customer.Id!, customer.BareDisplayName!, SyncReason.None, "reactivated the customer and linked it");
        }

        return new StepOutcome.Linked(customer.Id!, customer.BareDisplayName!, SyncReason.None, "linked to the chosen customer");
    }
}
