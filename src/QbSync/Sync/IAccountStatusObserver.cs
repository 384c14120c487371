namespace QbSync.Sync;

/// <summary>
/// Told by <see cref="AccountTransitions"/> after an account's status change is saved, so other parts of the engine
/// can follow it without touching the account's state machine (billing documents waiting for their account are
/// released when it becomes Synced). An observer's failure is logged and never fails the account's change.
/// </summary>
internal interface IAccountStatusObserver
{
    /// <summary>An account's status changed (saved).</summary>
    /// <param name="before">The record before.</param>
    /// <param name="after">The record saved.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    Task AccountStatusChangedAsync(SyncAccountRecord before, SyncAccountRecord after, CancellationToken cancellationToken);
}
