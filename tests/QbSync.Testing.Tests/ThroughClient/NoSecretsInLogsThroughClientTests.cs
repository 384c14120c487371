using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QbSync.QuickBooks;
using QbSync.QuickBooks.Authentication;

namespace QbSync.Testing.Tests.ThroughClient;

/// <summary>
/// No token, authorization code or client secret reaches the log output (captured at Trace, every category) or an
/// exception message, across a whole flow against the fake in OAuth mode.
/// </summary>
public sealed class NoSecretsInLogsThroughClientTests
{
    private const string Realm = FakeClientHarness.Realm;

    [Fact]
    public async Task Nothing_secret_reaches_the_logs_or_exceptions_across_connect_refresh_faults_and_invalid_grant()
    {
        var clientSecret = "e2e-client-secret-" + Guid.NewGuid().ToString("N");
        using var fake = QuickBooksOnlineFake.Start(options =>
        {
            options.Authentication = FakeAuthenticationMode.OAuth;
            options.OAuth.ClientSecret = clientSecret;
        });
        var logs = new CapturingLoggerProvider();
        var tokens = new RecordingTokenStore();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        services.AddSingleton<ITokenStore>(tokens);
        services.AddQuickBooksClient(
            options =>
            {
                options.BaseUrl = new Uri(fake.BaseUrl);
                options.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
                options.ThrottledRetryDelay = TimeSpan.FromMilliseconds(5);
                options.MaxRetryAttempts = 2;
            },
            oauth =>
            {
                oauth.ClientId = fake.OAuth.ClientId;
                oauth.ClientSecret = clientSecret;
                oauth.TokenEndpoint = new Uri(fake.TokenEndpoint);
                oauth.RevocationEndpoint = new Uri(fake.RevocationEndpoint);
                oauth.RedirectUri = new Uri("http://localhost/callback");
                oauth.TransientRetryDelay = TimeSpan.FromMilliseconds(1);
            });
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var client = provider.GetRequiredService<QuickBooksClient>();
        var manager = provider.GetRequiredService<QuickBooksTokenManager>();
        var visible = new List<string>();

        // Connect with a code.
        var code = fake.OAuth.CreateAuthorizationCode(Realm);
        await manager.ConnectAsync(Realm, code);
        var created = await client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Secretive" });

        // An expired access token: the call refreshes (401, refresh, resend).
        fake.OAuth.ExpireAccessTokens();
        (await client.Customers.GetAsync(Realm, created.Id!)).DisplayName.Should().Be("Secretive");
        fake.OAuth.RefreshCount.Should().Be(1);

        // An injected 401 (lowercase AuthenticationFault) and a transient lowercase 500 on the resend.
        fake.Faults.Enqueue(InjectedFault.Unauthorized, InjectedFault.InternalServerError);
        (await client.Customers.CountAsync(Realm)).Should().Be(1);
        fake.OAuth.RefreshCount.Should().Be(2);

        // A validation fault (6240 duplicate name) and a 401 that persists after the refresh.
        visible.Add(await CaptureAsync<QuickBooksDuplicateNameException>(() => client.Customers.CreateAsync(Realm, new CustomerCreateRequest { DisplayName = "Secretive" })));
        fake.Faults.Enqueue(InjectedFault.Unauthorized, InjectedFault.Unauthorized);
        visible.Add(await CaptureAsync<QuickBooksAuthenticationException>(() => client.Customers.CountAsync(Realm)));

        // A code used twice.
        visible.Add(await CaptureAsync<QuickBooksOAuthException>(() => manager.ConnectAsync(Realm, code)));

        // invalid_grant: the realm must reconnect.
        fake.OAuth.AlwaysInvalidGrant = true;
        fake.OAuth.ExpireAccessTokens();
        visible.Add(await CaptureAsync<QuickBooksReconnectRequiredException>(() => client.Customers.CountAsync(Realm)));
        visible.Add(await CaptureAsync<QuickBooksReconnectRequiredException>(() => client.Customers.CountAsync(Realm)));
        visible.Add((await manager.GetConnectionStateAsync(Realm)).ToString());

        var issued = tokens.Saved.SelectMany(t => new[] { t.AccessToken, t.RefreshToken }).Distinct().ToList();
        issued.Should().HaveCountGreaterThanOrEqualTo(6, "the connect and three refreshes each stored a new access and refresh token");
        issued.Should().OnlyContain(t => t.Length >= 16);
        visible.AddRange(tokens.Saved.Select(t => t.ToString()));
        var secrets = issued.Append(clientSecret).Append(code).ToList();

        var text = logs.AllText + "\n" + string.Join("\n", visible);
        foreach (var secret in secrets)
        {
            text.Should().NotContain(secret);
        }

        logs.Lines.Should().NotBeEmpty();
        logs.Lines.Should().Contain(line => line.Contains(Realm, StringComparison.Ordinal), "the capture sees the client's own log lines");
        logs.Lines.Should().Contain(line => line.StartsWith("Trace ", StringComparison.Ordinal) || line.StartsWith("Debug ", StringComparison.Ordinal));
    }

    private static async Task<string> CaptureAsync<TException>(Func<Task> act)
        where TException : Exception
    {
        var thrown = (await act.Should().ThrowAsync<TException>()).Which;
        return thrown + "\n" + thrown.Message;
    }

    /// <summary>An <see cref="InMemoryTokenStore"/> that also keeps every token set ever saved.</summary>
    private sealed class RecordingTokenStore : ITokenStore
    {
        private readonly InMemoryTokenStore _inner = new();
        private readonly ConcurrentQueue<QuickBooksTokenSet> _saved = new();

        public IReadOnlyCollection<QuickBooksTokenSet> Saved => _saved;

        public ValueTask<QuickBooksTokenSet?> GetAsync(string realmId, CancellationToken cancellationToken = default) => _inner.GetAsync(realmId, cancellationToken);

        public ValueTask SaveAsync(string realmId, QuickBooksTokenSet tokens, CancellationToken cancellationToken = default)
        {
            _saved.Enqueue(tokens);
            return _inner.SaveAsync(realmId, tokens, cancellationToken);
        }

        public ValueTask<QuickBooksTokenSet?> TrySaveAsync(string realmId, QuickBooksTokenSet tokens, long expectedVersion, CancellationToken cancellationToken = default)
        {
            _saved.Enqueue(tokens);
            return _inner.TrySaveAsync(realmId, tokens, expectedVersion, cancellationToken);
        }

        public ValueTask DeleteAsync(string realmId, CancellationToken cancellationToken = default) => _inner.DeleteAsync(realmId, cancellationToken);
    }

    /// <summary>Keeps every log line written, with its exception.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IReadOnlyCollection<string> Lines => _lines;

        public string AllText => string.Join('\n', _lines);

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull
            {
                owner._lines.Enqueue($"Scope {category}: {state}");
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
                owner._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} [{properties}] {exception}");
            }
        }
    }
}
