using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WireMock;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;
using WireMock.Util;

namespace QbSync.Testing;

/// <summary>
/// An in-process HTTP server (WireMock.Net) that behaves like QuickBooks Online: one or more companies (realms) with
/// state and rules, the query language, faults shaped like real ones, <c>requestid</c> replay, batch, CDC, an OAuth 2
/// token endpoint, throttling, fault and latency injection, a request journal, and webhook sending.
/// </summary>
/// <example>
/// <code>
/// using var qbo = QuickBooksOnlineFake.Start();
/// var company = qbo.Company("9341452698223111");
/// company.AddCustomer("Acme Ltd");
/// // point the code under test at qbo.BaseUrl (instead of https://quickbooks.api.intuit.com)
/// </code>
/// </example>
public sealed class QuickBooksOnlineFake : IDisposable
{
    /// <summary>Path of the fake token endpoint.</summary>
    public const string TokenPath = "/oauth2/v1/tokens/bearer";

    /// <summary>Path of the fake authorization (consent) page.</summary>
    public const string AuthorizationPath = "/connect/oauth2";

    /// <summary>Path of the fake revocation endpoint.</summary>
    public const string RevocationPath = "/v2/oauth2/tokens/revoke";

    private readonly WireMockServer _server;
    private readonly ConcurrentDictionary<string, FakeCompany> _companies = new(StringComparer.Ordinal);
    private readonly FakeApi _api;

    private QuickBooksOnlineFake(QuickBooksOnlineFakeOptions options)
    {
        Options = options;
        Journal = new RequestJournal();
        Faults = new FaultInjection();
        Throttle = new FakeThrottle(options.Throttling, options.TimeProvider);
        OAuth = new FakeOAuthServer(options.OAuth, options.TimeProvider);
        _api = new FakeApi(this);
        var settings = new WireMockServerSettings
        {
            Port = options.Port,
            StartAdminInterface = false,
            ReadStaticMappings = false,
            MaxRequestLogCount = 0,
            DisableJsonBodyParsing = true,
            DisableDeserializeFormUrlEncoded = true,
            DoNotSaveDynamicResponseInLogEntry = true,
            Logger = new WireMockNullLogger(),
            PreWireMockMiddlewareInit = app => ((IApplicationBuilder)app).Use(EdgeAsync),
        };
        _server = WireMockServer.Start(settings);
        _server.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithCallback(Callback));
        BaseUrl = _server.Urls[0].TrimEnd('/');
        Webhooks = new WebhookSender(options.TimeProvider);
    }

    /// <summary>Starts a fake with the given options (or the defaults).</summary>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <returns>The running fake; dispose it to stop.</returns>
    public static QuickBooksOnlineFake Start(QuickBooksOnlineFakeOptions? options = null) => new(options ?? new QuickBooksOnlineFakeOptions());

    /// <summary>Starts a fake, configuring the default options.</summary>
    /// <param name="configure">Changes to the default settings.</param>
    /// <returns>The running fake.</returns>
    public static QuickBooksOnlineFake Start(Action<QuickBooksOnlineFakeOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new QuickBooksOnlineFakeOptions();
        configure(options);
        return Start(options);
    }

    /// <summary>The settings in use.</summary>
    public QuickBooksOnlineFakeOptions Options { get; }

    /// <summary>Base URL of the server, e.g. <c>http://localhost:51234</c>: use it in place of <c>https://quickbooks.api.intuit.com</c>.</summary>
    public string BaseUrl { get; }

    /// <summary>The OAuth token endpoint (in place of <c>https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer</c>).</summary>
    public string TokenEndpoint => BaseUrl + TokenPath;

    /// <summary>The OAuth authorization endpoint (in place of <c>https://appcenter.intuit.com/connect/oauth2</c>): a
    /// consent page that lists the fake's companies; choosing one redirects to the <c>redirect_uri</c> with
    /// <c>code</c>, <c>state</c> and <c>realmId</c>, as Intuit does.</summary>
    public string AuthorizationEndpoint => BaseUrl + AuthorizationPath;

    /// <summary>The OAuth revocation endpoint (in place of <c>https://developer.api.intuit.com/v2/oauth2/tokens/revoke</c>).</summary>
    public string RevocationEndpoint => BaseUrl + RevocationPath;

    /// <summary>Every request received.</summary>
    public RequestJournal Journal { get; }

    /// <summary>Fault and latency injection.</summary>
    public FaultInjection Faults { get; }

    /// <summary>Throttling (off unless enabled in options or here).</summary>
    public FakeThrottle Throttle { get; }

    /// <summary>The fake OAuth server.</summary>
    public FakeOAuthServer OAuth { get; }

    /// <summary>Sends signed webhook notifications.</summary>
    public WebhookSender Webhooks { get; }

    /// <summary>The underlying WireMock server: an implementation detail, never part of the public API (so that no
    /// WireMock type reaches a user's test project).</summary>
    internal WireMockServer Server => _server;

    /// <summary>The companies that exist so far.</summary>
    public IReadOnlyCollection<FakeCompany> Companies => [.. _companies.Values];

    /// <summary>The company for <paramref name="realmId"/>, created (and seeded with reference lists) if it does not exist.</summary>
    /// <param name="realmId">The realm id.</param>
    /// <returns>The company.</returns>
    public FakeCompany Company(string realmId)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        return _companies.GetOrAdd(realmId, id => new FakeCompany(id, Options));
    }

    /// <summary>Creates a company with a fresh random realm id.</summary>
    /// <returns>The company.</returns>
    public FakeCompany CreateCompany() => Company("93414" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The accounting API base for a realm, e.g. <c>http://localhost:51234/v3/company/123</c>.</summary>
    /// <param name="realmId">The realm id.</param>
    /// <returns>The URL.</returns>
    public string CompanyUrl(string realmId) => BaseUrl + "/v3/company/" + realmId;

    internal FakeCompany? FindCompany(string realmId, bool create) =>
        _companies.TryGetValue(realmId, out var company) ? company : create ? Company(realmId) : null;

    /// <summary>Stops the server.</summary>
    public void Dispose()
    {
        _server.Stop();
        _server.Dispose();
        Webhooks.Dispose();
    }

    private IResponseMessage Callback(IRequestMessage message)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (message.Headers is not null)
        {
            foreach (var pair in message.Headers)
            {
                headers[pair.Key] = string.Join(",", pair.Value);
            }
        }

        var body = message.Body ?? (message.BodyAsBytes is { } bytes ? Encoding.UTF8.GetString(bytes) : "");
        var request = new FakeRequest(message.Method.ToUpperInvariant(), message.Path, message.RawQuery ?? "", body, headers);
        FakeResponse response;
        string? realmId = null;
        FakeRequestKind kind;
        var replayed = false;
        if (request.Path == TokenPath && request.Method == "POST")
        {
            response = OAuth.HandleToken(request);
            kind = FakeRequestKind.Token;
        }
        else if (request.Path == AuthorizationPath && request.Method == "GET")
        {
            response = OAuth.HandleAuthorize(request, [.. _companies.Keys.Order(StringComparer.Ordinal)]);
            kind = FakeRequestKind.Token;
        }
        else if (request.Path == AuthorizationPath + "/approve" && request.Method == "GET")
        {
            response = OAuth.HandleApprove(request, id => Company(id));
            kind = FakeRequestKind.Token;
        }
        else if (request.Path == RevocationPath && request.Method == "POST")
        {
            response = OAuth.HandleRevoke(request);
            kind = FakeRequestKind.Revoke;
        }
        else
        {
            (response, realmId, kind, replayed) = _api.Handle(request);
        }

        Journal.Record(request, realmId, kind, response.Status, null, replayed);
        return ToMessage(response);
    }

    private static ResponseMessage ToMessage(FakeResponse response)
    {
        var message = new ResponseMessage
        {
            StatusCode = response.Status,
            Headers = new Dictionary<string, WireMockList<string>>(StringComparer.OrdinalIgnoreCase),
            BodyData = new BodyData { DetectedBodyType = BodyType.String, BodyAsString = response.Body, Encoding = new UTF8Encoding(false) },
        };
        message.AddHeader("Content-Type", response.ContentType);
        if (response.Headers is not null)
        {
            foreach (var pair in response.Headers)
            {
                message.AddHeader(pair.Key, pair.Value);
            }
        }

        return message;
    }

    /// <summary>Runs before WireMock: latency, injected faults, throttling (they need the connection itself).</summary>
    private async Task EdgeAsync(HttpContext context, Func<Task> next)
    {
        var path = context.Request.Path.Value ?? "/";
        var isApi = path.StartsWith("/v3/", StringComparison.Ordinal);
        string? throttledRealm = null;
        if (path == TokenPath && Options.OAuth.TokenEndpointMaxLatency > TimeSpan.Zero)
        {
            // Before the grant is handled: a slow refresh reaches the server late, as on a congested network.
            var latency = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * Options.OAuth.TokenEndpointMaxLatency.TotalMilliseconds);
            await Task.Delay(latency, context.RequestAborted).ConfigureAwait(false);
        }

        if (isApi && Throttle.Enabled)
        {
            var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            var realmId = segments.Length > 2 ? segments[2] : "";
            var isBatch = segments.Length > 3 && string.Equals(segments[3], "batch", StringComparison.OrdinalIgnoreCase);
            if (!Throttle.TryEnter(realmId, isBatch))
            {
                var body = FakeFaults.ThrottleXml(Options.TimeProvider.GetUtcNow().ToOffset(Options.UtcOffset).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture), Options.Throttling.StatusCodeInMessage);
                var headers = Options.Throttling.RetryAfter is { } retry
                    ? new Dictionary<string, string> { ["Retry-After"] = ((int)retry.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) }
                    : null;
                await RecordEdgeAsync(context, realmId, 429, null).ConfigureAwait(false);
                await WriteAsync(context, new FakeResponse(429, FakeResponse.Xml, body, headers)).ConfigureAwait(false);
                return;
            }

            throttledRealm = realmId;
        }

        try
        {
            if (Faults.Active)
            {
                var latency = Faults.NextLatency();
                if (latency > TimeSpan.Zero)
                {
                    await Task.Delay(latency, context.RequestAborted).ConfigureAwait(false);
                }

                if ((isApi || Faults.IncludeOAuthEndpoints) && Faults.Next() is { } fault)
                {
                    if (fault == InjectedFault.TruncatedAfterWrite)
                    {
                        await TruncateAsync(context, next).ConfigureAwait(false);
                        return;
                    }

                    await InjectAsync(context, path, fault).ConfigureAwait(false);
                    return;
                }
            }

            await next().ConfigureAwait(false);
        }
        finally
        {
            if (throttledRealm is not null)
            {
                Throttle.Exit(throttledRealm);
            }
        }
    }

    /// <summary>Lets the request be processed, then sends only the first half of the answer's body.</summary>
    private static async Task TruncateAsync(HttpContext context, Func<Task> next)
    {
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next().ConfigureAwait(false);
        }
        finally
        {
            context.Response.Body = original;
        }

        var bytes = buffer.ToArray();
        var half = Math.Max(1, bytes.Length / 2);
        context.Response.StatusCode = 200;
        context.Response.ContentLength = half;
        await original.WriteAsync(bytes.AsMemory(0, Math.Min(half, bytes.Length)), context.RequestAborted).ConfigureAwait(false);
    }

    private async Task InjectAsync(HttpContext context, string path, InjectedFault fault)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var realmId = segments.Length > 2 && segments[0] == "v3" ? segments[2] : null;
        var now = DateTimeOffset.UtcNow;
        FakeResponse? response = fault switch
        {
            InjectedFault.TooManyRequests => new FakeResponse(429, FakeResponse.Xml, FakeFaults.ThrottleXml(now.ToOffset(Options.UtcOffset).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture), Options.Throttling.StatusCodeInMessage)),
            InjectedFault.InternalServerError => new FakeResponse(500, "application/json", FakeFaults.InternalServerError(now.ToUnixTimeMilliseconds())),
            InjectedFault.ServiceUnavailable => new FakeResponse(503, FakeResponse.Html, FakeFaults.ServiceUnavailableHtml),
            InjectedFault.HtmlOk => new FakeResponse(200, FakeResponse.Html, FakeFaults.ServiceUnavailableHtml),
            InjectedFault.Unauthorized => new FakeResponse(401, "application/json", FakeFaults.TokenExpired("AB01" + Guid.NewGuid().ToString("N"), now.ToUnixTimeMilliseconds()), new Dictionary<string, string> { ["Www-Authenticate"] = "Bearer realm=\"Intuit\", error=\"invalid_token\"" }),
            _ => null,
        };
        await RecordEdgeAsync(context, realmId, response?.Status ?? 0, fault).ConfigureAwait(false);
        if (response is not null)
        {
            await WriteAsync(context, response).ConfigureAwait(false);
            return;
        }

        if (fault == InjectedFault.Timeout)
        {
            try
            {
                await Task.Delay(Faults.TimeoutDuration, context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The client gave up first.
            }
        }

        context.Abort();
    }

    private async Task RecordEdgeAsync(HttpContext context, string? realmId, int status, InjectedFault? fault)
    {
        if (!Journal.Enabled)
        {
            return;
        }

        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var request = new FakeRequest(context.Request.Method.ToUpperInvariant(), context.Request.Path.Value ?? "/", context.Request.QueryString.Value ?? "", body, headers);
        var kind = request.Path == TokenPath ? FakeRequestKind.Token : request.Path.Contains("/query", StringComparison.OrdinalIgnoreCase) ? FakeRequestKind.Query : FakeRequestKind.Other;
        Journal.Record(request, realmId, kind, status, fault, false);
    }

    private static async Task WriteAsync(HttpContext context, FakeResponse response)
    {
        context.Response.StatusCode = response.Status;
        context.Response.ContentType = response.ContentType;
        if (response.Headers is not null)
        {
            foreach (var pair in response.Headers)
            {
                context.Response.Headers[pair.Key] = pair.Value;
            }
        }

        await context.Response.Body.WriteAsync(response.BodyBytes(), context.RequestAborted).ConfigureAwait(false);
    }
}
