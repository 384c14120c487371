using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace QbSync.QuickBooks.Http;

/// <summary>
/// The per-realm limits QBO enforces, applied in this process before a request leaves: at most N requests in flight,
/// M requests per window and B batch requests per window, per realm. Callers queue instead of failing. One instance
/// per process (a singleton), shared by every client: the default <see cref="IRealmRequestThrottle"/>.
/// </summary>
internal sealed class RealmThrottle : IRealmRequestThrottle, IDisposable
{
    private readonly PartitionedRateLimiter<ThrottleKey> _limiter;
    private readonly PartitionedRateLimiter<ThrottleKey> _batchLimiter;
    private readonly IOptions<QuickBooksClientOptions> _options;

    public RealmThrottle(IOptions<QuickBooksClientOptions> options)
    {
        _options = options;
        var settings = options.Value;
        var window = PartitionedRateLimiter.Create<ThrottleKey, string>(key => RateLimitPartition.GetSlidingWindowLimiter(
            key.RealmId,
            _ => new SlidingWindowRateLimiterOptions
            {
                PermitLimit = settings.RequestsPerWindowPerRealm,
                Window = settings.ThrottleWindow,
                SegmentsPerWindow = 6,
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            }));
        var batch = PartitionedRateLimiter.Create<ThrottleKey, string>(key => key.Kind == QuickBooksRequestKind.Batch
            ? RateLimitPartition.GetSlidingWindowLimiter(key.RealmId, _ => new SlidingWindowRateLimiterOptions
            {
                PermitLimit = settings.BatchRequestsPerWindowPerRealm,
                Window = settings.ThrottleWindow,
                SegmentsPerWindow = 6,
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            })
            : RateLimitPartition.GetNoLimiter(string.Empty));
        var concurrency = PartitionedRateLimiter.Create<ThrottleKey, string>(key => RateLimitPartition.GetConcurrencyLimiter(
            key.RealmId,
            _ => new ConcurrencyLimiterOptions
            {
                PermitLimit = settings.MaxConcurrentRequestsPerRealm,
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            }));

        // Rate windows first, the in-flight slot last, so that a request holds a slot only while it is on the wire.
        _limiter = PartitionedRateLimiter.CreateChained(batch, window, concurrency);
        _batchLimiter = batch;
    }

    /// <summary>The batch permits the realm's window has left, minus the batches queued for one.</summary>
    public int BatchRequestsAvailableNow(string realmId)
    {
        if (!_options.Value.EnableThrottling)
        {
            return int.MaxValue;
        }

        return _batchLimiter.GetStatistics(new ThrottleKey(realmId, QuickBooksRequestKind.Batch)) is { } statistics
            ? (int)Math.Max(0, statistics.CurrentAvailablePermits - statistics.CurrentQueuedCount)
            : _options.Value.BatchRequestsPerWindowPerRealm;
    }

    /// <summary>Waits for permission to send; dispose the lease when the response is in.</summary>
    public async ValueTask<RateLimitLease> AcquireAsync(string realmId, QuickBooksRequestKind kind, CancellationToken cancellationToken)
    {
        var key = new ThrottleKey(realmId, kind);
        var lease = _limiter.AttemptAcquire(key);
        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        Diagnostics.QbSyncTelemetry.ThrottleWaits.Add(1);
        lease = await _limiter.AcquireAsync(key, 1, cancellationToken).ConfigureAwait(false);
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            throw new InvalidOperationException("The per-realm throttle refused a request although its queue is unbounded.");
        }

        return lease;
    }

    async ValueTask<IAsyncDisposable> IRealmRequestThrottle.AcquireAsync(string realmId, QuickBooksRequestKind kind, CancellationToken cancellationToken) =>
        new LeasePermit(await AcquireAsync(realmId, kind, cancellationToken).ConfigureAwait(false));

    public void Dispose()
    {
        _limiter.Dispose();
        _batchLimiter.Dispose();
    }

    private sealed class LeasePermit(RateLimitLease lease) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            lease.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    internal readonly record struct ThrottleKey(string RealmId, QuickBooksRequestKind Kind);
}

/// <summary>Holds each request until the realm's throttle lets it through.</summary>
internal sealed class RealmThrottleHandler(IRealmRequestThrottle throttle, IOptions<QuickBooksClientOptions> options) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!options.Value.EnableThrottling || !request.Options.TryGetValue(QuickBooksHttpRequestOptions.RealmId, out var realmId))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var kind = request.Options.TryGetValue(QuickBooksHttpRequestOptions.Kind, out var k) ? k : QuickBooksRequestKind.Standard;
        var permit = await throttle.AcquireAsync(realmId, kind, cancellationToken).ConfigureAwait(false);
        await using var _ = permit.ConfigureAwait(false);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        // The slot is held until the body is in, as QBO counts the request until then.
        await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        return response;
    }
}
