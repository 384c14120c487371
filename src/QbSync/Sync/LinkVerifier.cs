using QbSync.QuickBooks;
using QbSync.QuickBooks.Webhooks;
using QbSync.Stores;
using QbSync.Sync.Steps;

namespace QbSync.Sync;

/// <summary>
/// Drift on QBO's side: a linked customer made inactive ("deleted") or gone turns its account NotSynced (previously
/// synced); a customer merged into another relinks its account to the survivor, recorded in the history. Renames in
/// the host application never reach QBO, and renames in QBO do not break the link, which is by customer id.
/// </summary>
internal sealed class LinkVerifier(IAccountStore store, QuickBooksClient client, AccountTransitions transitions)
{
    private const int IdsPerQuery = 500;

    /// <summary>Reads every linked customer of the firm (queries of 500 ids, inactive included) and reports drift.</summary>
    public async Task<int> VerifyAsync(FirmSyncSettings settings, CancellationToken cancellationToken)
    {
        if (settings.RealmId is not { } realmId)
        {
            return 0;
        }

        var synced = new List<SyncAccountRecord>();
        string? token = null;
        do
        {
            var page = await store.ListAsync(settings.FirmId, new AccountQuery { Statuses = [SyncStatus.Synced], PageSize = 1000, ContinuationToken = token }, cancellationToken).ConfigureAwait(false);
            synced.AddRange(page.Items.Where(r => r.CustomerId is not null));
            token = page.ContinuationToken;
        }
        while (token is not null);

        var changed = 0;
        foreach (var chunk in synced.Chunk(IdsPerQuery))
        {
            var query = QuickBooksQuery.Select("Customer").WhereIn("Id", chunk.Select(r => r.CustomerId!).Distinct()).IncludeInactive().Page(1, QuickBooksQuery.MaxPageSize);
            var page = await client.Customers.QueryAsync(realmId, query, cancellationToken).ConfigureAwait(false);
            var byId = page.Items.Where(c => c.Id is not null).ToDictionary(c => c.Id!, StringComparer.Ordinal);
            foreach (var record in chunk)
            {
                changed += await ApplyAsync(record, byId.GetValueOrDefault(record.CustomerId!), cancellationToken).ConfigureAwait(false) ? 1 : 0;
            }
        }

        return changed;
    }

    /// <summary>Applies QBO change notifications (webhooks) about customers of the firm's realm.</summary>
    public async Task<int> ApplyAsync(FirmSyncSettings settings, IEnumerable<QuickBooksWebhookEvent> events, CancellationToken cancellationToken)
    {
        if (settings.RealmId is not { } realmId)
        {
            return 0;
        }

        var changed = 0;
        foreach (var change in events.Where(e => e.RealmId == realmId && string.Equals(e.EntityName, "Customer", StringComparison.OrdinalIgnoreCase)))
        {
            if (change.Operation == QuickBooksWebhookOperation.Merge && change.DeletedId is { } mergedAway)
            {
                changed += await RelinkAsync(settings.FirmId, mergedAway, change.EntityId, cancellationToken).ConfigureAwait(false) ? 1 : 0;
                continue;
            }

            var record = await store.FindByCustomerIdAsync(settings.FirmId, change.EntityId, cancellationToken).ConfigureAwait(false);
            if (record is null || record.Status != SyncStatus.Synced)
            {
                continue;
            }

            Customer? customer = null;
            if (change.Operation != QuickBooksWebhookOperation.Delete)
            {
                try
                {
                    customer = await client.Customers.GetAsync(realmId, change.EntityId, cancellationToken).ConfigureAwait(false);
                }
                catch (QuickBooksObjectNotFoundException)
                {
                }
            }

            changed += await ApplyAsync(record, customer, cancellationToken).ConfigureAwait(false) ? 1 : 0;
        }

        return changed;
    }

    private async Task<bool> ApplyAsync(SyncAccountRecord record, Customer? customer, CancellationToken cancellationToken)
    {
        StepOutcome? outcome = customer switch
        {
            null => new StepOutcome.CustomerLost(SyncReason.CustomerNotFound, $"customer {record.CustomerId} no longer exists in QBO"),
            { IsActive: false } => new StepOutcome.CustomerLost(SyncReason.CustomerInactive, $"customer {record.CustomerId} was made inactive in QBO"),
            _ => null,
        };
        if (outcome is null)
        {
            return false;
        }

        var finished = await transitions.FinishAsync(record, outcome, SyncActor.SystemUserId, cancellationToken).ConfigureAwait(false);
        return finished.Status == SyncStatus.NotSynced;
    }

    private async Task<bool> RelinkAsync(string firmId, string mergedAwayId, string survivorId, CancellationToken cancellationToken)
    {
        var record = await store.FindByCustomerIdAsync(firmId, mergedAwayId, cancellationToken).ConfigureAwait(false);
        if (record is null || record.Status != SyncStatus.Synced)
        {
            return false;
        }

        var holder = await store.FindByCustomerIdAsync(firmId, survivorId, cancellationToken).ConfigureAwait(false);
        if (holder is not null && holder.AccountId != record.AccountId)
        {
            // The survivor belongs to another account: this one loses its customer rather than share one.
            await transitions.FinishAsync(record, new StepOutcome.CustomerLost(SyncReason.CustomerNotFound,
                $"customer {mergedAwayId} was merged into {survivorId}, which is linked to account {holder.AccountId}"), SyncActor.SystemUserId, cancellationToken).ConfigureAwait(false);
            return true;
        }

        var saved = await transitions.TryApplyAsync(record, SyncTrigger.CustomerMerged, r => r with
        {
            CustomerId = survivorId,
            Reason = SyncReason.CustomerMerged,
            Problem = new SyncProblem { Reason = SyncReason.CustomerMerged, CustomerIds = [mergedAwayId, survivorId], OccurredAt = transitions.Now },
        }, SyncActor.SystemUserId, $"customer {mergedAwayId} was merged into {survivorId} in QBO; relinked to the survivor", cancellationToken).ConfigureAwait(false);
        return saved is not null;
    }
}
