using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Retry;
using Polly.Telemetry;
using Polly.Timeout;
using QbSync.Diagnostics;

namespace QbSync.QuickBooks.Http;

/// <summary>
/// The retry and timeout strategies of the QBO pipeline: retry 408, 429, 500, 502, 503, 504, connection errors and
/// attempt timeouts with jittered exponential backoff; wait after a 429 as <c>Retry-After</c> says, or 60 seconds;
/// never retry anything else (validation faults above all). Every retry of a write carries the same
/// <c>requestid</c>, fixed in the URL before the pipeline runs.
/// </summary>
internal static class QuickBooksResilience
{
    public const string PipelineName = "QbSync.QuickBooks";

    public static void Configure(
        ResiliencePipelineBuilder<HttpResponseMessage> pipeline,
        QuickBooksClientOptions options,
        TimeProvider timeProvider,
        QbSyncMetrics? metrics = null,
        TelemetryOptions? telemetry = null)
    {
        pipeline.TimeProvider = timeProvider;
        if (telemetry is not null)
        {
            // The host's telemetry settings (loggers, enrichers), but a successful attempt is not worth an Information line.
            pipeline.ConfigureTelemetry(new TelemetryOptions(telemetry) { SeverityProvider = Severity(telemetry.SeverityProvider) });
        }

        pipeline
            .AddTimeout(new TimeoutStrategyOptions { Timeout = options.TotalTimeout, Name = "total" })
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                Name = "retry",
                MaxRetryAttempts = Math.Max(1, options.MaxRetryAttempts),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                ShouldHandle = args => ValueTask.FromResult(options.MaxRetryAttempts > 0 && ShouldRetry(args.Outcome)),
                DelayGenerator = args => ValueTask.FromResult(ThrottleDelay(args.Outcome, options, timeProvider)),
                OnRetry = args =>
                {
                    metrics?.Retried(Reason(args.Outcome));
                    return default;
                },
            })
            .AddTimeout(new TimeoutStrategyOptions { Timeout = options.AttemptTimeout, Name = "attempt" });
    }

    /// <summary>Polly reports every attempt (<c>ExecutionAttempt</c>) at Information, the successful ones included:
    /// those go to Debug; failed attempts, retries and timeouts keep their severity.</summary>
    internal static Func<SeverityProviderArguments, ResilienceEventSeverity> Severity(Func<SeverityProviderArguments, ResilienceEventSeverity>? inner) =>
        args => args.Event.EventName == "ExecutionAttempt" && args.Event.Severity == ResilienceEventSeverity.Information
            ? ResilienceEventSeverity.Debug
            : inner?.Invoke(args) ?? args.Event.Severity;

    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Result: { } response } => QuickBooksTransientPredicates.IsTransient(response.StatusCode),
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        _ => false,
    };

    // 429: Retry-After when QBO sends it, else Intuit's documented 60 seconds. Others: the exponential backoff.
    private static TimeSpan? ThrottleDelay(Outcome<HttpResponseMessage> outcome, QuickBooksClientOptions options, TimeProvider timeProvider)
    {
        if (outcome.Result is not { } response)
        {
            return null;
        }

        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta;
        }

        if (retryAfter?.Date is { } date)
        {
            var wait = date - timeProvider.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return response.StatusCode == HttpStatusCode.TooManyRequests ? options.ThrottledRetryDelay : null;
    }

    private static string Reason(Outcome<HttpResponseMessage> outcome) =>
        outcome.Result is { } response ? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : outcome.Exception?.GetType().Name ?? "unknown";
}
