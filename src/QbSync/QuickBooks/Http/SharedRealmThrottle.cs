using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace QbSync.QuickBooks.Http;

/// <summary>
/// The throttle when an <see cref="IRealmRequestBudgetStore"/> is registered: a permit from this process's limiter
/// (so that only this process's own share polls the store), then one from the shared store.
/// </summary>
internal sealed partial class SharedRealmThrottle(
    RealmThrottle local,
    IRealmRequestBudgetStore store,
    IOptions<QuickBooksClientOptions> options,
    TimeProvider time,
    ILogger<SharedRealmThrottle> logger) : IRealmRequestThrottle
{
    private static readonly TimeSpan MinimumPoll = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan MaximumPoll = TimeSpan.FromSeconds(1);

    private RealmRequestLimits? _limits;

    private RealmRequestLimits Limits => _limits ??= CreateLimits(options.Value);

    /// <summary>This process's view of the batch window (asking the shared store would cost a round trip per call).</summary>
    public int BatchRequestsAvailableNow(string realmId) => local.BatchRequestsAvailableNow(realmId);

    public async ValueTask<IAsyncDisposable> AcquireAsync(string realmId, QuickBooksRequestKind kind, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        var localPermit = await local.AcquireAsync(realmId, kind, cancellationToken).ConfigureAwait(false);
        try
        {
            var permit = new RealmRequestPermit(Guid.NewGuid(), realmId, kind);
            var limits = Limits;
            var waited = false;
            while (await store.TryAcquireAsync(permit, limits, cancellationToken).ConfigureAwait(false) is { } wait)
            {
                if (!waited)
                {
                    Diagnostics.QbSyncTelemetry.ThrottleWaits.Add(1);
                    waited = true;
                }

                var delay = wait < MinimumPoll ? MinimumPoll : wait > MaximumPoll ? MaximumPoll : wait;
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            }

            return new Permit(this, permit, localPermit);
        }
        catch
        {
            localPermit.Dispose();
            throw;
        }
    }

    internal static RealmRequestLimits CreateLimits(QuickBooksClientOptions settings) => new(
        settings.MaxConcurrentRequestsPerRealm,
        settings.RequestsPerWindowPerRealm,
        settings.BatchRequestsPerWindowPerRealm,
        settings.ThrottleWindow,
        settings.AttemptTimeout + TimeSpan.FromMinutes(1));

    private async ValueTask ReleaseAsync(RealmRequestPermit permit)
    {
        try
        {
            await store.ReleaseAsync(permit, Limits, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            // The permit stays counted until its lease ends; the request itself succeeded or failed on its own.
            LogReleaseFailed(logger, permit.RealmId, error);
        }
    }

    [LoggerMessage(2700, LogLevel.Warning, "Could not release a shared QuickBooks request permit for realm {RealmId}; it counts until its lease ends")]
    private static partial void LogReleaseFailed(ILogger logger, string realmId, Exception error);

    private sealed class Permit(SharedRealmThrottle owner, RealmRequestPermit permit, IDisposable localPermit) : IAsyncDisposable
    {
        private int _disposed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            try
            {
                await owner.ReleaseAsync(permit).ConfigureAwait(false);
            }
            finally
            {
                localPermit.Dispose();
            }
        }
    }
}
