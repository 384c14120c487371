using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QbSync.Stores;
using QbSync.Sync;

namespace QbSync.Billing;

/// <summary>
/// Saves every status change of a billing document: asks <see cref="BillingStateMachine"/> for the target status,
/// writes the record with a compare-and-swap on its version and the history entry in the same step. A worker's save
/// that loses the race to a host edit is applied again on top of the edit while the work is still the worker's (same
/// lease owner and intent), so neither the host's change nor the QBO outcome is lost.
/// </summary>
internal sealed partial class BillingTransitions(
    IBillingDocumentStore store,
    TimeProvider time,
    IOptions<QbSyncOptions> options,
    ILogger<BillingTransitions> logger,
    Diagnostics.QbSyncMetrics? metrics = null)
{
    public QbSyncOptions Options => options.Value;

    public DateTimeOffset Now => time.GetUtcNow();

    public TimeProvider Time => time;

    public IBillingDocumentStore Store => store;

    /// <summary>Applies a trigger; <see langword="null"/> when someone else changed the record first.</summary>
    public async Task<BillingDocumentRecord?> TryApplyAsync(BillingDocumentRecord record, BillingTrigger trigger, Func<BillingDocumentRecord, BillingDocumentRecord> change, string actorId, string? note, CancellationToken cancellationToken)
    {
        var to = BillingStateMachine.Next(record.Status, trigger);
        var now = Now;
        var next = change(record) with
        {
            Status = to,
            StatusChangedAt = to != record.Status ? now : record.StatusChangedAt,
        };
        var history = new BillingHistoryEntry
        {
            FirmId = record.FirmId,
            DocumentKey = record.DocumentKey,
            From = record.Status,
            To = to,
            Trigger = trigger,
            Reason = next.Reason,
            ActorId = actorId,
            At = now,
            Note = note,
        };
        var saved = await store.TryUpdateAsync(next, record.Version, history, cancellationToken).ConfigureAwait(false);
        if (saved is null)
        {
            LogConflict(logger, record.FirmId, record.DocumentKey, trigger);
        }
        else
        {
            metrics?.BillingDocumentStatusChanged(record, saved);
        }

        return saved;
    }

    /// <summary>
    /// A worker's save: <paramref name="decide"/> computes the trigger and the new state from the latest record;
    /// on a conflict it is asked again on the re-read record as long as the work is still this worker's.
    /// </summary>
    public async Task<BillingDocumentRecord?> ApplyOwnAsync(BillingDocumentRecord record, Func<BillingDocumentRecord, (BillingTrigger Trigger, BillingDocumentRecord Next, string? Note)> decide, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var (trigger, next, note) = decide(record);
            var saved = await TryApplyAsync(record, trigger, _ => next, SyncActor.SystemUserId, note, cancellationToken).ConfigureAwait(false);
            if (saved is not null)
            {
                return saved;
            }

            var latest = await store.GetAsync(record.FirmId, record.DocumentKey, cancellationToken).ConfigureAwait(false);
            if (latest is null || latest.LeaseOwner != Options.WorkerId || latest.Intent?.RequestId != record.Intent?.RequestId)
            {
                return null;
            }

            record = latest;
        }

        return null;
    }

    /// <summary>Gives a claimed record back without working on it.</summary>
    public async Task ReleaseAsync(BillingDocumentRecord record, DateTimeOffset? nextAttemptAt)
    {
        await store.TryUpdateAsync(record with { LeaseOwner = null, LeaseUntil = null, NextAttemptAt = nextAttemptAt }, record.Version, null, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Makes an account's waiting documents due again (their account is Synced, or the invoices a payment
    /// waits for reached QBO). Returns how many were released.</summary>
    public async Task<int> ReleaseWaitingAsync(string firmId, string accountId, Func<BillingDocumentRecord, bool> which, string note, CancellationToken cancellationToken)
    {
        var released = 0;
        string? token = null;
        do
        {
            var page = await store.ListAsync(firmId, new BillingDocumentQuery
            {
                AccountId = accountId,
                Statuses = [SyncStatus.NotSynced, SyncStatus.Skipped],
                PageSize = 1000,
                ContinuationToken = token,
            }, cancellationToken).ConfigureAwait(false);
            foreach (var record in page.Items.Where(r => r.NextAttemptAt is null && which(r)))
            {
                var saved = await TryApplyAsync(record, BillingTrigger.Released, r => r with
                {
                    Reason = BillingReason.None,
                    Problem = null,
                    NextAttemptAt = Now,
                }, SyncActor.SystemUserId, note, cancellationToken).ConfigureAwait(false);
                released += saved is null ? 0 : 1;
            }

            token = page.ContinuationToken;
        }
        while (token is not null);

        return released;
    }

    [LoggerMessage(2601, LogLevel.Information, "Billing document {DocumentKey} of firm {FirmId} changed meanwhile; {Trigger} not applied")]
    private static partial void LogConflict(ILogger logger, string firmId, string documentKey, BillingTrigger trigger);
}
