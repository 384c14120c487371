using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Xml;
using Microsoft.Extensions.Logging;
using Polly.Timeout;
using QbSync.Diagnostics;
using QbSync.QuickBooks.Serialization;

namespace QbSync.QuickBooks.Http;

/// <summary>
/// The one place that talks HTTP to the QBO data API: builds the URL (<c>minorversion</c>, <c>requestid</c>),
/// tags the request with its realm for the pipeline's handlers, turns every fault form into a
/// <see cref="QuickBooksException"/>, and records a span and a metric per request.
/// </summary>
internal sealed partial class QuickBooksApi
{
    private static readonly MediaTypeWithQualityHeaderValue AcceptJson = new("application/json");

    private readonly HttpClient _http;
    private readonly Uri _baseUrl;
    private readonly string _minorVersion;
    private readonly ILogger _logger;
    private readonly QbSyncMetrics? _metrics;

    public QuickBooksApi(HttpClient http, QuickBooksClientOptions options, ILogger logger, QbSyncMetrics? metrics = null)
    {
        _metrics = metrics;
        _http = http;
        var baseUrl = options.ResolveBaseUrl().ToString();
        _baseUrl = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/");
        _minorVersion = options.MinorVersion.ToString(CultureInfo.InvariantCulture);
        _logger = logger;
    }

    /// <summary>Sends a request and returns the parsed JSON body with the response's <c>intuit_tid</c> (the caller disposes it).</summary>
    public async Task<QuickBooksApiResponse> SendAsync(QuickBooksApiRequest request, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(request.RealmId, "realmId");
        using var activity = QbSyncTelemetry.ActivitySource.StartActivity("QuickBooks " + request.Operation + " " + request.Entity, ActivityKind.Client);
        activity?.SetTag("qbsync.realm_id", request.RealmId);
        activity?.SetTag("qbsync.entity", request.Entity);
        activity?.SetTag("qbsync.operation", request.Operation);
        var started = Stopwatch.GetTimestamp();

        using var message = new HttpRequestMessage(request.Method, BuildUri(request));
        message.Headers.Accept.Add(AcceptJson);
        message.Content = request.Content;
        message.Options.Set(QuickBooksHttpRequestOptions.RealmId, request.RealmId);
        message.Options.Set(QuickBooksHttpRequestOptions.Kind, request.Kind);

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException
                                   || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            Record(request, activity, "unreachable", null, started);
            LogUnreachable(_logger, request.Operation, request.Entity, request.RealmId, ex.GetType().Name);
            throw QuickBooksFailures.Unreachable(request.RequestId, ex);
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var tid = response.Headers.TryGetValues("intuit_tid", out var values) ? values.FirstOrDefault() : null;
            activity?.SetTag("http.response.status_code", (int)response.StatusCode);
            activity?.SetTag("qbsync.intuit_tid", tid);

            var info = new QuickBooksResponseInfo(
                response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, tid, request.RequestId, RetryAfterOf(response));
            var fault = QuickBooksFaultParser.Parse(info);
            if (fault is not null)
            {
                Record(request, activity, QbSyncMetrics.OutcomeOf(fault), response.StatusCode, started);
                LogFault(_logger, request.Operation, request.Entity, request.RealmId, (int)response.StatusCode, fault.ErrorCode, tid);
                throw fault;
            }

            try
            {
                // Asked for JSON, QBO still answers XML now and then: read it as the JSON it would have sent.
                var document = QuickBooksXmlConverter.LooksLikeXml(body) ? QuickBooksXmlConverter.ToJsonDocument(body) : JsonDocument.Parse(body);
                Record(request, activity, "success", response.StatusCode, started);
                return new QuickBooksApiResponse(document, tid);
            }
            catch (Exception ex) when (ex is JsonException or XmlException)
            {
                Record(request, activity, "invalid_body", response.StatusCode, started);
                throw QuickBooksFailures.InvalidResponse(response.StatusCode, tid, request.RequestId, ex, body, transient: true);
            }
        }
    }

    /// <summary>Sends a request and deserializes the entity under <paramref name="entityKey"/> (<c>{"Customer": {…}}</c>).</summary>
    public async Task<T> SendForEntityAsync<T>(QuickBooksApiRequest request, string entityKey, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Root.ValueKind != JsonValueKind.Object
            || !response.Root.TryGetProperty(entityKey, out var element) || element.ValueKind != JsonValueKind.Object)
        {
            throw QuickBooksFailures.InvalidResponse(HttpStatusCode.OK, response.IntuitTid, request.RequestId,
                new JsonException($"The response holds no '{entityKey}' object."), response.Root.GetRawText());
        }

        return QuickBooksEntityReader.Read(element, typeInfo, response.IntuitTid, request.RequestId);
    }

    public static StringContent JsonContent<T>(T body, JsonTypeInfo<T> typeInfo) =>
        new(JsonSerializer.Serialize(body, typeInfo), Encoding.UTF8, "application/json");

    public static StringContent QueryContent(QuickBooksQuery query) =>
        new(query.ToString(), Encoding.UTF8, "application/text");

    private Uri BuildUri(QuickBooksApiRequest request)
    {
        var path = new StringBuilder("v3/company/").Append(Uri.EscapeDataString(request.RealmId)).Append('/').Append(request.Path);
        path.Append("?minorversion=").Append(_minorVersion);
        if (request.RequestId is { } requestId)
        {
            path.Append("&requestid=").Append(Uri.EscapeDataString(requestId));
        }

        if (request.Query is { } query)
        {
            foreach (var (key, value) in query)
            {
                path.Append('&').Append(Uri.EscapeDataString(key)).Append('=').Append(Uri.EscapeDataString(value));
            }
        }

        return new Uri(_baseUrl, path.ToString());
    }

    private static TimeSpan? RetryAfterOf(HttpResponseMessage response)
    {
        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta;
        }

        if (retryAfter?.Date is { } date && response.Headers.Date is { } now)
        {
            var wait = date - now;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    private void Record(QuickBooksApiRequest request, Activity? activity, string outcome, HttpStatusCode? status, long started)
    {
        activity?.SetTag("qbsync.outcome", outcome);
        if (outcome != "success")
        {
            activity?.SetStatus(ActivityStatusCode.Error, status is null ? outcome : ((int)status).ToString(CultureInfo.InvariantCulture));
        }

        _metrics?.RequestCompleted(request.Entity, request.Operation, outcome, Stopwatch.GetElapsedTime(started));
    }

    [LoggerMessage(1001, LogLevel.Warning, "QBO {Operation} {Entity} for realm {RealmId} failed with HTTP {StatusCode}, code {ErrorCode}, intuit_tid {IntuitTid}")]
    private static partial void LogFault(ILogger logger, string operation, string entity, string realmId, int statusCode, string? errorCode, string? intuitTid);

    [LoggerMessage(1002, LogLevel.Warning, "QBO {Operation} {Entity} for realm {RealmId} got no answer ({Reason})")]
    private static partial void LogUnreachable(ILogger logger, string operation, string entity, string realmId, string reason);
}

/// <summary>A parsed QBO response body and its <c>intuit_tid</c>.</summary>
internal sealed class QuickBooksApiResponse(JsonDocument document, string? intuitTid) : IDisposable
{
    public JsonElement Root => document.RootElement;

    public string? IntuitTid { get; } = intuitTid;

    public void Dispose() => document.Dispose();
}

/// <summary>One request to the QBO data API.</summary>
/// <param name="RealmId">The company.</param>
/// <param name="Method">GET or POST.</param>
/// <param name="Path">The path under <c>/v3/company/{realmId}/</c>, for example <c>customer/5</c>.</param>
/// <param name="Entity">The entity, for telemetry.</param>
/// <param name="Operation">The operation, for telemetry: read, query, create, update, batch, cdc.</param>
internal sealed record QuickBooksApiRequest(string RealmId, HttpMethod Method, string Path, string Entity, string Operation)
{
    public HttpContent? Content { get; init; }

    public string? RequestId { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>>? Query { get; init; }

    public QuickBooksRequestKind Kind { get; init; } = QuickBooksRequestKind.Standard;
}
