using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QbSync.Stores;

namespace QbSync.Sync;

/// <summary>
/// The background worker: every <see cref="QbSyncOptions.WorkerPollInterval"/> it finds the firms with due work and
/// runs each one's pending work (<see cref="IAccountSyncService.RunPendingAsync(string, CancellationToken)"/>, then its
/// due billing documents, <see cref="Billing.IBillingSyncService.RunPendingDocumentsAsync"/>) in its own scope, a few
/// firms at once; a <see cref="SyncWorkSignal"/> wakes it early when this process makes work due. Leases make several workers (processes or machines) share the work safely; work a stopped process left in
/// Syncing is resumed when its lease ends. Register it with <c>AddQbSync(...).AddBackgroundWorker()</c>.
/// </summary>
public sealed partial class SyncWorker(
    IServiceScopeFactory scopes,
    IAccountStore store,
    TimeProvider time,
    IOptions<QbSyncOptions> options,
    SyncWorkSignal signal,
    ILogger<SyncWorker> logger,
    Diagnostics.QbSyncMetrics? metrics = null) : BackgroundService
{
    /// <summary>Runs one pass over the firms with due work. Public so hosts and tests can drive the worker step by step.</summary>
    /// <param name="cancellationToken">Stops the pass; claimed accounts are given back.</param>
    /// <returns>The number of firms worked on.</returns>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var firms = await store.ListFirmsWithDueWorkAsync(now, cancellationToken).ConfigureAwait(false);

        // Billing documents (when a document store is registered): firms with due documents are run too.
        var documents = scopes.CreateAsyncScope();
        IReadOnlyList<string> billingFirms;
        var hasBilling = false;
        await using (documents.ConfigureAwait(false))
        {
            if (documents.ServiceProvider.GetService<IBillingDocumentStore>() is { } billingStore)
            {
                hasBilling = true;
                billingFirms = await billingStore.ListFirmsWithDueDocumentsAsync(now, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                billingFirms = [];
            }
        }

        var accountFirms = firms.ToHashSet(StringComparer.Ordinal);
        var documentFirms = billingFirms.ToHashSet(StringComparer.Ordinal);
        if (hasBilling)
        {
            // A firm whose accounts are worked on runs its documents after them: the run first releases documents
            // waiting for accounts that are Synced now, in case the release that follows an account's sync was lost
            // (the process stopped between the two saves, or the release failed).
            documentFirms.UnionWith(accountFirms);
        }

        var all = firms.Union(billingFirms, StringComparer.Ordinal).ToList();
        int dueAccounts = 0, dueDocuments = 0;
        await Parallel.ForEachAsync(all, new ParallelOptions
        {
            MaxDegreeOfParallelism = options.Value.WorkerMaxConcurrentFirms,
            CancellationToken = cancellationToken,
        }, async (firmId, ct) =>
        {
            var scope = scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                if (accountFirms.Contains(firmId))
                {
                    try
                    {
                        var run = await scope.ServiceProvider.GetRequiredService<IAccountSyncService>().RunPendingAsync(firmId, ct).ConfigureAwait(false);
                        Interlocked.Add(ref dueAccounts, run.Claimed);
                    }
                    catch (Exception error) when (error is not OperationCanceledException)
                    {
                        LogFirmFailed(logger, firmId, error);
                    }
                }

                if (documentFirms.Contains(firmId))
                {
                    try
                    {
                        var run = await scope.ServiceProvider.GetRequiredService<Billing.IBillingSyncService>().RunPendingDocumentsAsync(firmId, ct).ConfigureAwait(false);
                        Interlocked.Add(ref dueDocuments, run.Claimed);
                    }
                    catch (Exception error) when (error is not OperationCanceledException)
                    {
                        LogFirmFailed(logger, firmId, error);
                    }
                }
            }
        }).ConfigureAwait(false);
        // The backlog gauge reads these figures: no store query runs inside a metrics callback.
        metrics?.WorkerPassCompleted(dueAccounts, dueDocuments);
        return all.Count;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(logger, options.Value.WorkerId);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken).ConfigureAwait(false);
                // Until the next poll, or sooner when this process makes new work due.
                await signal.WaitAsync(options.Value.WorkerPollInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception error)
            {
                LogPassFailed(logger, error);
                await Task.Delay(options.Value.WorkerPollInterval, time, stoppingToken).ConfigureAwait(false);
            }
        }

        LogStopped(logger, options.Value.WorkerId);
    }

    [LoggerMessage(2301, LogLevel.Information, "QbSync worker {WorkerId} started")]
    private static partial void LogStarted(ILogger logger, string workerId);

    [LoggerMessage(2302, LogLevel.Information, "QbSync worker {WorkerId} stopped")]
    private static partial void LogStopped(ILogger logger, string workerId);

    [LoggerMessage(2303, LogLevel.Error, "Pending work of firm {FirmId} failed")]
    private static partial void LogFirmFailed(ILogger logger, string firmId, Exception error);

    [LoggerMessage(2304, LogLevel.Error, "A pass of the QbSync worker failed")]
    private static partial void LogPassFailed(ILogger logger, Exception error);
}
