using System.Collections.Frozen;

namespace QbSync.Sync;

/// <summary>
/// The one owner of every status transition: a table of (status, trigger) → status. A pair not in the table is an
/// illegal transition and throws <see cref="SyncTransitionException"/>; nothing overwrites a status silently.
/// </summary>
internal static class SyncStateMachine
{
    private static readonly (SyncStatus From, SyncTrigger Trigger, SyncStatus To)[] Table = BuildTable();

    private static readonly FrozenDictionary<(SyncStatus, SyncTrigger), SyncStatus> Lookup =
        Table.ToFrozenDictionary(t => (t.From, t.Trigger), t => t.To);

    /// <summary>Every legal transition.</summary>
    public static IReadOnlyCollection<(SyncStatus From, SyncTrigger Trigger, SyncStatus To)> Transitions => Table;

    /// <summary>The status a trigger leads to.</summary>
    /// <param name="from">The current status.</param>
    /// <param name="trigger">What happened.</param>
    /// <returns>The new status.</returns>
    /// <exception cref="SyncTransitionException">The transition is not allowed.</exception>
    public static SyncStatus Next(SyncStatus from, SyncTrigger trigger) =>
        Lookup.TryGetValue((from, trigger), out var to) ? to : throw new SyncTransitionException(from, trigger);

    /// <summary>Whether the trigger is allowed from the status.</summary>
    /// <param name="from">The current status.</param>
    /// <param name="trigger">What would happen.</param>
    /// <returns>Whether it is allowed.</returns>
    public static bool CanFire(SyncStatus from, SyncTrigger trigger) => Lookup.ContainsKey((from, trigger));

    private static (SyncStatus, SyncTrigger, SyncStatus)[] BuildTable()
    {
        var t = new List<(SyncStatus, SyncTrigger, SyncStatus)>();
        SyncStatus[] restartable = [SyncStatus.NotSynced, SyncStatus.Failed, SyncStatus.Skipped, SyncStatus.Synced];

        // A person asks to sync, link or create: from anything but Syncing (work already under way).
        foreach (var trigger in new[] { SyncTrigger.SyncRequested, SyncTrigger.LinkRequested, SyncTrigger.CreateRequested })
        {
            foreach (var from in restartable)
            {
                t.Add((from, trigger, SyncStatus.Syncing));
            }
        }

        // Automatic work only picks up accounts never synced and never skipped (NotSynced).
        t.Add((SyncStatus.NotSynced, SyncTrigger.AutoSyncStarted, SyncStatus.Syncing));

        // Unsync: from anything but Skipped (already skipped).
        foreach (var from in new[] { SyncStatus.NotSynced, SyncStatus.Failed, SyncStatus.Synced, SyncStatus.Syncing })
        {
            t.Add((from, SyncTrigger.UnsyncRequested, SyncStatus.Skipped));
        }

        // Outcomes of work under way.
        t.Add((SyncStatus.Syncing, SyncTrigger.Succeeded, SyncStatus.Synced));
        t.Add((SyncStatus.Syncing, SyncTrigger.TransientFailure, SyncStatus.Syncing));
        t.Add((SyncStatus.Syncing, SyncTrigger.Resumed, SyncStatus.Syncing));
        t.Add((SyncStatus.Syncing, SyncTrigger.PermanentFailure, SyncStatus.Failed));
        t.Add((SyncStatus.Syncing, SyncTrigger.RetriesExhausted, SyncStatus.Failed));

        // Drift found in QBO.
        t.Add((SyncStatus.Synced, SyncTrigger.CustomerLost, SyncStatus.NotSynced));
        t.Add((SyncStatus.Syncing, SyncTrigger.CustomerLost, SyncStatus.NotSynced));
        t.Add((SyncStatus.Synced, SyncTrigger.CustomerMerged, SyncStatus.Synced));

        // The firm connected another QBO company (or forgot it): links to the old company's customers are dropped.
        // A skipped account stays skipped (it has no link, and someone chose not to sync it).
        foreach (var from in new[] { SyncStatus.NotSynced, SyncStatus.Syncing, SyncStatus.Synced, SyncStatus.Failed })
        {
            t.Add((from, SyncTrigger.CompanyChanged, SyncStatus.NotSynced));
        }

        return [.. t];
    }
}
