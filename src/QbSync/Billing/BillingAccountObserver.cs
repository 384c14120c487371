using Microsoft.Extensions.DependencyInjection;
using QbSync.Stores;
using QbSync.Sync;

namespace QbSync.Billing;

/// <summary>
/// The coupling of documents to their account's status, kept out of the account engine: when an account becomes
/// Synced (again), its documents that wait for it become due. The other direction needs no hook: a document is
/// checked against its account right before it is sent, and waits when the account is not Synced. If this process
/// stops between the account's save and this release, the next run of the firm's documents releases them
/// (<see cref="PendingDocumentRunner"/> sweeps waiting documents of Synced accounts first).
/// </summary>
internal sealed class BillingAccountObserver(IServiceProvider services) : IAccountStatusObserver
{
    public async Task AccountStatusChangedAsync(SyncAccountRecord before, SyncAccountRecord after, CancellationToken cancellationToken)
    {
        if (after.Status != SyncStatus.Synced || services.GetService<IBillingDocumentStore>() is null)
        {
            return;
        }

        var transitions = services.GetRequiredService<BillingTransitions>();
        await transitions.ReleaseWaitingAsync(after.FirmId, after.AccountId, r => PendingDocumentRunner.IsAccountWait(r.Reason),
            "the account is synced", cancellationToken).ConfigureAwait(false);
    }
}
