using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QbSync.Stores;
using QbSync.Sync;

namespace QbSync.AspNetCore;

/// <summary>
/// Applies the webhook events recorded in the <see cref="IQuickBooksEventInbox"/>: claims them with a lease, applies
/// each firm's events with <see cref="IAccountSyncService.ApplyQuickBooksChangesAsync"/> in its own scope, and marks
/// them done. A firm whose events fail keeps them for a later attempt (when the lease ends) until
/// <see cref="QbSyncAspNetCoreOptions.WebhookMaxAttempts"/>; other firms are not held up. Several processes can run it
/// on one store. Registered by <c>AddAspNetCore()</c>; wakes as soon as this process records an event.
/// </summary>
public sealed partial class QuickBooksWebhookProcessor(
    IServiceScopeFactory scopes,
    IQuickBooksEventInbox inbox,
    TimeProvider time,
    IOptions<QbSyncAspNetCoreOptions> options,
    ILogger<QuickBooksWebhookProcessor> logger) : BackgroundService
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>Asks the processor to look for events now.</summary>
    public void Wake()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
    }

    /// <summary>Claims and applies one batch of events. Public so hosts and tests can drive it step by step.</summary>
    /// <param name="cancellationToken">Stops the pass; unfinished events are taken again when their lease ends.</param>
    /// <returns>How many events were claimed.</returns>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        var claimed = await inbox.ClaimAsync(settings.ProcessorId, time.GetUtcNow(), settings.WebhookLeaseDuration, settings.WebhookBatchSize, cancellationToken).ConfigureAwait(false);
        foreach (var firm in claimed.GroupBy(e => e.FirmId, StringComparer.Ordinal))
        {
            var events = firm.ToList();
            try
            {
                var scope = scopes.CreateAsyncScope();
                await using (scope.ConfigureAwait(false))
                {
                    var changed = await scope.ServiceProvider.GetRequiredService<IAccountSyncService>()
                        .ApplyQuickBooksChangesAsync(firm.Key, events.Select(e => e.Event), cancellationToken).ConfigureAwait(false);
                    LogApplied(logger, firm.Key, events.Count, changed);
                }

                foreach (var e in events)
                {
                    await inbox.CompleteAsync(e.EventKey, settings.ProcessorId, time.GetUtcNow(), null, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogFailed(logger, firm.Key, events.Count, error);
                foreach (var e in events.Where(e => e.Attempts >= settings.WebhookMaxAttempts))
                {
                    LogGaveUp(logger, firm.Key, e.EventKey, e.Attempts);
                    await inbox.CompleteAsync(e.EventKey, settings.ProcessorId, time.GetUtcNow(), error.GetType().Name, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return claimed.Count;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.ProcessWebhooksInBackground)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await RunOnceAsync(stoppingToken).ConfigureAwait(false) >= options.Value.WebhookBatchSize)
                {
                    continue;
                }

                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var delay = Task.Delay(options.Value.WebhookPollInterval, time, wait.Token);
                var signal = _signal.WaitAsync(wait.Token);
                await Task.WhenAny(delay, signal).ConfigureAwait(false);
                await wait.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(delay, signal).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception error)
            {
                LogPassFailed(logger, error);
                await Task.Delay(options.Value.WebhookPollInterval, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _signal.Dispose();
        base.Dispose();
    }

    [LoggerMessage(2830, LogLevel.Information, "Firm {FirmId}: {Count} QuickBooks webhook events applied, {Changed} accounts changed")]
    private static partial void LogApplied(ILogger logger, string firmId, int count, int changed);

    [LoggerMessage(2831, LogLevel.Warning, "Firm {FirmId}: applying {Count} QuickBooks webhook events failed; they are retried when their lease ends")]
    private static partial void LogFailed(ILogger logger, string firmId, int count, Exception error);

    [LoggerMessage(2832, LogLevel.Error, "Firm {FirmId}: QuickBooks webhook event {EventKey} given up after {Attempts} attempts")]
    private static partial void LogGaveUp(ILogger logger, string firmId, string eventKey, int attempts);

    [LoggerMessage(2833, LogLevel.Error, "A pass of the QuickBooks webhook processor failed")]
    private static partial void LogPassFailed(ILogger logger, Exception error);
}
