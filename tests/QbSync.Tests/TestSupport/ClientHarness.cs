using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using QbSync.QuickBooks;
using QbSync.QuickBooks.Authentication;
using WireMock.Server;

namespace QbSync.Tests.TestSupport;

/// <summary>A QuickBooksClient wired through the real registration, pointed at a WireMock server.</summary>
internal sealed class ClientHarness : IDisposable
{
    public const string Realm = "9130348890123456";

    private readonly ServiceProvider _provider;

    public ClientHarness(
        Action<QuickBooksClientOptions>? configure = null,
        FakeTimeProvider? time = null,
        Action<IHttpClientBuilder>? configureHttp = null,
        Action<IServiceCollection>? configureServices = null)
    {
        Server = WireMockServer.Start();
        Time = time;
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
        if (time is not null)
        {
            services.AddSingleton<TimeProvider>(time);
        }

        var builder = services.AddQuickBooksClient(options =>
        {
            options.BaseUrl = new Uri(Server.Url!);
            options.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
            options.ThrottledRetryDelay = TimeSpan.FromMilliseconds(5);
            configure?.Invoke(options);
        }, oauth =>
        {
            oauth.ClientId = "test-client-id";
            oauth.ClientSecret = ClientSecret;
            oauth.TokenEndpoint = new Uri(Server.Url + "/oauth2/v1/tokens/bearer");
            oauth.RevocationEndpoint = new Uri(Server.Url + "/oauth2/v1/tokens/revoke");
        });
        services.AddSingleton<ITokenStore>(Tokens);
        configureHttp?.Invoke(builder);
        configureServices?.Invoke(services);
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Connect(Realm);
        Client = _provider.GetRequiredService<QuickBooksClient>();
    }

    public const string AccessToken = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0.access-token-secret-value";
    public const string RefreshToken = "AB11700000000secret-refresh-token-value";
    public const string ClientSecret = "client-secret-never-logged";

    public InMemoryTokenStore Tokens { get; } = new();

    public WireMockServer Server { get; }

    public FakeTimeProvider? Time { get; }

    public CapturingLoggerProvider Logs { get; } = new();

    public QuickBooksClient Client { get; }

    public IServiceProvider Services => _provider;

    /// <summary>Stores a valid token set for the realm, as if its owner had connected it.</summary>
    public void Connect(string realmId)
    {
        var now = (Time ?? TimeProvider.System).GetUtcNow();
        Tokens.SaveAsync(realmId, new QuickBooksTokenSet
        {
            AccessToken = AccessToken,
            AccessTokenExpiresAt = now.AddHours(1),
            RefreshToken = RefreshToken,
            RefreshTokenExpiresAt = now.AddDays(100),
        }).AsTask().GetAwaiter().GetResult();
    }

    public string CompanyPath(string rest) => $"/v3/company/{Realm}/{rest}";

    public void Dispose()
    {
        _provider.Dispose();
        Server.Stop();
        Server.Dispose();
    }
}

/// <summary>Keeps every log line written, for assertions that no secret is logged.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public string AllText => string.Join('\n', _lines);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
