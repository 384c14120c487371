using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace QbSync.Diagnostics;

/// <summary>
/// The one <see cref="ActivitySource"/> and <see cref="Meter"/> of QbSync, both named <c>QbSync</c>: subscribe to
/// them with OpenTelemetry (<c>AddSource("QbSync")</c>, <c>AddMeter("QbSync")</c>).
/// </summary>
public static class QbSyncTelemetry
{
    /// <summary>The name of the activity source and the meter.</summary>
    public const string Name = "QbSync";

    /// <summary>Spans: one per QBO request.</summary>
    public static readonly ActivitySource ActivitySource = new(Name);

    /// <summary>Metrics: requests, retries, throttle waits.</summary>
    public static readonly Meter Meter = new(Name);

    internal static readonly Counter<long> Requests = Meter.CreateCounter<long>(
        "qbsync.quickbooks.requests", unit: "{request}", description: "QBO requests completed, by entity, operation and outcome.");

    internal static readonly Counter<long> Retries = Meter.CreateCounter<long>(
        "qbsync.quickbooks.retries", unit: "{retry}", description: "Retries of transient QBO failures.");

    internal static readonly Counter<long> ThrottleWaits = Meter.CreateCounter<long>(
        "qbsync.quickbooks.throttle_waits", unit: "{wait}", description: "Requests that queued behind the per-realm throttle.");
}
