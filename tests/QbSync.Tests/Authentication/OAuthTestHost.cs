using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using QbSync.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;
using QbSync.QuickBooks.Authentication;
using WireMock.Logging;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace QbSync.Tests.Authentication;

/// <summary>A WireMock token endpoint plus a manager wired to it with a fake clock, an in-memory store and fake loggers.</summary>
internal sealed class OAuthTestHost : IDisposable
{
    public const string TokenPath = "/oauth2/v1/tokens/bearer";
    public const string RevokePath = "/v2/oauth2/tokens/revoke";
    public const string ClientId = "test-client-id";
    public const string ClientSecret = "super-secret-client-secret-value";
    public const string RealmId = "9130357766900000";

    public OAuthTestHost(Action<QuickBooksOAuthOptions>? configure = null, ITokenStore? store = null)
    {
        Server = WireMockServer.Start();
        Options = new QuickBooksOAuthOptions
        {
            ClientId = ClientId,
            ClientSecret = ClientSecret,
            RedirectUri = new Uri("https://app.example.com/qbo/callback"),
            TokenEndpoint = new Uri(Server.Url + TokenPath),
            RevocationEndpoint = new Uri(Server.Url + RevokePath),
            TransientRetryDelay = TimeSpan.Zero,
        };
        configure?.Invoke(Options);
        Time = new WatchedTime(new DateTimeOffset(2026, 1, 15, 12, 0, 0, TimeSpan.Zero));
        HttpClient = new HttpClient();
        Client = new QuickBooksOAuthClient(HttpClient, Options, Time);
        Store = store ?? new InMemoryTokenStore();
        Logs = new FakeLogCollector();
        Manager = new QuickBooksTokenManager(
            Client, Store, Microsoft.Extensions.Options.Options.Create(Options), Time, new FakeLogger<QuickBooksTokenManager>(Logs));
    }

    public WireMockServer Server { get; }
    public QuickBooksOAuthOptions Options { get; }
    public WatchedTime Time { get; }
    public HttpClient HttpClient { get; }
    public QuickBooksOAuthClient Client { get; }
    public ITokenStore Store { get; }
    public FakeLogCollector Logs { get; }
    public QuickBooksTokenManager Manager { get; }

    public IReadOnlyList<ILogEntry> TokenRequests =>
        Server.LogEntries.Where(e => e.Request().Path == TokenPath).ToList();

    public IReadOnlyList<ILogEntry> RefreshRequests =>
        TokenRequests.Where(e => e.Request().Body?.Contains("grant_type=refresh_token", StringComparison.Ordinal) == true).ToList();

    public static string TokenJson(string accessToken, string refreshToken, int expiresIn = 3600, long refreshExpiresIn = 8726400, long? hardExpiresIn = null) =>
        "{\"token_type\":\"bearer\",\"expires_in\":" + expiresIn +
        ",\"refresh_token\":\"" + refreshToken + "\",\"x_refresh_token_expires_in\":" + refreshExpiresIn +
        (hardExpiresIn is { } hard ? ",\"x_refresh_token_hard_expires_in\":" + hard : string.Empty) +
        ",\"access_token\":\"" + accessToken + "\"}";

    public void GivenRefreshResponds(int status, string body, TimeSpan? delay = null)
    {
        var response = Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json;charset=UTF-8")
            .WithHeader("intuit_tid", "1-tid-refresh").WithBody(body);
        if (delay is { } d)
        {
            response = response.WithDelay(d);
        }

        Server.Given(Request.Create().WithPath(TokenPath).UsingPost().WithBody(new WildcardMatcher("*grant_type=refresh_token*")))
            .RespondWith(response);
    }

    public void GivenCodeExchangeResponds(int status, string body) =>
        Server.Given(Request.Create().WithPath(TokenPath).UsingPost().WithBody(new WildcardMatcher("*grant_type=authorization_code*")))
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json")
                .WithHeader("intuit_tid", "1-tid-code").WithBody(body));

    /// <summary>Stores a token set for <see cref="RealmId"/> whose access token expires at <paramref name="accessExpiresAt"/>.</summary>
    public async Task SeedAsync(string accessToken, string refreshToken, DateTimeOffset accessExpiresAt) =>
        await Store.SaveAsync(RealmId, new QuickBooksTokenSet
        {
            AccessToken = accessToken,
            AccessTokenExpiresAt = accessExpiresAt,
            RefreshToken = refreshToken,
            RefreshTokenExpiresAt = Time.GetUtcNow().AddDays(90),
        });

    /// <summary>Every logged message, exception and structured value, to search for leaked secrets.</summary>
    public string AllLogText() => string.Join(
        "\n",
        Logs.GetSnapshot().Select(r =>
            r.Message + " | " + r.Exception + " | " +
            string.Join(";", r.StructuredState?.Select(kv => kv.Key + "=" + kv.Value) ?? [])));

    public void Dispose()
    {
        Server.Stop();
        Server.Dispose();
        HttpClient.Dispose();
    }
}
