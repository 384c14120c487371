using System.Diagnostics.Metrics;
using QbSync.QuickBooks;
using QbSync.QuickBooks.Http;
using QbSync.Stores;

namespace QbSync.Diagnostics;

/// <summary>
/// The instruments of QbSync, on the meter <c>QbSync</c> created from the host's <see cref="IMeterFactory"/>.
/// <c>AddQuickBooksClient</c> and <c>AddQbSync</c> register one per container; subscribe with OpenTelemetry
/// (<c>AddMeter("QbSync")</c>) or a <c>MetricCollector&lt;T&gt;</c> in tests. Every instrument, its unit and tags are
/// listed in <c>docs/observability.md</c>.
/// </summary>
public sealed class QbSyncMetrics
{
    /// <summary>Duration of a QBO data request, retries and throttle waits included, in seconds.</summary>
    public const string RequestDurationName = "qbsync.quickbooks.request.duration";

    /// <summary>Retries of a transient QBO failure.</summary>
    public const string RetriesName = "qbsync.quickbooks.retries";

    /// <summary>Attempts that queued behind the per-realm throttle.</summary>
    public const string ThrottleWaitsName = "qbsync.quickbooks.throttle.waits";

    /// <summary>How long an attempt queued behind the per-realm throttle, in seconds.</summary>
    public const string ThrottleWaitDurationName = "qbsync.quickbooks.throttle.wait.duration";

    /// <summary>Refreshes of a realm's access token, by outcome.</summary>
    public const string TokenRefreshesName = "qbsync.quickbooks.token.refreshes";

    /// <summary>Account syncs that ended (left Syncing), by status and reason.</summary>
    public const string SyncsName = "qbsync.sync.completed";

    /// <summary>Time from an account's first start to its first Synced, in seconds.</summary>
    public const string FirstSyncDurationName = "qbsync.sync.first_sync.duration";

    /// <summary>Billing documents whose work ended (left Syncing), by status and reason.</summary>
    public const string BillingDocumentsName = "qbsync.billing.documents.completed";

    /// <summary>Due work the background worker found in its last pass, by kind (accounts, billing documents).</summary>
    public const string BacklogName = "qbsync.worker.backlog";

    private const int MaxPendingFirstSyncs = 100_000;

    private static readonly double[] RequestBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
    private static readonly double[] LongBuckets = [0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600];

    private readonly Histogram<double> _requestDuration;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _throttleWaits;
    private readonly Histogram<double> _throttleWaitDuration;
    private readonly Counter<long> _tokenRefreshes;
    private readonly Counter<long> _syncs;
    private readonly Histogram<double> _firstSyncDuration;
    private readonly Counter<long> _billingDocuments;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string FirmId, string AccountId), DateTimeOffset> _firstStarts = new();
    private Backlog _backlog = new(null, null);

    /// <summary>Creates the instruments on the meter <c>QbSync</c> of <paramref name="meterFactory"/>.</summary>
    /// <param name="meterFactory">The host's meter factory (<c>services.AddMetrics()</c>; the generic host registers one).</param>
    public QbSyncMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(QbSyncTelemetry.Name);
        _requestDuration = meter.CreateHistogram(
            RequestDurationName, unit: "s",
            description: "Duration of QBO data requests (retries and throttle waits included), by entity, operation and outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RequestBuckets });
        _retries = meter.CreateCounter<long>(RetriesName, unit: "{retry}", description: "Retries of transient QBO failures, by reason.");
        _throttleWaits = meter.CreateCounter<long>(ThrottleWaitsName, unit: "{wait}", description: "QBO request attempts that queued behind the per-realm throttle.");
        _throttleWaitDuration = meter.CreateHistogram(
            ThrottleWaitDurationName, unit: "s", description: "How long QBO request attempts queued behind the per-realm throttle.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RequestBuckets });
        _tokenRefreshes = meter.CreateCounter<long>(TokenRefreshesName, unit: "{refresh}", description: "Access token refreshes, by outcome.");
        _syncs = meter.CreateCounter<long>(SyncsName, unit: "{sync}", description: "Account syncs that ended, by status and reason.");
        _firstSyncDuration = meter.CreateHistogram(
            FirstSyncDurationName, unit: "s", description: "Time from an account's first start to its first Synced.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LongBuckets });
        _billingDocuments = meter.CreateCounter<long>(BillingDocumentsName, unit: "{document}", description: "Billing documents whose work ended, by status and reason.");
        meter.CreateObservableGauge(BacklogName, ObserveBacklog, unit: "{item}",
            description: "Due accounts and billing documents the background worker of this process found in its last pass.");
    }

    internal void RequestCompleted(string entity, string operation, string outcome, TimeSpan elapsed) =>
        _requestDuration.Record(elapsed.TotalSeconds,
            new KeyValuePair<string, object?>("qbsync.entity", entity),
            new KeyValuePair<string, object?>("qbsync.operation", operation),
            new KeyValuePair<string, object?>("qbsync.outcome", outcome));

    internal void Retried(string reason) =>
        _retries.Add(1, new KeyValuePair<string, object?>("qbsync.retry.reason", reason));

    internal void ThrottleWaited(QuickBooksRequestKind kind, string limiter, TimeSpan waited)
    {
        var kindTag = new KeyValuePair<string, object?>("qbsync.request.kind", kind == QuickBooksRequestKind.Batch ? "batch" : "standard");
        var limiterTag = new KeyValuePair<string, object?>("qbsync.throttle.limiter", limiter);
        _throttleWaits.Add(1, kindTag, limiterTag);
        _throttleWaitDuration.Record(waited.TotalSeconds, kindTag, limiterTag);
    }

    internal void TokenRefreshed(string outcome) =>
        _tokenRefreshes.Add(1, new KeyValuePair<string, object?>("qbsync.outcome", outcome));

    /// <summary>An account's saved status change (from <c>AccountTransitions</c>, through the metrics observer).</summary>
    internal void AccountStatusChanged(SyncAccountRecord before, SyncAccountRecord after, DateTimeOffset now)
    {
        var key = (after.FirmId, after.AccountId);
        if (after.Status == SyncStatus.Syncing)
        {
            // The first start of an account never synced: remembered (in this process) until it is Synced.
            if (!before.WasSyncedBefore && _firstStarts.Count < MaxPendingFirstSyncs)
            {
                _firstStarts.TryAdd(key, after.StatusChangedAt ?? now);
            }

            return;
        }

        if (before.Status == SyncStatus.Syncing)
        {
            _syncs.Add(1,
                new KeyValuePair<string, object?>("qbsync.status", StatusTag(after.Status)),
                new KeyValuePair<string, object?>("qbsync.reason", after.Reason.ToString()));
        }

        if (after.Status == SyncStatus.Synced && !before.WasSyncedBefore && _firstStarts.TryRemove(key, out var started))
        {
            var elapsed = (after.StatusChangedAt ?? now) - started;
            _firstSyncDuration.Record(Math.Max(0, elapsed.TotalSeconds));
        }
        else if (after.Status == SyncStatus.Skipped)
        {
            // Skipped by a person: its first sync is no longer under way.
            _firstStarts.TryRemove(key, out _);
        }
    }

    internal void BillingDocumentStatusChanged(BillingDocumentRecord before, BillingDocumentRecord after)
    {
        if (before.Status == SyncStatus.Syncing && after.Status != SyncStatus.Syncing)
        {
            _billingDocuments.Add(1,
                new KeyValuePair<string, object?>("qbsync.status", StatusTag(after.Status)),
                new KeyValuePair<string, object?>("qbsync.reason", after.Reason.ToString()),
                new KeyValuePair<string, object?>("qbsync.document.kind", after.Kind.ToString()));
        }
    }

    /// <summary>What the worker found due in its pass: read by the gauge, never a store query in the callback.</summary>
    internal void WorkerPassCompleted(int dueAccounts, int dueDocuments) =>
        Volatile.Write(ref _backlog, new Backlog(dueAccounts, dueDocuments));

    private IEnumerable<Measurement<long>> ObserveBacklog()
    {
        var backlog = Volatile.Read(ref _backlog);
        if (backlog.Accounts is { } accounts)
        {
            yield return new Measurement<long>(accounts, new KeyValuePair<string, object?>("qbsync.work.kind", "account"));
        }

        if (backlog.Documents is { } documents)
        {
            yield return new Measurement<long>(documents, new KeyValuePair<string, object?>("qbsync.work.kind", "billing_document"));
        }
    }

    private static string StatusTag(SyncStatus status) => status switch
    {
        SyncStatus.Synced => "synced",
        SyncStatus.NotSynced => "not_synced",
        SyncStatus.Skipped => "skipped",
        SyncStatus.Failed => "failed",
        SyncStatus.Syncing => "syncing",
        _ => status.ToString(),
    };

    /// <summary>The outcome tag of a request that ended in <paramref name="error"/>.</summary>
    internal static string OutcomeOf(QuickBooksException error) => error switch
    {
        QuickBooksThrottledException => "throttled",
        QuickBooksAuthenticationException => "authentication",
        QuickBooksDuplicateNameException => "duplicate_name",
        QuickBooksObjectNotFoundException => "not_found",
        QuickBooksValidationException => "validation",
        QuickBooksStaleObjectException => "stale_object",
        { IsTransient: true } => "transient",
        _ => "fault",
    };

    private sealed record Backlog(int? Accounts, int? Documents);
}

/// <summary>Records every saved account status change on <see cref="QbSyncMetrics"/> (syncs by outcome, first-sync
/// duration), so the engine's work loop needs no metrics code of its own.</summary>
internal sealed class MetricsAccountObserver(QbSyncMetrics metrics, TimeProvider time) : Sync.IAccountStatusObserver
{
    public Task AccountStatusChangedAsync(SyncAccountRecord before, SyncAccountRecord after, CancellationToken cancellationToken)
    {
        metrics.AccountStatusChanged(before, after, time.GetUtcNow());
        return Task.CompletedTask;
    }
}
