using System.Collections.Frozen;

namespace QbSync.Billing;

/// <summary>
/// The one table of a billing document's status changes: (status, trigger) → status. Nothing else assigns a
/// document's status; a pair not in the table throws <see cref="InvalidOperationException"/>.
/// </summary>
internal static class BillingStateMachine
{
    private static readonly (SyncStatus From, BillingTrigger Trigger, SyncStatus To)[] Table = BuildTable();

    private static readonly FrozenDictionary<(SyncStatus, BillingTrigger), SyncStatus> Lookup =
        Table.ToFrozenDictionary(t => (t.From, t.Trigger), t => t.To);

    public static IReadOnlyCollection<(SyncStatus From, BillingTrigger Trigger, SyncStatus To)> Transitions => Table;

    public static SyncStatus Next(SyncStatus from, BillingTrigger trigger) =>
        Lookup.TryGetValue((from, trigger), out var to)
            ? to
            : throw new InvalidOperationException($"A billing document cannot go from {from} on {trigger}.");

    private static (SyncStatus, BillingTrigger, SyncStatus)[] BuildTable()
    {
        var t = new List<(SyncStatus, BillingTrigger, SyncStatus)>();
        SyncStatus[] all = [SyncStatus.NotSynced, SyncStatus.Syncing, SyncStatus.Synced, SyncStatus.Skipped, SyncStatus.Failed];

        foreach (var from in all)
        {
            // The host records or changes a document: it is queued (the runner decides whether it waits).
            t.Add((from, BillingTrigger.Recorded, SyncStatus.Syncing));
            t.Add((from, BillingTrigger.Changed, SyncStatus.Syncing));

            // It waits for its account or its invoices.
            t.Add((from, BillingTrigger.Held, SyncStatus.NotSynced));
            t.Add((from, BillingTrigger.HeldBySkippedAccount, SyncStatus.Skipped));
        }

        // Released: what it waited for is ready.
        t.Add((SyncStatus.NotSynced, BillingTrigger.Released, SyncStatus.Syncing));
        t.Add((SyncStatus.Skipped, BillingTrigger.Released, SyncStatus.Syncing));

        // A person retries a failed document.
        t.Add((SyncStatus.Failed, BillingTrigger.RetryRequested, SyncStatus.Syncing));

        // Work under way.
        t.Add((SyncStatus.Syncing, BillingTrigger.Started, SyncStatus.Syncing));
        t.Add((SyncStatus.Syncing, BillingTrigger.Resumed, SyncStatus.Syncing));
        t.Add((SyncStatus.Syncing, BillingTrigger.Succeeded, SyncStatus.Synced));
        t.Add((SyncStatus.Syncing, BillingTrigger.SucceededWithMoreWork, SyncStatus.Syncing));
        t.Add((SyncStatus.Syncing, BillingTrigger.TransientFailure, SyncStatus.Syncing));
        t.Add((SyncStatus.Syncing, BillingTrigger.PermanentFailure, SyncStatus.Failed));
        t.Add((SyncStatus.Syncing, BillingTrigger.RetriesExhausted, SyncStatus.Failed));
        return [.. t];
    }
}
