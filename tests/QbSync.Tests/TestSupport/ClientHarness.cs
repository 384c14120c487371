using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using QbSync.QuickBooks;
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
        });
        configureHttp?.Invoke(builder);
        configureServices?.Invoke(services);
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Client = _provider.GetRequiredService<QuickBooksClient>();
    }

    public WireMockServer Server { get; }

    public FakeTimeProvider? Time { get; }

    public CapturingLoggerProvider Logs { get; } = new();

    public QuickBooksClient Client { get; }

    public IServiceProvider Services => _provider;

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
